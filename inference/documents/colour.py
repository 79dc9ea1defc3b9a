"""How much colour a document page shows, measured (not learned): the documents of a registration case are
printed in colour (red seals, tinted security backgrounds, coloured forms), and a photocopy or a print of a
black-and-white scan has none left.

The light a photo is taken under tints everything, and more so the brighter it is: the grey of a copy under a
warm lamp is not neutral, and its dark text is less tinted than its paper. So the page's own grey axis is
estimated (a line of chroma against lightness, fitted robustly to the median chroma of each lightness), and
colour is the distance from it: the 99.5th percentile over the page (a seal covers a percent or two of it).
The page is the one :func:`find_page` finds, without its border; the whole image when none is found (a scan).
Written here because no library measures it.
"""

from __future__ import annotations

from types import EllipsisType

import cv2
import numpy as np

from .page import find_page

WORK_SIDE = 512
LIGHTNESS_BINS = 16
MIN_BIN_PIXELS = 20
COLOUR_PERCENTILE = 99.5
# chroma distance (Lab units at the working size) at which colourlessness is 0.5. Held-out photocopies of seeds
# 402/404: median 1.3, a quarter above 7 (a coloured desk where the page is not found); genuine pages of the
# listed types 2.2 and up (registration certificates, the palest), most above 10
COLOUR_SCALE = 2.0


def colour_spread(image: np.ndarray, quad: np.ndarray | None | EllipsisType = ...) -> float:
    """The 99.5th percentile of the page's chroma distance from its own grey axis (Lab units); ``quad``: the
    page's corners in ``image`` pixels (:func:`find_page`'s, None when it found none; found here when not given)."""
    h, w = image.shape[:2]
    k = min(1.0, WORK_SIDE / max(h, w))
    small = cv2.resize(image, (max(1, round(w * k)), max(1, round(h * k))), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (3, 3), 0)  # sensor and JPEG chroma noise, not print
    lab = cv2.cvtColor(small, cv2.COLOR_BGR2LAB).astype(np.float32)
    quad = find_page(image) if quad is ... else quad
    if quad is not None:
        page = cv2.fillConvexPoly(np.zeros(small.shape[:2], np.uint8), np.round(quad * k).astype(np.int32), 1)
        inside = cv2.erode(page, np.ones((7, 7), np.uint8)).astype(bool)  # not the page's edge against the desk
        if inside.sum() < MIN_BIN_PIXELS:
            inside = np.ones(small.shape[:2], bool)
    else:
        inside = np.ones(small.shape[:2], bool)
    lightness = lab[..., 0][inside]
    a, b = lab[..., 1][inside] - 128.0, lab[..., 2][inside] - 128.0
    bins = np.clip((lightness * LIGHTNESS_BINS / 256.0).astype(np.int32), 0, LIGHTNESS_BINS - 1)
    counts = np.bincount(bins, minlength=LIGHTNESS_BINS)
    filled = np.nonzero(counts >= MIN_BIN_PIXELS)[0]
    if len(filled) == 0:
        return 0.0
    centres = (filled + 0.5).astype(np.float64)
    order = np.argsort(bins.astype(np.uint8), kind="stable")  # each bin's pixels one slice (a radix sort)
    starts = np.concatenate([[0], np.cumsum(counts)])

    def axis(chroma: np.ndarray) -> tuple[float, float]:
        ordered = chroma[order]
        medians = [np.median(ordered[starts[i] : starts[i + 1]]) for i in filled]
        return _theil_sen(centres, np.asarray(medians, np.float64))

    axis_a, axis_b = axis(a), axis(b)
    x = bins + 0.5
    distance = np.hypot(a - (axis_a[0] * x + axis_a[1]), b - (axis_b[0] * x + axis_b[1]))
    return float(np.percentile(distance, COLOUR_PERCENTILE))


def _theil_sen(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Slope and intercept of the line through (x, y) by the median of pairwise slopes: the grey axis, which a
    coloured element filling a lightness of its own (a large seal) does not pull towards itself."""
    if len(x) < 2:
        return 0.0, float(y[0])
    i, j = np.triu_indices(len(x), 1)
    slope = float(np.median((y[j] - y[i]) / (x[j] - x[i])))
    return slope, float(np.median(y - slope * x))


def colourlessness(spread: float, scale: float = COLOUR_SCALE) -> float:
    """1 for a page without any colour, falling towards 0 as colour grows (0.5 at ``scale``)."""
    return 1.0 / (1.0 + max(0.0, spread) / scale)
