"""Image quality of an uploaded page, measured (not learned): sharpness, brightness, glare, size, and text
cut by the image border (a cropped or incomplete page)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ..types import BoxXYXY
from .types import QualityIssue, QualityReport


@dataclass(frozen=True, slots=True)
class QualityLimits:
    min_sharpness: float = 40.0  # variance of the Laplacian at a 1024-pixel working size
    min_brightness: float = 60.0  # mean grey level
    max_brightness: float = 245.0
    max_glare_fraction: float = 0.04  # share of the page burnt out to white in blobs
    min_side_px: int = 500
    max_border_lines: int = 0  # text lines cut by the image border
    min_text_height_px: float = 12.0  # median height of the text lines found: below it the page is too far away


def measure(
    image: np.ndarray,
    line_boxes: Sequence[BoxXYXY] = (),
    limits: QualityLimits | None = None,
    text_height_px: float | None = None,
) -> QualityReport:
    limits = limits or QualityLimits()
    h, w = image.shape[:2]
    s = min(1.0, 1024 / max(h, w))
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if s < 1.0:
        grey = cv2.resize(grey, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    sharpness = float(cv2.Laplacian(grey, cv2.CV_32F).var())
    brightness = float(grey.mean())
    # glare: burnt-out pixels in blobs (open away isolated white specks and thin strokes)
    burnt = (grey >= 250).astype(np.uint8)
    burnt = cv2.morphologyEx(burnt, cv2.MORPH_OPEN, np.ones((7, 7), np.uint8))
    glare = float(burnt.mean())
    margin = 2.0
    cut = sum(
        1 for x1, y1, x2, y2 in line_boxes if x1 <= margin or y1 <= margin or x2 >= w - margin or y2 >= h - margin
    )
    issues = []
    if sharpness < limits.min_sharpness:
        issues.append(QualityIssue("blur", sharpness, limits.min_sharpness))
    if brightness < limits.min_brightness:
        issues.append(QualityIssue("dark", brightness, limits.min_brightness))
    if brightness > limits.max_brightness:
        issues.append(QualityIssue("overexposed", brightness, limits.max_brightness))
    if glare > limits.max_glare_fraction:
        issues.append(QualityIssue("glare", glare, limits.max_glare_fraction))
    if min(h, w) < limits.min_side_px:
        issues.append(QualityIssue("small", float(min(h, w)), float(limits.min_side_px)))
    if text_height_px is not None and text_height_px < limits.min_text_height_px:
        issues.append(QualityIssue("text_small", text_height_px, limits.min_text_height_px))
    if cut > limits.max_border_lines:
        issues.append(QualityIssue("cropped", float(cut), float(limits.max_border_lines)))
    return QualityReport(sharpness, brightness, glare, (w, h), float(cut), tuple(issues))
