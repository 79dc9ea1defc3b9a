from __future__ import annotations

import pytest

from inference.validate.plate import (
    PLATE_LETTERS,
    PROVINCES,
    PlateColor,
    PlateType,
    classify_plate_text,
    correct_plate,
    is_double_row,
    plate_color,
    plate_length,
    plate_lengths,
    validate_plate,
)

T = PlateType


def test_alphabets() -> None:
    assert len(PROVINCES) == 31 and len(set(PROVINCES)) == 31
    assert PROVINCES.startswith("京津冀晋蒙") and PROVINCES.endswith("陕甘青宁新")
    assert "I" not in PLATE_LETTERS and "O" not in PLATE_LETTERS and len(PLATE_LETTERS) == 24


# ------------------------------------------------------------------------------------ valid texts

VALID = [
    # text, preferred type, every accepting type
    ("京A12345", T.blue_small, {T.blue_small, T.yellow_large, T.yellow_double}),
    ("京AF0236", T.blue_small, {T.blue_small, T.yellow_large, T.yellow_double}),
    ("皖AD083J", T.blue_small, {T.blue_small, T.yellow_large, T.yellow_double}),
    ("新R9999Z", T.blue_small, {T.blue_small, T.yellow_large, T.yellow_double}),
    ("沪AD12345", T.green_small, {T.green_small}),
    ("粤BF12345", T.green_small, {T.green_small}),
    ("粤BDF1234", T.green_small, {T.green_small}),
    ("浙AA12345", T.green_small, {T.green_small}),
    ("皖A12345D", T.green_large, {T.green_large}),
    ("苏E12345F", T.green_large, {T.green_large}),
    ("皖A1234学", T.yellow_learner, {T.yellow_learner}),
    ("京A1234挂", T.yellow_trailer, {T.yellow_trailer}),
    ("京A1234警", T.white_police, {T.white_police}),
    ("粤Z1234港", T.black_hk_macao, {T.black_hk_macao}),
    ("粤ZA123澳", T.black_hk_macao, {T.black_hk_macao}),
    ("沪A1234领", T.black_consulate, {T.black_consulate}),
    ("使123456", T.black_embassy, {T.black_embassy}),
    ("WJ1693015", T.white_armed_police, {T.white_armed_police}),
    ("WJ京1234X", T.white_armed_police, {T.white_armed_police}),
]


@pytest.mark.parametrize(("text", "preferred", "types"), VALID)
def test_valid_plates(text: str, preferred: PlateType, types: set[PlateType]) -> None:
    check = validate_plate(text)
    assert check.valid, check.problems
    assert check.plate_type is preferred
    assert check.color is plate_color(preferred)
    assert set(check.plate_types) == types
    assert set(classify_plate_text(text)) == types
    assert check.problems == ()


@pytest.mark.parametrize(("text", "preferred", "types"), VALID)
def test_valid_with_explicit_type(text: str, preferred: PlateType, types: set[PlateType]) -> None:
    for plate_type in PlateType:
        check = validate_plate(text, plate_type)
        assert check.valid is (plate_type in types)
        assert check.plate_type is plate_type
        assert check.color is plate_color(plate_type)


# ---------------------------------------------------------------------------------- invalid texts

INVALID = [
    # text, fragment expected in one of the problems
    ("京A1234O", "I and O"),
    ("京A12I45", "I and O"),
    ("京I12345", "I and O"),
    ("A京12345", "province"),
    ("港A12345", "province"),
    ("京112345", "issuing-authority"),
    ("京A1234", "characters"),
    ("京A123", "7, 8 or 9 characters"),
    ("京A1234567", "W of WJ"),
    ("", "empty"),
    ("京AAB1C3", "at most 2"),
    ("京A123456", "power-type"),
    ("京AD1234A", "digit"),
    ("京A12345E", "D or F"),
    ("粤A1234港", "Z"),
    ("京Z1234港", "粤"),
    ("使12345A", "digit"),
    ("京A1234使", "使"),
    ("WX1693015", "WJ"),
]


