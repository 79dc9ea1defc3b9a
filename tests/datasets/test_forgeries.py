"""Forgery twins: same source, same capture; tampered twins differ only inside the mask."""

from __future__ import annotations

import numpy as np
import pytest

from datasets.core import build, encode_image, is_built, iter_samples, sample_rng
from datasets.forgeries import TAMPER_KINDS, TAMPER_STAGES, ForgeryGenerator, PairSeedError, make_pair


def _pair(kind: str, tamper: str | None = None, doc_type: str = "vehicle_license", seed: int = 0, stage="digital"):
    return make_pair(
        np.random.default_rng([seed, 99]),
        3,
        authenticity=kind,
        tamper_kind=tamper,
        doc_type=doc_type,
        tamper_stage=stage,
    )


@pytest.mark.parametrize("stage", TAMPER_STAGES)
@pytest.mark.parametrize("tamper", TAMPER_KINDS)
def test_tampered_twin_differs_only_inside_mask(tamper, stage):
    genuine, forged = _pair(
        "tampered", tamper, doc_type="sales_invoice" if tamper == "splice" else "vehicle_license", stage=stage
    )
    assert forged.label["authenticity"] == "tampered" and forged.label["tamper_kind"] == tamper
    assert forged.label["tamper_stage"] == stage
    assert genuine.label["pair_id"] == forged.label["pair_id"]
    assert forged.ext == genuine.ext == "png"
    mask = forged.mask
    assert mask is not None and mask.dtype == np.uint8 and set(np.unique(mask)) <= {0, 255}
    assert mask.shape == forged.image.shape[:2] and mask.any()
    diff = np.any(genuine.image != forged.image, axis=2)
    assert diff.any()
    assert not np.any(diff & (mask == 0)), "pixels changed outside the tamper mask"
    assert not genuine.mask.any()
    assert forged.label["corners"] == genuine.label["corners"]


@pytest.mark.parametrize("kind", ["screen_recapture", "photocopy"])
def test_whole_image_forgeries(kind):
    genuine, forged = _pair(kind, doc_type="id_card")
    assert forged.label["authenticity"] == kind and forged.label["tamper_kind"] is None
    assert genuine.label["authenticity"] == "genuine"
    assert genuine.label["capture"] == forged.label["capture"]
    h, w = forged.image.shape[:2]
    for fb in forged.label["fields"].values():
        x1, y1, x2, y2 = fb["box_xyxy"]
        assert 0 <= x1 <= x2 < w and 0 <= y1 <= y2 < h
    assert not forged.mask.any()
    if kind == "photocopy":  # grey toner
        img = forged.image.astype(int)
        assert np.abs(img[..., 0] - img[..., 2]).mean() < 8


def test_generator_twins_deterministic_and_order_independent():
    a = dict(iter_samples("forgeries", 4, seed=5))
    assert a[0].label["pair_id"] == a[1].label["pair_id"] != a[2].label["pair_id"]
    assert a[0].label["authenticity"] == "genuine" and a[1].label["authenticity"] != "genuine"
    assert a[0].label["record"] == a[1].label["record"]
    # a fresh generator asked only for sample 1 (as another worker would) builds the same twin
    gen = ForgeryGenerator()
    lone = gen.sample(sample_rng(5, 1), 1)
    assert encode_image(lone.image, "png") == encode_image(a[1].image, "png")
    assert lone.label == a[1].label
    # pair_seed overrides reading the seed back
    assert ForgeryGenerator(pair_seed=5).sample(np.random.default_rng(0), 0).label == a[0].label


def test_pair_seed_needed_for_foreign_generators():
    with pytest.raises(PairSeedError):
        ForgeryGenerator().sample(np.random.default_rng(123), 0)


def test_digital_edit_keeps_the_capture_outside_the_field():
    """A digital edit changes the capture itself: the edited field's box (capture pixels) holds the change,
    and the genuine twin's fields are where the forged twin says they are."""
    genuine, forged = _pair("tampered", "text_replace", doc_type="sales_invoice")
    name = forged.label["tampered_fields"][0]
    assert forged.label["fields"][name]["text"] != genuine.label["fields"][name]["text"]
    x1, y1, x2, y2 = forged.label["fields"][name]["box_xyxy"]
    ys, xs = np.nonzero(forged.mask)
    assert x1 - 4 <= xs.min() and xs.max() <= x2 + 4 and y1 - 4 <= ys.min() and ys.max() <= y2 + 4
    others = [k for k in genuine.label["fields"] if k != name]
    assert all(forged.label["fields"][k] == genuine.label["fields"][k] for k in others)


def test_unknown_tamper_stage_rejected():
    with pytest.raises(ValueError, match="tamper_stage"):
        ForgeryGenerator(tamper_stage="scissors")
    with pytest.raises(ValueError, match="tamper_stage"):
        _pair("tampered", "inpaint", stage="scissors")


