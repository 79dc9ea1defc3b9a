"""Flat blocks (forensics.flat_blocks): on a page that went through JPEG, an erased field comes out as 8x8 blocks of
paper that the codec left flat, on paper that kept its noise elsewhere."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from inference.documents.forensics import BLOCK_VOID_MIN, analyse, flat_blocks, grid_survival
from inference.types import Frame
from tests.inference.factory_photos import dev_page
from tests.inference.test_documents_forensics import _jpeg

ERASED = (160, 200, 256, 224)  # x1, y1, x2, y2: a short field of one text line


def _form(noise: float, erase: bool = False, seed: int = 5) -> np.ndarray:
    """A 640x480 form photographed on paper of grey 190 with sensor noise of ``noise`` grey levels: rows of short
    strokes (its print) and, when ``erase``, one field's strokes filled with the paper's grey as an inpainting
    fills them."""
    rng = np.random.default_rng(seed)
    page = np.full((480, 640), 190.0)
    for y in range(40, 440, 40):
        for x in range(40, 600, 24):
            if rng.random() < 0.7:
                page[y : y + 14, x : x + int(rng.integers(4, 16))] = 60.0
    page += rng.normal(0.0, noise, page.shape)
    if erase:  # after the capture: the inpainting's smooth fill has none of the sensor's noise
        x1, y1, x2, y2 = ERASED
        page[y1:y2, x1:x2] = 190.0
    grey = np.clip(page, 0, 255).astype(np.uint8)
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)


def _inside(box, outer) -> bool:
    return box[0] >= outer[0] - 8 and box[1] >= outer[1] - 8 and box[2] <= outer[2] + 8 and box[3] <= outer[3] + 8


def test_an_erased_field_saved_as_jpeg_is_a_cluster_of_flat_blocks():
    found = analyse(_jpeg(_form(3.0, erase=True), 92))
    assert found.compressed is True and found.flat_blocks >= BLOCK_VOID_MIN
    first = found.regions[0]
    assert first.cue == "flat_blocks" and _inside(first.box_xyxy, ERASED), first
    assert found.score == pytest.approx(found.flat_blocks / (found.flat_blocks + 2.0), abs=1e-4)


def test_a_jpeg_cropped_off_its_grid_is_judged_on_the_codec_grid():
    """The erased form cut 3 px from the top and 5 from the left after its JPEG: the codec's grid is found at that
    offset, and the cluster's box is given in the cropped page's pixels."""
    found = analyse(np.ascontiguousarray(_jpeg(_form(3.0, erase=True), 92)[3:, 5:]))
    assert found.flat_blocks >= BLOCK_VOID_MIN
    x1, y1, x2, y2 = ERASED
    box = found.regions[0].box_xyxy
    assert found.regions[0].cue == "flat_blocks" and _inside(box, (x1 - 5, y1 - 3, x2 - 5, y2 - 3)), box
    assert (box[0] + 5) % 8 == 0 and (box[1] + 3) % 8 == 0  # on the codec's blocks


def test_the_same_form_not_erased_has_no_flat_blocks():
    found = analyse(_jpeg(_form(3.0), 92))
    assert found.compressed is True and found.flat_blocks == 0 and found.score == 0.0


def test_a_lossless_page_is_left_to_the_void_cue():
    found = analyse(_form(3.0, erase=True))
    assert found.compressed is False and found.flat_blocks == 0
    assert found.regions and found.regions[0].cue == "noise_void"


def test_a_page_whose_codec_flattened_its_paper_all_over_is_not_judged():
    """Noise of half a grey level: the codec leaves most paper blocks flat, so an erased field says nothing."""
    grey = cv2.cvtColor(_jpeg(_form(0.5, erase=True), 92), cv2.COLOR_BGR2GRAY)
    survival = grid_survival(grey)
    assert survival is not None
    dy, dx = np.unravel_index(int(np.argmin(survival)), survival.shape)
    assert flat_blocks(grey, (int(dy), int(dx))) == (0, ())


def test_an_erased_name_on_a_dev_id_card_saved_as_jpeg_is_found_and_its_twin_is_not(doc_reader):
    """Dev forgeries seed 5412: an ID card photo whose name was inpainted (page 19) and its genuine twin (page 18),
    both saved as JPEG q92 after the edit. No cue found the edit before (forensic 0)."""
    tampered, label = dev_page("forgeries", 5412, 19)
    twin, twin_label = dev_page("forgeries", 5412, 18)
    assert label["tamper_kind"] == "inpaint" and twin_label["authenticity"] == "genuine"
    assert label["pair_id"] == twin_label["pair_id"]
    res = doc_reader.check_authenticity(Frame(_jpeg(tampered, 92)))
    assert res is not None and res.forensics is not None
    assert res.verdict == "tampered" and res.alarm == "forensic", (res.alarm, dict(res.scores))
    first = res.tamper_regions[0]
    assert first.cue == "flat_blocks"
    x1, y1, x2, y2 = first.box_xyxy
    fx1, fy1, fx2, fy2 = label["fields"][label["tampered_fields"][0]]["box_xyxy"]
    assert x1 < fx2 and fx1 < x2 and y1 < fy2 and fy1 < y2  # on the erased name
    res_twin = doc_reader.check_authenticity(Frame(_jpeg(twin, 92)))
    assert res_twin is not None and res_twin.forensics is not None
    assert res_twin.forensics.flat_blocks == 0 and res_twin.verdict == "genuine", (res_twin.alarm, res_twin.scores)
