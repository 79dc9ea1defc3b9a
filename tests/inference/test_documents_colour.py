"""Colour of a document page: a captured genuine licence keeps its colour, a photocopy of it captured the
same way has none, grey content under tinted and uneven light is still grey; the photocopy score fuses the
patches with it, and a page of no listed type gets no colour evidence."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from inference.documents.authenticity import PHOTOCOPY_COLOUR_WEIGHT, with_colour
from inference.documents.colour import COLOUR_SCALE, colour_spread, colourlessness
from inference.types import Frame


@pytest.fixture(scope="module")
def licence_and_copy():
    """The same 行驶证 page and its photocopy, each photographed with the same capture plan on a desk."""
    from datasets.documents import DocType, render_document
    from datasets.documents.capture import apply_capture, plan_capture
    from datasets.forgeries import photocopy

    rng = np.random.default_rng(5)
    doc = render_document(rng, DocType.vehicle_license, "main")
    h, w = doc.image.shape[:2]
    plan = plan_capture(rng, (w, h), "photo")
    genuine, _ = apply_capture(plan, doc.image)
    copy, a = photocopy(np.random.default_rng(6), doc.image)
    corners = cv2.perspectiveTransform(np.asarray([[[0, 0], [w, 0], [w, h], [0, h]]], np.float32), a)[0]
    copied, _ = apply_capture(plan, copy, corners)
    return genuine, copied


def _grey_page(tint: tuple[float, float, float], gradient: bool) -> np.ndarray:
    """Black text lines on white paper on a dark desk, lit by coloured light (BGR gains), evenly or not."""
    img = np.full((900, 1200, 3), 50, np.uint8)
    cv2.fillConvexPoly(img, np.array([[200, 100], [1000, 120], [990, 800], [190, 790]], np.int32), (240, 240, 240))
    for y in range(180, 760, 40):
        cv2.putText(img, "VIN LSVAB1234567890 2024-01-01", (240, y), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (20, 20, 20), 2)
    light = np.asarray(tint, np.float32)[None, None, :]
    if gradient:
        light = light * np.linspace(0.55, 1.0, img.shape[1], dtype=np.float32)[None, :, None]
    return np.clip(img.astype(np.float32) * light, 0, 255).astype(np.uint8)


def test_a_genuine_page_keeps_its_colour_and_its_copy_has_none(licence_and_copy):
    genuine, copied = licence_and_copy
    g, c = colour_spread(genuine), colour_spread(copied)
    assert g > 5 * c and c < 2 * COLOUR_SCALE, (g, c)
    assert colourlessness(c) > 3 * colourlessness(g)


@pytest.mark.parametrize("gradient", [False, True], ids=["even", "uneven"])
@pytest.mark.parametrize("tint", [(1.0, 1.0, 1.0), (0.75, 0.95, 1.0), (1.0, 0.9, 0.7)], ids=["white", "warm", "cold"])
def test_grey_content_under_tinted_light_is_colourless(tint, gradient):
    page = _grey_page(tint, gradient)
    assert colour_spread(page) < COLOUR_SCALE
    seal = page.copy()
    cv2.circle(seal, (800, 600), 70, (40, 40, 200), 6)  # a red seal on the same page
    assert colour_spread(seal) > 3 * COLOUR_SCALE


def test_a_scan_without_a_page_to_find_is_measured_whole():
    scan = np.full((800, 600, 3), 245, np.uint8)
    cv2.putText(scan, "2024-01-01", (60, 200), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (30, 30, 30), 3)
    assert colour_spread(scan) < COLOUR_SCALE
    cv2.rectangle(scan, (300, 400), (420, 520), (30, 30, 190), -1)
    assert colour_spread(scan) > 3 * COLOUR_SCALE


@pytest.mark.parametrize(
    ("patches", "colourless", "want"),
    [
        (0.6, 0.9, (1 - PHOTOCOPY_COLOUR_WEIGHT) * 0.6 + PHOTOCOPY_COLOUR_WEIGHT * 0.9),
        (0.6, 0.05, (1 - PHOTOCOPY_COLOUR_WEIGHT) * 0.6 + PHOTOCOPY_COLOUR_WEIGHT * 0.05),
        (0.6, None, 0.6),  # no colour expected: the colour says nothing, the patches' score alone
    ],
)
def test_photocopy_score_fuses_patches_and_colour(patches, colourless, want):
    scores = with_colour({"screen_recapture": 0.1, "photocopy": patches, "tampered": 0.2}, colourless)
    assert scores["photocopy"] == pytest.approx(want)
    assert scores["photocopy_patches"] == patches and scores["colourless"] == (colourless or 0.0)
    assert scores["screen_recapture"] == 0.1 and scores["tampered"] == 0.2


def test_the_checker_judges_a_copy_by_its_colour_only_where_colour_is_expected(engine, licence_and_copy):
    if "doc-authenticity" not in engine.catalog:
        pytest.skip("model doc-authenticity is not in the catalog")
    from inference.documents.authenticity import AuthenticityChecker

    checker = AuthenticityChecker(engine)
    genuine, copied = licence_and_copy
    expected = checker.check(Frame(copied), colour_expected=True)
    not_expected = checker.check(Frame(copied), colour_expected=False)
    assert expected.scores["colourless"] > 0.3 and not_expected.scores["colourless"] == 0.0
    patches = not_expected.scores["photocopy_patches"]
    assert expected.scores["photocopy_patches"] == pytest.approx(patches)
    assert not_expected.scores["photocopy"] == pytest.approx(patches)
    fused = (1 - PHOTOCOPY_COLOUR_WEIGHT) * patches + PHOTOCOPY_COLOUR_WEIGHT * expected.scores["colourless"]
    assert expected.scores["photocopy"] == pytest.approx(fused)
    assert checker.check(Frame(genuine)).scores["colourless"] < expected.scores["colourless"] / 3


def _grey_is_copied(batch: np.ndarray) -> np.ndarray:
    """Patch probabilities (genuine, screen, photocopy, tampered) of a stand-in patch model that calls every
    patch copied as much as it is grey: white paper 0, a mid-grey desk about 1."""
    grey = 1.0 - np.abs(batch.mean(axis=(1, 2, 3)))  # inputs are in -1..1: mid-grey is 0
    return np.stack([1 - grey, np.zeros_like(grey), grey, np.zeros_like(grey)], axis=1)


def test_the_photocopy_score_is_taken_on_the_paper_when_the_page_is_found():
    from inference.documents.authenticity import page_scores

    labels = ("genuine", "screen_recapture", "photocopy", "tampered")
    desk = np.full((900, 1200, 3), 128, np.uint8)
    photo = desk.copy()
    cv2.fillConvexPoly(photo, np.asarray([[300, 150], [900, 170], [880, 780], [320, 760]], np.int32), (250, 250, 250))
    scores, origins, probs, side = page_scores(photo, _grey_is_copied, labels)
    centres = origins + side / 2
    # the desk's patches do not count (patches astride the page's edge a little)
    assert scores["photocopy"] < 0.2 and probs[:, 2].mean() > 0.5
    assert len(centres) == len(probs) and side == 112
    # no page to find (a scan, or the page fills the frame): every patch counts
    whole, *_ = page_scores(desk, _grey_is_copied, labels)
    assert whole["photocopy"] > 0.95


def test_on_page():
    from inference.documents.authenticity import on_page

    quad = np.asarray([[100, 100], [300, 100], [300, 200], [100, 200]], np.float32)
    pts = np.asarray([[150, 150], [50, 150], [299, 199], [400, 400]], np.float32)
    assert on_page(pts, quad).tolist() == [True, False, True, False]
    assert on_page(pts, None).all()
