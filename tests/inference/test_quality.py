"""Frame quality metrics and screen-replay cues on frames made with opencv and the data factory."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from datasets.plates import car_background, paste_quad, render_plate
from inference.quality import GuidanceCode, QualityIssue, TargetView, assess_quality, guidance_for
from inference.replay import screen_replay_cues
from inference.validate.plate import PlateType


def _scene(seed: int = 0, w: int = 1280, h: int = 720) -> np.ndarray:
    rng = np.random.default_rng(seed)
    bg = car_background(rng, h, w)
    plate = render_plate(rng, PlateType.blue_small, "皖A12345")
    ph, pw = plate.image.shape[:2]
    pw_px = w * 0.25
    x0, y0 = w * 0.38, h * 0.55
    corners = np.array([[x0, y0], [x0 + pw_px, y0], [x0 + pw_px, y0 + pw_px * ph / pw], [x0, y0 + pw_px * ph / pw]])
    paste_quad(bg, plate.image, plate.alpha, corners)
    return np.clip(bg, 0, 255).astype(np.uint8)


def _jpeg(img: np.ndarray, q: int = 85) -> np.ndarray:
    return cv2.imdecode(cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q])[1], cv2.IMREAD_COLOR)


def _glare(img: np.ndarray) -> np.ndarray:
    out = img.copy()
    cv2.circle(out, (640, 300), 120, (255, 255, 255), -1)
    return out


def _screen(img: np.ndarray, seed: int = 0) -> np.ndarray:
    """The scene shown on an RGB-stripe display and filmed at a slight angle (moiré + refresh bands)."""
    rng = np.random.default_rng(seed)
    h, w = img.shape[:2]
    up = cv2.resize(img, (w * 3, h * 3), interpolation=cv2.INTER_NEAREST).astype(np.float32)
    cell = np.zeros((3, 3, 3), np.float32)
    for c, ch in enumerate((2, 1, 0)):
        cell[:2, c, ch] = 1.0
    up *= (0.25 + 0.75 * np.tile(cell, (h, w, 1))) * 1.3
    # Grids that beat: not 1 screen pixel per camera pixel and a slight tilt (a screen filmed square-on at
    # exactly 1:1 shows no moiré, and then only the bands and the bezel are left to see).
    angle = float(rng.choice([-1.0, 1.0]) * rng.uniform(1.5, 4.0))
    m = cv2.getRotationMatrix2D((w * 1.5, h * 1.5), angle, float(rng.uniform(0.38, 0.45)))
    m[:, 2] += [w / 2 - w * 1.5, h / 2 - h * 1.5]
    cap = cv2.warpAffine(up, m, (w, h), flags=cv2.INTER_LINEAR)
    cap *= 1 + 0.08 * np.sin(2 * np.pi * np.arange(h, dtype=np.float32)[:, None, None] / 17.0)
    return np.clip(cap, 0, 255).astype(np.uint8)


SCENE = _scene()


@pytest.mark.parametrize(
    ("name", "make", "issue"),
    [
        ("sharp", lambda im: im, None),
        ("defocus", lambda im: cv2.GaussianBlur(im, (0, 0), 6), QualityIssue.blurry),
        ("dark", lambda im: (im * 0.15).astype(np.uint8), QualityIssue.too_dark),
        ("overexposed", lambda im: cv2.convertScaleAbs(im, alpha=3.0, beta=120), QualityIssue.too_bright),
        ("glare", _glare, QualityIssue.glare),
    ],
)
def test_quality_issues(name, make, issue):
    q = assess_quality(_jpeg(make(SCENE)))
    if issue is None:
        assert q.good and q.score > 0.5, q
    else:
        assert issue in q.issues, (name, q)
        assert not q.good and q.score < assess_quality(_jpeg(SCENE)).score


def test_motion_between_frames():
    first = assess_quality(SCENE)
    still = assess_quality(SCENE, first.motion_thumb)
    moved = assess_quality(np.roll(SCENE, 200, axis=1), first.motion_thumb)
    assert still.motion < 0.05 and QualityIssue.moving not in still.issues
    assert QualityIssue.moving in moved.issues


@pytest.mark.parametrize(
    ("issues", "box", "code"),
    [
        ((QualityIssue.too_dark, QualityIssue.blurry), None, GuidanceCode.too_dark),
        ((QualityIssue.glare,), None, GuidanceCode.glare),
        ((QualityIssue.moving,), None, GuidanceCode.hold_still),
        ((), None, GuidanceCode.show_item),
        ((), (600.0, 300.0, 700.0, 330.0), GuidanceCode.move_closer),
        ((), (300.0, 300.0, 900.0, 400.0), GuidanceCode.keep_steady),
    ],
)
def test_guidance_priority(issues, box, code):
    q = assess_quality(SCENE)
    q = type(q)(*[getattr(q, f) for f in q.__slots__[:-2]], issues, q.motion_thumb)
    g = guidance_for(q, TargetView("vin", "stamped VIN", box, 1280))
    assert g.code is code
    if code is GuidanceCode.move_closer:
        assert g.message == "move closer to the stamped VIN"


def test_quality_is_cheap_enough_for_every_frame():
    import time

    assess_quality(SCENE)
    t0 = time.perf_counter()
    for _ in range(10):
        assess_quality(SCENE)
    assert (time.perf_counter() - t0) / 10 < 0.05  # 720p, generous for a loaded 2-core machine


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_screen_replay_stands_out_from_camera_frames(seed):
    scene = _scene(seed)
    natural = screen_replay_cues(_jpeg(scene))
    replay = screen_replay_cues(_jpeg(_screen(scene, seed)))
    assert natural.score < 0.3 and not natural.suspect, natural
    assert replay.suspect and replay.score > natural.score + 0.4, replay


def test_small_frames_have_no_replay_cue():
    assert screen_replay_cues(np.zeros((100, 100, 3), np.uint8)).score == 0.0
