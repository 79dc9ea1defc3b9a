"""Which way up a page lies in its photo: upright, sideways (a quarter turn either way) or upside down.

A phone photo reaches the service turned when the page lay the other way round on the desk, or when an app dropped
the photo's orientation tag. Turned, a page is mostly taken for another type and its fields are not read (the test
documents each turned one way: 31% of their types and 6% of their fields): its title is not found, and the field
rules look for values beside their labels. The text detector finds the lines of a turned page all the same, and two
things about them say how it is turned:

- **sideways**: most of its lines run down the page instead of across it (a box at least ``LINE_ASPECT`` times
  taller than wide, against one that many times wider than tall; at least ``MIN_LINES`` of them);
- **upside down**: PP-OCR's text direction classifier (``text-cls``, 0 or 180 degrees, the mobile model that ships in
  the rapidocr wheel) calls the page's longest lines upside down. Their mean probability decides: from ``FLIP_SURE``
  for a page whose lines run across (500 upright pages, dev seed 6601 and calibration seed 401: at most 0.50, and
  none with more lines running down than across; 240 dev documents 5410 and 200 fresh 5451: at most 0.46 and 0.51),
  and which way a sideways page turns (one way or the other, so from 0.5).

A page whose lines run across and whose printed title was read is upright, and its lines are not classified.

On 120 dev pages (seed 6602), each turned one way, the turn was found on 115 and none was turned the wrong way; the
other 5 have too few lines found, and stay as uploaded.

The turn is in degrees clockwise that make the upload upright. The line crops are rapidocr's (``get_rotate_crop_image``,
which lays a tall crop on its side counter-clockwise) and so is the classifier's input (``TextClassifier.
resize_norm_img``: height 48, aspect kept, padded to 192).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

import cv2
import numpy as np
from rapidocr.ch_ppocr_cls.main import TextClassifier
from rapidocr.utils.process_img import get_rotate_crop_image

from ..engine import Engine
from ..types import BoxXYXY, TextLine

MODEL = "text-cls"
LINE_ASPECT = 2.0  # a line this many times longer than high runs across (or down) the page
MIN_LINES = 3  # fewer lines running one way say nothing of the page
VOTE_LINES = 8  # the longest lines running the page's way are classified
# mean 180-degree probability of those lines from which a page whose lines run across is turned over. The same pages
# upside down: under 0.7, 11 of the 239 of seed 5410 (3 of them unreadable upright too) and 8 of the 198 of 5451;
# under 0.6, 5 and 1. No upright page of either reaches 0.6
FLIP_SURE = 0.6
_CLS_SHAPE = SimpleNamespace(cls_image_shape=[3, 48, 192])  # the mobile classifier's input (rapidocr's PP-OCRv4 row)
_ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def turn_image(image: np.ndarray, degrees: int) -> np.ndarray:
    """``image`` turned ``degrees`` (0, 90, 180 or 270) clockwise."""
    if degrees == 0:
        return image
    return cv2.rotate(image, _ROTATE[degrees])


def box_before_turn(box: BoxXYXY, degrees: int, shape: tuple[int, ...]) -> BoxXYXY:
    """A box in the image :func:`turn_image` made (turned ``degrees`` clockwise) as a box in the image it turned,
    whose (height, width, ...) is ``shape``."""
    h, w = shape[0], shape[1]
    x1, y1, x2, y2 = box
    if degrees == 90:  # (x, y) went to (h - y, x)
        return (y1, h - x2, y2, h - x1)
    if degrees == 180:
        return (w - x2, h - y2, w - x1, h - y1)
    if degrees == 270:  # (x, y) went to (y, w - x)
        return (w - y2, x1, w - y1, x2)
    return box


class PageOrientation:
    """Stage: a page's detected text lines -> the clockwise turn (degrees) that makes the page upright."""

    def __init__(self, engine: Engine) -> None:
        self.model = engine.load(MODEL)

    def flip_probabilities(self, crops: Sequence[np.ndarray]) -> np.ndarray:
        """The classifier's probability that each line crop (as the recogniser would get it) is upside down."""
        batch = np.stack([TextClassifier.resize_norm_img(_CLS_SHAPE, c) for c in crops]).astype(np.float32)
        probs = self.model.run({self.model.input_names[0]: batch})[0]
        return np.asarray(probs[:, 1], np.float64)

    def turn(self, page: np.ndarray, lines: Sequence[TextLine], title_read: bool = False) -> int:
        """Degrees clockwise (0, 90, 180 or 270) that make ``page`` upright, from its ``lines`` (boxes in its
        pixels); 0 when they do not say. ``title_read``: the reader found the page's printed title among the lines'
        reads; on a page whose lines run across, that says it is upright, and they are not classified (about 10 ms a
        page). A sideways page's title is read too: the recogniser lays a line running down on its side."""
        across, down = [], []
        for line in lines:
            x1, y1, x2, y2 = line.box_xyxy
            w, h = x2 - x1, y2 - y1
            if w >= LINE_ASPECT * h:
                across.append((w, line))
            elif h >= LINE_ASPECT * w:
                down.append((h, line))
        sideways = len(down) > len(across)
        running = down if sideways else across
        if len(running) < MIN_LINES or (title_read and not sideways):
            return 0
        longest = [line for _, line in sorted(running, key=lambda t: -t[0])[:VOTE_LINES]]
        crops = [get_rotate_crop_image(page, np.asarray(line.corners_xy, np.float32)) for line in longest]
        flip = float(self.flip_probabilities(crops).mean())
        if sideways:
            # a line running down the page is laid on its side counter-clockwise: upright when the page's top was
            # at its right (the page needs a quarter turn counter-clockwise), upside down when it was at its left
            return 90 if flip >= 0.5 else 270
        return 180 if flip >= FLIP_SURE else 0
