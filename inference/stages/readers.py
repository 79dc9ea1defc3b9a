"""The dedicated plate and VIN readers: rectified crop -> CTC recogniser -> rule-constrained decoding.

The recogniser proposes per-character alternatives; the plate grammar or the VIN check digit picks,
among the likely readings, one the rules accept. A changed character is reported as a correction with
its probability; a VIN that no plausible reading makes valid is reported as read-but-invalid.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..engine import OnnxModel
from ..ops.ctc import ctc_greedy_decode
from ..ops.geometry import box_of_points
from ..ops.rectify import rectify_line, rectify_plate, to_tensor
from ..types import BoxXYXY, Correction, PlateRead, TextRead, VinRead
from ..validate.plate import PlateType, classify_plate_text, correct_plate, is_double_row, plate_color
from ..validate.vin import correct_vin, validate_vin

# A plate whose rectified aspect is below this may be double-row (2:1) rather than single-row (3.1:1).
DOUBLE_ROW_MAX_ASPECT = 2.7


@dataclass(frozen=True, slots=True)
class LineReading:
    read: TextRead
    color: str | None
    color_confidence: float


class CtcLineReader:
    """An ONNX CTC recogniser whose vocabulary, colours and input size live in its metadata."""

    def __init__(self, model: OnnxModel, top_k: int = 4) -> None:
        self.model = model
        meta = model.metadata
        self.vocabulary: tuple[str, ...] = ("<blank>", *json.loads(meta["vocabulary"]))
        self.colors: tuple[str, ...] = tuple(json.loads(meta.get("colors", "[]")))
        h, w = json.loads(meta["input_hw"])
        self.input_hw = (int(h), int(w))
        self.top_k = top_k

    def __call__(self, crops: Sequence[np.ndarray]) -> list[LineReading]:
        if not crops:
            return []
        outputs = self.model.run({"x": to_tensor(list(crops))})
        probs = outputs[0]
        color_probs = outputs[1] if len(outputs) > 1 else None
        readings = []
        for i in range(len(crops)):
            read = ctc_greedy_decode(probs[i], self.vocabulary, 0, self.top_k)
            if color_probs is not None:
                k = int(color_probs[i].argmax())
                readings.append(LineReading(read, self.colors[k], float(color_probs[i][k])))
            else:
                readings.append(LineReading(read, None, 0.0))
        return readings


def _candidates(read: TextRead) -> list[list[tuple[str, float]]]:
    return [[(c.char, c.confidence), *c.alternatives] for c in read.chars]


def _corrections(items) -> tuple[Correction, ...]:  # type: ignore[no-untyped-def]
    return tuple(Correction(c.position, c.read, c.corrected_to, c.confidence) for c in items)


def _corners_aspect(corners: np.ndarray) -> float:
    width = (np.linalg.norm(corners[1] - corners[0]) + np.linalg.norm(corners[2] - corners[3])) / 2
    height = (np.linalg.norm(corners[3] - corners[0]) + np.linalg.norm(corners[2] - corners[1])) / 2
    return float(width / max(height, 1e-6))


class PlateReader:
    def __init__(self, model: OnnxModel) -> None:
        self.recognizer = CtcLineReader(model)

    def read(self, image: np.ndarray, corners_xy: np.ndarray | None = None,
             box_xyxy: BoxXYXY | None = None, detection_score: float | None = None) -> PlateRead:
        """Read one plate given its corners (TL, TR, BR, BL) or, with none, the whole image as the plate."""
        h, w = image.shape[:2]
        quad = (np.asarray(corners_xy, np.float32).reshape(4, 2) if corners_xy is not None
                else np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32))
        layouts = [False, True] if _corners_aspect(quad) < DOUBLE_ROW_MAX_ASPECT else [False]
        crops = [rectify_plate(image, quad, double, self.recognizer.input_hw) for double in layouts]
        readings = self.recognizer(crops)
        results = [self._decide(r, double) for r, double in zip(readings, layouts, strict=True)]
        # Prefer a reading the grammar accepts, then the more confident one.
        reading, correction, plate_type = max(results, key=lambda r: (r[1].valid, r[1].confidence))
        return PlateRead(
            text=correction.text,
            confidence=float(correction.confidence),
            box_xyxy=box_xyxy if box_xyxy is not None else box_of_points(quad),
            corners_xy=tuple((float(x), float(y)) for x, y in quad),
            color=reading.color if plate_type is None else str(plate_color(plate_type)),
            plate_type=None if plate_type is None else str(plate_type),
            valid=correction.valid,
            read=reading.read,
            corrected=_corrections(correction.corrected),
            ambiguous=correction.ambiguous,
            detection_score=detection_score,
        )

    def _decide(self, reading: LineReading, double_row: bool):  # type: ignore[no-untyped-def]
        correction = correct_plate(_candidates(reading.read))
        plate_type = None
        if correction.valid:
            fitting = classify_plate_text(correction.text)
            # The colour head and the layout choose among the types the text fits (京A12345 is blue or yellow).
            ranked = sorted(fitting, key=lambda t: (str(plate_color(t)) != reading.color,
                                                    is_double_row(t) != double_row))
            plate_type = ranked[0] if ranked else correction.plate_type
        return reading, correction, plate_type


class VinReader:
    def __init__(self, model: OnnxModel, margin: float = 0.25) -> None:
        self.recognizer = CtcLineReader(model)
        self.margin = margin

    def read(self, image: np.ndarray, corners_xy: np.ndarray | None = None, box_xyxy: BoxXYXY | None = None,
             detection_score: float | None = None) -> VinRead:
        h, w = image.shape[:2]
        quad = (np.asarray(corners_xy, np.float32).reshape(4, 2) if corners_xy is not None
                else np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32))
        margin = self.margin if corners_xy is not None else 0.0
        (reading,) = self.recognizer([rectify_line(image, quad, self.recognizer.input_hw, margin)])
        correction = correct_vin(_candidates(reading.read))
        check = validate_vin(correction.text)
        return VinRead(
            text=correction.text,
            confidence=float(correction.confidence),
            box_xyxy=box_xyxy if box_xyxy is not None else box_of_points(quad),
            check_digit_ok=check.check_digit_ok,
            valid=correction.valid,
            read=reading.read,
            corrected=_corrections(correction.corrected),
            ambiguous=correction.ambiguous,
            corners_xy=tuple((float(x), float(y)) for x, y in quad),
            detection_score=detection_score,
        )


def plate_type_of(text: str) -> PlateType | None:
    fitting = classify_plate_text(text)
    return fitting[0] if fitting else None
