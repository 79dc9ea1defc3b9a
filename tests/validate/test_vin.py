from __future__ import annotations

import random

import pytest

from inference.validate.vin import (
    VIN_CHARSET,
    WMI,
    CorrectedChar,
    check_digit,
    correct_vin,
    model_years,
    validate_vin,
    wmi_info,
)

# --- an independent reference: letters by alphabet position (A-I, J-R, S-Z), weights by formula ---


def ref_value(c: str) -> int:
    if c.isdigit():
        return int(c)
    k = ord(c) - ord("A")
    return k % 9 + 1 if c <= "R" else k % 9 + 2


def ref_weight(pos: int) -> int:  # 1-based
    if pos <= 7:
        return 9 - pos
    return {8: 10, 9: 0}.get(pos, 19 - pos)


def ref_check(vin: str) -> str:
    r = sum(ref_value(c) * ref_weight(i) for i, c in enumerate(vin, start=1)) % 11
    return "X" if r == 10 else str(r)


def with_check(vin: str) -> str:
    return vin[:8] + ref_check(vin) + vin[9:]


GAC = with_check("LMGKT1G80N1234567")  # LMGKT1G87N1234567
SVW = with_check("LSVAU2180N2100123")
TESLA_SH = with_check("LRW3E7FA0PC800421")


def test_reference_agrees_on_iso_example() -> None:
    assert ref_check("1M8GDM9AXKP042788") == "X"
    assert GAC == "LMGKT1G87N1234567"


