"""Types shared by the document renderers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from datasets.documents.canvas import FieldBox
from datasets.documents.record import CaseRecord
from inference.documents.types import DocType  # one definition for the generator and the engine

__all__ = ["DocType", "PAGES"]


# The pages each type has; the first is the one a case file always contains.
PAGES: dict[DocType, tuple[str, ...]] = {
    DocType.id_card: ("front", "back"),
    DocType.vehicle_license: ("main", "secondary"),
    DocType.registration_certificate: ("1", "2"),
    DocType.sales_invoice: ("1",),
    DocType.purchase_tax: ("1",),
    DocType.insurance_policy: ("1",),
    DocType.conformity_certificate: ("1",),
    DocType.other: ("1",),
}


@dataclass(frozen=True, slots=True)
class RenderedDocument:
    """A flat document: ``image`` BGR uint8, the value boxes in its pixels and the case it shows."""

    image: np.ndarray
    doc_type: DocType
    page: str
    fields: dict[str, FieldBox]
    record: CaseRecord | None
    printed: tuple[FieldBox, ...] = ()  # every string printed (labels, titles, values), page pixels

    def fields_dict(self) -> dict[str, dict[str, Any]]:
        return {k: {"text": v.text, "box_xyxy": list(v.box_xyxy)} for k, v in self.fields.items()}
