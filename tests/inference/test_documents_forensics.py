"""Pixel forensics: noise voids and duplicated regions on real generator edits of a captured page, the
block-compression guard, the size limit, and the authenticity stage reporting the forensic regions."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from datasets.forgeries import _copy_move, _inpaint, _text_replace
from inference.documents import forensics
from inference.documents.authenticity import with_forensics
from inference.documents.forensics import analyse, duplicated_regions, noise_voids
from inference.documents.types import Forensics
from inference.types import Frame

FIELD = "车辆识别代号"  # the VIN: the field a forger alters


def _overlaps(box, mask: np.ndarray) -> bool:
    x1, y1, x2, y2 = (int(round(v)) for v in box)
    return bool(mask[max(0, y1) : y2, max(0, x1) : x2].any())


EDITS = [
    ("inpaint", _inpaint, "noise_void"),
    ("text_replace", _text_replace, "noise_void"),
    ("copy_move", _copy_move, "copy_move"),
]


@pytest.mark.parametrize(("name", "edit", "cue"), EDITS, ids=[e[0] for e in EDITS])
def test_an_edit_of_the_capture_is_found_where_it_was_made(licence_capture, name, edit, cue):
    image, seen = licence_capture
    genuine = analyse(image)
    forged, mask, _ = edit(np.random.default_rng(3), image, seen, FIELD)
    found = analyse(forged)
    assert genuine.noise_checked and genuine.score < 0.6
    assert found.score > 0.9 > genuine.score
    hits = [r for r in found.regions if r.cue == cue]
    # a copy and its source are reported both (which one is the original cannot be told)
    assert hits and any(_overlaps(r.box_xyxy, mask > 0) for r in hits[:2])


def test_genuine_capture_has_no_voids_and_no_duplicates(licence_capture):
    image, _ = licence_capture
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    void_px, _, sigma, checked = noise_voids(grey)
    assert checked and sigma > 0.5 and void_px < 30
    assert duplicated_regions(grey)[0] == 0


def test_a_pasted_copy_is_matched_to_its_source():
    rng = np.random.default_rng(0)
    img = np.clip(rng.normal(200, 4, (300, 400)), 0, 255).astype(np.uint8)
    cv2.putText(img, "LGB95P2T", (20, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 30, 2)
    img[201:261, 223:383] = img[40:100, 20:180]  # copy the text 203 px right and 161 down
    n, regions = duplicated_regions(img)
    assert n >= 10
    boxes = sorted(r.box_xyxy for r in regions)
    assert boxes[0][0] >= 15 and boxes[0][1] >= 35 and boxes[1][0] >= 218 and boxes[1][1] >= 196


def test_block_compressed_page_is_not_judged_on_its_flattened_noise(licence_capture):
    image, _ = licence_capture
    jpeg = cv2.imdecode(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 75])[1], cv2.IMREAD_COLOR)
    out = analyse(jpeg)
    assert not out.noise_checked and out.void_px == 0


def test_noise_free_and_oversized_pages_are_not_judged(monkeypatch):
    flat = np.full((400, 600, 3), 200, np.uint8)
    out = analyse(flat)
    assert not out.noise_checked and out.score == 0.0
    monkeypatch.setattr(forensics, "MAX_PIXELS", 1000)
    big = analyse(flat)
    assert not big.analysed and big.score == 0.0


def test_forensic_score_is_its_own_alarm():
    f = Forensics(0.95, 120, 0, 2.0, True, True)
    out = with_forensics({"screen_recapture": 0.1, "photocopy": 0.2, "tampered": 0.3}, f)
    assert out == {"screen_recapture": 0.1, "photocopy": 0.2, "tampered": 0.3, "forensic": 0.95}
    assert with_forensics({"tampered": 0.3}, None) == {"tampered": 0.3, "forensic": 0.0}


def test_authenticity_stage_reports_forensic_regions(engine, licence_capture):
    if "doc-authenticity" not in engine.catalog:
        pytest.skip("doc-authenticity is not in the catalog")
    from inference.documents.authenticity import AuthenticityChecker

    image, seen = licence_capture
    forged, mask, _ = _inpaint(np.random.default_rng(3), image, seen, FIELD)
    checker = AuthenticityChecker(engine)
    result = checker.check(Frame(forged))
    assert result.forensics is not None and result.forensics.score > 0.9
    assert result.verdict == "tampered" and result.alarm == "forensic"
    assert result.tamper_regions[0].cue == "noise_void" and _overlaps(result.tamper_regions[0].box_xyxy, mask > 0)
    plain = AuthenticityChecker(engine, forensics=False).check(Frame(forged))
    assert plain.forensics is None and plain.scores["forensic"] == 0.0
    assert plain.scores["tampered"] == pytest.approx(result.scores["tampered"])  # the patches see the same page


def test_denoised_page_is_not_judged(licence_capture):
    image, _ = licence_capture
    smooth = cv2.bilateralFilter(image, 9, 40, 9)  # a phone's own noise reduction
    out = analyse(smooth)
    assert not out.noise_checked and out.score == 0.0


def test_equal_windows_at_whole_block_shifts_are_not_a_copy():
    rng = np.random.default_rng(1)
    img = np.clip(rng.normal(200, 4, (200, 300)), 0, 255).astype(np.uint8)
    cv2.putText(img, "A1B2", (10, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 30, 2)
    img[100:180, 96:256] = img[20:100, 0:160]  # shift (96, 80): whole 8x8 blocks, as block compression repeats
    assert duplicated_regions(img)[0] == 0


def test_real_photos_raise_no_forensic_alarm(realdev):
    """The real-dev photos (phone JPEGs, BMP crops, the 行驶证 specimen) were never edited: their forensic
    scores stay below the shipped tamper threshold."""
    import json

    rows = [json.loads(line) for line in (realdev / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    scores = {}
    for row in rows:
        image = cv2.imread(str(realdev / row["file"]), cv2.IMREAD_COLOR)
        if image is not None:
            scores[row["file"]] = analyse(image).score
    assert len(scores) > 250
    worst = max(scores, key=scores.get)
    assert scores[worst] < 0.8, (worst, scores[worst])


@pytest.mark.parametrize("shape", [(1, 1, 3), (8, 9, 3), (9, 8, 3), (20, 3000, 3), (3000, 20, 3), (100, 100)])
def test_odd_pages_are_analysed_without_error(shape):
    for fill in ("noise", 0, 255):
        img = (
            np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
            if fill == "noise"
            else np.full(shape, fill, np.uint8)
        )
        out = analyse(img)
        assert out.score == 0.0 and out.regions == ()
