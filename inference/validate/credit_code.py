"""Unified social credit code rules (统一社会信用代码, GB 32100-2015): a company's taxpayer number.

18 characters from 0-9 and the capitals without I, O, S, V and Z (31 characters, valued 0-30 in that order):

* position 1: registering authority (9 for market regulation, 5 civil affairs, 1 government bodies, ...);
* position 2: kind of organisation under that authority (1 enterprise, 2 individual business, ...);
* positions 3-8: the administrative division code (GB/T 2260) of the registering authority, digits, its first two a
  province's code (100000 for the national authorities);
* positions 9-17: the organisation code (GB 11714), 8 characters and its own MOD 11 check character;
* position 18: the check character, MOD 31 with weights 3^(i-1) mod 31.

A single misread character always breaks the MOD 31 check (31 is prime and every weight is non-zero), so a
code that passes is read right or misread in two places or more; a division code of no province also rules out the
readings that misread its first two digits. Before 2015 a taxpayer number was 15
characters (the division code and the organisation code); those are checked by the organisation code's
check character. Readings that break a rule are reported in the result, never raised.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .idcard import PROVINCE_CODES
from .vin import Candidates, CorrectedChar, _prepare, _search

__all__ = [
    "CREDIT_CHARSET",
    "CREDIT_LENGTH",
    "LOOKALIKES",
    "CreditCodeCheck",
    "CreditCodeCorrection",
    "correct_credit_code",
    "credit_check_char",
    "make_credit_code",
    "org_check_char",
    "validate_credit_code",
]

CREDIT_LENGTH = 18
LEGACY_LENGTH = 15  # a tax registration number before 2015: division code + organisation code
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(CREDIT_CHARSET)}
CREDIT_WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(CREDIT_LENGTH - 1))
ORG_WEIGHTS: tuple[int, ...] = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 over the organisation code's 8 characters
NATIONAL_DIVISION = "10"  # the division code of organisations registered by the national authorities: 100000


def credit_check_char(first17: str) -> str:
    """The 18th character of a credit code whose first 17 are ``first17`` (each from :data:`CREDIT_CHARSET`)."""
    if len(first17) != CREDIT_LENGTH - 1 or any(c not in _VALUE for c in first17):
        raise ValueError(f"credit_check_char needs 17 characters of {CREDIT_CHARSET}, got {first17!r}")
    total = sum(_VALUE[c] * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[-total % 31]


def org_check_char(body8: str) -> str:
    """GB 11714's check character (0-9 or X) for an organisation code's 8 characters (digits, capitals A=10..Z=35)."""
    if len(body8) != 8 or not body8.isascii() or not body8.isalnum() or body8 != body8.upper():
        raise ValueError(f"org_check_char needs 8 digits or capitals, got {body8!r}")
    values = (int(c) if c.isdigit() else ord(c) - ord("A") + 10 for c in body8)
    total = sum(v * w for v, w in zip(values, ORG_WEIGHTS, strict=True))
    return {10: "X", 11: "0"}.get(r := 11 - total % 11, str(r))


def make_credit_code(authority: str, kind: str, division6: str, org8: str) -> str:
    """A well-formed code (for synthetic documents): both check characters computed; no check that the
    division exists."""
    if len(division6) != 6 or not division6.isascii() or not division6.isdigit():
        raise ValueError(f"division6 must be 6 ASCII digits, got {division6!r}")
    first17 = f"{authority}{kind}{division6}{org8}{org_check_char(org8)}"
    return first17 + credit_check_char(first17)


@dataclass(frozen=True, slots=True)
class CreditCodeCheck:
    """Outcome of :func:`validate_credit_code`."""

    text: str
    valid: bool
    check_ok: bool
    problems: tuple[str, ...]


def _normalise(text: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"credit code text must be str, got {type(text).__name__}")
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def validate_credit_code(text: str) -> CreditCodeCheck:
    """Check an 18-character credit code, or a 15-character taxpayer number of before 2015."""
    code = _normalise(text)
    if len(code) == LEGACY_LENGTH:
        return _validate_legacy(code)
    if len(code) != CREDIT_LENGTH:
        return CreditCodeCheck(
            code, False, False, (f"a credit code has {CREDIT_LENGTH} characters (15 before 2015), got {len(code)}",)
        )
    problems: list[str] = []
    bad = [f"{i + 1}:{c!r}" for i, c in enumerate(code) if c not in _VALUE]
    if bad:
        problems.append(f"characters outside 0-9 and A-Z without I, O, S, V, Z: {', '.join(bad)}")
    problems += _division_problems(code[2:8], 3)
    check_ok = False
    if not bad:
        expected = credit_check_char(code[:17])
        check_ok = code[17] == expected
        if not check_ok:
            problems.append(f"check character (position 18) is {code[17]!r}, the others give {expected!r}")
    return CreditCodeCheck(code, not problems, check_ok, tuple(problems))


def _division_problems(division: str, first: int) -> list[str]:
    """What is wrong with a division code found at 1-based position ``first``: not digits, or its first two no
    province's (nor the national authorities')."""
    where = f"positions {first}-{first + 5}"
    if not division.isdigit():
        return [f"{where} are a division code, digits; got {division!r}"]
    if division[:2] not in PROVINCE_CODES and division[:2] != NATIONAL_DIVISION:
        return [f"{where} are a division code; {division[:2]!r} is no province's"]
    return []


def _validate_legacy(code: str) -> CreditCodeCheck:
    problems = _division_problems(code[:6], 1)
    body, check = code[6:14], code[14]
    check_ok = False
    if body.isascii() and body.isalnum():
        expected = org_check_char(body)
        check_ok = check == expected
        if not check_ok:
            problems.append(f"check character (position 15) is {check!r}, the organisation code gives {expected!r}")
    else:
        problems.append(f"positions 7-14 are an organisation code, digits or capitals; got {body!r}")
    return CreditCodeCheck(code, not problems, check_ok, tuple(problems))


# ------------------------------------------------------------------------------------------ correction

# characters a credit code never has, for the ones a recogniser takes them for
LOOKALIKES = {"I": "1", "O": "0", "Z": "2", "S": "5", "V": "U"}
# letters taken for digits in the division code (positions 3-8), which has digits only
_DIVISION_LOOKALIKES = LOOKALIKES | {"B": "8", "D": "0", "G": "6", "Q": "0"}


@dataclass(frozen=True, slots=True)
class CreditCodeCorrection:
    """Outcome of :func:`correct_credit_code`, shaped like ``VinCorrection``: when ``valid`` is False ``text`` is
    the recogniser's top-1 reading, untouched (its look-alikes too); ``ambiguous`` means another valid reading is
    nearly as likely."""

    text: str
    valid: bool
    corrected: tuple[CorrectedChar, ...]
    confidence: float
    ambiguous: bool


def _as_code_char(index: int, char: str) -> str:
    """``char`` as a code can have it at ``index``: a character no code has is its look-alike (a reading with
    it is wrong anyway, so this costs none of the search's substitutions)."""
    up = char.upper()
    if 2 <= index < 8 and up in _DIVISION_LOOKALIKES:
        return _DIVISION_LOOKALIKES[up]
    return LOOKALIKES.get(up, up)


def correct_credit_code(candidates: Candidates, max_changes: int = 1) -> CreditCodeCorrection:
    """Most probable valid code reachable from the recogniser's per-position (char, probability) alternatives
    by at most ``max_changes`` substitutions (one by default: the MOD 31 check catches every single
    substitution but not every pair, and beyond it only the division code's province is checked). A character
    the code cannot have where it was read is replaced by its look-alike first, without counting."""
    if isinstance(candidates, str):
        raise TypeError("candidates must be a sequence (one entry per position) of (char, prob) sequences")
    folded = [
        [(_as_code_char(i, c), p) if isinstance(c, str) and len(c) == 1 else (c, p) for c, p in alts]
        for i, alts in enumerate(candidates)
    ]
    alternatives = _prepare(folded, lambda _i, _c: None, max_changes)
    read = "".join(alts[0][0].upper() for alts in candidates)  # as read, before the look-alikes
    if len(alternatives) != CREDIT_LENGTH:
        return CreditCodeCorrection(read, False, (), 0.0, False)
    result = _search(alternatives, lambda text: validate_credit_code(text).valid, max_changes)
    if result.best is None:
        return CreditCodeCorrection(read, False, (), result.top1_prob, False)
    return CreditCodeCorrection(result.best, True, result.corrected, result.best_prob, result.ambiguous)
