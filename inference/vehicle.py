"""Reading the vehicle from a frame.

:class:`OcrVehicleReader` is the general path: the pretrained PP-OCR reader finds and reads every text
line, and the plate and VIN rules pick the lines that are plates or VINs. It is the baseline the
dedicated detector and readers are measured against, and their second opinion.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from enum import StrEnum
from typing import Protocol

import numpy as np

from .engine import Engine
from .stages.detector import Detector
from .stages.readers import PlateReader, VinReader
from .stages.text import TextReader
from .types import BoxXYXY, Frame, PlateRead, TextRead, VehicleRead, VinRead
from .validate.plate import classify_plate_text, plate_color
from .validate.vin import validate_vin

# Separators and look-alikes that PP-OCR emits inside plates: the plate's dot, spaces, dashes.
_PLATE_NOISE = re.compile(r"[\s·•.。,，\-_:：|'\"“”]")
_VIN_CHAR = re.compile(r"[A-Z0-9]")


class ImageHint(StrEnum):
    """What the caller knows of the image: a scene, or a tight crop of one plate or one VIN."""

    frame = "frame"
    plate_crop = "plate_crop"
    vin_crop = "vin_crop"


class VehicleReader(Protocol):
    def read(self, frame: Frame, hint: ImageHint = ImageHint.frame) -> VehicleRead: ...


def plate_candidates(text: str) -> list[str]:
    """Substrings of an OCR line that the plate grammar accepts, longest first."""
    cleaned = _PLATE_NOISE.sub("", text).upper()
    found: list[str] = []
    for length in (9, 8, 7):
        for start in range(0, len(cleaned) - length + 1):
            piece = cleaned[start : start + length]
            if piece not in found and classify_plate_text(piece):
                found.append(piece)
    return found


def vin_candidates(text: str) -> list[str]:
    """17-character windows of a line's VIN characters; check-digit-valid windows first."""
    chars = "".join(_VIN_CHAR.findall(text.upper()))
    windows = [chars[i : i + 17] for i in range(0, len(chars) - 16)]
    return sorted(dict.fromkeys(windows), key=lambda w: not validate_vin(w).valid)


class OcrVehicleReader:
    def __init__(self, engine: Engine) -> None:
        self.text = TextReader(engine)

    def _lines(self, frame: Frame, hint: ImageHint) -> list[tuple[TextRead, BoxXYXY]]:
        w, h = frame.size_wh
        whole: BoxXYXY = (0.0, 0.0, float(w), float(h))
        if hint is ImageHint.frame:
            result = self.text.read(frame)
            lines = [(line.read, line.box_xyxy) for line in result.lines]
            # A double-row plate is two lines, the short upper one holding province and letter.
            lines += [(_join(a[0], b[0]), _union(a[1], b[1])) for a, b in zip(lines, lines[1:], strict=False)
                      if len(a[0].text) <= 3 and _stacked(a[1], b[1])]
            return lines
        return [(self.text.read_line(frame.image), whole)]

    def read(self, frame: Frame, hint: ImageHint = ImageHint.frame) -> VehicleRead:
        t0 = time.perf_counter()
        lines = self._lines(frame, hint)
        t1 = time.perf_counter()
        plates: list[PlateRead] = []
        vins: list[VinRead] = []
        for read, box in lines:
            if hint is not ImageHint.vin_crop:
                for cand in plate_candidates(read.text)[:1]:
                    types = classify_plate_text(cand)
                    plates.append(PlateRead(cand, read.confidence, box, (), str(plate_color(types[0])),
                                            str(types[0]), True, read))
            if hint is not ImageHint.plate_crop:
                for cand in vin_candidates(read.text)[:1]:
                    check = validate_vin(cand)
                    vins.append(VinRead(cand, read.confidence, box, check.check_digit_ok, check.valid, read))
        timings = {"read": (time.perf_counter() - t0) * 1000, "ocr": (t1 - t0) * 1000}
        return VehicleRead(tuple(_dedupe(plates)), tuple(vins), frame.size_wh, timings, self.text.models)