@pytest.mark.parametrize("seed", range(5))
def test_check_digit_matches_reference(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = sorted(VIN_CHARSET)
    for _ in range(200):
        vin = "".join(rng.choice(alphabet) for _ in range(17))
        assert check_digit(vin) == ref_check(vin)


def test_check_digit_accepts_16_chars_without_check_position() -> None:
    assert check_digit("1M8GDM9AKP042788") == "X"
    assert check_digit("1M8GDM9A?KP042788") == "X"  # position 9 is ignored


@pytest.mark.parametrize("bad", ["1M8GDM9AXKP0427", "1M8GDM9AXKP0427888", "", "1M8GDM9AXKPO42788"])
def test_check_digit_rejects_misuse(bad: str) -> None:
    with pytest.raises(ValueError):
        check_digit(bad)


# ------------------------------------------------------------------------------------ validate_vin

VALID = [
    "1M8GDM9AXKP042788",  # ISO 3779 worked example
    "11111111111111111",
    GAC,
    SVW,
    TESLA_SH,
    with_check("LFV2A21K0M3000123"),
    with_check("WBA8E1100K0000001"),
]


@pytest.mark.parametrize("vin", VALID)
def test_valid_vins(vin: str) -> None:
    check = validate_vin(vin)
    assert check.valid, check.problems
    assert check.problems == ()
    assert check.text == vin
    assert check.check_digit_expected == vin[8]


@pytest.mark.parametrize(
    ("text", "field", "problem_fragment"),
    [
        ("1M8GDM9A1KP042788", "check_digit_ok", "check digit"),
        (GAC[:8] + ("0" if GAC[8] != "0" else "1") + GAC[9:], "check_digit_ok", "check digit"),
        ("1M8GDM9AXKPO42788", "charset_ok", "I, O and Q"),
        ("1M8GDM9AXKP0Q2788", "charset_ok", "I, O and Q"),
        ("IM8GDM9AXKP042788", "charset_ok", "I, O and Q"),
        ("1M8GDM9AXKP04278#", "charset_ok", "not a VIN character"),
        ("1M8GDM9AXKP04278", "length_ok", "17 characters"),
        ("1M8GDM9AXKP0427880", "length_ok", "17 characters"),
        ("", "length_ok", "17 characters"),
        (with_check("LMGKT1G80U1234567"), "year_code_ok", "model-year"),
        (with_check("LMGKT1G80Z1234567"), "year_code_ok", "model-year"),
        (with_check("LMGKT1G8001234567"), "year_code_ok", "model-year"),
        (with_check("LMGKT1G80N12345A7"), "serial_ok", "14-17"),
    ],
)
def test_invalid_vins(text: str, field: str, problem_fragment: str) -> None:
    check = validate_vin(text)
    assert not check.valid
    assert getattr(check, field) is False
    assert any(problem_fragment in p for p in check.problems), check.problems


def test_illegal_positions_are_one_based() -> None:
    check = validate_vin("1M8GDM9AXKPO42788")
    assert check.illegal_positions == (12,)
    assert check.check_digit_expected is None


def test_illegal_check_position_still_gives_expected_digit() -> None:
    check = validate_vin("1M8GDM9AOKP042788")
    assert check.illegal_positions == (9,)
    assert check.check_digit_expected == "X"
    assert not check.check_digit_ok


@pytest.mark.parametrize("raw", [" lmgkt1g87n1234567 ", "LMGKT 1G87N 1234 567", "lmgkt1g87n1234567\n"])
def test_normalisation(raw: str) -> None:
    check = validate_vin(raw)
    assert check.text == GAC
    assert check.valid


def test_wrong_check_digit_reports_expected() -> None:
    check = validate_vin("1M8GDM9A1KP042788")
    assert check.check_digit_expected == "X"
    assert check.charset_ok and check.length_ok


# ---------------------------------------------------------------------------------------------- WMI


@pytest.mark.parametrize(
    ("vin", "manufacturer", "country", "known"),
    [
        ("LSVAU2180N2100123", "SAIC Volkswagen", "CN", True),
        ("LFV2A21K0M3000123", "FAW-Volkswagen", "CN", True),
        (GAC, "GAC Motor", "CN", True),
        ("LRW3E7FA0PC800421", "Tesla (Shanghai)", "CN", True),
        ("WBA8E1100K0000001", "BMW", "DE", True),
        ("5YJ3E1EA7KF317000", "Tesla", "US", True),
        ("ZFA", "Fiat", "IT", True),
        ("LZZ1CLVB0KW000001", None, "CN", False),
        ("WF0XXXGCDX0000000", None, "DE", False),
        ("VSSZZZ6JZ00000000", None, "ES", False),
        ("VF8", None, "FR", False),
        ("SUU", None, "PL", False),
        ("JN8", None, "JP", False),
        ("KLA", None, "KR", False),
        ("1FA", None, "US", False),
        ("2T1", None, "CA", False),
        ("YS3", None, "SE", False),
    ],
)
def test_wmi_info(vin: str, manufacturer: str | None, country: str, known: bool) -> None:
    info = wmi_info(vin)
    assert info is not None
    assert info.wmi == vin[:3]
    assert info.manufacturer == manufacturer
    assert info.country == country
    assert info.known is known
    assert (info.manufacturer_zh is not None) is known


@pytest.mark.parametrize("vin", ["XY1", "IAB", "LS", ""])
def test_wmi_info_none(vin: str) -> None:
    assert wmi_info(vin) is None


def test_wmi_table_shape() -> None:
    assert len(WMI) >= 40
    for wmi, (name, name_zh, country) in WMI.items():
        assert len(wmi) == 3 and set(wmi) <= VIN_CHARSET
        assert name and name_zh and len(country) == 2
    assert validate_vin(GAC).wmi is not None and validate_vin(GAC).wmi.manufacturer_zh == "广汽乘用车"


# -------------------------------------------------------------------------------------- model years


@pytest.mark.parametrize(
    ("code", "years"),
    [
        ("A", (1980, 2010)),
        ("H", (1987, 2017)),
        ("J", (1988, 2018)),
        ("N", (1992, 2022)),
        ("P", (1993, 2023)),
        ("T", (1996, 2026)),
        ("V", (1997, 2027)),
        ("Y", (2000, 2030)),
        ("1", (2001, 2031)),
        ("9", (2009, 2039)),
        ("a", (1980, 2010)),
        ("U", ()),
        ("Z", ()),
        ("0", ()),
        ("I", ()),
        ("Q", ()),
    ],
)
def test_model_years(code: str, years: tuple[int, ...]) -> None:
    assert model_years(code) == years


def test_model_years_rejects_strings() -> None:
    with pytest.raises(ValueError):
        model_years("AB")


def test_validate_reports_model_years() -> None:
    assert validate_vin("1M8GDM9AXKP042788").model_years == (1989, 2019)


# --------------------------------------------------------------------------------------- correction

Alts = list[tuple[str, float]]


def reading(text: str, overrides: dict[int, Alts] | None = None, p: float = 0.95) -> list[Alts]:
    """Top-1 `text` at probability p; `overrides` replace the alternatives at 1-based positions."""
    cands = [[(c, p)] for c in text]
    for pos, alts in (overrides or {}).items():
        cands[pos - 1] = alts
    return cands


def swap(text: str, pos: int, char: str) -> str:
    return text[: pos - 1] + char + text[pos:]


# GAC = L M G K T 1 G 8 7 N 1 2 3 4 5 6 7; position 4 'K' transliterates like B, S and 2.
CORRECTION_CASES = [
    # id, candidates, max_changes, text, valid, corrected (pos, read, to), ambiguous
    ("already valid", reading(GAC), 2, GAC, True, [], False),
    (
        "one wrong char",
        reading(swap(GAC, 12, "Z"), {12: [("Z", 0.55), ("2", 0.40)]}),
        2,
        GAC,
        True,
        [(12, "Z", "2")],
        False,
    ),
    (
        "wrong check digit read",
        reading(swap(GAC, 9, "1"), {9: [("1", 0.7), ("7", 0.2)]}),
        2,
        GAC,
        True,
        [(9, "1", "7")],
        False,
    ),
    (
        "two wrong chars",
        reading(
            swap(swap(GAC, 5, "7"), 16, "G"),
            {5: [("7", 0.6), ("T", 0.3)], 16: [("G", 0.6), ("6", 0.35)]},
        ),
        2,
        GAC,
        True,
        [(5, "7", "T"), (16, "G", "6")],
        False,
    ),
    (
        "two wrong chars but one change allowed",
        reading(
            swap(swap(GAC, 5, "7"), 16, "G"),
            {5: [("7", 0.6), ("T", 0.3)], 16: [("G", 0.6), ("6", 0.35)]},
        ),
        1,
        swap(swap(GAC, 5, "7"), 16, "G"),
        False,
        [],
        False,
    ),
    (
        "no alternative fixes it",
        reading(swap(GAC, 12, "Z"), {12: [("Z", 0.55), ("Y", 0.40)]}),
        2,
        swap(GAC, 12, "Z"),
        False,
        [],
        False,
    ),
    (
        "O folded to 0",
        reading(swap(SVW, 14, "O"), {14: [("O", 0.9)]}),
        2,
        SVW,
        True,
        [(14, "O", "0")],
        False,
    ),
    (
        "I folded to 1",
        reading(swap(GAC, 11, "I"), {11: [("I", 0.8), ("T", 0.1)]}),
        2,
        GAC,
        True,
        [(11, "I", "1")],
        False,
    ),
    (
        "two fixes, clear winner",
        reading(swap(GAC, 4, "X"), {4: [("X", 0.5), ("K", 0.3), ("S", 0.1)]}),
        2,
        GAC,
        True,
        [(4, "X", "K")],
        False,
    ),
    (
        "two fixes within factor 2",
        reading(swap(GAC, 4, "X"), {4: [("X", 0.5), ("K", 0.25), ("S", 0.2)]}),
        2,
        GAC,
        True,
        [(4, "X", "K")],
        True,
    ),
    (
        "valid top-1 with close valid rival",
        reading(GAC, {4: [("K", 0.5), ("S", 0.3)]}),
        2,
        GAC,
        True,
        [],
        True,
    ),
    ("lower-case candidates", [[(c.lower(), 0.9)] for c in GAC], 2, GAC, True, [], False),
    ("too short", reading(GAC[:16]), 2, GAC[:16], False, [], False),
    (
        "zero changes allowed",
        reading(swap(GAC, 12, "Z"), {12: [("Z", 0.55), ("2", 0.4)]}),
        0,
        swap(GAC, 12, "Z"),
        False,
        [],
        False,
    ),
]


@pytest.mark.parametrize(
    ("candidates", "max_changes", "text", "valid", "corrected", "ambiguous"),
    [case[1:] for case in CORRECTION_CASES],
    ids=[case[0] for case in CORRECTION_CASES],
)
def test_correct_vin(
    candidates: list[Alts],
    max_changes: int,
    text: str,
    valid: bool,
    corrected: list[tuple[int, str, str]],
    ambiguous: bool,
) -> None:
    result = correct_vin(candidates, max_changes=max_changes)
    assert result.text == text
    assert result.valid is valid
    assert [(c.position, c.read, c.corrected_to) for c in result.corrected] == corrected
    assert result.ambiguous is ambiguous
    if valid:
        assert validate_vin(result.text).valid
    assert 0.0 < result.confidence <= 1.0


def test_correction_confidences() -> None:
    result = correct_vin(reading(swap(GAC, 12, "Z"), {12: [("Z", 0.55), ("2", 0.40)]}, p=1.0))
    assert result.corrected == (CorrectedChar(position=12, read="Z", corrected_to="2", confidence=0.40),)
    assert result.confidence == pytest.approx(0.40)

    folded = correct_vin(reading(swap(SVW, 14, "O"), {14: [("O", 0.9)]}, p=1.0))
    assert folded.corrected[0].confidence == pytest.approx(0.45)


def test_correction_prefers_highest_joint_probability() -> None:
    # One expensive change versus two cheap ones: the cheaper pair must win.
    wrong = swap(swap(GAC, 5, "7"), 16, "G")
    cands = reading(wrong, {5: [("7", 0.5), ("T", 0.45)], 16: [("G", 0.5), ("6", 0.45)]})
    result = correct_vin(cands)
    assert result.text == GAC and len(result.corrected) == 2


def test_duplicate_alternatives_are_merged() -> None:
    cands = reading(swap(GAC, 12, "Z"), {12: [("Z", 0.55), ("2", 0.2), ("2", 0.4)]})
    result = correct_vin(cands)
    assert result.text == GAC
    assert result.corrected[0].confidence == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("candidates", "max_changes"),
    [
        (reading(GAC[:16]) + [[]], 2),
        (reading(GAC[:16]) + [[("AB", 0.5)]], 2),
        (reading(GAC[:16]) + [[("A", 1.5)]], 2),
        (reading(GAC[:16]) + [[("A", -0.1)]], 2),
        (reading(GAC[:16]) + [[("A", float("nan"))]], 2),
        (reading(GAC[:16]) + [["A"]], 2),
        (reading(GAC), -1),
    ],
)
def test_correct_vin_rejects_misuse(candidates: list[Alts], max_changes: int) -> None:
    with pytest.raises(ValueError):
        correct_vin(candidates, max_changes=max_changes)


