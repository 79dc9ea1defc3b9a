"""Registration certificates photographed by the data factory, for the page-finding and screen-frame tests."""

from __future__ import annotations

import numpy as np

from datasets.documents import DocType, render_document
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
