"""Stateless geometry helpers on boxes and quadrilaterals (pixels, ``xyxy``)."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from ..types import BoxXYXY, PointXY


def iou_xyxy(a: BoxXYXY, b: BoxXYXY) -> float:
    ix1, iy1 = max(a[0], b[0]), max(a[1], b[1])
    ix2, iy2 = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, ix2 - ix1) * max(0.0, iy2 - iy1)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def box_of_points(points: Sequence[PointXY] | np.ndarray) -> BoxXYXY:
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return (float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max()))


def order_corners(points: np.ndarray) -> np.ndarray:
    """Four points ordered top-left, top-right, bottom-right, bottom-left."""
    pts = np.asarray(points, dtype=np.float32).reshape(4, 2)
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    return np.array([pts[s.argmin()], pts[d.argmin()], pts[s.argmax()], pts[d.argmax()]], dtype=np.float32)


def warp_quad(image: np.ndarray, corners: np.ndarray, out_wh: tuple[int, int] | None = None) -> np.ndarray:
    """Rectify the quadrilateral ``corners`` (TL, TR, BR, BL) to an upright rectangle.

    Without ``out_wh`` the output keeps the quad's own edge lengths. Tall results of a text line are
    not rotated here: the caller knows whether text may be vertical.
    """
    quad = np.asarray(corners, dtype=np.float32).reshape(4, 2)
    if out_wh is None:
        w = max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[3] - quad[2]))
        h = max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2]))
        out_wh = (max(1, round(float(w))), max(1, round(float(h))))
    dst = np.array([[0, 0], [out_wh[0], 0], [out_wh[0], out_wh[1]], [0, out_wh[1]]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(quad, dst)
    return cv2.warpPerspective(image, matrix, out_wh, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
