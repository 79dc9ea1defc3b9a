"""Result types of the engine: frozen, slotted dataclasses that validate their own shapes.

Coordinates are in pixels of the original frame. Names carry the format: ``box_xyxy`` is
``(x1, y1, x2, y2)``, ``corners_xy`` four ``(x, y)`` points clockwise from top-left, ``size_wh`` is
``(width, height)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

BoxXYXY = tuple[float, float, float, float]
PointXY = tuple[float, float]


class InvalidImageError(ValueError):
    """The input is not an image the engine can read (wrong dtype, shape or size)."""


def _check_box(box: BoxXYXY) -> None:
    if len(box) != 4:
        raise ValueError(f"box_xyxy must have 4 numbers, got {len(box)}")
    x1, y1, x2, y2 = box
    if x2 < x1 or y2 < y1:
        raise ValueError(f"box_xyxy must have x2 >= x1 and y2 >= y1, got {box}")


@dataclass(frozen=True, slots=True)
class Frame:
    """A BGR uint8 image. Grey, BGRA and float inputs are converted by :meth:`from_array`."""

    image: np.ndarray

    def __post_init__(self) -> None:
        img = self.image
        if not isinstance(img, np.ndarray) or img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3:
            raise InvalidImageError(f"Frame needs an HxWx3 uint8 array, got {getattr(img, 'shape', type(img))}")
        if img.shape[0] < 1 or img.shape[1] < 1:
            raise InvalidImageError(f"Frame is empty: {img.shape}")

    @classmethod
    def from_array(cls, array: np.ndarray) -> Frame:
        """Accept grey (HxW or HxWx1), BGR and BGRA arrays of uint8; anything else is rejected."""
        if not isinstance(array, np.ndarray):
            raise InvalidImageError(f"expected a numpy array, got {type(array).__name__}")
        if array.dtype != np.uint8:
            raise InvalidImageError(f"expected uint8 pixels, got {array.dtype}")
        if array.ndim == 2:
            array = array[:, :, None]
        if array.ndim != 3 or array.shape[2] not in (1, 3, 4):
            raise InvalidImageError(f"expected HxW, HxWx1, HxWx3 or HxWx4, got shape {array.shape}")
        if array.shape[2] == 1:
            array = np.repeat(array, 3, axis=2)
        elif array.shape[2] == 4:
            array = np.ascontiguousarray(array[:, :, :3])
        return cls(np.ascontiguousarray(array))

    @property
    def size_wh(self) -> tuple[int, int]:
        return int(self.image.shape[1]), int(self.image.shape[0])


@dataclass(frozen=True, slots=True)
class CharRead:
    """One character of a reading, its confidence and the next most likely characters. ``skipped_before``: when
    the recogniser left a gap before this character twice as wide as its line's spacing (where a character, often
    a repeated one, 'NN' or '44', may have gone unread), the classes it saw in the gap, most probable first (possibly
    none); None when there was no such gap."""

    char: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...] = ()
    skipped_before: tuple[tuple[str, float], ...] | None = None


@dataclass(frozen=True, slots=True)
class TextRead:
    text: str
    confidence: float
    chars: tuple[CharRead, ...] = ()

    def __post_init__(self) -> None:
        if self.chars and "".join(c.char for c in self.chars) != self.text:
            raise ValueError(f"chars do not spell the text {self.text!r}")

    @classmethod
    def empty(cls) -> TextRead:
        return cls("", 0.0, ())


@dataclass(frozen=True, slots=True)
class TextLine:
    """A detected text line: its quadrilateral, bounding box, detection score and reading."""

    box_xyxy: BoxXYXY
    corners_xy: tuple[PointXY, PointXY, PointXY, PointXY]
    det_score: float
    read: TextRead

    def __post_init__(self) -> None:
        _check_box(self.box_xyxy)
        if len(self.corners_xy) != 4:
            raise ValueError(f"corners_xy must have 4 points, got {len(self.corners_xy)}")


@dataclass(frozen=True, slots=True)
class ModelVersion:
    name: str
    version: str
    sha256: str


def _frozen_map(values: Mapping[str, float] | None) -> Mapping[str, float]:
    return MappingProxyType(dict(values or {}))


@dataclass(frozen=True, slots=True)
class TextResult:
    """All text lines found in a frame, in reading order."""

    lines: tuple[TextLine, ...]
    timings_ms: Mapping[str, float] = field(default_factory=lambda: _frozen_map(None))
    models: tuple[ModelVersion, ...] = ()

    @classmethod
    def empty(cls, models: tuple[ModelVersion, ...] = ()) -> TextResult:
        return cls((), _frozen_map(None), models)


@dataclass(frozen=True, slots=True)
class Correction:
    """A character the rules changed: 1-based position, what was read, what it became, and the
    recogniser's probability for the new character."""

    position: int
    read: str
    corrected_to: str
    confidence: float


@dataclass(frozen=True, slots=True)
class PlateRead:
    text: str
    confidence: float
    box_xyxy: BoxXYXY
    corners_xy: tuple[PointXY, ...] = ()
    color: str | None = None
    plate_type: str | None = None
    valid: bool = False
    read: TextRead | None = None
    corrected: tuple[Correction, ...] = ()
    ambiguous: bool = False
    detection_score: float | None = None

    def __post_init__(self) -> None:
        _check_box(self.box_xyxy)


@dataclass(frozen=True, slots=True)
class VinRead:
    text: str
    confidence: float
    box_xyxy: BoxXYXY
    check_digit_ok: bool
    valid: bool
    read: TextRead | None = None
    corrected: tuple[Correction, ...] = ()
    ambiguous: bool = False
    corners_xy: tuple[PointXY, ...] = ()
    detection_score: float | None = None

    def __post_init__(self) -> None:
        _check_box(self.box_xyxy)


@dataclass(frozen=True, slots=True)
class NameplateRead:
    """A detected nameplate (产品标牌): its outline, its text lines in frame pixels and the fields the
    nameplate rules found in them (``model``, ``engine_model``, ``production_date``)."""

    box_xyxy: BoxXYXY
    corners_xy: tuple[PointXY, ...]
    fields: Mapping[str, str]
    lines: tuple[TextLine, ...]
    detection_score: float | None = None

    def __post_init__(self) -> None:
        _check_box(self.box_xyxy)
        object.__setattr__(self, "fields", _frozen_map(self.fields))


@dataclass(frozen=True, slots=True)
class VehicleRead:
    """What was read of a vehicle in one frame. Every reader's ``timings_ms`` has ``total``."""

    plates: tuple[PlateRead, ...]
    vins: tuple[VinRead, ...]
    size_wh: tuple[int, int]
    timings_ms: Mapping[str, float] = field(default_factory=lambda: _frozen_map(None))
    models: tuple[ModelVersion, ...] = ()
    nameplates: tuple[NameplateRead, ...] = ()
