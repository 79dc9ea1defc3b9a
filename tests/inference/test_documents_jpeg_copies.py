"""Copies on a page that went through JPEG (forensics.jpeg_copies): the codec changed the bytes of a field copied within
the page, so the windows are matched on their cells' grey levels, and a copy is told from the page's own repeats by how
densely its windows match."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from inference.documents import forensics
from inference.documents.forensics import COPY_MIN_WINDOWS, analyse, jpeg_copies
from inference.types import Frame
from tests.inference.factory_photos import dev_page
from tests.inference.test_documents_forensics import _jpeg

SCALE = 4  # the form is drawn this many times larger, then sampled down as a camera samples the page
SOURCE = (100, 180, 360, 220)  # x1, y1, x2, y2: the field copied
SHIFT = (400, 200)  # where it is pasted, from the source


def _form(noise: float = 3.0, date_phase: tuple[int, int] = (1, 2), seed: int = 3) -> np.ndarray:
    """A 960x720 grey form of printed lines with sensor noise of ``noise`` grey levels (float, before rounding). One
    date is printed twice, the second ``date_phase`` quarters of a pixel off the first's sampling phase: a photo
    samples each printed repeat at its own phase; at (0, 0) the two are the same pixels, as on a rendered page."""
    rng = np.random.default_rng(seed)
    page = np.full((720 * SCALE, 960 * SCALE), 200, np.uint8)

    def text(s: str, x: int, y: int) -> None:
        cv2.putText(page, s, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.7 * SCALE, 40, 2 * SCALE, cv2.LINE_AA)

    for y in range(60, 640, 40):
        x = 40
        while x < 860:
            s = "".join(rng.choice(list("0123456789ABCDEFGHJKLMNPRSTUVWXYZ"), int(rng.integers(4, 12))))
            text(s, x * SCALE, y * SCALE)
            x += 20 * len(s) + int(rng.integers(30, 90))
    text("2021-05-02", 60 * SCALE, 680 * SCALE)
    text("2021-05-02", 500 * SCALE + date_phase[0], 680 * SCALE + date_phase[1])
    small = cv2.resize(page, (960, 720), interpolation=cv2.INTER_AREA).astype(np.float64)
    return small + rng.normal(0.0, noise, small.shape) if noise else small


def _grey(page: np.ndarray) -> np.ndarray:
    return np.clip(np.round(page), 0, 255).astype(np.uint8)


def _copied(page: np.ndarray) -> np.ndarray:
    """The source field pasted ``SHIFT`` away, after the capture: its pixels, noise and all."""
    out = page.copy()
    x1, y1, x2, y2 = SOURCE
    dx, dy = SHIFT
    out[y1 + dy : y2 + dy, x1 + dx : x2 + dx] = page[y1:y2, x1:x2]
    return out


def _within(box, outer, pad: float = 16.0) -> bool:
    return (
        box[0] >= outer[0] - pad and box[1] >= outer[1] - pad and box[2] <= outer[2] + pad and box[3] <= outer[3] + pad
    )


@pytest.mark.parametrize("quality", [75, 85, 92, 95])
def test_a_field_copied_within_a_jpeg_page_is_found_on_its_source_and_its_copy(quality):
    n, regions = jpeg_copies(_jpeg(_grey(_copied(_form())), quality))
    assert n >= COPY_MIN_WINDOWS and len(regions) == 2
    source, copy = regions
    x1, y1, x2, y2 = SOURCE
    dx, dy = SHIFT
    assert _within(source.box_xyxy, SOURCE) and _within(copy.box_xyxy, (x1 + dx, y1 + dy, x2 + dx, y2 + dy))
    assert copy.box_xyxy[0] - source.box_xyxy[0] == dx and copy.box_xyxy[1] - source.box_xyxy[1] == dy
    assert {r.cue for r in regions} == {"copy_move"} and source.size == copy.size == n


def test_the_form_as_photographed_has_no_copy_though_it_prints_a_date_twice():
    assert jpeg_copies(_jpeg(_grey(_form()), 92)) == (0, ())


def test_the_same_pixels_printed_twice_match_as_a_copy_does():
    """What the cue sees: the date at the same sampling phase twice is, to the pixel, a copy. A photo never samples
    two printed repeats at one phase; a rendered page does (next test)."""
    n, regions = jpeg_copies(_jpeg(_grey(_form(date_phase=(0, 0))), 92))
    assert n >= COPY_MIN_WINDOWS and regions[0].box_xyxy[1] > 640  # the dates' row


def test_a_rendered_page_on_flat_paper_is_not_judged_for_copies():
    """The same form with its dates at one phase, rendered with a third of a grey level of noise: its repeats are the
    same pixels, but its paper is at one level over most of the page (whitened), and no copy is looked for."""
    page = _jpeg(_grey(_form(noise=0.3, date_phase=(0, 0))), 92)
    assert jpeg_copies(page)[0] >= COPY_MIN_WINDOWS  # what the cue would say
    found = analyse(cv2.cvtColor(page, cv2.COLOR_GRAY2BGR))
    assert found.whitened is True and found.duplicated_windows == 0 and found.score == 0.0


def test_analyse_reports_the_copy_on_a_jpeg_page_and_scores_it_as_the_byte_exact_copies():
    found = analyse(cv2.cvtColor(_jpeg(_grey(_copied(_form())), 92), cv2.COLOR_GRAY2BGR))
    assert found.compressed is True and found.noise_checked is False
    n = found.duplicated_windows
    assert n >= COPY_MIN_WINDOWS and found.score == pytest.approx(n / (n + 2.0), abs=1e-4)
    assert [r.cue for r in found.regions[:2]] == ["copy_move", "copy_move"]


def test_a_lossless_copy_is_left_to_the_byte_exact_cue():
    found = analyse(cv2.cvtColor(_grey(_copied(_form())), cv2.COLOR_GRAY2BGR))
    assert found.compressed is False and found.regions and found.regions[0].cue == "copy_move"


def _bars(noise: float = 3.0, seed: int = 5) -> np.ndarray:
    """A grey page with a row of vertical bars every 18 px (a grille, a printed pattern): each bar is the next
    one's window for window."""
    rng = np.random.default_rng(seed)
    page = np.full((720, 960), 200.0)
    for x in range(300, 600, 18):
        page[300:380, x : x + 5] = 60.0
    return _grey(page + rng.normal(0.0, noise, page.shape))


