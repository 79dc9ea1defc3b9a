from __future__ import annotations

import random

import pytest

from inference.validate.credit_code import (
    CREDIT_CHARSET,
    correct_credit_code,
    credit_check_char,
    make_credit_code,
    org_check_char,
    validate_credit_code,
)

# codes of well-known companies, as printed on their business licences and invoices
PUBLISHED = ["91440300708461136T", "91330100716105852F", "914403001922038216", "91110000600037341L"]


def ref_check(first17: str) -> str:
    """Independent GB 32100: C18 = 31 - (sum of value * 3^(i-1) mod 31) mod 31, 31 read as 0."""
    total = sum(CREDIT_CHARSET.index(c) * 3**i for i, c in enumerate(first17))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_pass_both_checks(code: str) -> None:
    assert ref_check(code[:17]) == code[17]
    assert credit_check_char(code[:17]) == code[17]
    assert org_check_char(code[8:16]) == code[16]
    check = validate_credit_code(code)
    assert check.valid and check.check_ok and check.problems == ()


def test_check_char_matches_reference() -> None:
    rng = random.Random(3)
    for _ in range(500):
        first17 = "".join(rng.choice(CREDIT_CHARSET) for _ in range(17))
        assert credit_check_char(first17) == ref_check(first17)


def test_every_single_substitution_is_caught() -> None:
    code = PUBLISHED[0]
    for i in range(18):
        for c in CREDIT_CHARSET:
            if c != code[i]:
                assert not validate_credit_code(code[:i] + c + code[i + 1 :]).valid, (i, c)


def test_made_codes_are_valid() -> None:
    code = make_credit_code("9", "1", "320508", "J0P49KTH")
    assert len(code) == 18 and validate_credit_code(code).valid
    assert code[16] == org_check_char("J0P49KTH")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("91440300708461136", "18 characters"),
        ("91440300708461136S", "outside 0-9"),  # S is never in a code
        ("9144O300708461136T", "outside 0-9"),
        ("91440300708461136U", "check character"),
        ("91AB0300708461136T", "division code"),
    ],
)
def test_invalid_codes_say_why(text: str, problem: str) -> None:
    check = validate_credit_code(text)
    assert not check.valid
    assert any(problem in p for p in check.problems), check.problems


def test_legacy_fifteen_character_number() -> None:
    # the division code and the organisation code of the first published code, as taxpayer numbers were before 2015
    assert validate_credit_code("440300708461136").valid
    assert not validate_credit_code("440300708461137").valid


def test_misuse_raises() -> None:
    with pytest.raises(ValueError):
        credit_check_char("9144030070846113")  # 16 characters
    with pytest.raises(ValueError):
        credit_check_char("9144030070846113S")  # S is not in the charset
    with pytest.raises(TypeError):
        validate_credit_code(None)  # type: ignore[arg-type]


def _cands(text: str, extra: dict[int, list[tuple[str, float]]] | None = None) -> list[list[tuple[str, float]]]:
    extra = extra or {}
    return [[(c, 0.9 if i in extra else 0.99), *extra.get(i, [])] for i, c in enumerate(text)]


@pytest.mark.parametrize(
    ("read", "extra", "text", "valid"),
    [
        # a 3 read as G: the recogniser's second choice makes the check pass
        ("914403007084611G6T", {15: [("3", 0.05)]}, "91440300708461136T", True),
        # a second choice that does not: the read back, not valid
        ("91440300708461G36T", {14: [("0", 0.05)]}, "91440300708461G36T", False),
        # letters no code has are their look-alikes, without counting as a substitution
        ("9144O3007O846113GT", {16: [("6", 0.2)]}, "91440300708461136T", True),
        ("9133010071610S852F", {}, "91330100716105852F", True),
        # a letter in the division code: B is 8 there, D is 0
        ("9144D300708461136T", {}, "91440300708461136T", True),
        ("91B40300708461136T", {}, "91B40300708461136T", False),
        # no alternative makes it valid: the read back, not valid
        ("91440300708461137T", {}, "91440300708461137T", False),
        # two misreads: not corrected (one substitution at most)
        ("91440300708461137U", {16: [("6", 0.3)], 17: [("T", 0.3)]}, "91440300708461137U", False),
    ],
)
def test_correct_credit_code(read: str, extra: dict, text: str, valid: bool) -> None:
    fixed = correct_credit_code(_cands(read, extra))
    assert (fixed.text, fixed.valid) == (text, valid)
    if valid and fixed.corrected:
        assert all(c.corrected_to == text[c.position - 1] for c in fixed.corrected)


@pytest.mark.parametrize(
    ("division", "valid"),
    [("440300", True), ("100000", True), ("990300", False), ("000000", False), ("710000", True)],
)
def test_a_division_code_must_be_a_provinces_or_the_national_one(division: str, valid: bool) -> None:
    """The check character is computed over the code, so only the division decides."""
    first17 = f"91{division}708461136"
    check = validate_credit_code(first17 + credit_check_char(first17))
    assert check.valid == valid and check.check_ok
    assert valid or any("no province's" in p for p in check.problems)
    assert validate_credit_code(f"{division}708461136").valid == valid  # a number of before 2015


def test_a_province_no_code_has_settles_two_readings_that_pass_the_check() -> None:
    """A 4 of the division code read as 9 ('94' is no province): the recogniser's second choice there, and a more
    probable second choice of the check character that makes the misread pass MOD 31. Only the first is a code."""
    code = PUBLISHED[0]
    misread = code[:2] + "9" + code[3:]
    passing = credit_check_char(misread[:17])
    assert passing != code[17]
    fixed = correct_credit_code(_cands(misread, {2: [("4", 0.3)], 17: [(passing, 0.35)]}))
    assert (fixed.text, fixed.valid) == (code, True)
