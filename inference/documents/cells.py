"""A value the text detector missed, read from its cell: the band right of its label.

The detector finds text by its extent; a lone digit in a wide cell (the invoice's 限乘人数, the certificate's
额定载客) is often too small a blob for it and is lost, while its label two cells left is read. For the fields whose
rule names a ``cell`` pattern, a label read with no value next to it sends the band right of the label, along the
page's rows, to the recogniser: the table's rules are wiped from the band (long straight runs of ink), the first
cluster of ink from the left is cropped, and its read is kept only when it matches the pattern whole. The read comes
back as a text line, so the field rules place it as they place any other. Written here because the detector is the
PP-OCR model and has no such mode; opencv does the warping and the labelling.

The same band tells a printed value erased: a field every document prints (``FieldRule.printed``), its label read as
printed and no value found, with no character-sized ink in the band (``blank_cell``), unless glare burnt the band out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import cv2
import numpy as np

from ..ops.geometry import box_of_points
from ..types import TextLine, TextRead
from .fields import CellRequest, normalise, rotate_points

CELL_REACH = 8.0  # label heights right of the label that are searched for the value
CELL_ABOVE, CELL_BELOW = 0.4, 0.2  # label heights the band reaches above and below the label (values sit high)
CELL_GAP = 1.2  # ink closer than this (label heights) is one value
CELL_MIN_INK_H = 0.25  # a character is at least this share of the label's height
CELL_MIN_CONFIDENCE = 0.5
# a band burnt out to white (grey levels from CELL_BURNT) over this share of it, and over the page's own share by
# CELL_GLARE_OVER, lies under glare, which wipes a value out as an eraser does: not judged blank (dev pages with an
# erased value: at most 0.21, their pages 0.08-0.21; a glare spot over a genuine invoice's value: 0.81)
CELL_BURNT, CELL_GLARE_SHARE, CELL_GLARE_OVER = 250, 0.5, 0.3

Recognise = Callable[[Sequence[np.ndarray]], list[TextRead]]


def _ink(band: np.ndarray, label_h: float) -> np.ndarray:
    """Ink pixels of a band (BGR), the table's rules wiped: darker than the paper round them by a share of the band's
    strongest ink (faint prints too), less the straight runs longer than a character (the cell's borders)."""
    grey = cv2.cvtColor(band, cv2.COLOR_BGR2GRAY)
    k = max(3, int(round(label_h)) | 1)
    depth = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8)).astype(np.int16) - grey
    strongest = float(np.percentile(depth, 99.5))
    ink = (depth > max(8.0, 0.4 * strongest)).astype(np.uint8)
    h, w = ink.shape
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((max(3, int(0.6 * h)), 1), np.uint8))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, max(3, int(2 * label_h))), np.uint8))
    ink[cv2.dilate(vertical | horizontal, np.ones((3, 5), np.uint8)) > 0] = 0
    return ink


def _first_value(ink: np.ndarray, label_h: float) -> tuple[int, int, int, int] | None:
    """The box (x1, y1, x2, y2) of the first cluster of character-sized ink from the left, or None."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    h = ink.shape[0]
    parts = sorted(
        (int(x), int(y), int(x + cw), int(y + ch))
        for x, y, cw, ch, area in stats[1:n]
        if area >= 6 and CELL_MIN_INK_H * label_h <= ch < 0.95 * h
    )
    if not parts:
        return None
    x1, y1, x2, y2 = parts[0]
    for px1, py1, px2, py2 in parts[1:]:
        if px1 - x2 >= CELL_GAP * label_h:
            break
        y1, x2, y2 = min(y1, py1), max(x2, px2), max(y2, py2)
    return x1, y1, x2, y2


def _band(
    page: np.ndarray, request: CellRequest, on_page: bool = False
) -> tuple[np.ndarray, float, tuple[float, float]] | None:
    """The band right of ``request``'s label on ``page``, level (whole pixels wide and high: its pixels are the
    levelled frame's, shifted), the label's height and the band's origin in the levelled frame; None for a label
    too small, or with ``on_page`` a band that runs off the page (its border, replicated, is no paper to judge)."""
    x1, y1, x2, y2 = request.label_box
    h = y2 - y1
    if h < 4:
        return None
    bx1, by1 = x2 + 0.1 * h, y1 - CELL_ABOVE * h
    width, height = round((CELL_REACH - 0.1) * h), round((1 + CELL_ABOVE + CELL_BELOW) * h)
    bx2, by2 = bx1 + width, by1 + height
    levelled = np.asarray([[bx1, by1], [bx2, by1], [bx2, by2], [bx1, by2]], np.float64)
    corners = rotate_points(levelled, request.angle).astype(np.float32)  # the levelled frame back to the page
    ph, pw = page.shape[:2]
    if on_page and (corners.min() < 0 or corners[:, 0].max() > pw or corners[:, 1].max() > ph):
        return None
    upright = np.asarray([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    to_band = cv2.getPerspectiveTransform(corners, upright)
    band = cv2.warpPerspective(page, to_band, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return band, h, (bx1, by1)


def read_cell(page: np.ndarray, request: CellRequest, recognise: Recognise) -> TextLine | None:
    """The value right of ``request``'s label on ``page`` (the image the text lines were read on), as a text line in
    its pixels, or None when no ink there reads as the pattern."""
    cut = _band(page, request) if request.pattern is not None else None
    if cut is None:
        return None
    band, h, (bx1, by1) = cut
    height, width = band.shape[:2]
    found = _first_value(_ink(band, h), h)
    if found is None:
        return None
    vx1, vy1, vx2, vy2 = found
    pad = max(2, round(0.3 * (vy2 - vy1)))
    cx1, cy1, cx2, cy2 = max(0, vx1 - pad), max(0, vy1 - pad), min(width, vx2 + pad), min(height, vy2 + pad)
    read = recognise([band[cy1:cy2, cx1:cx2]])[0]
    if read.confidence < CELL_MIN_CONFIDENCE or not re.fullmatch(request.pattern, normalise(read.text)):
        return None
    quad = np.asarray([[cx1, cy1], [cx2, cy1], [cx2, cy2], [cx1, cy2]], np.float64) + (bx1, by1)
    on_page = rotate_points(quad, request.angle)
    return TextLine(
        box_xyxy=box_of_points(on_page),
        corners_xy=tuple((float(x), float(y)) for x, y in on_page),  # type: ignore[arg-type]
        det_score=0.0,  # read from its cell, not detected
        read=read,
    )


def burnt_share(image: np.ndarray) -> float:
    """The share of an image (BGR) burnt out to white (``CELL_BURNT``)."""
    return float(np.mean(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) >= CELL_BURNT))


def blank_cell(page: np.ndarray, request: CellRequest, page_burnt: float | None = None) -> bool:
    """Whether the band right of ``request``'s label holds no character-sized ink (the table's rules wiped, as for a
    read): a printed value erased. False when the band cannot be looked at (a label too small, off the page) or lies
    under glare (``CELL_GLARE_SHARE``; ``page_burnt``: the page's :func:`burnt_share`, measured here when not
    given)."""
    cut = _band(page, request, on_page=True)
    if cut is None:
        return False
    band, h, _ = cut
    burnt = burnt_share(band)
    page_share = burnt_share(page) if page_burnt is None else page_burnt
    if burnt >= CELL_GLARE_SHARE and burnt >= page_share + CELL_GLARE_OVER:
        return False
    return _first_value(_ink(band, h), h) is None
