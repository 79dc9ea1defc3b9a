"""Letterboxing as ultralytics does it (grey 114 padding, centred), with the mapping back to pixels."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True, slots=True)
class Letterbox:
    scale: float
    pad_xy: tuple[float, float]
    input_wh: tuple[int, int]

    def to_original(self, xy: np.ndarray) -> np.ndarray:
        """Map ``[..., 2]`` input-space points back to original pixels."""
        out = np.asarray(xy, dtype=np.float32).copy()
        out[..., 0] = (out[..., 0] - self.pad_xy[0]) / self.scale
        out[..., 1] = (out[..., 1] - self.pad_xy[1]) / self.scale
        return out


def letterbox(image: np.ndarray, size: int, stride: int = 32, square: bool = False) -> tuple[np.ndarray, Letterbox]:
    """Fit the long side to ``size``; pad to a multiple of ``stride`` (or to a square)."""
    h, w = image.shape[:2]
    scale = min(size / h, size / w)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    if square:
        in_w = in_h = size
    else:
        in_w = int(np.ceil(new_w / stride) * stride)
        in_h = int(np.ceil(new_h / stride) * stride)
    resized = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_LINEAR) if (new_w, new_h) != (w, h) else image
    pad_x, pad_y = (in_w - new_w) / 2, (in_h - new_h) / 2
    top, left = int(round(pad_y - 0.1)), int(round(pad_x - 0.1))
    out = cv2.copyMakeBorder(resized, top, in_h - new_h - top, left, in_w - new_w - left, cv2.BORDER_CONSTANT,
                             value=(114, 114, 114))
    return out, Letterbox(scale, (float(left), float(top)), (in_w, in_h))
