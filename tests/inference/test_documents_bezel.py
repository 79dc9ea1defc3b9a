"""A screen's frame round the page: a page shown on a screen and photographed with the device in view steps
from its dark bezel up to the scene; the same page on paper, on a dark desk, on a light desk, with its own
shadow, with a band too thin, too light or on too few sides, does not; the score is over the screen threshold
only from the limit up, and the checker takes it into the screen score where the models' own score supports it."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from inference.documents.bezel import MIN_WIDTH, STEP_LIMIT, bezel_score, bezel_step
from inference.documents.page import find_page
from inference.types import Frame
from tests.inference.factory_photos import dev_page, registration_on_folder

QUAD = np.asarray([[400, 200], [880, 215], [870, 860], [390, 850]], np.float32)


def _scene(desk: int, band: int | None = None, band_px: int = 30, paper: int = 240, shadow_px: int = 0) -> np.ndarray:
    """A page of text lines at ``QUAD`` on a desk of grey ``desk``; with ``band``: a frame of that grey and
    ``band_px`` wide round it; ``shadow_px``: the page's soft shadow on the desk."""
    img = np.full((1080, 1280, 3), desk, np.uint8)
    if shadow_px:
        shade = np.zeros(img.shape[:2], np.float32)
        cv2.fillConvexPoly(shade, np.round(QUAD + 4).astype(np.int32), 1.0)
        shade = cv2.GaussianBlur(shade, (0, 0), shadow_px)
        img = np.clip(img * (1 - 0.5 * shade[..., None]), 0, 255).astype(np.uint8)
    if band is not None:
        centre = QUAD.mean(axis=0)
        outer = centre + (QUAD - centre) * (1 + 2 * band_px / 480)
        cv2.fillConvexPoly(img, np.round(outer).astype(np.int32), (band, band, band))
    cv2.fillConvexPoly(img, np.round(QUAD).astype(np.int32), (paper, paper, paper))
    for y in range(280, 820, 45):
        cv2.putText(img, "LSVAB1234567890", (440, y), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (30, 30, 30), 2)
    return cv2.GaussianBlur(img, (3, 3), 0)


def test_a_dark_frame_round_the_page_steps_up_to_the_scene():
    shot = _scene(desk=110, band=25)
    step = bezel_step(shot, find_page(shot))
    assert step >= 80, step  # band 25 -> scene 110
    assert bezel_score(step) >= 0.8


@pytest.mark.parametrize(
    "scene",
    [
        dict(desk=170),  # a light desk: no band
        dict(desk=30),  # a dark desk: the dark goes on
        dict(desk=150, shadow_px=4),  # the page's own soft shadow
        dict(desk=110, band=25, band_px=5),  # a band too thin to be a device's frame
        dict(desk=250, band=200, paper=245),  # a band not much darker than the paper
    ],
    ids=["light-desk", "dark-desk", "shadow", "thin-band", "light-band"],
)
def test_paper_pages_show_no_frame(scene):
    assert bezel_step(_scene(**scene), QUAD) < STEP_LIMIT / 2


def test_the_band_must_be_as_wide_as_a_share_of_the_page():
    short = 480.0  # about the shorter side of QUAD
    wide, thin = int(MIN_WIDTH * short) + 8, int(MIN_WIDTH * short) - 4
    assert bezel_step(_scene(110, 25, wide), QUAD) >= STEP_LIMIT
    assert bezel_step(_scene(110, 25, thin), QUAD) == 0.0


def test_a_frame_seen_on_two_sides_only_is_not_judged():
    shot = _scene(desk=110, band=25)
    # the photo cut just past the page on the right and at the bottom: two sides have no scene past the page
    cut = shot[:, :895][:870]
    assert bezel_step(cut, QUAD) == 0.0
    assert bezel_step(shot, None) == 0.0  # no page found (a scan, a page filling the photo)


@pytest.mark.parametrize("step,want", [(0.0, 0.0), (STEP_LIMIT - 0.1, 0.0), (STEP_LIMIT, 0.8), (STEP_LIMIT + 40, 0.9)])
def test_bezel_score(step, want):
    assert bezel_score(step) == pytest.approx(want)
    assert bezel_score(1000.0) < 1.0


