"""The ``vins`` kind: VIN text rules, rendered markings and deterministic builds (small n, fast)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from datasets.core import build, sample_rng
from datasets.vins import (
    CODE39,
    RenderedVin,
    VinGenerator,
    is_chinese_wmi,
    make_vin,
    render_vin_label,
    render_vin_stamp,
)
from inference.validate.vin import check_digit, validate_vin


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_build_is_deterministic(tmp_path: Path) -> None:
    a = build("vins", 6, 7, tmp_path / "a", progress=False)
    b = build("vins", 6, 7, tmp_path / "b", progress=False)
    c = build("vins", 6, 8, tmp_path / "c", progress=False)
    fa, fb, fc = _files(a.out), _files(b.out), _files(c.out)
    assert fa == fb
    assert fa["labels.jsonl"] != fc["labels.jsonl"]
    assert fa["images/vins_000000.jpg"] != fc["images/vins_000000.jpg"]


def test_make_vin_valid_and_invalid() -> None:
    rng = np.random.default_rng(0)
    for _ in range(100):
        good = make_vin(rng)
        bad = make_vin(rng, valid=False)
        assert len(good) == len(bad) == 17
        assert not set(good + bad) & set("IOQ")
        assert check_digit(good) == good[8] and validate_vin(good).valid
        assert check_digit(bad) != bad[8] and not validate_vin(bad).check_digit_ok
        assert validate_vin(bad).year_code_ok and validate_vin(bad).serial_ok


def test_chinese_wmis_dominate() -> None:
    rng = np.random.default_rng(1)
    share = np.mean([is_chinese_wmi(make_vin(rng)[:3]) for _ in range(200)])
    assert 0.7 < share < 0.97


def test_make_vin_rejects_bad_arguments() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError):
        make_vin(rng, wmi="LI1")
    with pytest.raises(ValueError):
        make_vin(rng, year=1990)


def _check_rendered(r: RenderedVin) -> None:
    h, w = r.image.shape[:2]
    assert r.image.dtype == np.uint8 and r.image.ndim == 3
    assert len(r.char_boxes) == 17 and len(r.text) == 17
    for x1, y1, x2, y2 in r.char_boxes:
        assert 0 <= x1 < x2 <= w and 0 <= y1 < y2 <= h
    assert r.valid == (check_digit(r.text) == r.text[8])


def test_stamps_and_labels_render_inside() -> None:
    rng = np.random.default_rng(3)
    for _ in range(6):
        _check_rendered(render_vin_stamp(rng))
        _check_rendered(render_vin_label(rng))
    r = render_vin_stamp(rng, vin="LMGJU1G82N1046533")
    assert r.text == "LMGJU1G82N1046533" and r.valid


def test_code39_table_has_three_wide_elements() -> None:
    assert all(len(p) == 9 and p.count("1") == 3 for p in CODE39.values())


def test_generator_labels(tmp_path: Path) -> None:
    gen = VinGenerator()
    invalid = 0
    styles = set()
    for i in range(40):
        s = gen.sample(sample_rng(11, i), i)
        lab = s.label
        h, w = s.image.shape[:2]
        assert validate_vin(lab["text"]).check_digit_ok == lab["valid"]
        invalid += not lab["valid"]
        styles.add(lab["style"].split("/")[0])
        x1, y1, x2, y2 = lab["box_xyxy"]
        assert 0 <= x1 < x2 <= w - 1 and 0 <= y1 < y2 <= h - 1
        assert len(lab["corners"]) == 4
        assert all(0 <= x <= w - 1 and 0 <= y <= h - 1 for x, y in lab["corners"])
        assert len(lab["char_boxes"]) == 17 and lab["char_height_px"] > 5
        json.dumps(lab)
    assert invalid < 12
    assert {"engraved", "label_white", "label_silver", "windscreen_plate"} & styles
