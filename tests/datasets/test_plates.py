"""datasets.plates: valid texts, GA 36 colours, geometry that matches the pixels, determinism."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from datasets.core import build
from datasets.plates import PlateGenerator, plate_text, render_plate
from inference.validate.plate import PlateType, plate_color, validate_plate

# Expected background colour (B, G, R) of the plate interior per type, sampled between the characters.
EXPECTED_BG = {
    "blue": (190, 72, 14),
    "yellow": (10, 190, 240),
    "white": (236, 238, 238),
    "black": (28, 26, 24),
}


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("plate_type", list(PlateType))
def test_texts_are_valid_for_their_type(plate_type: PlateType) -> None:
    rng = np.random.default_rng(7)
    for _ in range(150):
        text = plate_text(rng, plate_type)
        check = validate_plate(text, plate_type)
        assert check.valid, (text, check.problems)


def test_provinces_are_not_uniform_but_all_appear() -> None:
    rng = np.random.default_rng(3)
    firsts = [plate_text(rng, PlateType.blue_small)[0] for _ in range(4000)]
    counts = {c: firsts.count(c) for c in set(firsts)}
    assert len(counts) == 31
    assert counts["皖"] > 5 * counts["藏"]


@pytest.mark.parametrize("plate_type", list(PlateType))
def test_flat_plate_proportions_and_colour(plate_type: PlateType) -> None:
    p = render_plate(np.random.default_rng(11), plate_type, px_per_mm=1.0)
    h, w = p.image.shape[:2]
    expected_wh = (440, 220) if p.double_row else (480, 140) if plate_type.startswith("green") else (440, 140)
    assert (w, h) == expected_wh
    assert p.color == plate_color(plate_type)
    assert validate_plate(p.text, plate_type).valid
    assert p.char_boxes is not None and len(p.char_boxes) == len(p.text)
    # The strip between the frame line and the characters' top is pure background.
    strip = p.image[12:20, 40:w - 40].reshape(-1, 3).astype(np.float64)
    bg = np.median(strip, axis=0)
    if p.color == "green":
        hsv = cv2.cvtColor(np.uint8([[bg]]), cv2.COLOR_BGR2HSV)[0, 0]
        assert bg[1] > bg[0] and bg[1] > bg[2], bg  # green dominates
        assert 25 <= hsv[0] <= 95, hsv
    else:
        assert np.abs(bg - EXPECTED_BG[str(p.color)]).max() < 45, (plate_type, bg)


def test_generated_samples_geometry_and_colour() -> None:
    gen = PlateGenerator()
    seen = set()
    for i in range(60):
        s = gen.sample(np.random.default_rng([5, i]), i)
        lab = s.label
        h, w = s.image.shape[:2]
        assert validate_plate(lab["text"], lab["plate_type"]).valid
        corners = np.asarray(lab["corners"], np.float64)
        assert corners.shape == (4, 2)
        assert (corners >= 0).all() and (corners[:, 0] <= w).all() and (corners[:, 1] <= h).all()
        x1, y1, x2, y2 = lab["box_xyxy"]
        assert np.allclose([x1, y1, x2, y2], [*corners.min(0), *corners.max(0)], atol=1.0)
        # TL is above-left of BR, TR right of TL: the order is TL, TR, BR, BL.
        assert corners[1, 0] > corners[0, 0] and corners[2, 1] > corners[1, 1]
        assert 8 <= lab["char_height_px"] <= 220
        seen.add(lab["plate_type"])
    assert len(seen) >= 4


@pytest.mark.parametrize("plate_type", ["blue_small", "yellow_large", "white_police", "black_hk_macao"])
def test_photo_interior_colour_matches_type(plate_type: str) -> None:
    """Sample the plate through its corners: the frontal rectified plate has the type's background colour."""
    gen = PlateGenerator(plate_types=(plate_type,))
    hits = 0
    for i in range(8):
        s = gen.sample(np.random.default_rng([9, i]), i)
        corners = np.asarray(s.label["corners"], np.float32) - 0.5
        dst = np.float32([[0, 0], [440, 0], [440, 140], [0, 140]]) - 0.5
        flat = cv2.warpPerspective(s.image, cv2.getPerspectiveTransform(corners, dst), (440, 140))
        strip = np.median(flat[12:20, 40:400].reshape(-1, 3).astype(np.float64), axis=0)
        # Photometric degradations move colours; compare the hue family, not exact values.
        b, g, r = strip
        ok = {
            "blue_small": b > r + 20,
            "yellow_large": r > b + 40 and g > b + 20,
            "white_police": min(b, g, r) > 90 and max(b, g, r) - min(b, g, r) < 70,
            "black_hk_macao": max(b, g, r) < 110,
        }[plate_type]
        hits += bool(ok)
    assert hits >= 6  # exposure/glare may spoil a sample or two


def test_build_is_deterministic_and_writes_sheet(tmp_path: Path) -> None:
    a = build("plates", 12, 1, tmp_path / "a", progress=False)
    build("plates", 12, 1, tmp_path / "b", progress=False)
    build("plates", 12, 2, tmp_path / "c", progress=False)
    fa, fb, fc = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert a.contact_sheet.is_file() and a.contact_sheet.stat().st_size > 0
    skip = {"build.json"}  # may carry timings
    assert {k: v for k, v in fa.items() if k not in skip} == {k: v for k, v in fb.items() if k not in skip}
    assert fa["labels.jsonl"] != fc["labels.jsonl"]
    for line in (tmp_path / "a" / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        img = cv2.imread(str(tmp_path / "a" / rec["file"]))
        assert img is not None
        h, w = img.shape[:2]
        x1, y1, x2, y2 = rec["box_xyxy"]
        assert 0 <= x1 < x2 <= w and 0 <= y1 < y2 <= h
