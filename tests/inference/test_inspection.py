"""Record comparison: the verdict table, record parsing and the nameplate field parser."""

from __future__ import annotations

import pytest

from inference.inspection import (
    FieldReading,
    RecordComparison,
    VehicleRecord,
    Verdict,
    compare_record,
    nameplate_fields,
    readings_of,
)
from inference.types import CharRead, PlateRead, TextLine, TextRead, VehicleRead
from inference.validate.vin import check_digit


def _vin(body: str) -> str:
    return body[:8] + check_digit(body) + body[9:]


VIN = _vin("LSVAM4187C2104855")
VIN_OTHER = _vin("LSVAM4187C2104866")


def _reading(field: str, text: str, conf: float = 0.99, low: dict[int, float] | None = None,
             alts: dict[int, str] | None = None, corrected: tuple[int, ...] = (), alt_p: float = 0.1) -> FieldReading:
    low, alts = low or {}, alts or {}
    chars = tuple(CharRead(c, low.get(i, conf), ((alts[i], alt_p),) if i in alts else ()) for i, c in enumerate(text))
    return FieldReading(field, text, min(ch.confidence for ch in chars), chars, corrected, (10, 10, 200, 60))


@pytest.mark.parametrize(
    ("field", "expected", "reading", "verdict", "needle"),
    [
        ("plate", "皖A12345", _reading("plate", "皖A12345"), Verdict.match, "agrees"),
        ("plate", "皖A·12345", _reading("plate", "皖A12345"), Verdict.match, "agrees"),  # normalised
        ("plate", "皖a 12345", _reading("plate", "皖A12345"), Verdict.match, "agrees"),
        ("plate", "皖A12345", _reading("plate", "皖A12346"), Verdict.mismatch, "position(s) 7"),
        ("plate", "皖A12345", _reading("plate", "皖A12346", low={6: 0.6}), Verdict.needs_review, "low confidence"),
        ("plate", "皖A12345", _reading("plate", "皖A12346", alts={6: "5"}), Verdict.needs_review, "alternative"),
        # a negligible alternative is no evidence: a sure reading that differs is a mismatch
        ("plate", "皖A12345", _reading("plate", "皖A12346", alts={6: "5"}, alt_p=1e-5), Verdict.mismatch,
         "position(s) 7"),
        ("plate", "皖A12345", _reading("plate", "皖A12346", corrected=(6,)), Verdict.needs_review, "by the rules"),
        ("plate", "皖A1234B", _reading("plate", "皖A12348", conf=0.9), Verdict.needs_review, "look alike"),
        ("plate", "皖A12345", _reading("plate", "皖AD12345"), Verdict.mismatch, "characters"),
        ("plate", "皖A12345", None, Verdict.unreadable, "no plate"),
        ("vin", VIN, _reading("vin", VIN), Verdict.match, "agrees"),
        ("vin", VIN, _reading("vin", VIN.replace("0", "O")), Verdict.match, "corrected"),
        ("vin", VIN, _reading("vin", VIN_OTHER), Verdict.mismatch, "differs"),
        ("vin", VIN, _reading("vin", VIN_OTHER, low={15: 0.5}), Verdict.needs_review, "low confidence"),
        ("vin", VIN, _reading("vin", VIN[:16] + "9"), Verdict.needs_review, "check digit"),
        ("vin", VIN[:16] + "9", _reading("vin", VIN), Verdict.needs_review, "record's VIN fails"),
        ("vin", VIN, _reading("vin", VIN[:12]), Verdict.needs_review, "partial"),
        ("vin", VIN, None, Verdict.unreadable, "no VIN"),
        ("model", "BJ7152U3D1", _reading("model", "BJ7152U3D1"), Verdict.match, "agrees"),
        ("model", "BJ7152U3D1", _reading("model", "BJ7152U3D2"), Verdict.mismatch, "record says"),
        ("model", "BJ7152U3D1", _reading("model", "BJ7152U3D2", conf=0.7), Verdict.needs_review, "low"),
        ("production_date", "2021-03", _reading("production_date", "2021年03月"), Verdict.match, "year and month"),
        ("production_date", "202103", _reading("production_date", "2021.3"), Verdict.match, "year and month"),
        ("production_date", "2021-03", _reading("production_date", "2020年03月"), Verdict.mismatch, "reads"),
    ],
)
def test_verdict_table(field, expected, reading, verdict, needle):
    record = VehicleRecord(**{field: expected})
    check = compare_record(record, {field: [reading]} if reading else {}).checks[0]
    assert check.verdict is verdict, check.reasons
    assert any(needle in r for r in check.reasons), check.reasons