@pytest.mark.parametrize(
    "models,bezel,inside,want",
    [
        (0.35, 0.9, None, 0.9),  # the models lean towards a screen and a frame is in view: the frame's score
        (0.6, 0.9, None, 0.9),
        (0.35, 0.9, 0.4, 0.9),  # ... and the patches within the page see a screen too
        (0.2, 0.9, None, 0.2),  # a framed page the models find paper-like (a page on a dark folder): the models' score
        (0.6, 0.9, 0.1, 0.6),  # framed, but the patches within the page see paper (a page on a dark folder)
        (0.5, 0.0, None, 0.5),  # no frame
        (0.6, 0.0, 0.3, 0.6),  # no frame, the patches within the page see a screen: the models' score
        (0.6, 0.0, 0.05, 0.05),  # no frame, the patches within the page see paper: the scene round it is no screen
        (0.9, 0.85, None, 0.9),  # the models surer than the frame
    ],
)
def test_the_frame_raises_the_screen_score_where_the_models_support_it(models, bezel, inside, want):
    from inference.documents.authenticity import BEZEL, BEZEL_SUPPORT, SCREEN_INSIDE, SCREEN_INSIDE_SUPPORT, with_bezel

    assert BEZEL_SUPPORT < 0.375  # under every screen of the test, calibration and dev sets
    assert SCREEN_INSIDE_SUPPORT < 0.156  # under every held-out screen of the calibration and dev sets (138)
    scores = {"screen_recapture": models, "photocopy": 0.1, "tampered": 0.2}
    scores = with_bezel(scores if inside is None else {**scores, SCREEN_INSIDE: inside}, bezel)
    assert scores["screen_recapture"] == want and scores[BEZEL] == bezel
    assert scores["photocopy"] == 0.1 and scores["tampered"] == 0.2


def test_patches_within_the_page_leave_out_those_astride_its_edge_or_near_it():
    from inference.documents.authenticity import WITHIN_MARGIN, on_page, within_page

    quad = np.asarray([[100, 100], [500, 100], [500, 400], [100, 400]], np.float32)
    # side 100: inside with room, astride, inside but 5 px from the edge, astride, off the page, inside 20 px off
    origins = np.asarray([[150, 150], [60, 150], [395, 295], [450, 200], [600, 600], [380, 280]], np.float32)
    assert WITHIN_MARGIN == 0.15  # 15 px here
    assert within_page(origins, 100.0, quad).tolist() == [True, False, False, False, False, True]
    assert within_page(origins, 100.0, quad, margin=0.0).tolist() == [True, False, True, False, False, True]
    assert on_page(origins + 50, quad).tolist() == [True, True, True, True, False, True]  # centres: astride too
    assert within_page(origins, 100.0, None).all()  # no page found: every patch


@pytest.fixture(scope="module")
def licence_on_paper_and_screen():
    """Pages photographed with the same capture plans: on paper, and shown on a screen (the factory's screen,
    its bezel in view)."""
    from datasets.documents import DocType, render_document
    from datasets.documents.capture import apply_capture, plan_capture
    from datasets.forgeries import screen_recapture

    out = []
    for seed in (1, 2, 4, 5):
        rng = np.random.default_rng(seed)
        doc = render_document(rng, DocType.vehicle_license, "main")
        h, w = doc.image.shape[:2]
        plan = plan_capture(rng, (w, h), "photo")
        paper, _ = apply_capture(plan, doc.image)
        screen, a = screen_recapture(np.random.default_rng(seed + 100), doc.image)
        corners = cv2.perspectiveTransform(np.asarray([[[0, 0], [w, 0], [w, h], [0, h]]], np.float32), a)[0]
        shown, _ = apply_capture(plan, screen, corners)
        out.append((paper, shown))
    return out


def test_factory_screens_show_their_frame_and_their_paper_twins_do_not(licence_on_paper_and_screen):
    for paper, shown in licence_on_paper_and_screen:
        assert bezel_step(shown, find_page(shown)) >= STEP_LIMIT
        assert bezel_step(paper, find_page(paper)) < STEP_LIMIT / 2


def test_the_checker_takes_the_frame_into_the_screen_score_where_the_page_looks_shown(
    engine, licence_on_paper_and_screen
):
    if "doc-authenticity" not in engine.catalog:
        pytest.skip("model doc-authenticity is not in the catalog")
    from inference.documents.authenticity import BEZEL, SCREEN_INSIDE, SCREEN_INSIDE_SUPPORT, AuthenticityChecker

    checker = AuthenticityChecker(engine)
    for paper, shown in licence_on_paper_and_screen:
        on_screen = checker.check(Frame(shown))
        assert on_screen.scores[BEZEL] >= 0.8 and on_screen.scores[SCREEN_INSIDE] >= SCREEN_INSIDE_SUPPORT
        assert on_screen.scores["screen_recapture"] >= on_screen.scores[BEZEL]
        assert on_screen.verdict == "screen_recapture"
        assert checker.check(Frame(paper)).scores[BEZEL] == 0.0
    # a plain grey page of no listed type in a drawn frame: a frame in view, but the patches within the page see
    # paper, as on a page lying on a dark folder: the frame does not count
    framed = checker.check(Frame(_scene(desk=110, band=25)), colour_expected=False)
    assert framed.scores[BEZEL] >= 0.8 and framed.scores[SCREEN_INSIDE] < SCREEN_INSIDE_SUPPORT
    assert framed.scores["screen_recapture"] < framed.scores[BEZEL]
    assert framed.verdict == "genuine"


