"""Frame quality metrics and screen-replay cues on frames made with opencv and the data factory; document page
quality (blur measured on the text, glare, the reader's confidence) on synthetic text pages."""

from __future__ import annotations

from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from datasets.plates import car_background, paste_quad, render_plate
from inference.documents.quality import QualityLimits, blur_sigma, measure
from inference.documents.reader import DocumentReader
from inference.documents.review import _QUALITY_MESSAGES
from inference.quality import GuidanceCode, QualityIssue, TargetView, assess_quality, guidance_for
from inference.replay import screen_replay_cues
from inference.types import CharRead, Frame, TextLine, TextRead, TextResult
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


# --- document pages (inference/documents/quality.py): blur measured on the text, relative to its size ---

_LINE = "LGB95P2T0HV157558"


def _text_page(paper: int = 225, w: int = 1200, h: int = 900) -> tuple[np.ndarray, list, float]:
    """A page of printed lines, their boxes (as the text detector gives them) and the line height."""
    img = np.full((h, w, 3), paper, np.uint8)
    (tw, th), base = cv2.getTextSize(_LINE, cv2.FONT_HERSHEY_SIMPLEX, 0.8, 2)
    boxes = []
    y = 80
    while y < h - 60:
        for x in (60, 640):
            cv2.putText(img, _LINE, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (30, 30, 30), 2)
            boxes.append((x - 4.0, y - th - 6.0, x + tw + 4.0, y + base + 4.0))
        y += int(th * 2.6)
    return img, boxes, float(th + base + 10)


PAGE, BOXES, HEIGHT = _text_page()


def _scaled(f: float):
    return (
        cv2.resize(PAGE, None, fx=f, fy=f, interpolation=cv2.INTER_AREA),
        [tuple(v * f for v in b) for b in BOXES],
        HEIGHT * f,
    )