def test_a_pattern_that_repeats_on_is_not_a_copy(monkeypatch):
    grey = _jpeg(_bars(), 92)
    assert jpeg_copies(grey) == (0, ())
    monkeypatch.setattr(forensics, "COPY_MAX_PERIODIC", 1.0)  # what the check on the next period rules out
    assert jpeg_copies(grey)[0] >= COPY_MIN_WINDOWS


def _crossings(noise: float = 2.0, seed: int = 6) -> np.ndarray:
    """A scanned table's corner: a rule across, 3 px thick, and two rules down meeting it at the same phase."""
    rng = np.random.default_rng(seed)
    page = np.full((720, 960), 200.0)
    page[300:303, 100:860] = 90.0
    for x in (200, 560):
        page[240:380, x : x + 3] = 90.0
    return _grey(page + rng.normal(0.0, noise, page.shape))


def test_rules_meeting_in_one_piece_are_not_a_copy(monkeypatch):
    grey = _jpeg(_crossings(), 92)
    assert jpeg_copies(grey) == (0, ())
    monkeypatch.setattr(forensics, "COPY_MAX_PART", 1.0)  # what the check on the print's parts rules out
    assert jpeg_copies(grey)[0] >= COPY_MIN_WINDOWS


def test_a_car_grille_in_a_real_photo_is_not_a_copy(realdev):
    """real-dev ccpd_029.jpg (a phone JPEG): the bars of the car's grille, one period apart, match densely."""
    path = next(realdev.rglob("ccpd_029.jpg"))
    assert jpeg_copies(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)) == (0, ())


def test_slanted_rules_matching_along_one_band_are_not_a_copy(monkeypatch):
    """Dev forgeries seed 5411 page 100: a genuine sales invoice photographed at a slant, saved as JPEG q92. Two of
    its parallel rules match window for window one row apart, but only along a band one window wide."""
    page, label = dev_page("forgeries", 5411, 100)
    assert label["authenticity"] == "genuine"
    grey = cv2.cvtColor(_jpeg(page, 92), cv2.COLOR_BGR2GRAY)
    assert jpeg_copies(grey) == (0, ())
    monkeypatch.setattr(forensics, "COPY_MIN_BAND", 0)
    assert jpeg_copies(grey)[0] >= COPY_MIN_WINDOWS


def test_a_copied_field_on_a_dev_page_saved_as_jpeg_is_found_and_its_twin_is_not(doc_reader):
    """Dev forgeries seed 5411: a 行驶证 photo whose 外廓尺寸 was covered by another field copied over it (page 169),
    and its genuine twin (page 168), both saved as JPEG q92 after the edit. No cue judged a copy on a JPEG page
    before."""
    tampered, label = dev_page("forgeries", 5411, 169)
    twin, twin_label = dev_page("forgeries", 5411, 168)
    assert label["tamper_kind"] == "copy_move" and twin_label["authenticity"] == "genuine"
    assert label["pair_id"] == twin_label["pair_id"]
    res = doc_reader.check_authenticity(Frame(_jpeg(tampered, 92)))
    assert res is not None and res.forensics is not None and res.forensics.compressed is True
    assert res.verdict == "tampered" and res.alarm == "forensic", (res.alarm, dict(res.scores))
    pair = res.tamper_regions[:2]
    assert [r.cue for r in pair] == ["copy_move", "copy_move"]
    fx1, fy1, fx2, fy2 = label["fields"][label["tampered_fields"][0]]["box_xyxy"]
    # the pixels cannot tell the copy from its source: one of the two is on the covered field
    assert any(x1 < fx2 and fx1 < x2 and y1 < fy2 and fy1 < y2 for x1, y1, x2, y2 in (r.box_xyxy for r in pair))
    res_twin = doc_reader.check_authenticity(Frame(_jpeg(twin, 92)))
    assert res_twin is not None and res_twin.forensics is not None
    assert res_twin.forensics.duplicated_windows == 0 and res_twin.verdict == "genuine", (
        res_twin.alarm,
        res_twin.scores,
    )
