"""A short value the text detector missed, read from its cell: which fields ask for it (rules over text lines), and
the real recogniser reading the cell of a rendered page, level and turned, blank cells left unread. A printed value
erased: which fields are looked at, the value's cell (up to the next label, between the table's rules), blank cells and
cells under glare, and a rendered page read and reviewed."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from inference.documents.reader import rules_for
from inference.documents.types import DocType
from inference.types import Frame, TextResult

from .test_documents_fields import row

# (document type, page, field with a cell pattern, its label as printed)
CELL_FIELDS = [
    (DocType.sales_invoice, "1", "限乘人数", "限乘人数"),
    (DocType.conformity_certificate, "1", "额定载客", "20.额定载客(人)"),
]


@pytest.mark.parametrize(
    ("cells", "angle", "requested"),
    [
        ((("限乘人数", 600),), 0.0, True),  # label, no value: the cell is asked for
        ((("限乘人数", 600), ("5", 760, 20)), 0.0, False),  # the value was detected
        ((("吨位", 300),), 0.0, False),  # no label: nothing to place the cell by
        ((("限乘人数", 600), ("增值税税额", 100)), 3.0, True),  # a turned page: the rows' angle comes along
    ],
)
def test_a_label_read_without_its_value_asks_for_its_cell(cells, angle, requested):
    fields, requests, _ = rules_for(DocType.sales_invoice).read_with_requests(row(100, *cells, angle=angle), "1")
    assert [r.key for r in requests] == (["限乘人数"] if requested else [])
    if requested:
        (req,) = requests
        assert req.pattern == r"\d{1,2}" and "限乘人数" not in fields
        x1, y1, x2, y2 = req.label_box
        assert x2 > x1 and 29 <= y2 - y1 <= 31  # levelled: the label's own height, not its turned box's
        assert req.angle == pytest.approx(math.radians(angle), abs=1e-3)


def test_fields_without_a_cell_pattern_never_ask():
    """A blank cell is normal for most fields (no import certificate number): only the listed ones are read."""
    lines = row(100, ("吨位", 100), ("进口证明书号", 300), ("商检单号", 600))
    assert rules_for(DocType.sales_invoice).read_with_requests(lines, "1")[1] == ()


def _turned(image: np.ndarray, degrees: float) -> np.ndarray:
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))


@pytest.mark.parametrize(("doc_type", "page", "key", "_label"), CELL_FIELDS, ids=[c[2] for c in CELL_FIELDS])
@pytest.mark.parametrize("degrees", [0.0, 2.5])
def test_a_value_the_detector_lost_is_read_from_its_cell(engine, doc_type, page, key, _label, degrees):
    from datasets.documents import make_case_record, render_document
    from inference.documents.reader import DocumentReader

    if "doc-text-rec" not in engine.catalog:
        pytest.skip("doc-text-rec is not in the catalog")
    rng = np.random.default_rng(31)
    doc = render_document(rng, doc_type, page, make_case_record(rng))
    want = doc.fields[key].text
    image = _turned(doc.image, degrees)
    reader = DocumentReader(engine)
    page_image, text, _, _ = reader.ocr_page(Frame(image))
    # the value's line, if the detector found it, taken away: as the detector loses a lone digit
    vx1, vy1, vx2, vy2 = doc.fields[key].box_xyxy
    m = cv2.getRotationMatrix2D((image.shape[1] / 2, image.shape[0] / 2), degrees, 1.0)
    centre = m @ np.asarray([(vx1 + vx2) / 2, (vy1 + vy2) / 2, 1.0])
    scale = page_image.shape[1] / image.shape[1]  # the reader may have rectified the page at another size
    cx, cy = centre * scale

    def on_value(line) -> bool:
        x1, y1, x2, y2 = line.box_xyxy
        return x1 - 4 <= cx <= x2 + 4 and y1 - 4 <= cy <= y2 + 4

    lost = TextResult(tuple(ln for ln in text.lines if not on_value(ln)), text.timings_ms, text.models)
    assert rules_for(doc_type).read(lost.lines, page).get(key) is None  # the rules alone have nothing
    fields = reader.fields(page_image, lost, doc_type, page)
    assert key in fields and fields[key].text == want
    # the cell blanked: nothing read, nothing made up
    blank = page_image.copy()
    r = max(8, round(0.6 * (vy2 - vy1) * scale))
    cv2.rectangle(blank, (round(cx) - r, round(cy) - r), (round(cx) + r, round(cy) + r), (255, 255, 255), -1)
    assert key not in reader.fields(blank, lost, doc_type, page)


# ------------------------------------------------------------------------------------------------ blank printed fields


@pytest.mark.parametrize(
    ("cells", "unfilled"),
    [
        ((("发动机号码", 100),), ["发动机号码"]),  # the label as printed, no value: its cell is looked at
        ((("发动机号码", 100), ("K8F189310", 300)), []),  # the value was read
        ((("发动机号马", 100),), []),  # a near match of the label: nothing said of an erased value
        ((("限乘人数", 600),), []),  # not printed on every invoice's row where it is looked for: read, not judged
    ],
)
def test_a_printed_field_read_without_its_value_is_looked_at_for_ink(cells, unfilled):
    _, requests, blank = rules_for(DocType.sales_invoice).read_with_requests(row(100, *cells), "1")
    assert [u.key for u in blank] == unfilled
    assert all(u.pattern is None for u in blank)
    if unfilled:
        x1, y1, x2, y2 = blank[0].label_box
        assert (x1, y2 - y1) == (100, 30)


@pytest.mark.parametrize(
    ("cells", "end"),
    [
        ((("发动机号码", 100),), None),  # nothing right of the label on its row
        ((("发动机号码", 100), ("车辆识别代号", 420)), 420.0),  # the next label: the value lies before it
        ((("发动机号码", 100), ("8车辆识别代号", 420)), 446.0),  # a label read joined to ink before it: split off
        # a label matched nearly, its first character not read: where it starts is not known
        ((("发动机号码", 100), ("辆识别代号", 420)), None),
    ],
)
def test_the_cell_looked_at_for_ink_ends_at_the_next_label_on_its_row(cells, end):
    _, _, blank = rules_for(DocType.sales_invoice).read_with_requests(row(100, *cells), "1")
    (request,) = [u for u in blank if u.key == "发动机号码"]
    assert request.end == (pytest.approx(end, abs=0.5) if end is not None else None)


def _label_page(ink_at: int | None = None, paper: int = 250, glare: bool = False) -> np.ndarray:
    """A page 400 px wide of ``paper`` grey: a label 30 px high ends at x 160 (y 100-130); ``ink_at``: a
    character-sized blot this far right of the label, in the band the blank check looks at; ``glare``: the band
    burnt out to white by a reflection."""
    page = np.full((300, 400, 3), paper, np.uint8)
    if glare:
        cv2.ellipse(page, (280, 115), (170, 60), 0, 0, 360, (255, 255, 255), -1)
    cv2.rectangle(page, (100, 102), (158, 128), (60, 60, 60), 2)  # the label's strokes (its box is all the test uses)
    cv2.line(page, (0, 140), (399, 140), (90, 90, 90), 1)  # the table's rule under the row: wiped, not a value
    if ink_at is not None:
        cv2.putText(page, "8", (160 + ink_at, 126), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (30, 30, 30), 2)
    return page


@pytest.mark.parametrize(("ink_at", "blank"), [(None, True), (20, False), (150, False)])
def test_a_blank_cell_is_paper_only_right_of_its_label(ink_at, blank):
    from inference.documents.cells import blank_cell
    from inference.documents.fields import CellRequest

    request = CellRequest("发动机号码", (100.0, 100.0, 160.0, 130.0), 0.0, None)
    assert blank_cell(_label_page(ink_at), request) is blank


@pytest.mark.parametrize(("paper", "glare", "blank"), [(250, False, True), (232, False, True), (232, True, False)])
def test_a_band_burnt_out_by_glare_is_not_judged_blank(paper, glare, blank):
    """Glare wipes a value out as an eraser does: a band burnt out to white where the page's paper is not is not
    judged; a white page (a scan's paper at 250) and grey paper without glare are."""
    from inference.documents.cells import blank_cell
    from inference.documents.fields import CellRequest

    request = CellRequest("发动机号码", (100.0, 100.0, 160.0, 130.0), 0.0, None)
    assert blank_cell(_label_page(paper=paper, glare=glare), request) is blank


def test_a_cell_running_off_the_page_is_not_judged_blank():
    """The band reaches 8 label heights right of the label: past the page's edge its border would pass for paper."""
    from inference.documents.cells import blank_cell
    from inference.documents.fields import CellRequest

    assert not blank_cell(_label_page(), CellRequest("发动机号码", (300.0, 100.0, 360.0, 130.0), 0.0, None))


def _table_page(value: int | None = None, grey: int = 30, pattern: bool = False, narrow: bool = False) -> np.ndarray:
    """``_label_page``'s label (x 100-160, y 100-130) in a table: its own cell's rule at x 175, the value's cell to
    x 300, the next cell's print at x 330. ``value``: a character ``value`` px into the value's cell, of grey ``grey``;
    ``pattern``: the paper under the row printed with a faint background pattern of character-sized dots; ``narrow``:
    the value's cell ends at x 250 (2.5 label heights), the next cell's print at x 270 is faint."""
    page = np.full((300, 400, 3), 250, np.uint8)
    if pattern:
        for x in range(170, 400, 14):
            for y in (96, 112, 128):
                cv2.circle(page, (x, y), 5, (228, 228, 228), -1)
    cv2.rectangle(page, (100, 102), (158, 128), (60, 60, 60), 2)
    for x in (175, 250 if narrow else 300):
        cv2.line(page, (x, 70), (x, 160), (40, 40, 40), 2)
        # a rule's soft edge along part of the row (a page levelled to a fraction of a degree): too short for a rule
        cv2.line(page, (x + 2, 95), (x + 2, 120), (150, 150, 150), 1)
    # the next cell's print
    next_print = ((270, 126), (225,) * 3) if narrow else ((330, 126), (30, 30, 30))
    cv2.putText(page, "8", next_print[0], cv2.FONT_HERSHEY_SIMPLEX, 0.8, next_print[1], 2)
    if value is not None:
        cv2.putText(page, "8", (175 + value, 126), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (grey,) * 3, 2)
    return page


@pytest.mark.parametrize(
    ("value", "grey", "pattern", "narrow", "blank"),
    [
        (None, 30, False, False, True),  # the value's cell blank; the next cell's print is not this value
        (20, 30, False, False, False),
        (20, 200, False, False, False),  # a pale value (a worn ribbon) beside dark rules is still a value
        (None, 30, True, False, True),  # a faint background pattern is paper
        (20, 30, True, False, False),
        (20, 30, False, True, False),  # a narrow cell is the value's all the same, not the next one
        (None, 30, False, True, True),
    ],
)
def test_a_blank_cell_is_judged_between_its_rules(value, grey, pattern, narrow, blank):
    from inference.documents.cells import blank_cell
    from inference.documents.fields import CellRequest

    request = CellRequest("发动机号码", (100.0, 100.0, 160.0, 130.0), 0.0, None)
    assert blank_cell(_table_page(value, grey, pattern, narrow), request) is blank


@pytest.mark.parametrize(("end", "blank"), [(None, False), (300.0, True), (200.0, False)])
def test_a_blank_cell_ends_at_the_next_label(end, blank):
    """No rules: the band reaches the next label's print (x 310), which is not this value. Cut before it, the cell is
    blank; cut too short to hold a value, it is not judged."""
    from inference.documents.cells import blank_cell
    from inference.documents.fields import CellRequest

    request = CellRequest("发动机号码", (100.0, 100.0, 160.0, 130.0), 0.0, None, end)
    assert blank_cell(_label_page(ink_at=150), request) is blank


def erased_field(
    seed: int = 32, key: str = "总质量", doc_type: DocType = DocType.conformity_certificate, page: str = "1"
) -> tuple[np.ndarray, np.ndarray]:
    """A rendered page (a 合格证's by default), and the same page with ``key``'s value painted over with the paper
    beside it."""
    from datasets.documents import make_case_record, render_document

    rng = np.random.default_rng(seed)
    doc = render_document(rng, doc_type, page, make_case_record(rng))
    x1, y1, x2, y2 = doc.fields[key].box_xyxy
    erased = doc.image.copy()
    paper = np.median(erased[y1 - 2 : y2 + 2, x2 + 4 : x2 + 14].reshape(-1, 3), axis=0)
    erased[y1 - 2 : y2 + 2, x1 - 2 : x2 + 2] = paper.astype(np.uint8)
    return doc.image, erased


@pytest.mark.parametrize(
    ("doc_type", "page", "key"),
    [
        (DocType.conformity_certificate, "1", "总质量"),  # in its table cell
        (DocType.id_card, "front", "公民身份号码"),  # right of its label, on a card (``right_below``)
        (DocType.vehicle_license, "main", "车辆识别代号"),
    ],
)
def test_a_printed_value_erased_from_a_rendered_page_is_reported_blank(engine, doc_type, page, key):
    """The real reader on a rendered page: a value painted over with the paper round it is reported blank, and the
    review refers it to an officer; the page as rendered reports none."""
    from inference.documents.reader import DocumentReader
    from inference.documents.review import BUSINESSES, review_documents

    if "doc-text-rec" not in engine.catalog:
        pytest.skip("doc-text-rec is not in the catalog")
    rendered, erased = erased_field(key=key, doc_type=doc_type, page=page)
    reader = DocumentReader(engine)
    genuine = reader.read(Frame(rendered), "genuine.png")
    assert genuine.quality.ok and genuine.blank_fields == ()
    read = reader.read(Frame(erased), "erased.png")
    assert key not in read.fields and read.blank_fields == (key,)
    findings = review_documents(BUSINESSES["transfer"], [read]).findings
    (blank,) = [f for f in findings if f.rule == "FIELD.BLANK"]
    assert blank.severity == "refer" and blank.fields == (key,) and key in blank.message_zh
