"""A page photographed sideways or upside down: the turn that makes it upright is found from its text lines, the page
is read turned upright, and its boxes come back in the upload's pixels; an upright page is not turned."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from inference.documents.orientation import box_before_turn, turn_image
from inference.types import Frame
from tests.inference.factory_photos import registration_photo

# the turn (degrees clockwise) that makes upright an upload rotated by each of these
UPRIGHT_TURN = {cv2.ROTATE_90_COUNTERCLOCKWISE: 90, cv2.ROTATE_180: 180, cv2.ROTATE_90_CLOCKWISE: 270}


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
def test_a_box_in_the_turned_image_maps_back_to_the_same_pixels(degrees):
    image = np.zeros((120, 200), np.uint8)
    box = (30, 15, 110, 40)  # x1, y1, x2, y2: pixels 30..109 and 15..39
    image[box[1] : box[3], box[0] : box[2]] = 255
    turned = turn_image(image, degrees)
    ys, xs = np.nonzero(turned)
    found = (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
    assert box_before_turn(found, degrees, image.shape) == box


@pytest.fixture(scope="module")
def reader(engine):
    from inference.documents.reader import DocumentReader

    return DocumentReader(engine)


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return registration_photo(2012)[0]


@pytest.mark.parametrize("rotation", list(UPRIGHT_TURN), ids=["turned-left", "upside-down", "turned-right"])
def test_the_turn_is_found_from_the_lines(reader, photo, rotation):
    for image, want in ((photo, 0), (cv2.rotate(photo, rotation), UPRIGHT_TURN[rotation])):
        page, text, _, _ = reader.ocr_page(Frame(image))
        assert reader.orientation.turn(page, text.lines) == want
        # a printed title read says upright only on a page whose lines run across (a sideways one's is read too)
        assert reader.orientation.turn(page, text.lines, title_read=True) == (want if want in (90, 270) else 0)


def test_a_page_upside_down_its_lines_less_surely_so_is_turned(reader):
    """Upside down, this photo's longest lines are called so at 0.66 on average (from FLIP_SURE, 0.6); upright at
    most 0.51 on 440 dev and fresh pages."""
    image = registration_photo(2008)[0]
    for shown, want in ((image, 0), (cv2.rotate(image, cv2.ROTATE_180), 180)):
        page, text, _, _ = reader.ocr_page(Frame(shown))
        assert reader.orientation.turn(page, text.lines) == want


def test_a_page_with_too_few_lines_is_not_turned(reader):
    """A few words upside down say too little: the page stays as it is."""
    image = np.full((400, 600, 3), 235, np.uint8)
    for k, y in enumerate((120, 220)):
        cv2.putText(image, f"VIN {k} LSVAB4BR0", (60, y), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (20, 20, 20), 3)
    upside_down = cv2.rotate(image, cv2.ROTATE_180)
    page, text, _, _ = reader.ocr_page(Frame(upside_down))
    assert 0 < len(text.lines) < 3
    assert reader.orientation.turn(page, text.lines) == 0


def test_an_upside_down_page_is_read_as_the_upright_one_with_boxes_in_the_upload(reader, photo):
    upright = reader.read(Frame(photo), "upright.jpg")
    assert upright.turned_degrees == 0 and upright.doc.doc_type.value == "registration_certificate"
    h, w = photo.shape[:2]
    for rotation, degrees in UPRIGHT_TURN.items():
        unturned = reader.read(Frame(cv2.rotate(photo, rotation)), "turned.jpg", turn=False)
        turned = reader.read(Frame(cv2.rotate(photo, rotation)), "turned.jpg")
        assert turned.turned_degrees == degrees
        assert turned.doc == upright.doc and "unturned_orientation" in turned.timings_ms
        vin = turned.fields["车辆识别代号"]
        assert vin.text == upright.fields["车辆识别代号"].text and vin.valid
        assert "车辆识别代号" not in unturned.fields or unturned.fields["车辆识别代号"].text != vin.text
        # the VIN's box in the rotated upload is the upright read's box rotated with the photo
        mark = np.zeros((h, w), np.uint8)
        x1, y1, x2, y2 = (round(v) for v in upright.fields["车辆识别代号"].box_xyxy)
        mark[y1:y2, x1:x2] = 1
        ys, xs = np.nonzero(cv2.rotate(mark, rotation))
        assert np.abs(np.subtract(vin.box_xyxy, (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1))).max() < 6