def test_build_manifest_records_version_and_options(tmp_path):
    out = tmp_path / "f"
    build("forgeries", 2, 7, out, progress=False, tamper_stage="print")
    assert is_built(out, "forgeries", 2, 7, tamper_stage="print")
    assert not is_built(out, "forgeries", 2, 7)  # other options: a different data set
    assert not is_built(out, "forgeries", 2, 8, tamper_stage="print")
    manifest = (out / "build.json").read_text(encoding="utf-8")
    assert '"version": 3' in manifest
    # a build by an older generator version is stale
    (out / "build.json").write_text(manifest.replace('"version": 3', '"version": 2'), encoding="utf-8")
    assert not is_built(out, "forgeries", 2, 7, tamper_stage="print")


def _ring_grey(img: np.ndarray, quad: list[list[float]], inside: bool) -> float:
    """Median grey of a band a few pixels inside (or outside) the page's quad."""
    import cv2

    q = np.asarray(quad, np.float32)
    centre = q.mean(axis=0)
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    h, w = grey.shape
    vals = []
    for a, b in zip(q, np.roll(q, -1, axis=0), strict=True):
        for t in np.linspace(0.2, 0.8, 25):
            p = a + t * (b - a)
            out = (p - centre) / np.linalg.norm(p - centre)
            x, y = (p + out * (-10 if inside else 8)).round().astype(int)
            if 0 <= x < w and 0 <= y < h:
                vals.append(grey[y, x])
    return float(np.median(vals))


@pytest.mark.parametrize(
    ("kind", "tamper", "stage"),
    [("photocopy", None, "digital"), ("tampered", "inpaint", "digital"), ("tampered", "text_replace", "print"),
     ("screen_recapture", None, "digital")],
)
def test_mat_lays_both_paper_twins_on_a_dark_mat(kind, tamper, stage):
    """With a mat the twins are the same pair (the mat has its own stream): the same capture plan, page corners and
    field boxes; the paper lies on a dark mat round its edge; a screen keeps its own bezel."""
    rng = lambda: np.random.default_rng([3, 99])  # noqa: E731
    plain = make_pair(rng(), 3, authenticity=kind, tamper_kind=tamper, doc_type="vehicle_license", tamper_stage=stage)
    matted = make_pair(
        rng(), 3, authenticity=kind, tamper_kind=tamper, doc_type="vehicle_license", tamper_stage=stage,
        mat_seed=[3, 3, 1],
    )
    for p, m in zip(plain, matted, strict=True):
        assert m.label["corners"] == p.label["corners"] and m.label["fields"] == p.label["fields"]
        assert m.label["capture"] == p.label["capture"] and "on_mat" not in p.label
    genuine, forged = matted
    assert genuine.label["on_mat"] is True
    assert forged.label.get("on_mat") is (None if kind == "screen_recapture" else True)
    # the mat meets the page's edge (a photocopy's sheet has a margin of its own)
    for sample, edge in zip(matted, (True, kind == "tampered"), strict=True):
        corners = sample.label["corners"]
        assert _ring_grey(sample.image, corners, inside=True) > 140  # the page
        if edge:
            assert _ring_grey(sample.image, corners, inside=False) < 90  # the mat round it
    if kind == "photocopy":  # the mat round the copy's sheet
        assert (forged.image.max(axis=2) < 70).mean() > (plain[1].image.max(axis=2) < 70).mean() + 0.02
    if kind == "tampered" and stage == "digital":
        diff = np.any(genuine.image != forged.image, axis=2)
        assert diff.any() and not np.any(diff & (forged.mask == 0))


def test_mat_share_is_its_own_stream():
    plain, none, every = ForgeryGenerator(pair_seed=11), ForgeryGenerator(pair_seed=11, mat=0.0), ForgeryGenerator(
        pair_seed=11, mat=1.0
    )
    for i in range(4):
        a, b, c = plain.sample(None, i), none.sample(None, i), every.sample(None, i)
        assert encode_image(a.image, "png") == encode_image(b.image, "png") and a.label == b.label
        assert c.label["pair_id"] == a.label["pair_id"] and c.label["record"] == a.label["record"]
        assert c.label["authenticity"] == a.label["authenticity"]
        assert c.label.get("on_mat") is (None if c.label["authenticity"] == "screen_recapture" else True)
    some = ForgeryGenerator(mat=0.3)
    share = np.mean([some.mat_seed(201, i) is not None for i in range(1000)])
    assert 0.25 < share < 0.35
    assert some.mat_seed(201, 7) == some.mat_seed(201, 7)  # every worker draws the same
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="mat"):
            ForgeryGenerator(mat=bad)
