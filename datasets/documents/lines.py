"""Text-line crops of captured documents with their printed text: what the document recogniser is tuned on.

Each document is rendered, captured (photo or scan, then JPEG as an upload is) and every string printed on
it (labels, titles, values; a wrapped value line by line) is cut out of the capture along its box mapped
through the capture's homography, with a margin like the text detector's, by rapidocr's own rotated-crop
routine, the one the reader uses on detected lines. A crop is deterministic in (seed, document index).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
from rapidocr.utils.process_img import get_rotate_crop_image

from . import random_doc_type, random_page, render_document
from .capture import apply_capture, plan_capture


@dataclass(frozen=True, slots=True)
class LineCrop:
    image: np.ndarray  # BGR uint8, one text line
    text: str
    doc_type: str


def document_lines(seed: int, index: int, scan_fraction: float = 0.3) -> list[LineCrop]:
    """The printed lines of document ``index`` of the set ``seed``."""
    rng = np.random.default_rng([seed, index])
    doc_type = random_doc_type(rng)
    doc = render_document(rng, doc_type, random_page(rng, doc_type))
    h, w = doc.image.shape[:2]
    plan = plan_capture(rng, (w, h), "scan" if rng.random() < scan_fraction else "photo")
    image, h_mat = apply_capture(plan, doc.image)
    quality = int(rng.integers(80, 96))
    image = cv2.imdecode(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1], cv2.IMREAD_COLOR)
    out = []
    ih, iw = image.shape[:2]
    for box in doc.printed:
        text = box.text.strip()
        if not text:
            continue
        x1, y1, x2, y2 = box.box_xyxy
        bh = y2 - y1
        px, py = rng.uniform(0.1, 0.6) * bh, rng.uniform(0.1, 0.4) * bh
        rect = np.asarray(
            [[[x1 - px, y1 - py], [x2 + px, y1 - py], [x2 + px, y2 + py], [x1 - px, y2 + py]]], np.float32
        )
        quad = cv2.perspectiveTransform(rect, h_mat)[0]
        if quad.min() < 0 or quad[:, 0].max() >= iw or quad[:, 1].max() >= ih:
            continue  # the value is cut by the photo's border
        crop = get_rotate_crop_image(image, quad)
        if min(crop.shape[:2]) >= 4:
            out.append(LineCrop(crop, text, doc.doc_type.value))
    return out


def line_crops(seed: int, n_docs: int, scan_fraction: float = 0.3) -> Iterator[LineCrop]:
    for index in range(n_docs):
        yield from document_lines(seed, index, scan_fraction)
