"""Rectifying detected text regions into the fixed-size inputs of the plate and VIN readers.

Training uses the same functions on the generator's corner labels, so what a reader sees in service is
what it saw in training.
"""

from __future__ import annotations

import cv2
import numpy as np

from .geometry import warp_quad

# Height x width of the reader inputs.
PLATE_INPUT_HW = (32, 128)
VIN_INPUT_HW = (32, 256)


def rectify_plate(image: np.ndarray, corners_xy: np.ndarray | None, double_row: bool,
                  out_hw: tuple[int, int] = PLATE_INPUT_HW) -> np.ndarray:
    """The plate as one text line ``out_hw`` in size (BGR uint8).

    ``corners_xy`` are TL, TR, BR, BL; ``None`` means the image is already a tight crop. A double-row
    plate (440x220 mm: province and letter small on top, five large characters below) is cut into its
    two rows, which are put side by side so the reader sees one line in reading order.
    """
    h, w = out_hw
    if corners_xy is None:
        ih, iw = image.shape[:2]
        corners_xy = np.array([[0, 0], [iw, 0], [iw, ih], [0, ih]], np.float32)
    if not double_row:
        return warp_quad(image, corners_xy, (w, h))
    flat = warp_quad(image, corners_xy, (2 * w, 2 * w // 2))  # 2:1 like the plate
    fh, fw = flat.shape[:2]
    top = flat[int(0.04 * fh) : int(0.40 * fh), int(0.18 * fw) : int(0.82 * fw)]
    bottom = flat[int(0.36 * fh) : int(0.96 * fh), :]
    top = cv2.resize(top, (max(1, round(top.shape[1] * h / top.shape[0])), h), interpolation=cv2.INTER_AREA)
    bottom = cv2.resize(bottom, (max(1, round(bottom.shape[1] * h / bottom.shape[0])), h),
                        interpolation=cv2.INTER_AREA)
    return cv2.resize(np.hstack([top, bottom]), (w, h), interpolation=cv2.INTER_AREA)


def rectify_line(image: np.ndarray, corners_xy: np.ndarray | None, out_hw: tuple[int, int] = VIN_INPUT_HW,
                 margin: float = 0.0) -> np.ndarray:
    """A text line (a VIN) rectified to ``out_hw``; ``margin`` widens the quad by that share of its height
    on every side, since a stamped line's detected box hugs the characters."""
    h, w = out_hw
    if corners_xy is None:
        ih, iw = image.shape[:2]
        corners_xy = np.array([[0, 0], [iw, 0], [iw, ih], [0, ih]], np.float32)
    quad = np.asarray(corners_xy, np.float32).reshape(4, 2)
    if margin:
        centre = quad.mean(axis=0)
        height = (np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])) / 2
        width = (np.linalg.norm(quad[1] - quad[0]) + np.linalg.norm(quad[2] - quad[3])) / 2
        grow = np.array([1 + 2 * margin * height / max(width, 1), 1 + 2 * margin], np.float32)
        # Grow along the quad's own axes.
        ux = (quad[1] - quad[0] + quad[2] - quad[3]) / 2
        uy = (quad[3] - quad[0] + quad[2] - quad[1]) / 2
        quad = np.array([centre + sx * ux * grow[0] / 2 + sy * uy * grow[1] / 2
                         for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1))], np.float32)
    return warp_quad(image, quad, (w, h))


def to_tensor(batch_bgr: list[np.ndarray]) -> np.ndarray:
    """BGR uint8 images of one size -> float32 NCHW in [-1, 1]."""
    arr = np.stack(batch_bgr).astype(np.float32)
    return np.ascontiguousarray(((arr / 255.0 - 0.5) / 0.5).transpose(0, 3, 1, 2))
