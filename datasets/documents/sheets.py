"""Several pages of one document on one sheet, as offices ask for copies: an ID card copied front and back."""

from __future__ import annotations

import numpy as np

from . import DocType, make_case_record, render_document
from .capture import apply_capture, plan_capture


def id_card_sheet(seed: int) -> tuple[np.ndarray, dict[str, str]]:
    """An ID card copied front and back on one sheet (the front above the back), photographed on a desk (``seed``),
    and the fields printed on the two sides."""
    rng = np.random.default_rng(seed)
    record = make_case_record(rng)
    front = render_document(rng, DocType.id_card, "front", record)
    back = render_document(rng, DocType.id_card, "back", record)
    h, w = front.image.shape[:2]
    sheet = np.full((int(h * 2.6), int(w * 1.5), 3), 250, np.uint8)
    top, left = int(h * 0.2), int(w * 0.25)
    for k, side in enumerate((front, back)):
        y = top + k * int(h * 1.2)
        sheet[y : y + h, left : left + w] = side.image
    plan = plan_capture(rng, (sheet.shape[1], sheet.shape[0]), "photo")
    printed = {name: box.text for side in (front, back) for name, box in side.fields.items()}
    return apply_capture(plan, sheet)[0], printed
