"""A value the text detector missed, read from its cell: the band right of its label.

The detector finds text by its extent; a lone digit in a wide cell (the invoice's 限乘人数, the certificate's
额定载客) is often too small a blob for it and is lost, while its label two cells left is read. For the fields whose
rule names a ``cell`` pattern, a label read with no value next to it sends the band right of the label, along the
page's rows, to the recogniser: the table's rules are wiped from the band (long straight runs of ink), the first
cluster of ink from the left is cropped, and its read is kept only when it matches the pattern whole. The read comes
back as a text line, so the field rules place it as they place any other. Written here because the detector is the
PP-OCR model and has no such mode; opencv does the warping and the labelling.

The same band tells a printed value erased: a field every document prints (``FieldRule.printed``), its label read as
printed and no value found, with no character-sized ink in its cell (``blank_cell``: the band up to the next label on
the row and its first cell between the table's rules), unless glare burnt the cell out.
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
# label heights: the narrowest stretch before the band's first rule judged as the value's cell. The stretch between a
# label and its own cell's rule is narrower (at 1.5 a genuine policy's was judged; at 3 and at 4, 81 and 79 of the 153
# inpainted pages of the dev and calibration forgeries find a blank field, none of the 1053 readable genuine pages)
CELL_MIN_WIDTH = 3.0
CELL_RULE_MARGIN = 3  # pixels of a cell next to its rules not judged (a rule's blurred edge)
# judged blank: ink is at least this share of the label's own depth, so that an ID card's or a 行驶证's faint background
# pattern is paper (the same pages: 66 inpainted pages with no such floor, 81 at 0.15, 82 at 0.25)
CELL_INK_OF_LABEL = 0.2

Recognise = Callable[[Sequence[np.ndarray]], list[TextRead]]


def _depth(image: np.ndarray, label_h: float) -> np.ndarray:
    """How much darker each pixel of ``image`` (BGR) is than the paper round it (grey levels)."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    k = max(3, int(round(label_h)) | 1)
    return cv2.morphologyEx(grey, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8)).astype(np.int16) - grey


def _ink_and_rules(band: np.ndarray, label_h: float, least: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Ink pixels of a band (BGR), the table's rules wiped: darker than the paper round them by a share of the band's
    strongest ink (faint prints too) and by ``least``, less the straight runs longer than a character (the cell's
    borders); and the vertical rules' pixels."""
    depth = _depth(band, label_h)
    strongest = float(np.percentile(depth, 99.5))
    ink = (depth > max(8.0, 0.4 * strongest, least)).astype(np.uint8)
    h, w = ink.shape
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((max(3, int(0.6 * h)), 1), np.uint8))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, max(3, int(2 * label_h))), np.uint8))
    ink[cv2.dilate(vertical | horizontal, np.ones((3, 5), np.uint8)) > 0] = 0
    return ink, vertical


def _ink(band: np.ndarray, label_h: float) -> np.ndarray:
    return _ink_and_rules(band, label_h)[0]


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


def _levelled(
    page: np.ndarray, origin: tuple[float, float], size: tuple[int, int], angle: float, on_page: bool
) -> np.ndarray | None:
    """The ``size`` (width, height) rectangle at ``origin`` of the levelled frame (the page turned by ``-angle``) cut
    from ``page``; None with ``on_page`` when it runs off the page."""
    (x1, y1), (width, height) = origin, size
    levelled = np.asarray([[x1, y1], [x1 + width, y1], [x1 + width, y1 + height], [x1, y1 + height]], np.float64)
    corners = rotate_points(levelled, angle).astype(np.float32)  # the levelled frame back to the page
    ph, pw = page.shape[:2]
    if on_page and (corners.min() < 0 or corners[:, 0].max() > pw or corners[:, 1].max() > ph):
        return None
    upright = np.asarray([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    to_cut = cv2.getPerspectiveTransform(corners, upright)
    return cv2.warpPerspective(page, to_cut, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


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
    size = round((CELL_REACH - 0.1) * h), round((1 + CELL_ABOVE + CELL_BELOW) * h)
    band = _levelled(page, (bx1, by1), size, request.angle, on_page)
    return None if band is None else (band, h, (bx1, by1))


def _label_depth(page: np.ndarray, request: CellRequest) -> float:
    """How dark the label's own print is against its paper (the 99.5th percentile of :func:`_depth` in its box)."""
    x1, y1, x2, y2 = request.label_box
    cut = _levelled(page, (x1, y1), (max(1, round(x2 - x1)), max(1, round(y2 - y1))), request.angle, False)
    return float(np.percentile(_depth(cut, y2 - y1), 99.5)) if cut is not None else 0.0


def _value_cell(vertical: np.ndarray, label_h: float) -> tuple[int, int] | None:
    """The columns of a band where its value is printed, from its vertical rules: the stretch before the first rule
    when it is at least ``CELL_MIN_WIDTH`` label heights wide (a value in its label's cell, or a band with no rule),
    else the table's next cell, between the first rule and the second (or the band's end), when it is at least a label
    height wide. None otherwise."""
    columns = np.flatnonzero(vertical.any(axis=0)).tolist()
    first = columns[0] if columns else vertical.shape[1]
    if first >= CELL_MIN_WIDTH * label_h:
        return 0, first
    if not columns:
        return None
    ruled, end = set(columns), first
    while end + 1 in ruled:  # the first rule's columns
        end += 1
    right = next((c for c in columns if c > end), vertical.shape[1])
    return (end + 1, right) if right - end - 1 >= label_h else None


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
    """Whether the value's cell right of ``request``'s label holds no character-sized ink: a printed value erased.
    The cell is the band up to the next label on the row (``request.end``), then the first stretch between the band's
    vertical rules wide enough for a value (:func:`_value_cell`); the next cell's print is not this value. Ink there
    is as dark as a share of the label's own print (``CELL_INK_OF_LABEL``), so a card's faint background pattern is
    paper. False when the cell cannot be looked at (a label too small, a band off the page, no stretch wide enough) or
    lies under glare (``CELL_GLARE_SHARE``; ``page_burnt``: the page's :func:`burnt_share`, measured here when not
    given)."""
    cut = _band(page, request, on_page=True)
    if cut is None:
        return False
    band, h, (bx1, _) = cut
    if request.end is not None:
        band = band[:, : max(0, int(request.end - bx1))]  # up to the next label on the row
    if band.shape[1] < CELL_MIN_WIDTH * h:
        return False
    cell = _value_cell(_ink_and_rules(band, h)[1], h)
    if cell is None:
        return False
    band = band[:, cell[0] + CELL_RULE_MARGIN : cell[1] - CELL_RULE_MARGIN]  # a rule's blurred edge is no ink
    burnt = burnt_share(band)
    page_share = burnt_share(page) if page_burnt is None else page_burnt
    if burnt >= CELL_GLARE_SHARE and burnt >= page_share + CELL_GLARE_OVER:
        return False
    return _first_value(_ink_and_rules(band, h, CELL_INK_OF_LABEL * _label_depth(page, request))[0], h) is None
