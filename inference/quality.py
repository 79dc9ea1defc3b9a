"""Frame quality for live capture: sharpness, exposure, glare and motion, and one guidance message.

Everything is measured on a small grey copy of the frame (long side ``THUMB_SIDE``), so it costs about a
millisecond and can run on every frame of a 15 fps stream while the expensive read runs on few of them.
Scores are in [0, 1], 1 being good; thresholds are module constants so tests and callers see them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np

from .types import BoxXYXY, Frame

THUMB_SIDE = 320
MOTION_SIDE = 64

# Exposure. A dark or white car body moves the mean a lot, so "too dark" also needs the brightest parts
# (the plate, lights) to be dim, and "too bright" needs much of the frame clipped.
DARK_LEVEL = 35
DARK_MEAN = 0.08
DARK_HIGHLIGHT = 90  # 99th percentile grey level
BRIGHT_MEAN = 0.93
BRIGHT_CLIPPED = 0.3
CLIPPED_LEVEL = 250
# Glare: a compact bright highlight covering a noticeable part of the frame.
GLARE_FRACTION = 0.015
# Sharpness: strongest Laplacian over strongest gradient (99.5th percentiles) on the thumbnail. For an
# edge blurred by sigma the ratio falls like 1/sigma whatever the edge's contrast: crisp ~1, soft < 0.5.
SHARP_EDGE = 0.8
BLUR_EDGE = 0.5
MIN_EDGE_GRADIENT = 8.0  # below this there is no edge to judge focus by
LOW_CONTRAST_STD = 18.0
# Motion: mean absolute difference of consecutive tiny thumbnails, over the frame's contrast.
MOTION_LEVEL = 0.25

# An item smaller than this share of the frame width asks the user to come closer.
MIN_WIDTH_SHARE: dict[str, float] = {"plate": 0.14, "vin": 0.35, "nameplate": 0.35}


class QualityIssue(StrEnum):
    too_dark = "too_dark"
    too_bright = "too_bright"
    glare = "glare"
    blurry = "blurry"
    moving = "moving"
    low_contrast = "low_contrast"


@dataclass(frozen=True, slots=True)
class FrameQuality:
    """Quality of one frame. ``score`` is the product of the partial scores; ``motion_thumb`` is the tiny
    grey copy the next frame's motion is measured against."""

    sharpness: float
    brightness: float
    dark_fraction: float
    clipped_fraction: float
    glare_fraction: float
    contrast: float
    motion: float
    score: float
    issues: tuple[QualityIssue, ...]
    motion_thumb: np.ndarray

    @property
    def good(self) -> bool:
        """Good enough to spend a read on: no exposure, glare or blur problem."""
        return not self.issues or self.issues == (QualityIssue.low_contrast,)


def thumbnail(image: np.ndarray, side: int = THUMB_SIDE) -> np.ndarray:
    """Grey copy with its long side at most ``side`` (area averaging, so no aliasing)."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    h, w = grey.shape[:2]
    f = side / max(h, w)
    if f < 1.0:
        grey = cv2.resize(grey, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)
    return grey


def _ramp(value: float, bad: float, good: float) -> float:
    """0 at ``bad``, 1 at ``good``, linear in between (either direction)."""
    if good == bad:
        return 1.0
    return float(np.clip((value - bad) / (good - bad), 0.0, 1.0))


def assess_quality(frame: Frame | np.ndarray, previous_thumb: np.ndarray | None = None) -> FrameQuality:
    """Measure one frame (BGR or grey). ``previous_thumb`` is the previous frame's ``motion_thumb``."""
    image = frame.image if isinstance(frame, Frame) else frame
    grey = thumbnail(image)
    mean = float(grey.mean()) / 255.0
    highlight = float(np.percentile(grey, 99))
    contrast = float(grey.std())
    dark = float((grey < DARK_LEVEL).mean())
    clipped_mask = (grey >= CLIPPED_LEVEL).astype(np.uint8)
    clipped = float(clipped_mask.mean())
    glare = _largest_blob_fraction(clipped_mask)
    g = grey.astype(np.float32)
    lap = float(np.percentile(np.abs(cv2.Laplacian(g, cv2.CV_32F, ksize=3)), 99.5))
    grad = float(np.percentile(np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1)), 99.5))
    sharpness = lap / grad if grad >= MIN_EDGE_GRADIENT else 0.0

    small = cv2.resize(grey, _motion_size(grey.shape), interpolation=cv2.INTER_AREA)
    motion = 0.0
    if previous_thumb is not None and previous_thumb.shape == small.shape:
        motion = float(cv2.absdiff(small, previous_thumb).mean()) / max(contrast, 8.0)

    issues: list[QualityIssue] = []
    if mean < DARK_MEAN or highlight < DARK_HIGHLIGHT:
        issues.append(QualityIssue.too_dark)
    elif mean > BRIGHT_MEAN or clipped > BRIGHT_CLIPPED:
        issues.append(QualityIssue.too_bright)
    if glare >= GLARE_FRACTION and QualityIssue.too_bright not in issues:
        issues.append(QualityIssue.glare)
    if sharpness < BLUR_EDGE:
        issues.append(QualityIssue.blurry)
    if motion > MOTION_LEVEL:
        issues.append(QualityIssue.moving)
    if contrast < LOW_CONTRAST_STD:
        issues.append(QualityIssue.low_contrast)

    exposure = (_ramp(mean, DARK_MEAN * 0.5, DARK_MEAN * 2)
                * _ramp(highlight, DARK_HIGHLIGHT * 0.7, DARK_HIGHLIGHT * 1.6)
                * _ramp(mean, 0.98, BRIGHT_MEAN - 0.1) * _ramp(clipped, BRIGHT_CLIPPED, 0.05))
    score = (exposure * _ramp(sharpness, BLUR_EDGE * 0.6, SHARP_EDGE) * _ramp(glare, 0.08, 0.0)
             * _ramp(motion, MOTION_LEVEL * 2, MOTION_LEVEL * 0.5) * (0.7 + 0.3 * _ramp(contrast, 5, 40)))
    return FrameQuality(round(sharpness, 3), round(mean, 4), round(dark, 4), round(clipped, 4), round(glare, 4),
                        round(contrast, 2), round(motion, 3), round(score, 4), tuple(issues), small)


