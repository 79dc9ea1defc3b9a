"""A listed page of which the reader found only a small part of what such a page prints (its title and codes, the
small print blurred past the detector) gets a retake notice, though no blur, glare or size issue is measured: its
fields would otherwise come out missing one by one."""

from __future__ import annotations

import numpy as np
import pytest

from inference.documents.reader import PRINTED_CHARS, DocumentReader
from inference.documents.review import review_case
from inference.documents.types import DocType
from inference.types import Frame
from tests.inference.factory_photos import dev_page

DEV_SEED = 5410  # a dev seed: never used for training, nor by the benchmark's test sets


def _dev_page(index: int) -> np.ndarray:
    """Page ``index`` of the documents dev set of ``DEV_SEED``, as its build saves it."""
    return dev_page("documents", DEV_SEED, index)[0]


@pytest.fixture(scope="module")
def reader(engine):
    if "doc-type" not in engine.catalog:
        pytest.skip("model doc-type is not in the catalog")
    return DocumentReader(engine)


def _chars(d) -> int:
    return sum(len(f.text) for f in d.fields.values())


def test_an_invoice_read_but_for_its_title_and_codes_is_unreadable(reader):
    """Dev page 57: an invoice photographed small and blurred. The detector finds its title, its code and number
    and a few characters more (38 of the 620 an invoice prints as read); its text height and blur are measured on
    those large lines and pass."""
    d = reader.read(Frame(_dev_page(57)), "invoice.jpg")
    assert (d.doc.doc_type, d.doc.page) == (DocType.sales_invoice, "1")
    assert [i.code for i in d.quality.issues] == ["unreadable"]
    issue = d.quality.issues[0]
    assert issue.value < 0.25 * PRINTED_CHARS[(DocType.sales_invoice, "1")] == issue.limit
    review = review_case(reader.read, [("invoice.jpg", Frame(_dev_page(57)))])
    assert "QUAL.UNREADABLE" in {f.rule for f in review.findings}


@pytest.mark.parametrize("index", [33, 40, 42])
def test_invoices_read_whole_pass(reader, index):
    """Invoices of the same dev set read whole (each of their 19 fields right): no issue."""
    d = reader.read(Frame(_dev_page(index)), "invoice.jpg")
    assert d.doc.doc_type is DocType.sales_invoice
    assert d.quality.ok, d.quality.issues
    assert _chars(d) > 100
