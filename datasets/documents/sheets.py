"""Several pages of one document on one sheet, as offices ask for copies: an ID card copied front and back, a 行驶证
copied main and secondary page."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import DocType, make_case_record, render_document
from .capture import apply_capture, plan_capture


def copy_sheet(
    seed: int, doc_type: DocType = DocType.id_card, pages: Sequence[str] = ("front", "back")
) -> tuple[np.ndarray, dict[str, str]]:
    """The ``pages`` of one ``doc_type`` document copied on one sheet (the first on top), photographed on a desk
    (``seed``), and the fields printed on them."""
    rng = np.random.default_rng(seed)
    record = make_case_record(rng)
    rendered = [render_document(rng, doc_type, page, record) for page in pages]
    h = max(r.image.shape[0] for r in rendered)
    w = max(r.image.shape[1] for r in rendered)
    sheet = np.full((int(h * (0.2 + 1.2 * len(rendered))), int(w * 1.5), 3), 250, np.uint8)
    top, left = int(h * 0.2), int(w * 0.25)
    for k, side in enumerate(rendered):
        ph, pw = side.image.shape[:2]
        y = top + k * int(h * 1.2)
        sheet[y : y + ph, left : left + pw] = side.image
    plan = plan_capture(rng, (sheet.shape[1], sheet.shape[0]), "photo")
    printed = {name: box.text for side in rendered for name, box in side.fields.items()}
    return apply_capture(plan, sheet)[0], printed
