from __future__ import annotations

import datetime as dt
import random

import pytest

from inference.validate.idcard import correct_id_number, id_check_char, make_id_number, validate_id_number

TODAY = dt.date(2025, 6, 1)


def ref_check(first17: str) -> str:
    """Independent ISO 7064 MOD 11-2: weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def ref_number(region6: str, birth: str, seq3: str) -> str:
    first17 = region6 + birth + seq3
    return first17 + ref_check(first17)


def test_reference_on_standard_example() -> None:
    # GB 11643-1999 example numbers.
    assert ref_check("11010519491231002") == "X"
    assert ref_check("44052418800101001") == "4"


@pytest.mark.parametrize("seed", range(3))
def test_check_char_matches_reference(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(300):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        assert id_check_char(first17) == ref_check(first17)


VALID = [
    # number, birth date, sex, province
    ("11010519491231002X", dt.date(1949, 12, 31), "F", "北京"),
    (ref_number("440106", "19900307", "123"), dt.date(1990, 3, 7), "M", "广东"),
    (ref_number("310115", "20000229", "004"), dt.date(2000, 2, 29), "F", "上海"),
    (ref_number("650102", "19010101", "999"), dt.date(1901, 1, 1), "M", "新疆"),
    (ref_number("810000", "19851120", "021"), dt.date(1985, 11, 20), "M", "香港"),
    (ref_number("510104", "20250601", "010"), dt.date(2025, 6, 1), "F", "四川"),
]


@pytest.mark.parametrize(("number", "birth", "sex", "province"), VALID)
def test_valid_numbers(number: str, birth: dt.date, sex: str, province: str) -> None:
    check = validate_id_number(number, today=TODAY)
    assert check.valid, check.problems
    assert check.checksum_ok
    assert check.birth_date == birth
    assert check.sex == sex
    assert check.region_code == number[:6]
    assert check.province == province
    assert check.problems == ()


def _flip_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


INVALID = [
    # text, checksum_ok, fragment
    (_flip_check("11010519491231002X"), False, "check character"),
    ("110105194912310021", False, "check character"),
    (ref_number("110105", "19490230", "002"), True, "calendar date"),
    (ref_number("110105", "19491301", "002"), True, "calendar date"),
    (ref_number("110105", "18991231", "002"), True, "before 1900"),
    ("440524188001010014", True, "before 1900"),  # the standard's own example, born 1880
    (ref_number("110105", "20250602", "002"), True, "future"),
    (ref_number("990105", "19800101", "002"), True, "province code"),
    (ref_number("000000", "19800101", "002"), True, "province code"),
    ("11010519491231002", False, "18 characters"),
    ("11010519491231002X1", False, "18 characters"),
    ("", False, "18 characters"),
    ("110105491231002", False, "15-digit"),
    ("11010519491231A02X", False, "digits"),
    ("11010519491231002Y", False, "0-9 or X"),
]


@pytest.mark.parametrize(("text", "checksum_ok", "fragment"), INVALID)
def test_invalid_numbers(text: str, checksum_ok: bool, fragment: str) -> None:
    check = validate_id_number(text, today=TODAY)
    assert not check.valid
    assert check.checksum_ok is checksum_ok
    assert any(fragment in p for p in check.problems), check.problems


def test_invalid_birth_date_is_none() -> None:
    assert validate_id_number(ref_number("110105", "19490230", "002"), today=TODAY).birth_date is None
    assert validate_id_number(ref_number("110105", "20250602", "002"), today=TODAY).birth_date is None


@pytest.mark.parametrize(
    "raw", ["11010519491231002x", " 110105 19491231 002x ", "１１０１０５１９４９１２３１００２Ｘ"]
)
def test_normalisation(raw: str) -> None:
    check = validate_id_number(raw, today=TODAY)
    assert check.text == "11010519491231002X"
    assert check.valid


def test_today_defaults_to_current_date() -> None:
    assert validate_id_number("11010519491231002X").valid


@pytest.mark.parametrize(
    ("region6", "birth", "seq3"),
    [
        ("110105", dt.date(1949, 12, 31), 2),
        ("110105", dt.date(1949, 12, 31), "002"),
        ("440106", dt.date(1990, 3, 7), 123),
        ("530102", dt.date(2010, 10, 10), 999),
    ],
)
def test_make_id_number(region6: str, birth: dt.date, seq3: int | str) -> None:
    number = make_id_number(region6, birth, seq3)
    seq = f"{seq3:03d}" if isinstance(seq3, int) else seq3
    assert number == ref_number(region6, birth.strftime("%Y%m%d"), seq)
    check = validate_id_number(number, today=TODAY)
    assert check.valid and check.birth_date == birth


@pytest.mark.parametrize(
    ("region6", "birth", "seq3", "error"),
    [
        ("11010", dt.date(1990, 1, 1), 1, ValueError),
        ("11010A", dt.date(1990, 1, 1), 1, ValueError),
        ("110105", dt.date(1990, 1, 1), 1000, ValueError),
        ("110105", dt.date(1990, 1, 1), -1, ValueError),
        ("110105", dt.date(1990, 1, 1), "12", ValueError),
        ("110105", dt.date(1990, 1, 1), True, TypeError),
        ("110105", "19900101", 1, TypeError),
    ],
)
def test_make_id_number_rejects_misuse(region6: str, birth: object, seq3: object, error: type) -> None:
    with pytest.raises(error):
        make_id_number(region6, birth, seq3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad", ["1101051949123100", "1101051949123100XX", "11010519491231002X", "1101051949123100A"]
)
def test_id_check_char_rejects_misuse(bad: str) -> None:
    with pytest.raises(ValueError):
        id_check_char(bad)


def _cands(text: str, extra: dict[int, list[tuple[str, float]]] | None = None) -> list[list[tuple[str, float]]]:
    extra = extra or {}
    return [[(c, 0.9 if i in extra else 0.99), *extra.get(i, [])] for i, c in enumerate(text)]


@pytest.mark.parametrize(
    ("read", "extra", "text", "valid", "ambiguous"),
    [
        # the real-dev misread: 1963 for 1961, the recogniser's second choice at position 10 fixes the checksum
        ("370202196301118687", {9: [("1", 0.19)]}, "370202196101118687", True, False),
        # already valid: untouched
        ("110108197805184008", {9: [("9", 0.3)]}, "110108197805184008", True, False),
        # a letter in the digits folds to its look-alike digit
        ("11010819780518400S", {}, "11010819780518400S", False, False),
        ("1101081978O5184008", {}, "110108197805184008", True, False),
        # no alternative makes it valid: top-1 back, not valid
        ("110108197805184009", {}, "110108197805184009", False, False),
        # wrong length: nothing to substitute
        ("11010819780518400", {}, "11010819780518400", False, False),
    ],
)
def test_correct_id_number(read: str, extra: dict, text: str, valid: bool, ambiguous: bool) -> None:
    fixed = correct_id_number(_cands(read, extra), today=dt.date(2025, 1, 1))
    assert (fixed.text, fixed.valid, fixed.ambiguous) == (text, valid, ambiguous)
    if valid and text != read:
        assert fixed.corrected and all(c.corrected_to == text[c.position - 1] for c in fixed.corrected)