def test_correct_vin_rejects_plain_string() -> None:
    with pytest.raises(TypeError):
        correct_vin(GAC)  # type: ignore[arg-type]


def test_allocated_wmi_rule_prefers_a_plausible_maker() -> None:
    # A stamped GAC VIN read with L as E (alternatives as the PP-OCR recogniser gave them): the most
    # probable valid reading starts "EMG", a WMI in no allocated ISO 3780 range; the stricter rule finds
    # the GAC reading one swap away and reports the swap.
    alts = {0: [("E", 0.934), ("L", 0.062)], 1: [("M", 0.976), ("N", 0.018)],
            2: [("G", 0.925), ("O", 0.048), ("C", 0.016)], 4: [("U", 0.911), ("0", 0.072), ("O", 0.014)],
            6: [("G", 0.898), ("6", 0.084)], 7: [("8", 0.984), ("B", 0.014)], 12: [("3", 0.987), ("8", 0.012)],
            16: [("0", 0.985), ("O", 0.014)]}
    cands = [alts.get(i, [(ch, 0.999)]) for i, ch in enumerate("EMGMU1G89N1134850")]
    plain = correct_vin(cands)
    assert plain.valid and plain.text == "EMGM01G89N1134850" and wmi_info(plain.text) is None
    strict = correct_vin(cands, allocated_wmi=True)
    assert strict.text == "LMGMU1G89N1134850" and wmi_info(strict.text).manufacturer == "GAC Motor"
    assert [(c.position, c.read, c.corrected_to) for c in strict.corrected] == [(1, "E", "L")]
    # Nothing plausible in reach: invalid, not forced.
    assert not correct_vin(reading("EMGM01G89N1134850"), allocated_wmi=True).valid
