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
from .inspection import nameplate_fields
from .ops.geometry import box_of_points, iou_xyxy, warp_quad
from .stages.detector import Detection, Detector
from .stages.readers import PlateReader, VinReader
from .stages.text import TextReader
from .types import BoxXYXY, Correction, Frame, NameplateRead, PlateRead, TextLine, TextRead, VehicleRead, VinRead
from .validate.plate import classify_plate_text, plate_color
from .validate.vin import VinCorrection, correct_vin, validate_vin, wmi_info

# Separators and look-alikes that PP-OCR emits inside plates: the plate's dot, spaces, dashes.
_PLATE_NOISE = re.compile(r"[\s·•.。,，\-_:：|'\"“”]")
_VIN_CHAR = re.compile(r"[A-Z0-9]")
_VIN_LIKE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")  # I, O, Q fold to 1, 0, 0 in the VIN rules


class ImageHint(StrEnum):
    """What the caller knows of the image: a scene, or a tight crop of one plate or one VIN."""

    frame = "frame"
    plate_crop = "plate_crop"
    vin_crop = "vin_crop"


class VehicleReader(Protocol):
    kind: str

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
    kind = "general-ocr"

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
        timings = {"ocr": (t1 - t0) * 1000, "total": (time.perf_counter() - t0) * 1000}
        return VehicleRead(tuple(_dedupe(plates)), tuple(vins), frame.size_wh, timings, self.text.models)


class DetectorVehicleReader:
    """The dedicated path: detector (plates with corners, VIN stamps and labels, nameplates) -> rectify ->
    plate or VIN reader -> rules; nameplates are read by the general PP-OCR reader and the nameplate rules.

    Without a trained VIN reader in the catalog, the general recogniser reads the detected VIN and the VIN
    rules pick. The detector runs at ``input_size`` on video-sized frames and at ``photo_input_size`` on
    frames whose long side exceeds ``PHOTO_LONG_SIDE`` (handheld photos); both default to the catalog's
    ``default_size`` / ``photo_size``.
    """

    kind = "dedicated"
    PHOTO_LONG_SIDE = 1600
    sure_plate_score = 0.6

    def __init__(self, engine: Engine, input_size: int | None = None, photo_input_size: int | None = None,
                 detector: str = "vehicle-det", plate_reader: str = "plate-reader",
                 vin_reader: str = "vin-reader") -> None:
        det_model = engine.load(detector)
        sizes = det_model.entry.input
        self.input_size = input_size or int(sizes.get("default_size", 320))
        self.photo_input_size = photo_input_size or int(sizes.get("photo_size", self.input_size))
        self.detector = Detector(det_model, self.input_size)
        self.plates = PlateReader(engine.load(plate_reader))
        self.vins = VinReader(engine.load(vin_reader)) if vin_reader in engine.catalog else None
        self.text = TextReader(engine)  # nameplates, and VINs while no VIN reader ships
        self.models = (det_model.version, self.plates.recognizer.model.version,
                       *((self.vins.recognizer.model.version,) if self.vins else self.text.models))

    def detector_size(self, size_wh: tuple[int, int]) -> int:
        return self.photo_input_size if max(size_wh) > self.PHOTO_LONG_SIDE else self.input_size

    def read(self, frame: Frame, hint: ImageHint = ImageHint.frame) -> VehicleRead:
        image = frame.image
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        plates: list[PlateRead] = []
        vins: list[VinRead] = []
        nameplates: list[NameplateRead] = []
        if hint is ImageHint.plate_crop:
            plates.append(self.plates.read(image))
            timings["plate_read"] = (time.perf_counter() - t0) * 1000
        else:
            found = self.detector(image, self.detector_size(frame.size_wh))
            timings["detect"] = found.elapsed_ms
            t1 = time.perf_counter()
            if hint is ImageHint.frame:
                for det in found.of("plate"):
                    read = self.plates.read(image, np.asarray(det.corners_xy), det.box_xyxy, det.score)
                    # A sure detection is reported even when unreadable (the inspector sees a plate the rules
                    # reject); an unsure one only when its reading is a valid plate.
                    if read.valid or det.score >= self.sure_plate_score:
                        plates.append(read)
            timings["plate_read"] = (time.perf_counter() - t1) * 1000
            t2 = time.perf_counter()
            vin_dets = found.of("vin_stamp") + found.of("vin_label")
            for det in vin_dets:
                quad = np.asarray(det.corners_xy, np.float32)
                if self.vins is not None:
                    vins.append(self.vins.read(image, quad, det.box_xyxy, det.score))
                else:
                    vins.extend(general_vins(self.text, image, _grow_quad(quad, 1.03, 1.25), det.score))
            if hint is ImageHint.vin_crop:
                # The crop is one VIN: the detections may be pieces of it, so the whole crop is read as well
                # and the best reading (valid first) is the answer.
                vins.extend([self.vins.read(image)] if self.vins is not None
                            else general_vins(self.text, image, None))
                vins = sorted(vins, key=lambda v: (v.valid, v.confidence), reverse=True)[:1]
            timings["vin_read"] = (time.perf_counter() - t2) * 1000
            if hint is ImageHint.frame and found.of("nameplate"):
                t3 = time.perf_counter()
                nameplates = [self._nameplate(image, det) for det in found.of("nameplate")]
                timings["nameplate_read"] = (time.perf_counter() - t3) * 1000
        timings["total"] = (time.perf_counter() - t0) * 1000
        return VehicleRead(tuple(_dedupe_plates(plates)), tuple(vins), frame.size_wh, timings, self.models,
                           tuple(nameplates))

    def _nameplate(self, image: np.ndarray, det: Detection) -> NameplateRead:
        """Read every text line inside the nameplate (a margin around its box) and apply the nameplate rules."""
        h, w = image.shape[:2]
        x1, y1, x2, y2 = det.box_xyxy
        mx, my = 0.04 * (x2 - x1), 0.04 * (y2 - y1)
        ox, oy = int(max(0, x1 - mx)), int(max(0, y1 - my))
        crop = image[oy : int(min(h, y2 + my)) + 1, ox : int(min(w, x2 + mx)) + 1]
        lines = tuple(_shift_line(line, ox, oy) for line in self.text.read(Frame(np.ascontiguousarray(crop))).lines)
        fields = {name: readings[0].text for name, readings in nameplate_fields(lines).items()}
        return NameplateRead(det.box_xyxy, det.corners_xy, fields, lines, det.score)


