"""Detection scenes (kind ``scenes``): handheld / phone-video frames of procedural car, close-up and street
backgrounds with plates, stamped VINs, VIN labels and nameplates pasted in perspective, labelled in YOLO
pose format (box + the 4 corners as keypoints).

VINs and nameplates come from ``datasets.vins`` / ``datasets.nameplates`` when those modules import; until
then scenes hold plates only, and they join automatically once their renderers exist.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from datasets.core import Sample
from datasets.plates import (
    DOUBLE_ROW_TYPES,
    PAINT_COLOURS,
    PX_PER_MM_LEVELS,
    _rounded_rect,
    degrade,
    paste_quad,
    perspective_quad,
    random_plate_type,
    render_plate,
)

CLASS_NAMES = ("plate", "vin_stamp", "vin_label", "nameplate")
FRAME_SIZES = ((640, 480), (1280, 720), (720, 1160), (1080, 1920), (960, 540))  # (width, height)
FLIP_IDX = (1, 0, 3, 2)  # a horizontal flip swaps TL<->TR and BR<->BL
MIN_VISIBLE = 0.6  # objects cut by the frame edge are kept when at least this much of them shows
EMPTY_FRAMES = 0.10


@dataclass(frozen=True, slots=True)
class _Object:
    cls: int
    text: str
    image: np.ndarray
    alpha: np.ndarray | None
    frame: tuple[float, float, float, float]  # labelled extent inside ``image`` (x1, y1, x2, y2)


# ---------------------------------------------------------------------------------------- optional renderers


@lru_cache(maxsize=8)
def _renderer(module: str, name: str) -> Callable[..., Any] | None:
    """``module.name`` if that sibling module imports, else None (scenes then go without that class)."""
    try:
        return getattr(importlib.import_module(module), name)
    except ImportError:
        return None
    except AttributeError:
        return None


def available_classes() -> tuple[int, ...]:
    classes = [0]
    if _renderer("datasets.vins", "render_vin_stamp") is not None:
        classes.append(1)
    if _renderer("datasets.vins", "render_vin_label") is not None:
        classes.append(2)
    if _renderer("datasets.nameplates", "render_nameplate") is not None:
        classes.append(3)
    return tuple(classes)


def _bgr(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image


def _feather(h: int, w: int, width: int) -> np.ndarray:
    """Alpha that fades over ``width`` px at the border, so pasted context patches blend into the scene."""
    a = np.full((h, w), 255, np.uint8)
    if width > 0:
        a = np.zeros((h, w), np.uint8)
        cv2.rectangle(a, (width, width), (w - 1 - width, h - 1 - width), 255, -1)
        k = 2 * width + 1
        a = cv2.GaussianBlur(a, (k, k), 0)
    return a


def _make_object(rng: np.random.Generator, cls: int, char_h: float) -> _Object:
    if cls == 0:
        t = random_plate_type(rng)
        need = char_h * 1.3 / (110 if t in DOUBLE_ROW_TYPES else 90)
        ppm = next((lv for lv in PX_PER_MM_LEVELS if lv >= need), PX_PER_MM_LEVELS[-1])
        p = render_plate(rng, t, px_per_mm=ppm)
        h, w = p.image.shape[:2]
        return _Object(0, p.text, p.image, p.alpha, (0.0, 0.0, float(w), float(h)))
    fn = _renderer(*{1: ("datasets.vins", "render_vin_stamp"), 2: ("datasets.vins", "render_vin_label"),
                     3: ("datasets.nameplates", "render_nameplate")}[cls])
    if fn is None:
        raise RuntimeError(f"class {CLASS_NAMES[cls]} has no renderer")
    r = fn(rng)
    img = _bgr(np.asarray(r.image))
    h, w = img.shape[:2]
    frame = tuple(float(v) for v in getattr(r, "frame_xyxy", (0, 0, 0, 0)) or (0, 0, 0, 0))
    if not (frame[2] > frame[0] + 1 and frame[3] > frame[1] + 1):
        frame = (0.0, 0.0, float(w), float(h))
    # Renderers draw their object on a patch of its surroundings; fade the patch's border into the scene.
    border = int(min(frame[0], frame[1], w - frame[2], h - frame[3], 0.1 * min(h, w)))
    return _Object(cls, str(getattr(r, "text", "") or ""), img, _feather(h, w, max(0, border)), frame)


# ------------------------------------------------------------------------------------------------ backgrounds


def _gradient(rng: np.random.Generator, h: int, w: int, c1: np.ndarray, c2: np.ndarray) -> np.ndarray:
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    col = c1 * (1 - t) + c2 * t
    return np.ascontiguousarray(np.broadcast_to(col, (h, w, 3)), dtype=np.float32)


def _texture(rng: np.random.Generator, h: int, w: int, scale: int, amount: float) -> np.ndarray:
    n = rng.standard_normal((max(2, h // scale), max(2, w // scale)), dtype=np.float32) * np.float32(amount)
    return cv2.resize(n, (w, h), interpolation=cv2.INTER_CUBIC)[..., None]


def _tone(v: Any) -> tuple[float, float, float]:
    return tuple(float(x) for x in np.clip(v, 0, 255))  # type: ignore[return-value]


def _street(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Sky or wall above, asphalt or paving below, with lane marks or brick joints."""
    horizon = int(h * rng.uniform(0.2, 0.6))
    img = np.empty((h, w, 3), np.float32)
    sky1 = rng.uniform([150, 120, 90], [255, 230, 200])
    img[:horizon] = _gradient(rng, horizon, w, sky1, sky1 * rng.uniform(0.6, 1.0))
    road = np.full(3, rng.uniform(60, 140), np.float32) * rng.uniform(0.9, 1.1, 3).astype(np.float32)
    img[horizon:] = _gradient(rng, h - horizon, w, road * 0.8, road * 1.1)
    img[horizon:] += _texture(rng, h - horizon, w, 3, 10)
    if rng.random() < 0.5:  # lane or parking marks
        for _ in range(int(rng.integers(1, 4))):
            x0 = rng.uniform(0, w)
            xb = x0 + rng.uniform(-1, 1) * w
            pts = np.array([[x0, horizon], [x0 + rng.uniform(-0.1, 0.1) * w, horizon], [xb + 30, h], [xb, h]],
                           np.int32)
            cv2.fillConvexPoly(img, pts, _tone(rng.uniform(180, 240, 3) * [1, 1, rng.uniform(0.6, 1)]))
    else:  # wall with brick or tile joints
        step = int(rng.integers(12, 60))
        for y in range(0, horizon, step):
            cv2.line(img, (0, y), (w, y), _tone(sky1 * 0.6), 1)
    return img