def test_vin_read_that_fails_check_digit_is_matched_through_alternatives():
    wrong = "8" if VIN[4] != "8" else "B"
    text = VIN[:4] + wrong + VIN[5:]
    chars = tuple(CharRead(c, 0.99 if i != 4 else 0.6, ((VIN[4], 0.35),) if i == 4 else ())
                  for i, c in enumerate(text))
    check = compare_record(VehicleRecord(vin=VIN), {"vin": [FieldReading("vin", text, 0.6, chars)]}).checks[0]
    assert check.verdict is Verdict.match and any("check digit corrected" in r for r in check.reasons)


def test_the_plate_agreeing_with_the_record_is_chosen_among_several():
    read = VehicleRead((PlateRead("苏B99999", 0.99, (0, 0, 10, 10)), PlateRead("皖A12345", 0.8, (20, 0, 40, 10))),
                       (), (100, 100))
    check = compare_record(VehicleRecord(plate="皖A12345"), readings_of(read)).checks[0]
    assert check.verdict is Verdict.match and check.box_xyxy == (20, 0, 40, 10) and check.overlay_color == "green"


@pytest.mark.parametrize(
    ("verdicts", "overall"),
    [((Verdict.match, Verdict.match), Verdict.match), ((Verdict.match, Verdict.unreadable), Verdict.needs_review),
     ((Verdict.needs_review, Verdict.mismatch), Verdict.mismatch), ((), Verdict.unreadable)],
)
def test_overall_verdict(verdicts, overall):
    from inference.inspection import FieldCheck

    checks = tuple(FieldCheck("f", "x", "x", v, (), 1.0) for v in verdicts)
    assert RecordComparison(checks).verdict is overall


def test_record_keys_and_unknown_fields():
    rec = VehicleRecord.from_mapping({"号牌号码": "皖A12345", "clsbdh": VIN, "ccrq": "2021-03", "hpzl": ""})
    assert rec.plate == "皖A12345" and rec.vin == VIN and rec.production_date == "2021-03"
    with pytest.raises(ValueError, match="unknown vehicle record fields"):
        VehicleRecord.from_mapping({"colour": "red"})
    given = VehicleRecord.from_mapping({"plate": "皖A12345", "vin": None, "model": ""})
    assert given.expected() == {"plate": "皖A12345"}
    with pytest.raises(ValueError, match=r"must be text: vin \(list\), plate \(int\)"):
        VehicleRecord.from_mapping({"vin": [VIN], "plate": 12345})


def _line(text: str, box: tuple[float, float, float, float]) -> TextLine:
    x1, y1, x2, y2 = box
    return TextLine(box, ((x1, y1), (x2, y1), (x2, y2), (x1, y2)), 0.9, TextRead(text, 0.95))


def test_nameplate_fields_inline_and_in_table_cells():
    lines = [
        _line("整车型号：BJ7152U3D1", (10, 10, 300, 40)),
        _line("发动机型号", (10, 50, 120, 80)), _line("DAM15KR", (130, 52, 260, 80)),
        _line("制造年月", (10, 90, 120, 120)), _line("2021年03月", (130, 90, 260, 120)),
    ]
    fields = nameplate_fields(lines)
    assert fields["model"][0].text == "BJ7152U3D1"
    assert fields["engine_model"][0].text == "DAM15KR"
    rec = VehicleRecord(model="BJ7152U3D1", engine_model="DAM15KR", production_date="2021-03")
    assert compare_record(rec, fields).verdict is Verdict.match
