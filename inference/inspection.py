"""Comparison of what was read with the vehicle record of the application, field by field.

Each field gets one verdict: ``match``, ``mismatch``, ``unreadable`` or ``needs_review``, with reasons a
person can act on. The rule that matters: a difference is only called a mismatch when the reading is
sure of itself at the differing characters. A reading that the plate/VIN rules had to correct, or whose
differing characters have low confidence or list the record's character among their alternatives, goes
to a human (``needs_review``) instead: the cost of a false mismatch is a citizen sent home.

Also here: the overlay geometry of each verdict and the nameplate field parser over text lines.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .types import BoxXYXY, CharRead, PointXY, TextLine, VehicleRead
from .validate.doubt import LOW_CHAR_CONFIDENCE, char_doubt
from .validate.plate import normalise_plate, validate_plate
from .validate.vin import correct_vin, normalise_vin, validate_vin

TEXT_FIELD_CONFIDENCE = 0.9
_VIN_FOLDS = str.maketrans({"I": "1", "O": "0", "Q": "0"})


class Verdict(StrEnum):
    match = "match"
    mismatch = "mismatch"
    unreadable = "unreadable"
    needs_review = "needs_review"


OVERLAY_COLOR: Mapping[Verdict, str] = {
    Verdict.match: "green",
    Verdict.mismatch: "red",
    Verdict.needs_review: "amber",
    Verdict.unreadable: "grey",
}

RECORD_FIELDS = ("plate", "vin", "model", "engine_model", "production_date")
# Accepted spellings of the record's keys (the application systems use Chinese or pinyin keys).
_RECORD_ALIASES: Mapping[str, str] = {
    "plate": "plate", "plate_number": "plate", "hphm": "plate", "号牌号码": "plate",
    "vin": "vin", "clsbdh": "vin", "车辆识别代号": "vin",
    "model": "model", "vehicle_model": "model", "clxh": "model", "车辆型号": "model", "整车型号": "model",
    "engine_model": "engine_model", "fdjxh": "engine_model", "发动机型号": "engine_model",
    "production_date": "production_date", "ccrq": "production_date", "制造年月": "production_date",
    "出厂日期": "production_date",
    "plate_type": "plate_type", "hpzl": "plate_type",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class VehicleRecord:
    """The vehicle as the application records it. Missing fields are not checked."""

    plate: str | None = None
    vin: str | None = None
    model: str | None = None
    engine_model: str | None = None
    production_date: str | None = None
    plate_type: str | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> VehicleRecord:
        """A record from its fields (their names as :data:`RECORD_FIELDS` or the registration system's); a field
        null or empty is not given. Every value is text: a list or a number is refused, not compared as its repr."""
        values: dict[str, str] = {}
        unknown, not_text = [], []
        for key, value in data.items():
            name = _RECORD_ALIASES.get(str(key).strip().lower(), _RECORD_ALIASES.get(str(key).strip()))
            if name is None:
                unknown.append(str(key))
            elif value in (None, ""):
                continue
            elif not isinstance(value, str):
                not_text.append(f"{key} ({type(value).__name__})")
            else:
                values[name] = value.strip()
        if unknown:
            raise ValueError(f"unknown vehicle record fields {unknown}; expected some of {list(RECORD_FIELDS)}")
        if not_text:
            raise ValueError(f"vehicle record fields must be text: {', '.join(not_text)}")
        return cls(**values)

    def expected(self) -> dict[str, str]:
        return {f: v for f in RECORD_FIELDS if (v := getattr(self, f)) is not None}

    def to_dict(self) -> dict[str, str]:
        out = self.expected()
        if self.plate_type:
            out["plate_type"] = self.plate_type
        return out


@dataclass(frozen=True, slots=True)
class FieldReading:
    """One reading of a field, from one frame or fused over many. ``corrected`` holds 0-based positions
    the rules changed; ``frames`` how many frames it stands on."""

    field: str
    text: str
    confidence: float
    chars: tuple[CharRead, ...] = ()
    corrected: tuple[int, ...] = ()
    box_xyxy: BoxXYXY | None = None
    corners_xy: tuple[PointXY, ...] = ()
    frames: int = 1


@dataclass(frozen=True, slots=True)
class FieldCheck:
    field: str
    expected: str
    read: str | None
    verdict: Verdict
    reasons: tuple[str, ...]
    confidence: float
    differing_positions: tuple[int, ...] = ()  # 1-based
    box_xyxy: BoxXYXY | None = None
    corners_xy: tuple[PointXY, ...] = ()

    @property
    def overlay_color(self) -> str:
        return OVERLAY_COLOR[self.verdict]


@dataclass(frozen=True, slots=True)
class RecordComparison:
    checks: tuple[FieldCheck, ...]

    @property
    def verdict(self) -> Verdict:
        """mismatch if any field mismatches; else needs_review if any field is not a match; else match."""
        verdicts = {c.verdict for c in self.checks}
        if Verdict.mismatch in verdicts:
            return Verdict.mismatch
        if verdicts - {Verdict.match}:
            return Verdict.needs_review
        return Verdict.match if verdicts else Verdict.unreadable


def readings_of(read: VehicleRead) -> dict[str, list[FieldReading]]:
    """Every plate and VIN reading of one frame, as comparison input."""
    return {
        "plate": [FieldReading("plate", p.text, p.confidence, p.read.chars if p.read else (), (), p.box_xyxy,
                               tuple(p.corners_xy)) for p in read.plates],
        "vin": [FieldReading("vin", v.text, v.confidence, v.read.chars if v.read else (), (), v.box_xyxy)
                for v in read.vins],
    }


def compare_record(record: VehicleRecord, readings: Mapping[str, Sequence[FieldReading]]) -> RecordComparison:
    """One check per field present in the record. With several readings of a field (two plates in the
    frame), the one that agrees with the record is taken, else the most confident."""
    checks = []
    for name, expected in record.expected().items():
        cands = list(readings.get(name, ()))
        if name == "plate":
            checks.append(compare_plate(expected, _pick(cands, expected, normalise_plate)))
        elif name == "vin":
            checks.append(compare_vin(expected, _pick(cands, expected, _norm_vin)))
        elif name == "production_date":
            checks.append(compare_date(expected, _pick(cands, expected, _norm_date)))
        else:
            checks.append(compare_text(name, expected, _pick(cands, expected, _norm_text)))
    return RecordComparison(tuple(checks))


def _pick(cands: list[FieldReading], expected: str, norm: Any) -> FieldReading | None:
    if not cands:
        return None
    want = norm(expected)
    exact = [c for c in cands if norm(c.text) == want]
    return max(exact or cands, key=lambda c: c.confidence)


def _norm_vin(text: str) -> str:
    return normalise_vin(text).translate(_VIN_FOLDS)


def _norm_text(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).upper()
    return re.sub(r"[\s·•.\-_/:：,，()（）]", "", folded)


def _norm_date(text: str) -> str:
    nums = re.findall(r"\d+", unicodedata.normalize("NFKC", text))
    if len(nums) == 1 and len(nums[0]) in (6, 8):  # 202103 or 20210315
        nums = [nums[0][:4], nums[0][4:6]]
    return "-".join(f"{int(n):02d}" for n in nums[:2])  # year and month: nameplates carry no day


def _unreadable(field_name: str, expected: str, what: str) -> FieldCheck:
    return FieldCheck(field_name, expected, None, Verdict.unreadable, (f"no {what} was read",), 0.0)


def _geometry(r: FieldReading) -> dict[str, Any]:
    return {"box_xyxy": r.box_xyxy, "corners_xy": r.corners_xy}


def _differences(read: str, expected: str) -> tuple[int, ...]:
    return tuple(i for i, (a, b) in enumerate(zip(read, expected, strict=True)) if a != b)


def _doubts(r: FieldReading, text: str, expected: str, diffs: Iterable[int]) -> list[str]:
    """Why the differing characters of a reading cannot be trusted (empty: they can)."""
    reasons = []
    chars = r.chars if len(r.chars) == len(text) else ()
    for i in diffs:
        pos = i + 1
        if i in r.corrected:
            reasons.append(f"position {pos}: {text[i]!r} was put there by the rules, not read")
            continue
        if not chars:
            if r.confidence < LOW_CHAR_CONFIDENCE:
                reasons.append(f"position {pos}: the reading's confidence is low ({r.confidence:.2f})")
            continue
        c = chars[i]
        why = char_doubt(c.char, c.confidence, c.alternatives, expected[i])
        if why is not None:
            reasons.append(f"position {pos}: {why}")
    return reasons


def compare_plate(expected: str, r: FieldReading | None) -> FieldCheck:
    want = normalise_plate(expected)
    if r is None or not r.text:
        return _unreadable("plate", expected, "plate")
    got = normalise_plate(r.text)
    geo = _geometry(r)
    record_check = validate_plate(want)
    if got == want:
        reasons = ("the plate agrees with the record",)
        if r.corrected:
            reasons += (f"after the plate rules corrected position(s) {', '.join(str(i + 1) for i in r.corrected)}",)
        return FieldCheck("plate", expected, got, Verdict.match, reasons, r.confidence, (), **geo)
    if len(got) != len(want):
        reasons = [f"the read plate has {len(got)} characters, the record {len(want)}"]
        verdict = Verdict.mismatch if validate_plate(got).valid and r.confidence >= LOW_CHAR_CONFIDENCE \
            and not r.corrected else Verdict.needs_review
        if not record_check.valid:
            verdict = Verdict.needs_review
            reasons.append("the record's plate does not follow the plate rules: " + "; ".join(record_check.problems))
        return FieldCheck("plate", expected, got, verdict, tuple(reasons), r.confidence, (), **geo)
    diffs = _differences(got, want)
    positions = tuple(i + 1 for i in diffs)
    reasons = [f"the plate differs from the record at position(s) {', '.join(map(str, positions))}"]
    doubts = _doubts(r, got, want, diffs)
    if not validate_plate(got).valid:
        doubts.append("the read plate does not follow the plate rules")
    if not record_check.valid:
        doubts.append("the record's plate does not follow the plate rules: " + "; ".join(record_check.problems))
    verdict = Verdict.needs_review if doubts else Verdict.mismatch
    return FieldCheck("plate", expected, got, verdict, tuple(reasons + doubts), r.confidence, positions, **geo)


def compare_vin(expected: str, r: FieldReading | None) -> FieldCheck:
    want = _norm_vin(expected)
    if r is None or not r.text:
        return _unreadable("vin", expected, "VIN")
    raw = normalise_vin(r.text)
    got = raw.translate(_VIN_FOLDS)
    corrected = tuple(sorted(set(r.corrected) | {i for i, (a, b) in enumerate(zip(raw, got, strict=True)) if a != b}))
    geo = _geometry(r)
    read_check = validate_vin(got)
    record_check = validate_vin(want)
    if got == want:
        reasons = ["the VIN agrees with the record"]
        if not read_check.check_digit_ok:
            reasons.append("the record's VIN fails its check digit too")
        if corrected:
            reasons.append(f"after the VIN rules corrected position(s) {', '.join(str(i + 1) for i in corrected)}")
        return FieldCheck("vin", expected, got, Verdict.match, tuple(reasons), r.confidence, (), **geo)
    if len(got) != len(want):
        return FieldCheck("vin", expected, got, Verdict.needs_review,
                          (f"the VIN read has {len(got)} characters, the record {len(want)}: a partial read",),
                          r.confidence, (), **geo)
    if not read_check.valid and len(r.chars) == len(got):
        # A reading that breaks the check digit: is the record's VIN among the reachable corrections?
        fixed = correct_vin([[(c.char, c.confidence), *c.alternatives] for c in r.chars])
        if fixed.valid and fixed.text == want:
            positions = ", ".join(str(c.position) for c in fixed.corrected)
            return FieldCheck("vin", expected, want, Verdict.match,
                              ("the VIN agrees with the record", f"after the check digit corrected position(s) "
                               f"{positions} from the reader's alternatives"), fixed.confidence, (), **geo)
    diffs = _differences(got, want)
    positions = tuple(i + 1 for i in diffs)
    reasons = [f"the VIN differs from the record at position(s) {', '.join(map(str, positions))}"]
    doubts = _doubts(FieldReading(r.field, got, r.confidence, r.chars, corrected), got, want, diffs)
    if not read_check.check_digit_ok:
        doubts.append("the read VIN fails its check digit, so at least one character is misread")
    elif not read_check.valid:
        doubts.append("the read VIN breaks the VIN rules: " + "; ".join(read_check.problems))
    if not record_check.check_digit_ok:
        doubts.append("the record's VIN fails its check digit: the record may hold a typing error")
    verdict = Verdict.needs_review if doubts else Verdict.mismatch
    return FieldCheck("vin", expected, got, verdict, tuple(reasons + doubts), r.confidence, positions, **geo)


def compare_text(field_name: str, expected: str, r: FieldReading | None) -> FieldCheck:
    if r is None or not r.text:
        return _unreadable(field_name, expected, field_name.replace("_", " "))
    got, want = _norm_text(r.text), _norm_text(expected)
    geo = _geometry(r)
    if got == want:
        return FieldCheck(field_name, expected, r.text, Verdict.match, (f"the {field_name} agrees with the record",),
                          r.confidence, (), **geo)
    diffs = _differences(got, want) if len(got) == len(want) else ()
    reasons = [f"the {field_name} reads {got!r}, the record says {want!r}"]
    doubts = _doubts(FieldReading(field_name, got, r.confidence, r.chars, r.corrected), got, want, diffs) if diffs \
        else []
    if r.confidence < TEXT_FIELD_CONFIDENCE:
        doubts.append(f"the reading's confidence is low ({r.confidence:.2f})")
    verdict = Verdict.needs_review if doubts else Verdict.mismatch
    return FieldCheck(field_name, expected, r.text, verdict, tuple(reasons + doubts), r.confidence,
                      tuple(i + 1 for i in diffs), **geo)


def compare_date(expected: str, r: FieldReading | None) -> FieldCheck:
    if r is None or not r.text:
        return _unreadable("production_date", expected, "production date")
    got, want = _norm_date(r.text), _norm_date(expected)
    geo = _geometry(r)
    if got and got == want:
        return FieldCheck("production_date", expected, r.text, Verdict.match,
                          ("the production year and month agree with the record",), r.confidence, (), **geo)
    verdict = Verdict.mismatch if got and r.confidence >= TEXT_FIELD_CONFIDENCE else Verdict.needs_review
    reasons = (f"the production date reads {got or r.text!r}, the record says {want or expected!r}",)
    if verdict is Verdict.needs_review:
        reasons += ("the date could not be read with confidence",)
    return FieldCheck("production_date", expected, r.text, verdict, reasons, r.confidence, (), **geo)


# ------------------------------------------------------------------------------------------ nameplate


NAMEPLATE_LABELS: Mapping[str, tuple[str, ...]] = {
    "model": ("整车型号", "车辆型号", "VEHICLEMODEL"),
    "engine_model": ("发动机型号", "ENGINEMODEL"),
    "production_date": ("制造年月", "生产日期", "DATEOFMANUFACTURE"),
}


def nameplate_fields(lines: Sequence[TextLine]) -> dict[str, list[FieldReading]]:
    """Model, engine model and production date from the text lines of a nameplate.

    A value follows its label on the same line (``整车型号：BJ7152U3D1``) or stands in the next line
    to the right on the same row (ruled tables), else in the next line.
    """
    out: dict[str, list[FieldReading]] = {}
    for i, line in enumerate(lines):
        text = _norm_text(line.read.text)
        for name, labels in NAMEPLATE_LABELS.items():
            label = next((lab for lab in labels if lab in text), None)
            if label is None:
                continue
            value = text.split(label, 1)[1]
            box = line.box_xyxy
            conf = line.read.confidence
            if not value:
                nxt = _value_line(lines, i)
                if nxt is None:
                    continue
                value, box, conf = _norm_text(nxt.read.text), nxt.box_xyxy, nxt.read.confidence
            out.setdefault(name, []).append(FieldReading(name, value, conf, (), (), box))
    return out


def _value_line(lines: Sequence[TextLine], i: int) -> TextLine | None:
    label = lines[i].box_xyxy
    cy = (label[1] + label[3]) / 2
    right = [ln for ln in lines if ln.box_xyxy[0] >= label[2] - 2 and ln.box_xyxy[1] <= cy <= ln.box_xyxy[3]]
    if right:
        return min(right, key=lambda ln: ln.box_xyxy[0])
    return lines[i + 1] if i + 1 < len(lines) else None