def _car(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, tuple[float, float]]:
    """Front or rear of a car filling much of the frame: body panel with shading, windscreen, lamps,
    bumper, grille. Returns the image and the usual plate centre (x, y) in pixels."""
    img = _street(rng, h, w)
    paint = np.asarray(PAINT_COLOURS[int(rng.integers(len(PAINT_COLOURS)))], np.float32)
    bw = w * rng.uniform(0.7, 1.4)
    bh = h * rng.uniform(0.5, 0.95)
    cx, cy = w * rng.uniform(0.35, 0.65), h * rng.uniform(0.45, 0.7)
    x1, y1, x2, y2 = int(cx - bw / 2), int(cy - bh / 2), int(cx + bw / 2), int(cy + bh / 2)
    mask = np.zeros((h, w), np.uint8)
    _rounded_rect(mask, x1, y1, x2, y2, int(min(bw, bh) * rng.uniform(0.05, 0.25)), 255, -1)
    shade = _gradient(rng, h, w, paint * rng.uniform(1.0, 1.3), paint * rng.uniform(0.5, 0.85))
    shade += _texture(rng, h, w, 40, 6)
    m = (mask.astype(np.float32) / 255.0)[..., None]
    img = img * (1 - m) + shade * m
    # windscreen / rear window: dark trapezoid with a reflection
    wy2 = int(y1 + bh * rng.uniform(0.25, 0.4))
    inset = bw * rng.uniform(0.1, 0.2)
    glass = np.array([[x1 + inset, y1 + bh * 0.03], [x2 - inset, y1 + bh * 0.03], [x2 - inset * 0.4, wy2],
                      [x1 + inset * 0.4, wy2]], np.int32)
    cv2.fillConvexPoly(img, glass, _tone(rng.uniform(20, 70, 3)), cv2.LINE_AA)
    # lamps
    ly = int(y1 + bh * rng.uniform(0.45, 0.6))
    lamp = _tone([rng.uniform(20, 60), rng.uniform(20, 60), rng.uniform(150, 230)] if rng.random() < 0.5
                 else rng.uniform(180, 250, 3))
    axes = (int(bw * rng.uniform(0.07, 0.14)), int(bh * rng.uniform(0.04, 0.08)))
    for lx in (x1 + bw * 0.15, x2 - bw * 0.15):
        cv2.ellipse(img, (int(lx), ly), axes, float(rng.uniform(-10, 10)), 0, 360, lamp, -1, cv2.LINE_AA)
        cv2.ellipse(img, (int(lx), ly), axes, 0, 0, 360, _tone(paint * 0.4), 2, cv2.LINE_AA)
    # bumper band and grille slats between the lamps
    by1 = int(y1 + bh * rng.uniform(0.62, 0.72))
    by2 = int(min(h, y2 - bh * 0.05))
    bumper = np.full(3, rng.uniform(20, 60), np.float32) if rng.random() < 0.5 else paint * 0.85
    cv2.rectangle(img, (x1, by1), (x2, by2), _tone(bumper), -1)
    cv2.line(img, (x1, by1), (x2, by1), _tone(np.minimum(255, paint * 1.3 + 20)), 2, cv2.LINE_AA)
    gx1, gx2 = int(x1 + bw * 0.3), int(x2 - bw * 0.3)
    gy1, gy2 = int(ly - axes[1]), int(by1 - bh * 0.02)
    if gy2 > gy1 + 6:
        step = int(rng.integers(4, 14))
        for y in range(gy1, gy2, step):
            cv2.line(img, (gx1, y), (gx2, y), _tone(rng.uniform(10, 200, 1).repeat(3)), max(1, step // 3))
    # wheels under the body
    for wx in (x1 + bw * 0.12, x2 - bw * 0.12):
        cv2.ellipse(img, (int(wx), y2), (int(bw * 0.08), int(bh * 0.1)), 0, 0, 180, (18, 18, 18), -1)
    plate_centre = (cx + rng.normal(0, bw * 0.03), (by1 + by2) / 2 if rng.random() < 0.7 else (gy1 + gy2) / 2)
    return img, plate_centre


def _closeup(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Engine bay / chassis rail close-up: dark painted or bare metal with pipes, bolts and grime."""
    base = rng.uniform(25, 110) * rng.uniform(0.85, 1.15, 3)
    img = _gradient(rng, h, w, base * rng.uniform(0.8, 1.3), base * rng.uniform(0.5, 1.0))
    img += _texture(rng, h, w, 8, 5) + _texture(rng, h, w, 60, 8)
    for _ in range(int(rng.integers(2, 8))):
        p1 = (int(rng.uniform(-0.2, 1.2) * w), int(rng.uniform(-0.2, 1.2) * h))
        p2 = (int(rng.uniform(-0.2, 1.2) * w), int(rng.uniform(-0.2, 1.2) * h))
        th = int(rng.uniform(0.01, 0.08) * min(h, w)) + 1
        c = rng.uniform(10, 180) * rng.uniform(0.8, 1.2, 3)
        cv2.line(img, p1, p2, _tone(c * 0.6), th + 2, cv2.LINE_AA)
        cv2.line(img, p1, p2, _tone(c), max(1, th // 2), cv2.LINE_AA)
    for _ in range(int(rng.integers(0, 12))):
        c = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
        r = int(rng.uniform(0.006, 0.025) * min(h, w)) + 2
        cv2.circle(img, c, r, _tone(rng.uniform(60, 200, 1).repeat(3)), -1, cv2.LINE_AA)
        cv2.circle(img, c, r, (15, 15, 15), 1, cv2.LINE_AA)
    return img


# ------------------------------------------------------------------------------------------------ placement


def _visible_fraction(corners: np.ndarray, w: int, h: int) -> float:
    quad = corners.astype(np.float32)
    area = abs(float(cv2.contourArea(quad)))
    if area <= 0:
        return 0.0
    frame = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    inter, _ = cv2.intersectConvexConvex(quad, frame)
    return float(inter) / area


def _overlaps(box: tuple[float, float, float, float], boxes: list[tuple[float, float, float, float]]) -> bool:
    for b in boxes:
        iw = min(box[2], b[2]) - max(box[0], b[0])
        ih = min(box[3], b[3]) - max(box[1], b[1])
        if iw > 0 and ih > 0:
            smaller = min((box[2] - box[0]) * (box[3] - box[1]), (b[2] - b[0]) * (b[3] - b[1]))
            if iw * ih > 0.05 * smaller:
                return True
    return False


def _object_width(rng: np.random.Generator, obj: _Object, w: int, h: int, char_h: float) -> float:
    """Width in pixels the object's labelled extent gets in the frame."""
    fw = obj.frame[2] - obj.frame[0]
    if obj.cls == 0:
        fh = obj.frame[3] - obj.frame[1]
        # char cell is 90 of 140 mm (110 of 220 on double-row plates): scale the whole plate from char_h
        ratio = 110 / 220 if fh / fw > 0.4 else 90 / 140
        return char_h / ratio * fw / fh
    share = {1: (0.25, 0.9), 2: (0.12, 0.5), 3: (0.12, 0.5)}[obj.cls]
    return float(rng.uniform(*share)) * min(w, h * 1.6)


def _yolo_line(cls: int, box: tuple[float, float, float, float], corners: np.ndarray, visible: list[bool],
               w: int, h: int) -> str:
    x1, y1, x2, y2 = box
    parts = [str(cls), f"{(x1 + x2) / 2 / w:.6f}", f"{(y1 + y2) / 2 / h:.6f}", f"{(x2 - x1) / w:.6f}",
             f"{(y2 - y1) / h:.6f}"]
    for (x, y), v in zip(corners, visible, strict=True):
        parts += [f"{x / w:.6f}", f"{y / h:.6f}", "2"] if v else ["0.000000", "0.000000", "0"]
    return " ".join(parts)


class SceneGenerator:
    """Kind ``scenes``: phone-like frames with 0-3 objects to detect; YOLO pose labels, 4 corner keypoints."""

    kind = "scenes"

    def __init__(self, max_objects: int = 3) -> None:
        self.max_objects = max_objects

    def sample(self, rng: np.random.Generator, index: int) -> Sample:
        w, h = FRAME_SIZES[int(rng.integers(len(FRAME_SIZES)))]
        classes = available_classes()
        kind = rng.random()
        plate_centre: tuple[float, float] | None = None
        if kind < 0.55:
            canvas, plate_centre = _car(rng, h, w)
        elif kind < 0.75 and len(classes) > 1:
            canvas = _closeup(rng, h, w)
        else:
            canvas = _street(rng, h, w)
        n = 0 if rng.random() < EMPTY_FRAMES else int(rng.integers(1, self.max_objects + 1))

        objects: list[dict[str, Any]] = []
        lines: list[str] = []
        boxes: list[tuple[float, float, float, float]] = []
        for k in range(n):
            if plate_centre is not None and k == 0:
                cls = 0
            else:
                weights = np.array([{0: 3.0, 1: 1.5, 2: 1.0, 3: 1.0}[c] for c in classes])
                if kind >= 0.55 and kind < 0.75:  # close-ups favour stamped VINs and nameplates
                    weights = weights * np.array([0.3 if c == 0 else 1.5 for c in classes])
                cls = int(classes[int(rng.choice(len(classes), p=weights / weights.sum()))])
            char_h = float(np.exp(rng.uniform(math.log(10), math.log(130))))
            if rng.random() < 0.6:
                char_h = float(np.exp(rng.uniform(math.log(14), math.log(60))))
            obj = _make_object(rng, cls, char_h)
            placed = self._place(rng, obj, w, h, char_h, boxes, plate_centre if k == 0 else None)
            if placed is None:
                continue
            corners, full = placed
            paste_quad(canvas, obj.image, obj.alpha, full)
            visible = [bool(0 <= x <= w and 0 <= y <= h) for x, y in corners]
            box = (max(0.0, float(corners[:, 0].min())), max(0.0, float(corners[:, 1].min())),
                   min(float(w), float(corners[:, 0].max())), min(float(h), float(corners[:, 1].max())))
            boxes.append(box)
            lines.append(_yolo_line(cls, box, corners, visible, w, h))
            objects.append({
                "class": CLASS_NAMES[cls],
                "class_id": cls,
                "text": obj.text,
                "box_xyxy": [round(v, 2) for v in box],
                "corners": [[round(float(x), 2), round(float(y), 2)] for x, y in corners],
                "visible": visible,
                "truncated": not all(visible),
            })
        image = degrade(rng, canvas, strength=0.8)
        label = {"width": w, "height": h, "objects": objects}
        return Sample(image=image, label=label, yolo_lines=lines)

    def _place(
        self, rng: np.random.Generator, obj: _Object, w: int, h: int, char_h: float,
        boxes: list[tuple[float, float, float, float]], centre: tuple[float, float] | None,
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """(labelled corners, corners of the whole pasted image) in frame pixels, or None if no spot fits."""
        ih, iw = obj.image.shape[:2]
        fx1, fy1, fx2, fy2 = obj.frame
        shrink = 1.0
        for _ in range(12):
            _, hm = perspective_quad(rng, float(iw), float(ih))
            target_w = _object_width(rng, obj, w, h, char_h) * shrink
            frame_pts = np.array([[fx1, fy1], [fx2, fy1], [fx2, fy2], [fx1, fy2]], np.float64)
            full_pts = np.array([[0, 0], [iw, 0], [iw, ih], [0, ih]], np.float64)
            fq = _project(hm, frame_pts)
            scale = target_w / max(1e-6, float(fq[:, 0].max() - fq[:, 0].min()))
            fq, aq = fq * scale, _project(hm, full_pts) * scale
            qw, qh = float(fq[:, 0].max() - fq[:, 0].min()), float(fq[:, 1].max() - fq[:, 1].min())
            if qw > w * 1.1 or qh > h * 1.1:
                shrink *= 0.6
                continue
            if centre is not None and rng.random() < 0.8:
                cx, cy = centre[0] + rng.normal(0, qw * 0.2), centre[1] + rng.normal(0, qh * 0.3)
            else:
                cx, cy = rng.uniform(-0.2 * qw, w + 0.2 * qw), rng.uniform(-0.2 * qh, h + 0.2 * qh)
            shift = np.array([cx, cy]) - fq.mean(0)
            fq, aq = fq + shift, aq + shift
            if _visible_fraction(fq, w, h) < MIN_VISIBLE:
                continue
            box = (float(fq[:, 0].min()), float(fq[:, 1].min()), float(fq[:, 0].max()), float(fq[:, 1].max()))
            if _overlaps(box, boxes):
                continue
            return fq, aq
        return None

    def finalize(self, out: Path, n: int) -> None:
        """``dataset.yaml`` for ultralytics pose training; the trainer makes its own train/val split."""
        names = "\n".join(f"  {i}: {name}" for i, name in enumerate(CLASS_NAMES))
        text = (
            f"# {n} synthetic scenes (datasets.scenes); labels/ holds YOLO pose lines\n"
            f"path: {Path(out).resolve().as_posix()}\n"
            "train: images\n"
            "val: images\n"
            f"names:\n{names}\n"
            "kpt_shape: [4, 3]\n"
            f"flip_idx: [{', '.join(str(i) for i in FLIP_IDX)}]\n"
        )
        (Path(out) / "dataset.yaml").write_text(text, encoding="utf-8")


def _project(hm: np.ndarray, pts: np.ndarray) -> np.ndarray:
    p = np.column_stack([pts, np.ones(len(pts))]) @ hm.T
    return p[:, :2] / p[:, 2:3]