class DetectorVehicleReader:
    """The dedicated path: detector (plates with corners, VIN stamps and labels) -> rectify -> plate or
    VIN reader -> rules."""

    def __init__(self, engine: Engine, input_size: int | None = None, detector: str = "vehicle-det",
                 plate_reader: str = "plate-reader", vin_reader: str = "vin-reader") -> None:
        det_model = engine.load(detector)
        self.detector = Detector(det_model, input_size or int(det_model.entry.input.get("default_size", 416)))
        self.plates = PlateReader(engine.load(plate_reader))
        self.vins = VinReader(engine.load(vin_reader))
        self.models = (det_model.version, self.plates.recognizer.model.version, self.vins.recognizer.model.version)

    def read(self, frame: Frame, hint: ImageHint = ImageHint.frame) -> VehicleRead:
        image = frame.image
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        plates: list[PlateRead] = []
        vins: list[VinRead] = []
        if hint is ImageHint.plate_crop:
            plates.append(self.plates.read(image))
            timings["plate_read"] = (time.perf_counter() - t0) * 1000
        else:
            found = self.detector(image)
            timings["detect"] = found.elapsed_ms
            t1 = time.perf_counter()
            if hint is ImageHint.frame:
                for det in found.of("plate"):
                    plates.append(self.plates.read(image, np.asarray(det.corners_xy), det.box_xyxy, det.score))
            timings["plate_read"] = (time.perf_counter() - t1) * 1000
            t2 = time.perf_counter()
            vin_dets = found.of("vin_stamp") + found.of("vin_label")
            for det in vin_dets:
                vins.append(self.vins.read(image, np.asarray(det.corners_xy), det.box_xyxy, det.score))
            if hint is ImageHint.vin_crop and not vin_dets:
                vins.append(self.vins.read(image))  # the crop is the VIN: read it whole
            timings["vin_read"] = (time.perf_counter() - t2) * 1000
        timings["total"] = (time.perf_counter() - t0) * 1000
        return VehicleRead(tuple(plates), tuple(vins), frame.size_wh, timings, self.models)


def _join(a: TextRead, b: TextRead) -> TextRead:
    return TextRead(a.text + b.text, min(a.confidence, b.confidence), a.chars + b.chars)


def _union(a: BoxXYXY, b: BoxXYXY) -> BoxXYXY:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _stacked(upper: BoxXYXY, lower: BoxXYXY) -> bool:
    """The upper box sits just above the lower one and overlaps it horizontally."""
    overlap = min(upper[2], lower[2]) - max(upper[0], lower[0])
    gap = lower[1] - upper[3]
    return overlap > 0.3 * (upper[2] - upper[0]) and -0.3 * (upper[3] - upper[1]) < gap < (lower[3] - lower[1])


def _dedupe(plates: Iterable[PlateRead]) -> list[PlateRead]:
    best: dict[str, PlateRead] = {}
    for p in plates:
        if p.text not in best or p.confidence > best[p.text].confidence:
            best[p.text] = p
    return sorted(best.values(), key=lambda p: -p.confidence)




DEDICATED_MODELS = ("vehicle-det", "plate-reader", "vin-reader")


def make_reader(engine: Engine, kind: str = "auto") -> VehicleReader:
    """``dedicated`` (detector + trained readers), ``general-ocr`` (PP-OCR), or ``auto``: dedicated when the
    catalog ships its models."""
    if kind == "auto":
        kind = "dedicated" if all(name in engine.catalog for name in DEDICATED_MODELS) else "general-ocr"
    if kind == "dedicated":
        return DetectorVehicleReader(engine)
    if kind == "general-ocr":
        return OcrVehicleReader(engine)
    raise ValueError(f"unknown reader {kind!r}; expected auto, dedicated or general-ocr")