def _low_res(f: float) -> np.ndarray:
    """Photographed with too few pixels on the text, then enlarged (digital zoom)."""
    small = cv2.resize(PAGE, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    return cv2.resize(small, PAGE.shape[1::-1], interpolation=cv2.INTER_LINEAR)


def _solid_glare(img: np.ndarray) -> np.ndarray:
    out = img.copy()
    cv2.circle(out, (600, 450), 220, (255, 255, 255), -1)  # a reflection that hides the characters under it
    return out


def _see_through_glare(img: np.ndarray) -> np.ndarray:
    """A broad highlight that burns the paper out but leaves the print visible (as on the dev photos)."""
    yy, xx = np.mgrid[0 : img.shape[0], 0 : img.shape[1]]
    blob = np.exp(-(((xx - 600) / 300.0) ** 2 + ((yy - 450) / 200.0) ** 2))
    return np.clip(img.astype(np.float32) + 150 * blob[..., None], 0, 255).astype(np.uint8)


DOC_CASES = [
    ("sharp page", lambda: (PAGE, BOXES, HEIGHT), set()),
    ("slightly soft (sigma 1.5)", lambda: (cv2.GaussianBlur(PAGE, (0, 0), 1.5), BOXES, HEIGHT), set()),
    ("defocused (sigma 3)", lambda: (cv2.GaussianBlur(PAGE, (0, 0), 3), BOXES, HEIGHT), {"text_blur"}),
    ("too few pixels, enlarged", lambda: (_low_res(0.15), BOXES, HEIGHT), {"text_blur"}),
    ("photographed from afar", lambda: _scaled(0.3), {"small", "text_small"}),
    ("reflection hiding text", lambda: (_solid_glare(PAGE), BOXES, HEIGHT), {"glare"}),
    ("highlight, print still visible", lambda: (_see_through_glare(PAGE), BOXES, HEIGHT), set()),
    ("scan on white paper", lambda: (_text_page(paper=253)[0], BOXES, HEIGHT), set()),
    ("dark", lambda: ((PAGE * 0.2).astype(np.uint8), BOXES, HEIGHT), {"dark"}),
    ("blurred, no text found", lambda: (cv2.GaussianBlur(PAGE, (0, 0), 6), [], None), {"blur"}),
]


@pytest.mark.parametrize(("name", "make", "issues"), DOC_CASES, ids=[c[0] for c in DOC_CASES])
def test_document_quality(name, make, issues):
    image, boxes, height = make()
    report = measure(image, (), None, height, text_boxes=boxes)
    assert {i.code for i in report.issues} == issues, report
    assert report.ok is (not issues)


def test_text_resolution_falls_with_blur_and_recovers_with_size():
    lim = QualityLimits(min_text_resolution=1e6)  # always report the value

    def resolution(image, boxes, height):
        (issue,) = [i for i in measure(image, (), lim, height, text_boxes=boxes).issues if i.code == "text_blur"]
        return issue.value

    values = [resolution(cv2.GaussianBlur(PAGE, (0, 0), s), BOXES, HEIGHT) for s in (0.8, 1.5, 2.5, 3.5)]
    assert all(a > b for a, b in zip(values, values[1:], strict=False)), values
    # the same blur on text twice as large is half as harmful
    big = cv2.resize(PAGE, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    big_boxes = [tuple(v * 2 for v in b) for b in BOXES]
    assert resolution(cv2.GaussianBlur(big, (0, 0), 3), big_boxes, HEIGHT * 2) > 1.5 * values[-1]


@pytest.mark.parametrize("sigma", [1.0, 2.0, 3.0])
def test_blur_sigma_tracks_gaussian_blur(sigma):
    line = cv2.cvtColor(PAGE[40:100, 50:420], cv2.COLOR_BGR2GRAY).astype(np.float32)
    sharp = blur_sigma(line)
    blurred = blur_sigma(cv2.GaussianBlur(line, (0, 0), sigma))
    assert sharp is not None and blurred is not None
    assert 0.8 * sigma < blurred < 1.5 * sigma + 0.5 and blurred > sharp
    assert blur_sigma(np.full((40, 200), 200, np.float32)) is None  # nothing to measure on blank paper


@pytest.mark.parametrize(
    ("confidences", "page", "issues"),
    [
        ([0.99] * 200, PAGE, set()),
        ([0.99] * 180 + [0.3] * 20, PAGE, set()),  # 10% uncertain: still checked
        ([0.99] * 170 + [0.79] * 30, PAGE, {"unreadable"}),  # 15% read below 0.8
        ([0.99] * 170 + [0.8] * 30, PAGE, set()),  # 0.8 itself is not uncertain
        ([0.99] * 100 + [0.3] * 100, PAGE, {"unreadable"}),  # half the characters unsure
        ([0.3] * 10, PAGE, set()),  # too few characters to judge the page
        ([0.99] * 100 + [0.3] * 100, cv2.GaussianBlur(PAGE, (0, 0), 3), {"text_blur"}),  # the cause is named
    ],
)
def test_uncertain_characters(confidences, page, issues):
    report = measure(page, (), None, HEIGHT, text_boxes=BOXES, char_confidences=confidences)
    assert {i.code for i in report.issues} == issues


@pytest.mark.parametrize(
    ("n_chars", "text_expected", "printed", "page", "issues"),
    [
        (10, True, 0, PAGE, {"unreadable"}),  # a listed document of which only the title was read
        (29, True, 0, PAGE, {"unreadable"}),
        (30, True, 0, PAGE, set()),
        (10, False, 0, PAGE, set()),  # a page of no listed type may hold a few words
        (0, True, 0, PAGE, {"unreadable"}),  # nothing read at all
        (10, True, 0, cv2.GaussianBlur(PAGE, (0, 0), 3), {"text_blur"}),  # the cause is named when measured
        # an invoice (620 characters as read) of which the title and the codes were read: most text not found
        (38, True, 620, PAGE, {"unreadable"}),
        (154, True, 620, PAGE, {"unreadable"}),
        (155, True, 620, PAGE, set()),  # a quarter of its print
        (38, True, 0, PAGE, set()),  # its type not known for sure: the floor alone
        (38, False, 620, PAGE, set()),  # not a listed document
        (20, True, 51, PAGE, {"unreadable"}),  # an ID card's back: the floor holds where a quarter is below it
    ],
)
def test_a_document_with_almost_nothing_read_is_unreadable(n_chars, text_expected, printed, page, issues):
    report = measure(
        page,
        (),
        None,
        HEIGHT,
        text_boxes=BOXES,
        char_confidences=[0.99] * n_chars,
        text_expected=text_expected,
        printed_chars=printed,
    )
    assert {i.code for i in report.issues} == issues


def _tilted_line(cx: float, cy: float, length: float, height: float, deg: float) -> TextLine:
    a = np.deg2rad(deg)
    u, v = np.array([np.cos(a), np.sin(a)]), np.array([-np.sin(a), np.cos(a)])
    c = np.array([cx, cy])
    pts = [c - u * length / 2 - v * height / 2, c + u * length / 2 - v * height / 2]
    pts += [c + u * length / 2 + v * height / 2, c - u * length / 2 + v * height / 2]
    xs, ys = [float(p[0]) for p in pts], [float(p[1]) for p in pts]
    chars = tuple(CharRead(ch, 0.99) for ch in "ABCDEFGHIJ")
    return TextLine(
        (min(xs), min(ys), max(xs), max(ys)),
        tuple((float(p[0]), float(p[1])) for p in pts),
        0.9,
        TextRead("ABCDEFGHIJ", 0.99, chars),
    )


def test_reader_measures_text_height_across_tilted_lines():
    """A line tilted by 30 degrees has a box ~8x taller than its text: the height is measured across the line."""
    lines = tuple(_tilted_line(600, 200 + 120 * i, 300, 20, 30) for i in range(5))
    me = SimpleNamespace(quality_limits=QualityLimits(min_text_height_px=25))
    report = DocumentReader.quality(me, Frame(PAGE), TextResult(lines), lambda b: b, True)
    (small,) = [i for i in report.issues if i.code == "text_small"]
    assert small.value == pytest.approx(20, abs=0.5)


def test_every_document_quality_issue_has_a_retake_notice():
    codes = {"blur", "text_blur", "unreadable", "dark", "overexposed", "glare", "small", "text_small", "cropped"}
    for code in codes:
        zh, en = _QUALITY_MESSAGES[code]
        # what is wrong, then what to do: "…：请…" / "…: <instruction>"
        assert "{doc}" in zh and "{doc}" in en, code
        assert "：请" in zh and ": " in en, code
