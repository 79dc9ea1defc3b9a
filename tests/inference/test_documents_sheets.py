"""Two pages of one document copied on one sheet (an ID card front and back, a 行驶证 main and secondary page): both
are read from the one upload, and the review does not ask for a page the sheet shows."""

from __future__ import annotations

import pytest

from benchmarks.documents import _comparable
from datasets.documents import DocType as RenderedType
from datasets.documents.sheets import copy_sheet
from inference.documents.classify import pages_shown
from inference.documents.types import DocType
from inference.types import Frame


@pytest.mark.parametrize(
    ("doc_type", "texts", "shown"),
    [
        (
            DocType.id_card,
            ["姓 名", "公民身份号码", "110108197805184008", "签发机关", "北京市公安局"],
            ("front", "back"),
        ),
        (DocType.id_card, ["姓 名", "王京", "公民身份号码", "110108197805184008"], ()),
        (DocType.id_card, ["签发机关", "北京市公安局", "有效期限", "2016.08.06-2026.08.06"], ()),
        # another document printing both labels (an invoice's buyer ID, a seal's office) is one page
        (DocType.sales_invoice, ["公民身份号码", "签发机关"], ()),
        (DocType.vehicle_license, ["号牌号码", "档案编号", "车辆识别代号", "LGX9TNP59R9161665"], ("main", "secondary")),
        (DocType.vehicle_license, ["号牌号码", "档案编号", "核定载人数"], ()),
        # labels misread in the small print of a copy: one character, or two leaving what only that page prints
        (DocType.vehicle_license, ["档系编号440150842326", "车辆识别代号L6W7759V3RL633826"], ("main", "secondary")),
        (DocType.vehicle_license, ["汽室编号310161787915", "车辆88代号LBV852C9X84979948"], ("main", "secondary")),
        (DocType.vehicle_license, ["汽室编号", "车辆识别代号LBV852C9X84979948"], ()),  # two misread, no number after
        (DocType.id_card, ["公民身份号玛", "110108197805184008", "签发机芙", "北京市公安局"], ("front", "back")),
        (DocType.id_card, ["公民身份号码", "110108197805184008", "签字机芙"], ()),
    ],
    ids=[
        "both sides",
        "front only",
        "back only",
        "not an ID card",
        "licence both pages",
        "licence secondary",
        "licence labels one misread",
        "licence labels two misread",
        "licence label two misread alone",
        "ID labels one misread",
        "ID label two misread",
    ],
)
def test_pages_shown(doc_type, texts, shown):
    assert pages_shown(doc_type, texts) == shown


def test_an_id_card_copied_front_and_back_on_one_sheet_is_read_whole(engine):
    from inference.documents.reader import DocumentReader
    from inference.documents.review import BUSINESSES, review_documents

    photo, printed = copy_sheet(5, RenderedType.id_card, ("front", "back"))
    read = DocumentReader(engine).read(Frame(photo), "id.jpg")
    assert read.doc.doc_type is DocType.id_card and read.pages_shown == ("front", "back")
    for name in ("姓名", "公民身份号码", "签发机关", "有效期限"):
        assert _comparable(read.fields[name].text) == _comparable(printed[name]), name
    rules = {f.rule for f in review_documents(BUSINESSES["transfer"], [read]).findings}
    assert "DOC.PAGE_MISSING" not in rules and "DOC.MISSING" in rules  # the other documents of a transfer


def test_a_licence_copied_with_its_secondary_page_on_top_is_read_for_the_main_page_too(engine):
    """The secondary page on top: the sheet is classed by the 档案编号 printed first, and was read as the secondary
    page alone, without the VIN, the plate's owner or the engine number of the main page below it."""
    from inference.documents.reader import DocumentReader

    photo, printed = copy_sheet(204, RenderedType.vehicle_license, ("secondary", "main"))
    read = DocumentReader(engine).read(Frame(photo), "licence.jpg")
    assert (read.doc.doc_type, read.doc.page) == (DocType.vehicle_license, "secondary")
    assert read.pages_shown == ("main", "secondary")
    for name in ("车辆识别代号", "所有人", "档案编号"):
        assert _comparable(read.fields[name].text) == _comparable(printed[name]), name
