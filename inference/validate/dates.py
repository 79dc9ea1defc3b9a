"""Dates as vehicle documents print them ('2020-03-02', '2020年03月02日', '2020.3.2'): calendar dates of issue,
registration, sale or birth, none later than the day they are read.

Readings that break a rule are reported in the result, never raised. A date read with a digit wrong ('2828-82-23',
'2825-06-05') is corrected from the recogniser's own digit alternatives when exactly one valid date is that likely.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .vin import Candidates, _prepare, _search

__all__ = ["DATE_PATTERN", "DateCheck", "DateCorrection", "check_date", "correct_date", "parse_date"]

DATE_PATTERN = re.compile(r"(\d{4})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})\s*日?")
EARLIEST_YEAR = 1900  # a birth date


def parse_date(text: str) -> dt.date | None:
    """The first date printed in ``text``, or None when there is none or it is no calendar date."""
    m = DATE_PATTERN.search(text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class DateCheck:
    text: str
    valid: bool
    date: dt.date | None
    problems: tuple[str, ...]


def check_date(text: str, today: dt.date | None = None) -> DateCheck:
    """A calendar date from 1900 up to ``today`` (default: today)."""
    today = today or dt.date.today()
    day = parse_date(text)
    if day is None:
        return DateCheck(text, False, None, (f"{text!r} is not a calendar date",))
    if day > today:
        return DateCheck(text, False, day, (f"{day.isoformat()} is after today",))
    if day.year < EARLIEST_YEAR:
        return DateCheck(text, False, day, (f"{day.isoformat()} is before {EARLIEST_YEAR}",))
    return DateCheck(text, True, day, ())


@dataclass(frozen=True, slots=True)
class DateCorrection:
    """Outcome of :func:`correct_date`, shaped like ``VinCorrection``: when ``valid`` is False ``text`` is the
    recogniser's top-1 reading, untouched; ``ambiguous`` means another valid date is nearly as likely."""

    text: str
    valid: bool
    ambiguous: bool


def correct_date(candidates: Candidates, max_changes: int = 3, today: dt.date | None = None) -> DateCorrection:
    """The most probable valid date (:func:`check_date`) reachable from the recogniser's per-position
    (char, probability) alternatives by at most ``max_changes`` digits replaced by digits ('2828-82-23', each 0
    read as 8, needs three); the other characters stay as read."""
    digits = [
        [alts[0], *((c, p) for c, p in alts[1:] if c.isdigit())] if alts and alts[0][0].isdigit() else list(alts[:1])
        for alts in candidates
    ]
    read = "".join(a[0][0] for a in digits if a)
    if len(read) != len(candidates):
        return DateCorrection(read, False, False)
    found = _search(
        _prepare(digits, lambda _i, _c: None, max_changes), lambda t: check_date(t, today).valid, max_changes
    )
    if found.best is None:
        return DateCorrection(read, False, False)
    return DateCorrection(found.best, True, found.ambiguous)
