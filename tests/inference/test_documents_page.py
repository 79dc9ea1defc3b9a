"""Finding the page in a photo: a bright page on a darker desk is found at its corners; a scan filling the frame
and plain images give no page (and no numpy warnings)."""

from __future__ import annotations

import warnings

import cv2
import numpy as np
import pytest

from inference.documents.page import find_page, rectify

CORNERS = np.array([[200, 100], [1000, 130], [980, 820], [180, 790]], np.float32)


def test_a_page_on_a_desk_is_found_and_rectified():
    image = np.full((900, 1200, 3), 45, np.uint8)
    cv2.fillConvexPoly(image, CORNERS.astype(np.int32), (235, 235, 235))
    quad = find_page(image)
    assert quad is not None and np.abs(quad - CORNERS).max() < 8
    page, to_image = rectify(image, quad, 1000)
    assert max(page.shape[:2]) == 1000 and float(page[50:-50, 50:-50].mean()) > 200
    back = cv2.perspectiveTransform(np.array([[[0.0, 0.0]]], np.float32), to_image)[0, 0]
    assert np.abs(back - CORNERS[0]).max() < 8


@pytest.mark.parametrize(
    "image",
    [
        np.full((800, 600, 3), 240, np.uint8),  # a scan: the page is the frame
        np.full((30, 2000, 3), 255, np.uint8),
        np.full((2000, 30, 3), 0, np.uint8),
        np.full((1, 1, 3), 128, np.uint8),
        np.full((5, 7, 3), 255, np.uint8),  # a thumbnail: its whole area is one "page"
    ],
    ids=["scan", "white-strip", "black-strip", "one-pixel", "white-thumbnail"],
)
def test_no_page_in_a_frame_filling_or_plain_image(image):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert find_page(image) is None


@pytest.mark.parametrize(
    ("scale", "long_side"),
    [(1.0, 800), (2.5, 1280), (0.5, 640)],
    ids=["own-size", "capped", "small-page-floor"],
)
def test_the_text_reader_sees_the_page_at_its_own_size(scale, long_side):
    """The reader's page is the found page at its pixels in the photo (long side 800 here), never above
    ``OCR_MAX_SIDE`` and not below ``OCR_MIN_SIDE``; boxes map back onto the photo."""
    from inference.documents.reader import OCR_MAX_SIDE, OCR_MIN_SIDE, text_page

    corners = (CORNERS * scale).astype(np.float32)
    image = np.full((round(900 * scale), round(1200 * scale), 3), 45, np.uint8)
    cv2.fillConvexPoly(image, corners.astype(np.int32), (235, 235, 235))
    page, to_image, found = text_page(image, OCR_MAX_SIDE)
    assert found and OCR_MIN_SIDE <= max(page.shape[:2]) <= OCR_MAX_SIDE
    assert abs(max(page.shape[:2]) - long_side) <= 3
    x1, y1, _, _ = to_image((0.0, 0.0, 1.0, 1.0))
    assert abs(x1 - corners[0, 0]) < 8 * scale and abs(y1 - corners[0, 1]) < 8 * scale
