"""Citizen identification number rules (GB 11643-1999).

18 characters: 6-digit address code, 8-digit birth date (YYYYMMDD), 3-digit sequence code (odd for
men, even for women) and an ISO 7064 MOD 11-2 check character (0-9 or X).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Literal

from .vin import Candidates, CorrectedChar, _prepare, _search

__all__ = [
    "ID_LENGTH",
    "ID_WEIGHTS",
    "PROVINCE_CODES",
    "IdCheck",
    "IdCorrection",
    "correct_id_number",
    "id_check_char",
    "make_id_number",
    "normalise_id_number",
    "validate_id_number",
]

ID_LENGTH = 18
# 2^(17-i) mod 11 for i = 0..16: the ISO 7064 MOD 11-2 weights.
ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"  # indexed by weighted sum mod 11
_EARLIEST_BIRTH_YEAR = 1900

# First two digits of the address code (GB/T 2260). 71 is reserved for Taiwan; 81/82/83 appear on
# residence permits for Hong Kong, Macao and Taiwan residents.
PROVINCE_CODES: dict[str, str] = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古",
    "21": "辽宁", "22": "吉林", "23": "黑龙江",
    "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西", "37": "山东",
    "41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
    "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏",
    "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏", "65": "新疆",
    "71": "台湾", "81": "香港", "82": "澳门", "83": "台湾",
}  # fmt: skip


def normalise_id_number(text: str) -> str:
    """Fold full-width digits, drop whitespace and upper-case the check character x."""
    if not isinstance(text, str):
        raise TypeError(f"ID number text must be str, got {type(text).__name__}")
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def _is_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def id_check_char(first17: str) -> str:
    """Check character ('0'-'9' or 'X') for the first 17 digits of an identification number."""
    if not isinstance(first17, str) or len(first17) != ID_LENGTH - 1 or not _is_digits(first17):
        raise ValueError(f"id_check_char needs exactly 17 ASCII digits, got {first17!r}")
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def make_id_number(region6: str, birth: dt.date, seq3: int | str) -> str:
    """Build a well-formed number (for synthetic documents); no check that the region code exists."""
    if not isinstance(region6, str) or len(region6) != 6 or not _is_digits(region6):
        raise ValueError(f"region6 must be 6 ASCII digits, got {region6!r}")
    if not isinstance(birth, dt.date):
        raise TypeError(f"birth must be a datetime.date, got {type(birth).__name__}")
    if isinstance(seq3, bool):
        raise TypeError("seq3 must be an int or a 3-digit string, got bool")
    if isinstance(seq3, int):
        if not 0 <= seq3 <= 999:
            raise ValueError(f"seq3 must be in 0..999, got {seq3}")
        seq = f"{seq3:03d}"
    elif isinstance(seq3, str) and len(seq3) == 3 and _is_digits(seq3):
        seq = seq3
    else:
        raise ValueError(f"seq3 must be an int in 0..999 or 3 ASCII digits, got {seq3!r}")
    first17 = f"{region6}{birth.year:04d}{birth.month:02d}{birth.day:02d}{seq}"
    return first17 + id_check_char(first17)


@dataclass(frozen=True, slots=True)
class IdCheck:
    """Outcome of `validate_id_number`; fields that cannot be read from the text are None."""

    text: str
    valid: bool
    checksum_ok: bool
    birth_date: dt.date | None
    sex: Literal["M", "F"] | None
    region_code: str | None
    province: str | None
    problems: tuple[str, ...]


def validate_id_number(text: str, *, today: dt.date | None = None) -> IdCheck:
    """Check an 18-character identification number; `today` bounds the birth date (default: today)."""
    number = normalise_id_number(text)
    today = today if today is not None else dt.date.today()
    problems: list[str] = []

    if len(number) != ID_LENGTH:
        if len(number) == 15 and _is_digits(number):
            problems.append("15-digit first-generation numbers are not accepted; 18 characters expected")
        else:
            problems.append(f"an identification number has {ID_LENGTH} characters, got {len(number)}")
        return IdCheck(number, False, False, None, None, None, None, tuple(problems))

    body, check = number[:17], number[17]
    bad = [f"{i + 1}:{c!r}" for i, c in enumerate(body) if not _is_digits(c)]
    if bad:
        problems.append(f"positions 1-17 must be digits; found {', '.join(bad)}")
    if not (_is_digits(check) or check == "X"):
        problems.append(f"position 18: {check!r} is not a check character (0-9 or X)")

    region_code = number[:6] if _is_digits(number[:6]) else None
    province = PROVINCE_CODES.get(number[:2])
    if region_code is not None and province is None:
        problems.append(f"{number[:2]!r} is not a province code")

    birth: dt.date | None = None
    birth_text = number[6:14]
    if _is_digits(birth_text):
        try:
            birth = dt.date(int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:]))
        except ValueError:
            problems.append(f"birth date {birth_text} is not a calendar date")
        else:
            if birth.year < _EARLIEST_BIRTH_YEAR:
                problems.append(f"birth date {birth.isoformat()} is before {_EARLIEST_BIRTH_YEAR}")
                birth = None
            elif birth > today:
                problems.append(f"birth date {birth.isoformat()} is in the future")
                birth = None

    sex: Literal["M", "F"] | None = None
    if _is_digits(number[16]):
        sex = "M" if int(number[16]) % 2 else "F"

    checksum_ok = False
    if not bad:
        expected = id_check_char(body)
        checksum_ok = check == expected
        if not checksum_ok and (_is_digits(check) or check == "X"):
            problems.append(f"check character is {check!r}, the first 17 digits give {expected!r}")

    return IdCheck(
        text=number,
        valid=not problems,
        checksum_ok=checksum_ok,
        birth_date=birth,
        sex=sex,
        region_code=region_code,
        province=province,
        problems=tuple(problems),
    )


# ------------------------------------------------------------------------------------------ correction

# Letters a recogniser confuses with digits; an ID number has no letters except a final X.
_DIGIT_LOOKALIKES = {"O": "0", "D": "0", "Q": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "G": "6", "B": "8"}


@dataclass(frozen=True, slots=True)
class IdCorrection:
    """Outcome of `correct_id_number`, shaped like `VinCorrection`: when `valid` is False `text` is the
    recogniser's top-1 reading, untouched; `ambiguous` means another valid reading is nearly as likely."""

    text: str
    valid: bool
    corrected: tuple[CorrectedChar, ...]
    confidence: float
    ambiguous: bool


def _fold_id(index: int, char: str) -> str | None:
    if index == ID_LENGTH - 1 and char == "X":
        return None
    return _DIGIT_LOOKALIKES.get(char)


def correct_id_number(candidates: Candidates, max_changes: int = 2, *, today: dt.date | None = None) -> IdCorrection:
    """Most probable valid number (checksum, province code, calendar birth date not in the future) reachable
    from the recogniser's per-position (char, probability) alternatives by at most `max_changes` swaps.

    The MOD 11-2 check catches every single substitution, and a birth date plus a province code rule out
    most of the rest, so the recogniser's second choices can be trusted when exactly one of them makes the
    number valid. Letters that look like digits also propose the digit at half their probability.
    """
    alternatives = _prepare(candidates, _fold_id, max_changes)
    top1 = "".join(alts[0][0] for alts in alternatives)
    if len(alternatives) != ID_LENGTH:
        return IdCorrection(top1, False, (), 0.0, False)
    result = _search(alternatives, lambda text: validate_id_number(text, today=today).valid, max_changes)
    if result.best is None:
        return IdCorrection(result.top1, False, (), result.top1_prob, False)
    return IdCorrection(result.best, True, result.corrected, result.best_prob, result.ambiguous)
