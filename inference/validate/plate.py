"""Chinese motor-vehicle plate grammar (GA 36-2018, which superseded GA 36-2014) and correction.

Plate text is written without separators: "京A12345", "沪AD12345", "粤Z1234港", "使123456".
Positions in messages and corrections are 1-based, counted on that compact text.

Rules encoded here (clause numbers are not quoted: they are not reliably known to us and moved
between editions; the rules themselves are the long-standing public ones):

* ordinary plates: province abbreviation + issuing-authority letter + 5-character serial;
* the serial never uses I or O (read as 1 and 0), and holds at most two letters (the limit GA 36 sets
  for self-chosen numbers, applied here to every ordinary serial);
* suffix plates (学 learner, 挂 trailer, 警 police, 领 consulate, 港/澳 Hong Kong / Macao cross-border):
  province + letter + 4 characters + the suffix; 港/澳 plates are only issued as 粤Z;
* small new-energy plates: province + letter + 6 characters, the first a power-type letter (D, A, B, C,
  E pure electric; F, G, H, J, K otherwise; D and F were the first to be issued), the second a letter
  or digit, the last four digits;
* large new-energy plates: province + letter + 5 digits + D or F;
* embassy plates: 使 + 6 digits (3-digit mission code + 3-digit sequence);
* armed-police plates: WJ + province + 5 characters, or WJ + 7 characters (older plates such as
  "WJ1693015", whose province is a 2-digit code).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from inference.validate.vin import Candidates, CorrectedChar, _prepare, _search

__all__ = [
    "DIGITS",
    "NEV_LARGE_POWER_LETTERS",
    "NEV_SMALL_POWER_LETTERS",
    "PLATE_LETTERS",
    "PROVINCES",
    "SPECIAL_CHARS",
    "PlateCheck",
    "PlateColor",
    "PlateCorrection",
    "PlateType",
    "classify_plate_text",
    "correct_plate",
    "is_double_row",
    "normalise_plate",
    "plate_color",
    "plate_length",
    "plate_lengths",
    "validate_plate",
]

PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新"
# I and O are never used on plates: they would read as 1 and 0.
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = "0123456789"
SPECIAL_CHARS = "警学挂港澳领使应急民航"
NEV_SMALL_POWER_LETTERS = "DABCEFGHJK"
NEV_LARGE_POWER_LETTERS = "DF"
_LOOKALIKE_FOLDS = {"I": "1", "O": "0"}
# Printed plates show a dot after the issuing letter; readers and forms add other separators.
_SEPARATORS = frozenset("·•∙・.-_ ")


class PlateColor(StrEnum):
    blue = "blue"
    yellow = "yellow"
    # Large new-energy plates are yellow-green two-tone; they are reported as green.
    green = "green"
    white = "white"
    black = "black"


class PlateType(StrEnum):
    """Plate kinds. Declaration order is the preference when one text fits several kinds."""

    blue_small = "blue_small"
    green_small = "green_small"
    green_large = "green_large"
    yellow_large = "yellow_large"
    yellow_double = "yellow_double"
    yellow_learner = "yellow_learner"
    yellow_trailer = "yellow_trailer"
    white_police = "white_police"
    black_hk_macao = "black_hk_macao"
    black_consulate = "black_consulate"
    black_embassy = "black_embassy"
    white_armed_police = "white_armed_police"


_COLORS: dict[PlateType, PlateColor] = {
    PlateType.blue_small: PlateColor.blue,
    PlateType.green_small: PlateColor.green,
    PlateType.green_large: PlateColor.green,
    PlateType.yellow_large: PlateColor.yellow,
    PlateType.yellow_double: PlateColor.yellow,
    PlateType.yellow_learner: PlateColor.yellow,
    PlateType.yellow_trailer: PlateColor.yellow,
    PlateType.white_police: PlateColor.white,
    PlateType.black_hk_macao: PlateColor.black,
    PlateType.black_consulate: PlateColor.black,
    PlateType.black_embassy: PlateColor.black,
    PlateType.white_armed_police: PlateColor.white,
}
_DOUBLE_ROW = frozenset({PlateType.yellow_double, PlateType.yellow_trailer})


@dataclass(frozen=True, slots=True)
class _Slot:
    allowed: frozenset[str]
    what: str


@dataclass(frozen=True, slots=True)
class _Form:
    slots: tuple[_Slot, ...]
    # (start, stop) 0-based span of the serial whose letter count is limited, and the limit.
    letter_span: tuple[int, int] | None = None
    max_letters: int = 0


def _slot(chars: str, what: str) -> _Slot:
    return _Slot(frozenset(chars), what)


_PROVINCE = _slot(PROVINCES, "a province abbreviation")
_AUTHORITY = _slot(PLATE_LETTERS, "an issuing-authority letter (A-Z without I, O)")
_ALNUM = _slot(PLATE_LETTERS + DIGITS, "a serial letter or digit (no I, O)")
_DIGIT = _slot(DIGITS, "a digit")


def _suffixed(suffix: str, what: str) -> tuple[_Form, ...]:
    return (_Form((_PROVINCE, _AUTHORITY, *(_ALNUM,) * 4, _slot(suffix, what))),)


_ORDINARY = (_Form((_PROVINCE, _AUTHORITY, *(_ALNUM,) * 5), letter_span=(2, 7), max_letters=2),)

_GRAMMARS: dict[PlateType, tuple[_Form, ...]] = {
    PlateType.blue_small: _ORDINARY,
    PlateType.yellow_large: _ORDINARY,
    PlateType.yellow_double: _ORDINARY,
    PlateType.green_small: (
        _Form(
            (
                _PROVINCE,
                _AUTHORITY,
                _slot(NEV_SMALL_POWER_LETTERS, "a new-energy power-type letter (D/A/B/C/E or F/G/H/J/K)"),
                _ALNUM,
                *(_DIGIT,) * 4,
            )
        ),
    ),
    PlateType.green_large: (
        _Form((_PROVINCE, _AUTHORITY, *(_DIGIT,) * 5, _slot(NEV_LARGE_POWER_LETTERS, "D or F"))),
    ),
    PlateType.yellow_learner: _suffixed("学", "the learner suffix 学"),
    PlateType.yellow_trailer: _suffixed("挂", "the trailer suffix 挂"),
    PlateType.white_police: _suffixed("警", "the police suffix 警"),
    PlateType.black_consulate: _suffixed("领", "the consulate suffix 领"),
    PlateType.black_hk_macao: (
        _Form(
            (
                _slot("粤", "粤 (cross-border plates are issued by Guangdong)"),
                _slot("Z", "Z (the cross-border issuing code)"),
                *(_ALNUM,) * 4,
                _slot("港澳", "the suffix 港 or 澳"),
            )
        ),
    ),
    PlateType.black_embassy: (_Form((_slot("使", "the embassy prefix 使"), *(_DIGIT,) * 6)),),
    PlateType.white_armed_police: (
        _Form((_slot("W", "W of WJ"), _slot("J", "J of WJ"), _PROVINCE, *(_ALNUM,) * 5)),
        _Form((_slot("W", "W of WJ"), _slot("J", "J of WJ"), *(_ALNUM,) * 7)),
    ),
}


def normalise_plate(text: str) -> str:
    """Fold full-width forms, upper-case Latin letters and drop separators and whitespace."""
    if not isinstance(text, str):
        raise TypeError(f"plate text must be str, got {type(text).__name__}")
    folded = unicodedata.normalize("NFKC", text)
    return "".join(c for c in folded if c not in _SEPARATORS and not c.isspace()).upper()


def plate_color(plate_type: PlateType) -> PlateColor:
    return _COLORS[PlateType(plate_type)]


def plate_lengths(plate_type: PlateType) -> tuple[int, ...]:
    """Every character count the grammar of `plate_type` accepts, standard form first."""
    return tuple(len(form.slots) for form in _GRAMMARS[PlateType(plate_type)])


def plate_length(plate_type: PlateType) -> int:
    """Character count of the standard form (armed-police plates also come without province: see
    `plate_lengths`)."""
    return plate_lengths(plate_type)[0]


def is_double_row(plate_type: PlateType) -> bool:
    """Whether the characters sit on two rows (province and letter above, serial below)."""
    return PlateType(plate_type) in _DOUBLE_ROW


def _form_problems(text: str, form: _Form) -> list[str]:
    if len(text) != len(form.slots):
        return [f"expected {len(form.slots)} characters, got {len(text)}"]
    problems: list[str] = []
    for pos, (char, slot) in enumerate(zip(text, form.slots, strict=True), start=1):
        if char in slot.allowed:
            continue
        if char in _LOOKALIKE_FOLDS:
            problems.append(f"position {pos}: {char!r} is never used on plates (I and O are excluded)")
        else:
            problems.append(f"position {pos}: {char!r} is not {slot.what}")
    if form.letter_span is not None:
        start, stop = form.letter_span
        letters = sum(1 for c in text[start:stop] if c in PLATE_LETTERS)
        if letters > form.max_letters:
            problems.append(f"the serial holds {letters} letters, at most {form.max_letters} are allowed")
    return problems


def _type_problems(text: str, plate_type: PlateType) -> list[str]:
    """Problems against the closest form of `plate_type` ([] when the text fits)."""
    scored = [
        (len(text) != len(form.slots), len(problems), problems)
        for form in _GRAMMARS[plate_type]
        for problems in [_form_problems(text, form)]
    ]
    # A form of the right length explains the text better than a bare length complaint.
    return min(scored, key=lambda s: s[:2])[2]


def _fits(text: str, plate_type: PlateType) -> bool:
    return any(not _form_problems(text, form) for form in _GRAMMARS[plate_type])


def classify_plate_text(text: str) -> tuple[PlateType, ...]:
    """Every plate type whose grammar accepts `text`, in `PlateType` preference order."""
    plate = normalise_plate(text)
    return tuple(t for t in PlateType if _fits(plate, t))


@dataclass(frozen=True, slots=True)
class PlateCheck:
    """Outcome of `validate_plate`.

    `plate_type` is the requested type, or the preferred one among `plate_types` (all accepting
    types); it is None for an invalid text when no type was requested. `problems` then describe the
    text against the plate type it comes closest to.
    """

    text: str
    valid: bool
    plate_type: PlateType | None
    color: PlateColor | None
    problems: tuple[str, ...]
    plate_types: tuple[PlateType, ...] = ()


_SUFFIX_TYPES: dict[str, PlateType] = {
    "学": PlateType.yellow_learner,
    "挂": PlateType.yellow_trailer,
    "警": PlateType.white_police,
    "领": PlateType.black_consulate,
    "港": PlateType.black_hk_macao,
    "澳": PlateType.black_hk_macao,
}


def _closest_problems(text: str) -> tuple[str, ...]:
    """Problems of an invalid text, explained against the type its signature points to.

    A prefix (使, WJ) or suffix (学, 挂, ...) names the type even when the rest is garbled; otherwise
    the length does. Predictable beats clever here: these messages are read by people.
    """
    plate_type: PlateType | None
    if text.startswith("使"):
        plate_type = PlateType.black_embassy
    elif text.startswith("WJ"):
        plate_type = PlateType.white_armed_police
    elif text[-1] in _SUFFIX_TYPES:
        plate_type = _SUFFIX_TYPES[text[-1]]
    else:
        by_length = [t for t in PlateType if len(text) in plate_lengths(t)]
        # min() keeps the first of equals, so ties fall back to the preference order.
        plate_type = min(by_length, key=lambda t: len(_type_problems(text, t)), default=None)
    if plate_type is None:
        lengths = sorted({n for t in PlateType for n in plate_lengths(t)})
        expected = ", ".join(str(n) for n in lengths[:-1]) + f" or {lengths[-1]}"
        return (f"plates have {expected} characters, got {len(text)}",)
    return tuple(f"as {plate_type.value}: {p}" for p in _type_problems(text, plate_type))


def validate_plate(text: str, plate_type: PlateType | None = None) -> PlateCheck:
    """Check a plate reading against the grammar of `plate_type`, or of any type when None."""
    plate = normalise_plate(text)
    if plate_type is not None:
        plate_type = PlateType(plate_type)
        problems = _type_problems(plate, plate_type)
        return PlateCheck(
            text=plate,
            valid=not problems,
            plate_type=plate_type,
            color=plate_color(plate_type),
            problems=tuple(problems),
            plate_types=() if problems else (plate_type,),
        )
    types = classify_plate_text(plate)
    if types:
        return PlateCheck(
            text=plate,
            valid=True,
            plate_type=types[0],
            color=plate_color(types[0]),
            problems=(),
            plate_types=types,
        )
    if not plate:
        return PlateCheck(
            text=plate, valid=False, plate_type=None, color=None, problems=("empty plate text",)
        )
    return PlateCheck(text=plate, valid=False, plate_type=None, color=None, problems=_closest_problems(plate))


@dataclass(frozen=True, slots=True)
class PlateCorrection:
    """Outcome of `correct_plate`; same contract as `VinCorrection`, plus the type the text fits."""

    text: str
    valid: bool
    plate_type: PlateType | None
    corrected: tuple[CorrectedChar, ...]
    confidence: float
    ambiguous: bool


def _fold_plate(index: int, char: str) -> str | None:
    # Position 1 holds a province or a Latin prefix letter (W of WJ), where I/O are no digit look-alikes.
    return _LOOKALIKE_FOLDS.get(char) if index > 0 else None


def correct_plate(
    candidates: Candidates, plate_type: PlateType | None = None, max_changes: int = 2
) -> PlateCorrection:
    """Most probable plate text valid for `plate_type` (any type when None) within `max_changes` swaps.

    `candidates[i]` lists (char, probability) alternatives for position i. A serial I or O also
    proposes 1 or 0. The grammar does the position-dependent work: a digit cannot stand where the
    province or issuing letter belongs. Without a valid reading in reach the top-1 text comes back
    with valid=False and no corrections.
    """
    wanted = PlateType(plate_type) if plate_type is not None else None
    alternatives = _prepare(candidates, _fold_plate, max_changes)
    types = (wanted,) if wanted is not None else tuple(PlateType)

    def is_valid(text: str) -> bool:
        return any(_fits(text, t) for t in types)

    if not alternatives:
        return PlateCorrection("", False, None, (), 0.0, False)
    result = _search(alternatives, is_valid, max_changes)
    if result.best is None:
        return PlateCorrection(
            text=result.top1,
            valid=False,
            plate_type=None,
            corrected=(),
            confidence=result.top1_prob,
            ambiguous=False,
        )
    fitted = wanted if wanted is not None else classify_plate_text(result.best)[0]
    return PlateCorrection(
        text=result.best,
        valid=True,
        plate_type=fitted,
        corrected=result.corrected,
        confidence=result.best_prob,
        ambiguous=result.ambiguous,
    )
