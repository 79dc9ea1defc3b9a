"""The field rules of each document type: one module per type, found by type here (light: the reader and the review
both look rules up, and the review runs no model)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType, ModuleType

from . import (
    conformity_certificate,
    id_card,
    insurance_policy,
    other,
    purchase_tax,
    registration_certificate,
    sales_invoice,
    vehicle_license,
)
from .fields import DocumentRules
from .types import DocType

MODULES: Mapping[DocType, ModuleType] = MappingProxyType(
    {
        DocType.id_card: id_card,
        DocType.vehicle_license: vehicle_license,
        DocType.registration_certificate: registration_certificate,
        DocType.sales_invoice: sales_invoice,
        DocType.purchase_tax: purchase_tax,
        DocType.insurance_policy: insurance_policy,
        DocType.conformity_certificate: conformity_certificate,
        DocType.other: other,
    }
)


def rules_for(doc_type: DocType) -> DocumentRules:
    return MODULES[doc_type].RULES  # type: ignore[no-any-return]