def general_vins(text: TextReader, image: np.ndarray, quad: np.ndarray | None,
                 detection_score: float | None = None) -> list[VinRead]:
    """The general PP-OCR reader reads a VIN region, and the VIN rules decode it.

    With a ``quad`` the region is that line; without, the image is a VIN crop: its text lines are
    detected and read, and the whole crop is read as one line as well (a crop framed tight on the VIN
    has no margin the text detector needs). Every 17-character window of VIN characters of every reading
    goes through the rule-constrained correction (the recogniser's top-k per character, check digit);
    the valid ones win, those read from a detected line before the whole-crop reading, then those whose
    WMI lies in an allocated ISO 3780 range (a window shifted onto a frame mark such as ``X`` or ``*``
    rarely does), then the most probable; with no valid one the most probable window comes back marked
    invalid.
    """
    h, w = image.shape[:2]
    whole = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    regions = [quad] if quad is not None else [q for q, _ in text.detector(image)] + [whole]
    reads = text.recognizer([warp_quad(image, q) for q in regions])
    best: tuple[tuple[bool, bool, bool, float], np.ndarray, TextRead, VinCorrection] | None = None
    for region, read in zip(regions, reads, strict=True):
        line = region is not whole
        for correction in _vin_windows(read):
            key = (correction.valid, line, wmi_info(correction.text) is not None, correction.confidence)
            if best is None or key > best[0]:
                best = (key, region, read, correction)
    if best is None:
        return []
    _, region, read, correction = best
    check = validate_vin(correction.text)
    return [VinRead(correction.text, float(correction.confidence), _clip_box(box_of_points(region), w, h),
                    check.check_digit_ok, correction.valid, read,
                    tuple(Correction(c.position, c.read, c.corrected_to, c.confidence) for c in correction.corrected),
                    correction.ambiguous, tuple((float(x), float(y)) for x, y in region), detection_score)]


def _vin_windows(read: TextRead) -> list[VinCorrection]:
    """Rule-constrained readings of each 17-character window of a line's VIN-like characters."""
    chars = [c for c in read.chars if c.char.upper() in _VIN_LIKE]
    out = []
    for i in range(len(chars) - 16):
        window = [[(c.char.upper(), c.confidence), *((a.upper(), p) for a, p in c.alternatives)]
                  for c in chars[i : i + 17]]
        strict = correct_vin(window, allocated_wmi=True)
        out.append(strict if strict.valid else correct_vin(window))
    return out


def _clip_box(box: BoxXYXY, w: int, h: int) -> BoxXYXY:
    return (max(0.0, box[0]), max(0.0, box[1]), min(float(w), box[2]), min(float(h), box[3]))


def _shift_line(line: TextLine, dx: int, dy: int) -> TextLine:
    x1, y1, x2, y2 = line.box_xyxy
    corners = tuple((x + dx, y + dy) for x, y in line.corners_xy)
    return TextLine((x1 + dx, y1 + dy, x2 + dx, y2 + dy), corners, line.det_score, line.read)  # type: ignore[arg-type]


# PP-OCR text lines come out already grown (DB unclip ratio 1.6): on a plate the character line's quad
# covers the plate, so it is read as the plate's outline (growing it further read worse on the real-dev
# tune split: 59/70 frames as is, 48/70 grown 4%/12%).
_VIN_MIN_ASPECT = 6.0


