"""Pages a scanner app flattened and enhanced (the paper lifted to pure white, the strokes sharpened): the noise cues
do not judge them, and they are judged for photocopying by their colour alone."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from datasets.documents import DocType, random_page, render_document
from datasets.documents.capture import apply_capture, corners, plan_capture, scanner_enhance, scanner_upload
from datasets.forgeries import _captured, _inpaint
from inference.documents.authenticity import PHOTOCOPY_COLOUR_WEIGHT, WHITENED_FLOORS, page_thresholds, with_colour
from inference.documents.forensics import LINE_FAINT_MIN_PX, analyse, quiet_fields, voids_in_lines, whitened
from inference.types import Frame
from tests.inference.factory_photos import dev_page
from tests.inference.test_documents_forensics import _jpeg


def _grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _photo(seed: int, kind: DocType):
    """A photographed genuine page, its corners in the photo, and its field boxes carried into the photo."""
    rng = np.random.default_rng(seed)
    doc = render_document(rng, kind, random_page(rng, kind))
    h, w = doc.image.shape[:2]
    plan = plan_capture(rng, (w, h), "photo")
    image, h_mat = apply_capture(plan, doc.image)
    return image, np.float32(corners(plan)), _captured(doc, image, h_mat)


def _as_app_uploads(image: np.ndarray, page_corners: np.ndarray, white: int = 255) -> np.ndarray:
    """As a scanner app uploads the page (cut out, warped flat at 1.4 times its size, enhanced, JPEG q85), its paper
    lifted to ``white``."""
    if white == 255:
        return scanner_upload(image, page_corners)
    # an app that lifts the paper to a flat light grey instead of pure white
    enhanced = scanner_upload(image, page_corners, jpeg_quality=0)
    return _jpeg((enhanced.astype(np.float32) * (white / 255.0)).astype(np.uint8), 85)


# Pages the noise cues called tampered (all but the fifth) or the patches called copied (the fifth) before whitened
# pages were recognised, enhanced to pure white or to a flat 250
ENHANCED = [
    (302, DocType.insurance_policy, 255),
    (303, DocType.id_card, 255),
    (305, DocType.conformity_certificate, 255),
    (310, DocType.purchase_tax, 255),
    (324, DocType.vehicle_license, 255),
    (301, DocType.sales_invoice, 250),
    (306, DocType.vehicle_license, 250),
]


@pytest.mark.parametrize(("seed", "kind", "white"), ENHANCED, ids=[f"{k.value}-{s}-{w}" for s, k, w in ENHANCED])
def test_genuine_pages_enhanced_by_a_scanner_app_raise_no_alarm(doc_reader, seed, kind, white):
    image, page_corners, _ = _photo(seed, kind)
    upload = _as_app_uploads(image, page_corners, white)
    assert not whitened(_grey(image)) and whitened(_grey(upload))
    res = doc_reader.check_authenticity(Frame(upload))
    assert res is not None and res.forensics is not None
    assert not res.forensics.noise_checked
    assert res.verdict == "genuine", (res.alarm, dict(res.scores))


def test_a_colour_document_enhanced_in_black_and_white_is_still_a_copy(doc_reader):
    """Its colour is gone, as a photocopy's is: the colourlessness alone finds it."""
    image, page_corners, _ = _photo(303, DocType.id_card)
    upload = cv2.cvtColor(_grey(_as_app_uploads(image, page_corners)), cv2.COLOR_GRAY2BGR)
    res = doc_reader.check_authenticity(Frame(upload))
    assert res is not None and res.verdict == "photocopy"
    assert res.scores["photocopy"] == pytest.approx(res.scores["colourless"])


def test_the_noise_cues_do_not_judge_a_whitened_page(licence_capture):
    """What a whitened page's noise shows is the app's work: the void, quiet-field and faint void-in-line cues stay
    silent on it, even where a value was erased before the enhancement (the patches and the line cues that compare
    paper tones still look)."""
    image, seen = licence_capture
    forged, mask, _ = _inpaint(np.random.default_rng(3), image, seen, "车辆识别代号")
    assert analyse(forged).score > 0.9  # found on the photo
    enhanced = scanner_enhance(forged)
    assert whitened(_grey(enhanced))
    found = analyse(enhanced)
    assert not found.noise_checked and found.score == 0.0 and found.voids == ()
    boxes = [tuple(float(v) for v in f.box_xyxy) for f in seen.fields.values()]
    assert quiet_fields(enhanced, boxes, compressed=found.compressed) == (0.0, ())
    assert voids_in_lines(enhanced, boxes, found.voids, found.noise_checked) == (0.0, ())


