"""Array preparation shared by the document classifiers and their training (numpy/opencv only), so the
training code and the engine cannot drift apart."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import cv2
import numpy as np

DOC_INPUT_SIZE = 128
AUTH_PATCH = 112
# Authenticity cues (moire, halftone, sub-pixel grid) live at the pixel scale the forgeries were made at:
# pages are brought to this longest side (never enlarged) before patches are cut.
AUTH_MAX_SIDE = 1280


def _unit_range(x: np.ndarray) -> np.ndarray:
    """Grey levels 0..255 to [-1, 1] by the float32 arithmetic the models were trained with."""
    return (x.astype(np.float32) * (1.0 / 255.0) - 0.5) / 0.5


_CHW_LEVELS = _unit_range(np.arange(256))  # each byte's value, looked up by to_chw


def to_chw(images: np.ndarray) -> np.ndarray:
    """N x H x W x 3 uint8 BGR -> N x 3 x H x W float32 in [-1, 1]. The bytes are put in channel order first and
    looked up (``cv2.LUT``): the same values as scaling in float32, in a third of the time (a batch of 64 patches:
    1.3 ms instead of 3.6)."""
    if images.dtype != np.uint8:
        return np.ascontiguousarray(_unit_range(images).transpose(0, 3, 1, 2))
    n, h, w, c = images.shape
    planes = np.ascontiguousarray(images.transpose(0, 3, 1, 2)).reshape(n * c * h, w)
    return cv2.LUT(planes, _CHW_LEVELS).reshape(n, c, h, w)


def doc_thumbnail(image: np.ndarray, size: int = DOC_INPUT_SIZE) -> np.ndarray:
    """The whole page squashed to ``size`` x ``size`` (layout and colour decide the type)."""
    return cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)


def auth_scale(image: np.ndarray, max_side: int = AUTH_MAX_SIDE) -> tuple[np.ndarray, float]:
    """The page at the authenticity model's working scale and the factor applied."""
    h, w = image.shape[:2]
    s = min(1.0, max_side / max(h, w))
    if s >= 1.0:
        return image, 1.0
    return cv2.resize(image, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA), s


def auth_work(image: np.ndarray) -> tuple[np.ndarray, float]:
    """The page as the authenticity patches are cut from it: at the working scale (:func:`auth_scale`), padded to
    at least one patch on each side; with the scale applied."""
    work, s = auth_scale(image, AUTH_MAX_SIDE)
    return pad_to(work, AUTH_PATCH), s


def patch_grid(
    size_wh: tuple[int, int], patch: int = AUTH_PATCH, stride: int | None = None
) -> Iterator[tuple[int, int]]:
    """Top-left corners of patches covering the image (the last row/column is flush with the border)."""
    w, h = size_wh
    stride = stride or patch
    if w < patch or h < patch:
        return
    xs = list(range(0, w - patch + 1, stride))
    ys = list(range(0, h - patch + 1, stride))
    if xs[-1] != w - patch:
        xs.append(w - patch)
    if ys[-1] != h - patch:
        ys.append(h - patch)
    for y in ys:
        for x in xs:
            yield x, y


def line_patches(
    boxes: Sequence[tuple[float, float, float, float]], size_wh: tuple[int, int], patch: int = AUTH_PATCH
) -> list[tuple[int, int]]:
    """Top-left corners of patches centred on text lines (boxes in the image's pixels): one per ``patch`` pixels of
    a line's width, spread evenly along it, each kept inside the image (which is at least ``patch`` on each side)."""
    w, h = size_wh
    out = []
    for x1, y1, x2, y2 in boxes:
        n = max(1, math.ceil((x2 - x1) / patch))
        step = (x2 - x1) / n
        cy = 0.5 * (y1 + y2)
        for i in range(n):
            cx = x1 + step * (i + 0.5)
            x = min(max(round(cx - patch / 2), 0), w - patch)
            y = min(max(round(cy - patch / 2), 0), h - patch)
            out.append((x, y))
    return out


def pad_to(image: np.ndarray, min_side: int) -> np.ndarray:
    h, w = image.shape[:2]
    if h >= min_side and w >= min_side:
        return image
    return cv2.copyMakeBorder(image, 0, max(0, min_side - h), 0, max(0, min_side - w), cv2.BORDER_REPLICATE)