def test_pages_on_a_dark_folder_whose_paper_looks_like_paper_are_not_screens(engine):
    """The page view calls a page framed by a dark folder a screen, and the frame is in view; the patches within
    the page see paper, so neither counts."""
    from inference.documents.authenticity import BEZEL, SCREEN_INSIDE, SCREEN_INSIDE_SUPPORT, AuthenticityChecker

    checker = AuthenticityChecker(engine)
    # 1003: its page is found only as an island of paper inside the folder; 1000: only by its outline among the edges
    for seed in (1000, 1001, 1002, 1003):
        folder, _ = registration_on_folder(seed)
        res = checker.check(Frame(folder))
        assert checker.page_probs(folder)["screen_recapture"] >= 0.9 and res.scores[BEZEL] >= 0.9
        assert res.scores[SCREEN_INSIDE] < SCREEN_INSIDE_SUPPORT
        assert res.verdict == "genuine"


@pytest.mark.xfail(
    strict=True,
    reason="known weakness: the screen models learned a dark frame round the page as a screen (every factory screen "
    "has a bezel). The page is found inside its folder, and the page view and the frame count only where the patches "
    "well within it see a screen; but on some pages those patches see the paper as a screen's picture, and such a page "
    "is still flagged (1010, of these 4). Trained with such mats the models lost half the test screens "
    "(training/configs/authenticity.yaml); the screen notice asks for the paper on a plain light surface",
)
def test_paper_pages_on_a_dark_folder_are_not_screens(engine):
    from inference.documents.authenticity import AuthenticityChecker

    checker = AuthenticityChecker(engine)
    photos = [registration_on_folder(seed)[0] for seed in range(1008, 1012)]
    flagged = sum(checker.check(Frame(photo)).verdict == "screen_recapture" for photo in photos)
    assert flagged == 0


def test_a_page_flagged_on_a_dark_folder_passes_when_retaken_as_the_notice_says(engine):
    """The screen notice tells the citizen how to retake the page: the paper laid on a plain, light surface, not
    on a dark folder. A genuine page photographed on a folder and flagged as a screen (the known weakness above)
    is read as paper when photographed so, with the same camera and light."""
    from inference.documents.reader import DocumentReader
    from inference.documents.review import BUSINESSES, review_documents

    reader = DocumentReader(engine)
    folder, desk = registration_on_folder(1010)
    on_folder = reader.read(Frame(folder), "folder.jpg")
    assert on_folder.authenticity is not None and on_folder.authenticity.verdict == "screen_recapture"
    (notice,) = [f for f in review_documents(BUSINESSES["transfer"], [on_folder]).findings if f.rule == "AUTH.SCREEN"]
    assert "light" in notice.message_en and "dark folder" in notice.message_en and "浅色" in notice.message_zh
    retaken = reader.read(Frame(desk), "retaken.jpg")
    assert retaken.authenticity is not None and retaken.authenticity.verdict == "genuine"
    assert not [f for f in review_documents(BUSINESSES["transfer"], [retaken]).findings if f.rule.startswith("AUTH.")]


def test_a_page_on_a_striped_cloth_is_judged_for_a_screen_by_the_patches_on_its_paper(engine):
    """A genuine invoice photographed on a striped cloth (dev forgeries seed 5411, page 100): the patches on the
    cloth see a screen's pattern, those within the paper do not, and no screen's frame is in view. The cloth is no
    screen: the screen score is the paper's patches' (0.012), where the mean over the photo was 0.405."""
    from inference.documents.authenticity import (
        BEZEL,
        SCREEN_INSIDE,
        SCREEN_INSIDE_SUPPORT,
        AuthenticityChecker,
        page_scores,
    )

    photo, label = dev_page("forgeries", 5411, 100)
    assert label["authenticity"] == "genuine"
    checker = AuthenticityChecker(engine)
    model = engine.load("doc-authenticity")
    probs = page_scores(photo, lambda b: model.run({model.input_names[0]: b})[0], checker.labels, checker.stride)[2]
    assert float(probs[:, list(checker.labels).index("screen_recapture")].mean()) > 0.3  # the cloth's patches
    res = checker.check(Frame(photo))
    assert res.scores[BEZEL] == 0.0
    assert res.scores[SCREEN_INSIDE] < SCREEN_INSIDE_SUPPORT
    assert res.scores["screen_recapture"] == res.scores[SCREEN_INSIDE]
    assert res.verdict == "genuine"