def test_a_page_clipped_white_in_a_small_part_is_not_whitened(licence_capture):
    image, _ = licence_capture
    grey = _grey(image).copy()
    assert not whitened(grey)
    h, w = grey.shape
    grey[: h * 2 // 5] = 255  # an overexposed page, clipped over 40% of it: the rest of the paper keeps its noise
    assert not whitened(grey)
    grey[: h * 3 // 5] = 255
    assert whitened(grey)
    grey[: h * 3 // 5] = 248  # flat at one light level, not white
    assert whitened(grey)
    grey[: h * 3 // 5] = 248 + (np.arange(w) % 3)  # a light level spread by noise: a photo's paper
    assert not whitened(grey)


@pytest.mark.parametrize(
    ("patches", "colourless", "is_whitened", "expected"),
    [
        (0.7, 0.1, False, (1 - PHOTOCOPY_COLOUR_WEIGHT) * 0.7 + PHOTOCOPY_COLOUR_WEIGHT * 0.1),
        (0.7, 0.1, True, 0.1),  # the app's flat paper looks copied to the patches: the colour alone
        (0.2, 0.9, True, 0.9),  # colour gone: a copy however the patches see it
        (0.7, None, True, 0.7),  # no colour expected: the patches are all there is
        (0.7, None, False, 0.7),
    ],
)
def test_the_photocopy_score_of_a_whitened_page_is_its_colourlessness(patches, colourless, is_whitened, expected):
    out = with_colour({"photocopy": patches, "screen_recapture": 0.1}, colourless, is_whitened)
    assert out["photocopy"] == pytest.approx(expected)
    assert out["photocopy_patches"] == patches and out["screen_recapture"] == 0.1


def test_no_real_photo_is_whitened(realdev):
    """The real-dev photos (phone JPEGs of plates, crops, stamped VINs, the 行驶证 specimen) keep their paper's and
    scenes' noise: none is taken for an app's enhancement."""
    files = sorted(p for p in realdev.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".bmp"))
    greys = [g for g in (cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) for p in files) if g is not None]
    assert len(greys) > 250
    assert not any(whitened(g) for g in greys)


def test_the_real_specimen_enhanced_by_an_app_is_read_whole_and_genuine(doc_reader, realdev):
    """The real 行驶证 specimen enhanced as a scanner app enhances a page (the photo is already the card and its
    sleeve: nothing to cut out) and saved as JPEG q85: whitened, genuine, every labelled field read."""
    import json

    from inference.documents.fields import normalise

    row = next(
        r
        for r in map(json.loads, (realdev / "labels.jsonl").read_text(encoding="utf-8").splitlines())
        if r["file"].endswith("xingshizheng_specimen_01.jpg")
    )
    upload = _jpeg(scanner_enhance(cv2.imread(str(realdev / row["file"]), cv2.IMREAD_COLOR)), 85)
    assert whitened(_grey(upload))
    d = doc_reader.read(Frame(upload), "specimen-enhanced.jpg")
    assert d.quality.ok and d.authenticity is not None and d.authenticity.verdict == "genuine"
    assert d.authenticity.forensics is not None and d.authenticity.forensics.whitened
    read = {name: normalise(v.text) for name, v in d.fields.items()}
    assert {k: read.get(k) for k in row["fields"]} == {k: normalise(v) for k, v in row["fields"].items()}


TH = {"screen_recapture": 0.46, "photocopy": 0.23, "tampered": 0.95, "forensic": 0.63}


@pytest.mark.parametrize(
    ("is_whitened", "colour", "thresholds", "raised"),
    [
        (False, True, TH, {}),
        (False, False, TH, {}),
        # the patches' tamper alarm; the photocopy score is the colourlessness where colour is expected
        (True, True, TH, {"tampered": WHITENED_FLOORS["tampered"]}),
        (True, False, TH, {"tampered": WHITENED_FLOORS["tampered"], "photocopy": WHITENED_FLOORS["photocopy"]}),
        # an office's thresholds over the floors are kept
        (True, False, {**TH, "tampered": 0.99, "photocopy": 0.5}, {}),
    ],
)
def test_a_whitened_page_is_judged_at_the_floors_where_the_patches_alone_raise_an_alarm(
    is_whitened, colour, thresholds, raised
):
    given = dict(thresholds)
    assert page_thresholds(thresholds, is_whitened, colour) == {**given, **raised}
    assert thresholds == given  # the checker's own thresholds are not changed


def _dev_app_upload(seed: int, index: int) -> tuple[np.ndarray, dict]:
    """A page of a dev forgeries set (regenerated, as built) as a scanner app uploads it, with its label."""
    photo, label = dev_page("forgeries", seed, index)
    return scanner_upload(photo, np.float32(label["corners"])), label


def test_a_whitened_genuine_page_is_judged_at_the_floor_of_the_patches_tamper_alarm(doc_reader):
    """A genuine invoice scanned, flattened and enhanced by an app (dev forgeries seed 5411, page 42): the app's
    sharpened strokes look edited to the patches, over the tamper threshold but under the floor."""
    upload, label = _dev_app_upload(5411, 42)
    assert label["authenticity"] == "genuine"
    res = doc_reader.check_authenticity(Frame(upload))
    assert res is not None and res.forensics is not None and res.forensics.whitened
    assert doc_reader.authenticity.thresholds["tampered"] <= res.scores["tampered"] < WHITENED_FLOORS["tampered"]
    assert res.thresholds["tampered"] == WHITENED_FLOORS["tampered"]
    assert res.verdict == "genuine", (res.alarm, dict(res.scores))


def test_no_pasted_seam_is_looked_for_on_a_whitened_page(doc_reader):
    """A genuine insurance policy photographed, flattened and enhanced by an app (dev forgeries seed 5411, page 14):
    the app divides the page by its paper's light, which steps round a line where the print pulls its median down;
    the seam cue took that step for a pasted field's (forensic 0.87)."""
    upload, label = _dev_app_upload(5411, 14)
    assert label["authenticity"] == "genuine"
    res = doc_reader.check_authenticity(Frame(upload))
    assert res is not None and res.forensics is not None and res.forensics.whitened
    assert not [r for r in res.forensics.regions if r.cue == "pasted_seam"]
    assert res.verdict == "genuine", (res.alarm, dict(res.scores))


def test_a_whitened_page_of_no_listed_type_is_judged_for_a_copy_at_the_floor(doc_reader):
    """A genuine page of no listed type (dev forgeries seed 5413, page 60), judged for photocopying by the patches
    alone: enhanced by an app, its flat paper looks a little copied (over the threshold, under the floor)."""
    upload, label = _dev_app_upload(5413, 60)
    assert label["authenticity"] == "genuine" and label["doc_type"] == "other"
    res = doc_reader.check_authenticity(Frame(upload))
    assert res is not None and res.forensics is not None and res.forensics.whitened
    assert doc_reader.authenticity.thresholds["photocopy"] <= res.scores["photocopy"] < WHITENED_FLOORS["photocopy"]
    assert res.verdict == "genuine", (res.alarm, dict(res.scores))


def test_a_value_replaced_before_the_app_enhanced_the_page_is_still_found(doc_reader):
    """Dev forgeries seed 5413, page 171: a 登记证书 with a value replaced, enhanced by an app. The line patches and the
    patches over the floor still find it."""
    upload, label = _dev_app_upload(5413, 171)
    assert label["tamper_kind"] == "text_replace"
    res = doc_reader.check_authenticity(Frame(upload))
    assert res is not None and res.forensics is not None and res.forensics.whitened
    assert res.scores["tampered"] >= WHITENED_FLOORS["tampered"]
    assert res.verdict == "tampered"


def _dev_flattened(index: int) -> np.ndarray:
    """A genuine photo of the dev documents set (seed 5410, regenerated as built) as a scanner app uploads it when it
    flattens the page at its size in the photo and keeps it lossless (PNG)."""
    photo, label = dev_page("documents", 5410, index)
    assert label["capture"] == "photo"
    return scanner_upload(photo, np.float32(label["corners"]), 1.0, 0, False)


def test_a_photo_flattened_and_kept_lossless_is_not_taken_for_an_edit_by_its_scattered_voids(doc_reader):
    """A genuine tax certificate photographed (dev documents seed 5410, page 0), flattened by a scanner app at the
    page's size and kept as PNG: the warp enlarged parts of the page, whose noise it smoothed into small voids in
    many bands of rows (130 void pixels, the largest region 27). Too few to be weighed before, they were taken for an
    edit (forensic 0.945); spread so, they are no edit."""
    upload = _dev_flattened(0)
    assert not whitened(_grey(upload))
    found = analyse(upload)
    assert found.noise_checked is False and found.voids == ()
    res = doc_reader.check_authenticity(Frame(upload))
    assert res is not None and res.verdict == "genuine", (res.alarm, dict(res.scores))


def test_faint_voids_in_the_lines_of_a_flattened_photo_are_judged_against_the_paper_round_them(doc_reader):
    """A genuine invoice photographed (dev documents seed 5410, page 159), flattened by a scanner app at the page's
    size and kept as PNG: where the warp enlarged the page its noise is smoother, and a line there had 97 pixels under
    the faint share of the page's median (an edited line from 48: forensic 0.89). Against the median of the paper
    round them, as the voids are judged, it has too few."""
    upload = _dev_flattened(159)
    found = analyse(upload)
    assert found.noise_checked
    res = doc_reader.check_authenticity(Frame(upload))
    assert res is not None and res.forensics is not None
    assert not [r for r in res.forensics.regions if r.cue == "noise_void" and r.size >= LINE_FAINT_MIN_PX]
    assert res.verdict == "genuine", (res.alarm, dict(res.scores))