@pytest.mark.parametrize(("text", "fragment"), INVALID)
def test_invalid_plates(text: str, fragment: str) -> None:
    check = validate_plate(text)
    assert not check.valid
    assert check.plate_type is None and check.color is None and check.plate_types == ()
    assert classify_plate_text(text) == ()
    assert any(fragment in p for p in check.problems), check.problems


@pytest.mark.parametrize(
    ("text", "plate_type", "fragment"),
    [
        ("京A12345", T.green_small, "8 characters"),
        ("沪AD12345", T.green_large, "D or F"),
        ("京A1234学", T.yellow_trailer, "trailer"),
        ("京A12345", T.black_embassy, "使"),
    ],
)
def test_invalid_for_requested_type(text: str, plate_type: PlateType, fragment: str) -> None:
    check = validate_plate(text, plate_type)
    assert not check.valid
    assert check.plate_type is plate_type
    assert any(fragment in p for p in check.problems), check.problems


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("京A·12345", "京A12345"),
        (" 京a 12345 ", "京A12345"),
        ("沪AD-12345", "沪AD12345"),
        ("京Ａ１２３４５", "京A12345"),
    ],
)
def test_normalisation(raw: str, text: str) -> None:
    check = validate_plate(raw)
    assert check.text == text
    assert check.valid


def test_string_type_is_accepted() -> None:
    assert validate_plate("京A12345", "yellow_large").plate_type is T.yellow_large  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        validate_plate("京A12345", "purple")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------- type properties


@pytest.mark.parametrize(
    ("plate_type", "color", "length", "double"),
    [
        (T.blue_small, PlateColor.blue, 7, False),
        (T.yellow_large, PlateColor.yellow, 7, False),
        (T.yellow_double, PlateColor.yellow, 7, True),
        (T.yellow_trailer, PlateColor.yellow, 7, True),
        (T.yellow_learner, PlateColor.yellow, 7, False),
        (T.green_small, PlateColor.green, 8, False),
        (T.green_large, PlateColor.green, 8, False),
        (T.white_police, PlateColor.white, 7, False),
        (T.black_embassy, PlateColor.black, 7, False),
        (T.black_consulate, PlateColor.black, 7, False),
        (T.black_hk_macao, PlateColor.black, 7, False),
        (T.white_armed_police, PlateColor.white, 8, False),
    ],
)
def test_type_properties(plate_type: PlateType, color: PlateColor, length: int, double: bool) -> None:
    assert plate_color(plate_type) is color
    assert plate_length(plate_type) == length
    assert plate_lengths(plate_type)[0] == length
    assert is_double_row(plate_type) is double


def test_armed_police_lengths() -> None:
    assert plate_lengths(T.white_armed_police) == (8, 9)


# ------------------------------------------------------------------------------------- correction

Alts = list[tuple[str, float]]


def reading(text: str, overrides: dict[int, Alts] | None = None, p: float = 0.95) -> list[Alts]:
    cands = [[(c, p)] for c in text]
    for pos, alts in (overrides or {}).items():
        cands[pos - 1] = alts
    return cands


