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