def _grow_quad(quad: np.ndarray, sx: float, sy: float) -> np.ndarray:
    centre = quad.mean(axis=0)
    ux = (quad[1] - quad[0] + quad[2] - quad[3]) / 2
    uy = (quad[3] - quad[0] + quad[2] - quad[1]) / 2
    return np.array([centre + a * ux * sx / 2 + b * uy * sy / 2 for a, b in ((-1, -1), (1, -1), (1, 1), (-1, 1))],
                    np.float32)


def _aspect(quad: np.ndarray) -> float:
    w = np.linalg.norm(quad[1] - quad[0])
    h = np.linalg.norm(quad[3] - quad[0])
    return float(w / max(h, 1e-6))


class TextLineVehicleReader:
    """The trained plate and VIN readers behind the pretrained PP-OCR text detector.

    Each text line is a candidate: lines shaped like a plate's character row are grown to the plate's
    outline and read by the plate reader, long lines by the VIN reader; the rules keep only readings they
    accept. A double-row plate is two stacked lines read as one plate. Used where the vehicle-text
    detector is not shipped; it is slower (the text detector reads every line of the frame).
    """

    kind = "text-lines"

    def __init__(self, engine: Engine, plate_reader: str = "plate-reader", vin_reader: str = "vin-reader",
                 min_confidence: float = 0.3) -> None:
        self.text = TextReader(engine)
        self.plates = PlateReader(engine.load(plate_reader))
        self.vins = VinReader(engine.load(vin_reader)) if vin_reader in engine.catalog else None
        self.min_confidence = min_confidence
        self.models = (self.text.detector.model.version, self.plates.recognizer.model.version,
                       *((self.vins.recognizer.model.version,) if self.vins else ()))

    def read(self, frame: Frame, hint: ImageHint = ImageHint.frame) -> VehicleRead:
        image = frame.image
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        plates: list[PlateRead] = []
        vins: list[VinRead] = []
        if hint is ImageHint.plate_crop:
            plates.append(self.plates.read(image))
        elif hint is ImageHint.vin_crop:
            vins.extend([self.vins.read(image)] if self.vins is not None
                        else general_vins(self.text, image, None))
        else:
            quads = self.text.detector(image)
            timings["text_det"] = (time.perf_counter() - t0) * 1000
            t1 = time.perf_counter()
            outlines = [q for q, _ in quads if 2.0 <= _aspect(q) <= 6.5]
            for (upper, _), (lower, _) in zip(quads, quads[1:], strict=False):
                box_u, box_l = box_of_points(upper), box_of_points(lower)
                if _stacked(box_u, box_l) and _aspect(upper) < 4.0:
                    # Double-row plate: the outline runs from above the upper line to below the lower one.
                    top = lower[:2] - (lower[3] - lower[0]) * 1.05
                    both = np.array([top[0], top[1], lower[2], lower[3]], np.float32)
                    outlines.append(_grow_quad(both, 1.08, 1.2))
            for outline in outlines:
                read = self.plates.read(image, outline)
                if read.valid and read.confidence >= self.min_confidence:
                    plates.append(read)
            timings["plate_read"] = (time.perf_counter() - t1) * 1000
            t2 = time.perf_counter()
            for q, _ in quads:
                if _aspect(q) < _VIN_MIN_ASPECT:
                    continue
                if self.vins is not None:
                    read = self.vins.read(image, q)
                    if read.valid or len(read.text) == 17:
                        vins.append(read)
                else:
                    vins.extend(general_vins(self.text, image, q))
            timings["vin_read"] = (time.perf_counter() - t2) * 1000
        timings["total"] = (time.perf_counter() - t0) * 1000
        return VehicleRead(tuple(_dedupe_plates(plates)), tuple(vins), frame.size_wh, timings, self.models)


def _dedupe_plates(plates: list[PlateRead]) -> list[PlateRead]:
    """One reading per plate: overlapping candidates keep the most confident."""
    kept: list[PlateRead] = []
    for p in sorted(plates, key=lambda p: -p.confidence):
        if all(iou_xyxy(p.box_xyxy, k.box_xyxy) < 0.3 for k in kept):
            kept.append(p)
    return kept


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




DEDICATED_MODELS = ("vehicle-det", "plate-reader")  # the VIN reader is optional: see DetectorVehicleReader
READER_KINDS = ("auto", "dedicated", "text-lines", "general-ocr")


def make_reader(engine: Engine, kind: str = "auto") -> VehicleReader:
    """``dedicated`` (vehicle-text detector + trained readers), ``text-lines`` (PP-OCR text detector + trained
    readers), ``general-ocr`` (PP-OCR only), or ``auto``: the first whose models the catalog ships."""
    if kind == "auto":
        if all(name in engine.catalog for name in DEDICATED_MODELS):
            kind = "dedicated"
        elif "plate-reader" in engine.catalog:
            kind = "text-lines"
        else:
            kind = "general-ocr"
    if kind == "dedicated":
        return DetectorVehicleReader(engine)
    if kind == "text-lines":
        return TextLineVehicleReader(engine)
    if kind == "general-ocr":
        return OcrVehicleReader(engine)
    raise ValueError(f"unknown reader {kind!r}; expected one of {READER_KINDS}")
