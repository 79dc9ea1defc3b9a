"""An ID card copied front and back on one sheet: both sides are read from the one upload, and the review does not ask
for the back."""

from __future__ import annotations

import pytest

from benchmarks.documents import _comparable
from datasets.documents.sheets import id_card_sheet
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
    ],
    ids=["both sides", "front only", "back only", "not an ID card"],
)
def test_pages_shown(doc_type, texts, shown):
    assert pages_shown(doc_type, texts) == shown


def test_an_id_card_copied_front_and_back_on_one_sheet_is_read_whole(engine):
    from inference.documents.reader import DocumentReader
    from inference.documents.review import BUSINESSES, review_documents

    photo, printed = id_card_sheet(5)
    read = DocumentReader(engine).read(Frame(photo), "id.jpg")
    assert read.doc.doc_type is DocType.id_card and read.pages_shown == ("front", "back")
    for name in ("姓名", "公民身份号码", "签发机关", "有效期限"):
        assert _comparable(read.fields[name].text) == _comparable(printed[name]), name
    rules = {f.rule for f in review_documents(BUSINESSES["transfer"], [read]).findings}
    assert "DOC.PAGE_MISSING" not in rules and "DOC.MISSING" in rules  # the other documents of a transfer
