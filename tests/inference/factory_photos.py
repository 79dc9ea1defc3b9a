"""Registration certificates photographed by the data factory, for the page-finding and screen-frame tests."""

from __future__ import annotations

import numpy as np

from datasets.documents import DocType, make_case_record, render_document
from datasets.documents.capture import CapturePlan, apply_capture, corners, on_mat, plan_capture


def _page_and_plan(seed: int) -> tuple[np.ndarray, CapturePlan]:
    rng = np.random.default_rng(seed)
    page = render_document(rng, DocType.registration_certificate, "1").image
    return page, plan_capture(rng, (page.shape[1], page.shape[0]), "photo")


def registration_photo(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A registration certificate photographed on a desk (``seed``), and its page's corners in the photo."""
    page, plan = _page_and_plan(seed)
    return apply_capture(plan, page)[0], np.asarray(corners(plan), np.float32)


def registration_on_folder(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The certificate of :func:`registration_photo` photographed on a dark folder (an even 6% margin of grey 30),
    and the same photo without the folder (the same camera and light, the page on the desk)."""
    page, plan = _page_and_plan(seed)
    folder, at = on_mat(np.random.default_rng(7), page, margin=(0.06, 0.06), level=(30, 31))
    return apply_capture(plan, folder, at)[0], apply_capture(plan, page)[0]


def id_card_sheet(seed: int) -> tuple[np.ndarray, dict[str, str]]:
    """An ID card copied front and back on one sheet (the front above the back), photographed on a desk, and the
    fields printed on the two sides."""
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
