"""Pydantic schemas of the HTTP API: the edge where engine results become JSON."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from inference.types import Correction, NameplateRead, PlateRead, TextLine, VehicleRead, VinRead


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class CharOut(_Out):
    char: str
    confidence: float
    alternatives: list[tuple[str, float]]


class CorrectionOut(_Out):
    position: int
    read: str
    corrected_to: str
    confidence: float


class PlateOut(_Out):
    text: str
    color: str | None
    type: str | None
    confidence: float
    valid: bool
    box_xyxy: list[float]
    corners: list[list[float]]
    corrected: list[CorrectionOut]
    ambiguous: bool
    chars: list[CharOut]

    @classmethod
    def of(cls, p: PlateRead) -> PlateOut:
        return cls(text=p.text, color=p.color, type=p.plate_type, confidence=round(p.confidence, 4), valid=p.valid,
                   box_xyxy=[round(v, 1) for v in p.box_xyxy],
                   corners=[[round(x, 1), round(y, 1)] for x, y in p.corners_xy],
                   corrected=[_correction(c) for c in p.corrected], ambiguous=p.ambiguous, chars=_chars(p.read))


class VinOut(_Out):
    text: str
    check_digit_ok: bool
    valid: bool
    confidence: float
    corrected: list[CorrectionOut]
    ambiguous: bool
    box_xyxy: list[float]
    corners: list[list[float]]
    chars: list[CharOut]

    @classmethod
    def of(cls, v: VinRead) -> VinOut:
        return cls(text=v.text, check_digit_ok=v.check_digit_ok, valid=v.valid, confidence=round(v.confidence, 4),
                   corrected=[_correction(c) for c in v.corrected], ambiguous=v.ambiguous,
                   box_xyxy=[round(x, 1) for x in v.box_xyxy],
                   corners=[[round(x, 1), round(y, 1)] for x, y in v.corners_xy], chars=_chars(v.read))


class LineOut(_Out):
    text: str
    confidence: float
    box_xyxy: list[float]
    corners: list[list[float]]

    @classmethod
    def of(cls, line: TextLine) -> LineOut:
        return cls(text=line.read.text, confidence=round(line.read.confidence, 4),
                   box_xyxy=[round(v, 1) for v in line.box_xyxy],
                   corners=[[round(x, 1), round(y, 1)] for x, y in line.corners_xy])


class NameplateOut(_Out):
    fields: dict[str, str]
    box_xyxy: list[float]
    corners: list[list[float]]
    lines: list[LineOut]

    @classmethod
    def of(cls, n: NameplateRead) -> NameplateOut:
        return cls(fields=dict(n.fields), box_xyxy=[round(v, 1) for v in n.box_xyxy],
                   corners=[[round(x, 1), round(y, 1)] for x, y in n.corners_xy],
                   lines=[LineOut.of(line) for line in n.lines])


class ModelOut(_Out):
    name: str
    version: str
    sha256: str


class ReadOut(_Out):
    file: str | None
    width: int
    height: int
    plates: list[PlateOut]
    vins: list[VinOut]
    nameplates: list[NameplateOut]
    timings_ms: dict[str, float]
    models: list[ModelOut]

    @classmethod
    def of(cls, read: VehicleRead, file: str | None) -> ReadOut:
        return cls(file=file, width=read.size_wh[0], height=read.size_wh[1],
                   plates=[PlateOut.of(p) for p in read.plates], vins=[VinOut.of(v) for v in read.vins],
                   nameplates=[NameplateOut.of(n) for n in read.nameplates],
                   timings_ms={k: round(v, 2) for k, v in read.timings_ms.items()},
                   models=[ModelOut(name=m.name, version=m.version, sha256=m.sha256) for m in read.models])


class ErrorOut(_Out):
    detail: str


class ReviewQueueOut(_Out):
    slots: int  # cases reviewed at once
    running: int
    waiting: int
    max_waiting: int  # one more waiting gets 503


class ReadyOut(_Out):
    ready: bool
    models: dict[str, dict[str, object]]
    database: bool
    error: str | None = None
    reviews: ReviewQueueOut | None = None


def _chars(read) -> list[CharOut]:  # type: ignore[no-untyped-def]
    if read is None:
        return []
    return [CharOut(char=c.char, confidence=round(c.confidence, 4),
                    alternatives=[(a, round(p, 4)) for a, p in c.alternatives]) for c in read.chars]


def _correction(c: Correction) -> CorrectionOut:
    return CorrectionOut(position=c.position, read=c.read, corrected_to=c.corrected_to,
                         confidence=round(c.confidence, 4))