def _motion_size(shape: tuple[int, ...]) -> tuple[int, int]:
    h, w = shape[:2]
    f = MOTION_SIDE / max(h, w)
    return max(1, round(w * f)), max(1, round(h * f))


def _largest_blob_fraction(mask: np.ndarray) -> float:
    if not mask.any():
        return 0.0
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return float(stats[1:, cv2.CC_STAT_AREA].max()) / mask.size if n > 1 else 0.0


# ------------------------------------------------------------------------------------------------ guidance


class GuidanceCode(StrEnum):
    too_dark = "too_dark"
    too_bright = "too_bright"
    glare = "glare"
    hold_still = "hold_still"
    show_item = "show_item"
    move_closer = "move_closer"
    keep_steady = "keep_steady"
    item_done = "item_done"
    all_done = "all_done"


@dataclass(frozen=True, slots=True)
class Guidance:
    code: GuidanceCode
    message: str
    item: str | None = None


@dataclass(frozen=True, slots=True)
class TargetView:
    """What the latest read saw of the item being captured: its kind (``plate``, ``vin``, ``nameplate``),
    a human label, and its box in the frame (None when it was not found)."""

    kind: str
    label: str
    box_xyxy: BoxXYXY | None
    frame_width: int


def guidance_for(quality: FrameQuality, target: TargetView | None, done_label: str | None = None) -> Guidance:
    """One message, the most urgent first: light, glare, blur/motion, then framing of the current item.

    ``target`` None means every item is captured; ``done_label`` names an item just completed.
    """
    issues = set(quality.issues)
    if QualityIssue.too_dark in issues:
        return Guidance(GuidanceCode.too_dark, "too dark: turn on a light or move into the light")
    if QualityIssue.too_bright in issues:
        return Guidance(GuidanceCode.too_bright, "too bright: move out of direct light")
    if QualityIssue.glare in issues:
        return Guidance(GuidanceCode.glare, "glare: tilt the phone to get rid of the reflection")
    if QualityIssue.moving in issues or QualityIssue.blurry in issues:
        return Guidance(GuidanceCode.hold_still, "hold still")
    if target is None:
        return Guidance(GuidanceCode.all_done, "all items captured: the inspector will finish the session")
    if done_label is not None:
        return Guidance(GuidanceCode.item_done, f"{done_label} done: now show the {target.label}", target.kind)
    if target.box_xyxy is None:
        return Guidance(GuidanceCode.show_item, f"show the {target.label}", target.kind)
    width_share = (target.box_xyxy[2] - target.box_xyxy[0]) / max(1, target.frame_width)
    if width_share < MIN_WIDTH_SHARE.get(target.kind, 0.2):
        return Guidance(GuidanceCode.move_closer, f"move closer to the {target.label}", target.kind)
    return Guidance(GuidanceCode.keep_steady, f"good: keep the {target.label} in view", target.kind)
