"""Synthetic vehicle-registration documents (kind "documents").

``make_case_record`` draws one consistent owner + vehicle; ``render_document`` draws one page of one
document type for it (flat, in page pixels); ``DocumentGenerator`` photographs or scans that page and labels
the document corners and every field value box in image pixels, plus the case record for cross-checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from datasets.core import Sample
from datasets.documents import cards, forms
from datasets.documents.base import PAGES, DocType, RenderedDocument
from datasets.documents.canvas import FieldBox, Page
from datasets.documents.capture import apply_capture, corners, plan_capture, transform_fields
from datasets.documents.record import CaseRecord, amount_in_words, make_case_record, money

__all__ = [
    "PAGES",
    "CaseRecord",
    "DocType",
    "DocumentGenerator",
    "FieldBox",
    "RenderedDocument",
    "amount_in_words",
    "make_case_record",
    "money",
    "random_doc_type",
    "random_page",
    "render_document",
]

_RENDERERS: dict[tuple[DocType, str], Callable[[np.random.Generator, CaseRecord], Page]] = {
    (DocType.id_card, "front"): cards.id_card_front,
    (DocType.id_card, "back"): cards.id_card_back,
    (DocType.vehicle_license, "main"): cards.vehicle_license_main,
    (DocType.vehicle_license, "secondary"): cards.vehicle_license_secondary,
    (DocType.registration_certificate, "1"): lambda rng, rec: forms.registration_certificate(rng, rec, "1"),
    (DocType.registration_certificate, "2"): lambda rng, rec: forms.registration_certificate(rng, rec, "2"),
    (DocType.sales_invoice, "1"): forms.sales_invoice,
    (DocType.purchase_tax, "1"): forms.purchase_tax,
    (DocType.insurance_policy, "1"): forms.insurance_policy,
    (DocType.conformity_certificate, "1"): forms.conformity_certificate,
    (DocType.other, "1"): forms.other,
}

# How often each type appears in a generated set: the core case documents dominate.
DOC_WEIGHTS: dict[DocType, float] = {
    DocType.id_card: 0.16,
    DocType.vehicle_license: 0.18,
    DocType.registration_certificate: 0.12,
    DocType.sales_invoice: 0.14,
    DocType.purchase_tax: 0.1,
    DocType.insurance_policy: 0.1,
    DocType.conformity_certificate: 0.1,
    DocType.other: 0.1,
}


def render_document(
    rng: np.random.Generator,
    doc_type: DocType | str,
    page: str | None = None,
    record: CaseRecord | None = None,
) -> RenderedDocument:
    """One flat page of ``doc_type`` for ``record`` (drawn from ``rng`` when None); ``page`` defaults to the
    type's first page."""
    doc_type = DocType(doc_type)
    page = PAGES[doc_type][0] if page is None else str(page)
    if (doc_type, page) not in _RENDERERS:
        raise ValueError(f"{doc_type.value} has pages {PAGES[doc_type]}, not {page!r}")
    if record is None:
        record = make_case_record(rng)
    drawn = _RENDERERS[(doc_type, page)](rng, record)
    return RenderedDocument(drawn.to_bgr(), doc_type, page, dict(drawn.fields), record, tuple(drawn.printed))


def random_page(rng: np.random.Generator, doc_type: DocType) -> str:
    pages = PAGES[doc_type]
    # the first page is what a case file always has; later pages are rarer
    if len(pages) == 1 or rng.random() < 0.65:
        return pages[0]
    return str(pages[int(rng.integers(1, len(pages)))])


def random_doc_type(rng: np.random.Generator) -> DocType:
    types = list(DOC_WEIGHTS)
    p = np.asarray([DOC_WEIGHTS[t] for t in types])
    return types[int(rng.choice(len(types), p=p / p.sum()))]


class DocumentGenerator:
    """Kind "documents". Options: ``doc_types`` (restrict to these types), ``scan_fraction``."""

    kind = "documents"
    version = 2  # 2: the seller's taxpayer number is a valid credit code (GB 32100); 1 drew it without its checks

    def __init__(self, doc_types: list[str] | None = None, scan_fraction: float = 0.3) -> None:
        self.doc_types = [DocType(t) for t in doc_types] if doc_types else None
        if not 0.0 <= scan_fraction <= 1.0:
            raise ValueError(f"scan_fraction must be in [0, 1], got {scan_fraction}")
        self.scan_fraction = scan_fraction

    def sample(self, rng: np.random.Generator, index: int) -> Sample:
        if self.doc_types:
            doc_type = self.doc_types[int(rng.integers(len(self.doc_types)))]
        else:
            doc_type = random_doc_type(rng)
        doc = render_document(rng, doc_type, random_page(rng, doc_type))
        h, w = doc.image.shape[:2]
        mode = "scan" if rng.random() < self.scan_fraction else "photo"
        plan = plan_capture(rng, (w, h), mode)
        image, h_mat = apply_capture(plan, doc.image)
        label: dict[str, Any] = {
            "doc_type": doc.doc_type.value,
            "page": doc.page,
            "capture": plan.mode,
            "corners": corners(plan),
            "fields": transform_fields(dict(doc.fields), h_mat, plan.out_wh),
            "record": doc.record.to_dict() if doc.record is not None else None,
        }
        return Sample(image=image, label=label, ext="jpg")
