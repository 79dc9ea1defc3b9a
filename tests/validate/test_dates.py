from __future__ import annotations

import datetime as dt

import pytest

from inference.validate.dates import check_date, correct_date, parse_date

TODAY = dt.date(2026, 12, 6)


@pytest.mark.parametrize(
    ("text", "valid", "problem"),
    [
        ("2020-03-02", True, None),
        ("2020年3月2日", True, None),
        ("1955.02.05", True, None),
        ("2026-12-06", True, None),  # today
        ("2828-82-23", False, "not a calendar date"),
        ("2020-02-30", False, "not a calendar date"),
        ("2026-12-07", False, "after today"),
        ("1899-12-31", False, "before 1900"),
        ("二〇二〇年", False, "not a calendar date"),
    ],
)
def test_check_date(text, valid, problem):
    check = check_date(text, TODAY)
    assert check.valid is valid
    assert (problem is None and check.problems == ()) or any(problem in p for p in check.problems)


def test_parse_date_takes_the_first_date():
    assert parse_date("自2024年04月06日零时起至2025年04月05日") == dt.date(2024, 4, 6)
    assert parse_date("no date") is None


def _cands(text: str, extra: dict[int, list[tuple[str, float]]] | None = None) -> list[list[tuple[str, float]]]:
    extra = extra or {}
    return [[(c, 0.6 if i in extra else 0.99), *extra.get(i, [])] for i, c in enumerate(text)]


@pytest.mark.parametrize(
    ("read", "extra", "text", "valid", "ambiguous"),
    [
        # 0 read as 8 three times, in the year and the month, each a second choice
        ("2828-82-23", {1: [("0", 0.3)], 3: [("0", 0.3)], 5: [("0", 0.3), ("1", 0.05)]}, "2020-02-23", True, False),
        ("2825-06-05", {1: [("0", 0.2), ("6", 0.01)]}, "2025-06-05", True, False),
        # a year after today: 2020 and 2023 nearly as likely, so ambiguous (the caller keeps the read)
        ("2028-03-02", {3: [("0", 0.2), ("3", 0.18)]}, "2020-03-02", True, True),
        # only digits replace digits: a letter alternative is no date
        ("2825-06-05", {1: [("O", 0.3)]}, "2825-06-05", False, False),
        # no alternative gives a date
        ("2825-06-05", {}, "2825-06-05", False, False),
    ],
)
def test_correct_date(read, extra, text, valid, ambiguous):
    fixed = correct_date(_cands(read, extra), today=TODAY)
    assert (fixed.text, fixed.valid, fixed.ambiguous) == (text, valid, ambiguous)
