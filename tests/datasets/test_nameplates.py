"""The ``nameplates`` kind: consistent fields, boxes inside, deterministic builds (small n, fast)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from datasets.core import build, sample_rng
from datasets.nameplates import FIELDS, NameplateGenerator, nameplate_values, render_nameplate
from datasets.vins import CN_MAKER_BY_WMI
from inference.validate.vin import model_years, validate_vin


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_build_is_deterministic(tmp_path: Path) -> None:
    a = build("nameplates", 4, 5, tmp_path / "a", progress=False)
    b = build("nameplates", 4, 5, tmp_path / "b", progress=False)
    c = build("nameplates", 4, 6, tmp_path / "c", progress=False)
    fa, fb, fc = _files(a.out), _files(b.out), _files(c.out)
    assert fa == fb
    assert fa["labels.jsonl"] != fc["labels.jsonl"]


def test_values_are_consistent() -> None:
    rng = np.random.default_rng(0)
    for _ in range(60):
        v = nameplate_values(rng)
        assert set(v) == set(FIELDS)
        check = validate_vin(v["vin"])
        assert check.valid
        assert CN_MAKER_BY_WMI[v["vin"][:3]].company == v["manufacturer"]
        year = int(v["production_date"][:4])
        assert 2005 <= year <= 2026
        assert any(y in (year, year + 1) for y in model_years(v["vin"][9]))
        disp, power = int(v["displacement_ml"]), int(v["max_net_power_kw"])
        assert 40 <= power / (disp / 1000) <= 100
        assert 2 <= int(v["seats"]) <= 9
        assert 1000 < int(v["max_total_mass_kg"]) < 3500


def test_render_and_generator_boxes_inside() -> None:
    rng = np.random.default_rng(2)
    r = render_nameplate(rng)
    h, w = r.image.shape[:2]
    assert set(r.fields) == set(FIELDS)
    for fb in r.fields.values():
        x1, y1, x2, y2 = fb.box_xyxy
        assert 0 <= x1 < x2 <= w and 0 <= y1 < y2 <= h
    gen = NameplateGenerator()
    for i in range(6):
        s = gen.sample(sample_rng(3, i), i)
        h, w = s.image.shape[:2]
        lab = s.label
        assert set(lab["fields"]) == set(FIELDS)
        assert validate_vin(lab["fields"]["vin"]["text"]).valid
        for f in lab["fields"].values():
            x1, y1, x2, y2 = f["box_xyxy"]
            assert 0 <= x1 < x2 <= w - 1 and 0 <= y1 < y2 <= h - 1
        assert all(0 <= x <= w - 1 and 0 <= y <= h - 1 for x, y in lab["corners"])
