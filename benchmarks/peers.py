"""Peer readers run beside Chayan's in ``chayan bench realdev`` on the same images.

``agentclpr`` (pip) ships a Chinese plate detector (RetinaFace-style, with corners) and a PP-OCR-style
plate recogniser as ONNX. It declares opencv-python (GUI) and a web stack as dependencies, which would
clash with the headless OpenCV here, so ``make bench-peers`` installs it without them. Its sessions use
ONNX Runtime's defaults (every core). It reads plates only.
"""

from __future__ import annotations

import logging
import time

import cv2
import numpy as np

from inference.ops.geometry import box_of_points
from inference.types import Frame, PlateRead, VehicleRead
from inference.validate.plate import classify_plate_text, plate_color
from inference.vehicle import ImageHint, plate_candidates

PEERS = ("agentclpr",)
INSTALL_HINT = "make bench-peers (pip install --no-deps agentclpr==1.1.0 agentocr==2.0.0 + shapely pyclipper six wget)"


class AgentClprReader:
    kind = "agentclpr"

    def __init__(self) -> None:
        try:
            from agentclpr import CLPSystem
        except ImportError as exc:
            raise RuntimeError(f"agentclpr is not installed: {INSTALL_HINT}") from exc
        self.system = CLPSystem()
        logging.getLogger("root").setLevel(logging.WARNING)  # agentocr logs every line at DEBUG

    def read(self, frame: Frame, hint: ImageHint = ImageHint.frame) -> VehicleRead:
        t0 = time.perf_counter()
        plates: list[PlateRead] = []
        if hint is ImageHint.frame:
            for points, (text, conf) in self.system(frame.image):
                quad = np.asarray(points, np.float32)
                plates += _plate(text, float(conf), quad)
        elif hint is ImageHint.plate_crop:
            # Its own recognition step on a crop, as its pipeline does after detection: resize to 256 px
            # wide and pad with white.
            image = frame.image
            h, w = image.shape[:2]
            padded = np.pad(cv2.resize(image, (256, max(1, int(256 / w * h)))), ((100, 100), (100, 100), (0, 0)),
                            mode="constant", constant_values=255)
            reads = self.system.ocr(padded)
            text = "".join(r[1][0] for r in reads)
            conf = float(np.prod([r[1][1] for r in reads])) if reads else 0.0
            plates += _plate(text, conf, np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32))
        return VehicleRead(tuple(plates), (), frame.size_wh, {"total": (time.perf_counter() - t0) * 1000})


def _plate(text: str, conf: float, quad: np.ndarray) -> list[PlateRead]:
    """Its text, cleaned of separators; kept as read when the plate grammar rejects it (scored as wrong)."""
    cands = plate_candidates(text)
    cleaned = cands[0] if cands else text.replace("·", "").replace(" ", "")
    types = classify_plate_text(cleaned)
    corners = tuple((float(x), float(y)) for x, y in quad)
    color = str(plate_color(types[0])) if types else None
    return [PlateRead(cleaned, conf, box_of_points(quad), corners, color, str(types[0]) if types else None,
                      bool(types))]


def make_peer(name: str) -> AgentClprReader:
    if name == "agentclpr":
        return AgentClprReader()
    raise ValueError(f"unknown peer {name!r}; expected one of {PEERS}")