CORRECTION_CASES = [
    # id, candidates, plate_type, max_changes, text, valid, type, corrected (pos, read, to), ambiguous
    ("already valid", reading("京A12345"), None, 2, "京A12345", True, T.blue_small, [], False),
    ("serial O folded", reading("京A1234O"), None, 2, "京A12340", True, T.blue_small, [(7, "O", "0")], False),
    (
        "serial I folded",
        reading("沪AD1I345", {5: [("I", 0.7), ("T", 0.2)]}),
        None,
        2,
        "沪AD11345",
        True,
        T.green_small,
        [(5, "I", "1")],
        False,
    ),
    (
        "digit where the issuing letter belongs",
        reading("粤812345", {2: [("8", 0.6), ("B", 0.35)]}),
        None,
        2,
        "粤B12345",
        True,
        T.blue_small,
        [(2, "8", "B")],
        False,
    ),
    (
        "province misread",
        reading("XA12345", {1: [("X", 0.5), ("苏", 0.2)]}),
        None,
        2,
        "苏A12345",
        True,
        T.blue_small,
        [(1, "X", "苏")],
        False,
    ),
    (
        "two fixes: province and serial",
        reading("X812345", {1: [("X", 0.5), ("苏", 0.2)], 2: [("8", 0.6), ("B", 0.3)]}),
        None,
        2,
        "苏B12345",
        True,
        T.blue_small,
        [(1, "X", "苏"), (2, "8", "B")],
        False,
    ),
    (
        "green power letter",
        reading("沪A012345", {3: [("0", 0.6), ("D", 0.3)]}),
        None,
        2,
        "沪AD12345",
        True,
        T.green_small,
        [(3, "0", "D")],
        False,
    ),
    (
        "suffix follows requested type",
        reading("京A1234学", {7: [("学", 0.6), ("挂", 0.3)]}),
        T.yellow_trailer,
        2,
        "京A1234挂",
        True,
        T.yellow_trailer,
        [(7, "学", "挂")],
        False,
    ),
    (
        "suffix kept without type",
        reading("京A1234学", {7: [("学", 0.7), ("挂", 0.2)]}),
        None,
        2,
        "京A1234学",
        True,
        T.yellow_learner,
        [],
        False,
    ),
    (
        "equal suffixes are ambiguous",
        reading("京A1234学", {7: [("学", 0.6), ("挂", 0.3)]}),
        None,
        2,
        "京A1234学",
        True,
        T.yellow_learner,
        [],
        True,
    ),
    (
        "no fix in reach",
        reading("X812345", {1: [("X", 0.5), ("Y", 0.2)]}),
        None,
        2,
        "X812345",
        False,
        None,
        [],
        False,
    ),
    (
        "too many letters, no alternative",
        reading("京AAB1C3"),
        None,
        2,
        "京AAB1C3",
        False,
        None,
        [],
        False,
    ),
    (
        "wrong type cannot be fixed",
        reading("沪AD12345"),
        T.green_large,
        2,
        "沪AD12345",
        False,
        None,
        [],
        False,
    ),
    (
        "two provinces within factor 2",
        reading("XA12345", {1: [("X", 0.5), ("京", 0.3), ("津", 0.25)]}),
        None,
        2,
        "京A12345",
        True,
        T.blue_small,
        [(1, "X", "京")],
        True,
    ),
    (
        "valid top-1 with a close rival",
        reading("京A12345", {1: [("京", 0.5), ("津", 0.4)]}),
        None,
        2,
        "京A12345",
        True,
        T.blue_small,
        [],
        True,
    ),
    (
        "rival too unlikely",
        reading("京A12345", {1: [("京", 0.8), ("津", 0.1)]}),
        None,
        2,
        "京A12345",
        True,
        T.blue_small,
        [],
        False,
    ),
]


@pytest.mark.parametrize(
    ("candidates", "plate_type", "max_changes", "text", "valid", "fitted", "corrected", "ambiguous"),
    [case[1:] for case in CORRECTION_CASES],
    ids=[case[0] for case in CORRECTION_CASES],
)
def test_correct_plate(
    candidates: list[Alts],
    plate_type: PlateType | None,
    max_changes: int,
    text: str,
    valid: bool,
    fitted: PlateType | None,
    corrected: list[tuple[int, str, str]],
    ambiguous: bool,
) -> None:
    result = correct_plate(candidates, plate_type=plate_type, max_changes=max_changes)
    assert result.text == text
    assert result.valid is valid
    assert result.plate_type is fitted
    assert [(c.position, c.read, c.corrected_to) for c in result.corrected] == corrected
    assert result.ambiguous is ambiguous
    if valid:
        assert validate_plate(result.text, result.plate_type).valid
    assert 0.0 < result.confidence <= 1.0


def test_province_position_is_not_folded() -> None:
    # 'O' at position 1 must not turn into the digit 0 (and nothing valid is in reach).
    result = correct_plate(reading("OA12345"))
    assert not result.valid and result.text == "OA12345"


@pytest.mark.parametrize(
    ("candidates", "max_changes"),
    [([[]], 2), ([[("京A", 0.5)]], 2), ([[("京", 2.0)]], 2), (reading("京A12345"), -1)],
)
def test_correct_plate_rejects_misuse(candidates: list[Alts], max_changes: int) -> None:
    with pytest.raises(ValueError):
        correct_plate(candidates, max_changes=max_changes)
