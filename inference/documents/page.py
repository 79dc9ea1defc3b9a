"""Finding the document page in a photo and rectifying it, so the text reader sees an upright page with
text of a readable size (a page photographed from afar on a desk has text a few pixels high).

The page is the largest bright quadrilateral: paper against a darker background (Otsu threshold on a small
copy, then the outer contour of a bright region approximated by four corners; an island of paper in a dark folder
counts as a region of its own), with paper inside and background outside along each of its sides. When no bright
region is a page (a lit desk as bright as the paper in places joins it into one region; paper in shade is less than
``MIN_CONTRAST`` brighter than the whole background), the page's outline is looked for among the edges (Canny),
with the same test of its sides. Scans and photos where the page fills the frame give no quadrilateral and are read
as they are."""

from __future__ import annotations

import cv2
import numpy as np

WORK_SIDE = 640
# A bright region's mean over the mean of the rest of the image, grey levels. Not made redundant by the side test:
# without it, 55 of the 6680 generated images (all splits) get their page from a bright region instead of its
# outline, 2 of them more than 3% of the image side off their labelled corners (none with it).
MIN_CONTRAST = 40
# A page's sides: the paper in a band 2 to SIDE_BAND pixels (of the small copy) inside each side is SIDE_CONTRAST
# grey levels brighter (medians) than the band outside it, on every side; a region or outline closed across the paper
# by a printed line, or by desk as light as the paper, is not a page, nor one running out of the frame. The outline
# search: Canny (EDGE_CANNY) on the small copy blurred by EDGE_SIGMA, its edges thickened by 3 pixels so an outline
# broken by noise closes.
# Genuine photos with the page in view, dev seeds 6601 and 5174: pages found at the right corners (within 3% of the
# image side) 206 -> 265 of 270, at wrong ones 6 -> 0; every screen of seed 5174 at its picture's corners (one was
# off). The copy sheet of 11 of 62 photocopies (seeds 5174, 402) is not found any more: a side of it lies on desk
# as light as the sheet. Canny (20, 60): 263 of 270; SIDE_CONTRAST 10: one page at wrong corners, 30: 260 of 270.
EDGE_SIGMA = 2.0
EDGE_CANNY = (10, 30)
SIDE_BAND = 8
SIDE_CONTRAST = 20
EDGE_OUTLINES = 10  # the largest closed outlines looked at


def order_corners(pts: np.ndarray) -> np.ndarray:
    """Four points clockwise from top-left."""
    pts = np.asarray(pts, np.float32).reshape(4, 2)
    s, d = pts.sum(1), np.diff(pts, axis=1).ravel()
    return np.asarray([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], np.float32)


def find_page(image: np.ndarray, min_area: float = 0.12, max_area: float = 0.85) -> np.ndarray | None:
    """Corners (4x2, clockwise from top-left, image pixels) of the page, or None when the page fills the
    frame or no clear quadrilateral is found. The largest bright region is taken when it is a page; when it is not
    (a page on a dark folder lying on a lighter desk: the desk is the largest bright region, the page is an island
    in the folder), the next largest that is. When no bright region is a page, the page's outline among the edges
    (:func:`_edge_page`)."""
    h, w = image.shape[:2]
    k = min(1.0, WORK_SIDE / max(h, w))
    small = cv2.resize(image, (max(1, round(w * k)), max(1, round(h * k))), interpolation=cv2.INTER_AREA)
    grey = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (5, 5), 0)
    _, mask = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    # two levels: the outer boundaries of the bright regions (islands in a dark hole included) and their holes
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outer = [c for c, link in zip(contours, hierarchy[0], strict=True) if link[3] < 0]
    regions = sorted(((cv2.contourArea(c) / mask.size, c) for c in outer), key=lambda region: region[0])
    for area, c in reversed(regions):
        if area < min_area:
            break
        quad = _page_quad(c, grey, k) if area <= max_area else None  # larger: the page fills the frame
        if quad is not None:
            return quad
    return _edge_page(grey, k, min_area, max_area)


def _edge_page(grey: np.ndarray, k: float, min_area: float, max_area: float) -> np.ndarray | None:
    """The page's corners in image pixels from the closed outlines among the edges of ``grey`` (the image scaled by
    ``k``), the largest first, or None: an outline of four corners within the area bounds with paper inside and
    background outside along each side (:func:`_side_contrast`)."""
    edges = cv2.Canny(cv2.GaussianBlur(grey, (0, 0), EDGE_SIGMA), *EDGE_CANNY)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    outlines = sorted(((cv2.contourArea(c) / edges.size, c) for c in contours), key=lambda o: o[0], reverse=True)
    for area, c in outlines[:EDGE_OUTLINES]:
        if not min_area <= area <= max_area:
            continue
        quad = _four_corners(c, k)
        if quad is not None and _side_contrast(grey, quad, k) >= SIDE_CONTRAST:
            return quad
    return None


def _four_corners(contour: np.ndarray, k: float) -> np.ndarray | None:
    """``contour`` (on the image scaled by ``k``) approximated by four corners in image pixels, clockwise from
    top-left, or None when it has not four or is not convex."""
    approx = cv2.approxPolyDP(contour, 0.02 * cv2.arcLength(contour, True), True)
    if len(approx) != 4 or not cv2.isContourConvex(approx):
        return None
    return order_corners(approx.reshape(4, 2).astype(np.float32) / k)


def _page_quad(contour: np.ndarray, grey: np.ndarray, k: float) -> np.ndarray | None:
    """The bright region ``contour`` (on ``grey``, the image scaled by ``k``) as a page's corners in image pixels,
    or None when it has not four corners, is not clearly brighter than the rest of the image, or has a side without
    paper inside and background outside it (:func:`_side_contrast`)."""
    quad = _four_corners(contour, k)
    if quad is None:
        return None
    # the paper must be clearly brighter than what surrounds it
    inside = cv2.fillConvexPoly(np.zeros(grey.shape, np.uint8), np.round(quad * k).astype(np.int32), 1).astype(bool)
    if inside.all() or not inside.any() or grey[inside].mean() - grey[~inside].mean() < MIN_CONTRAST:
        return None
    return quad if _side_contrast(grey, quad, k) >= SIDE_CONTRAST else None


def _side_contrast(grey: np.ndarray, quad: np.ndarray, k: float) -> float:
    """How much brighter (grey levels) the paper just inside the page ``quad`` (image pixels) is than what lies
    just outside it, on the side where it is least (medians over each side of ``grey``, the image scaled by ``k``,
    from 2 to ``SIDE_BAND`` pixels either way): an outline closed by a line printed on the page has paper on both
    sides of that line. -inf when half a side's band lies out of the image: a page running out of the frame is not
    found whole (the reader then checks its text for lines cut by the border)."""
    h, w = grey.shape[:2]
    pts = quad.astype(np.float64) * k
    centre = pts.mean(axis=0)
    t = np.linspace(0.1, 0.9, 24)[:, None]
    d = np.arange(2, SIDE_BAND + 1, dtype=np.float64)[None, :, None]
    least = float("inf")
    for a, b in zip(pts, np.roll(pts, -1, axis=0), strict=True):
        along = a + t * (b - a)
        normal = np.array([b[1] - a[1], a[0] - b[0]]) / max(float(np.linalg.norm(b - a)), 1e-6)
        if np.dot(normal, (a + b) / 2 - centre) < 0:
            normal = -normal  # pointing out of the page
        sides = []
        for sign in (-1.0, 1.0):
            xy = np.rint(along[:, None, :] + sign * d * normal).reshape(-1, 2).astype(np.int64)
            keep = (xy[:, 0] >= 0) & (xy[:, 0] < w) & (xy[:, 1] >= 0) & (xy[:, 1] < h)
            if keep.mean() < 0.5:
                return float("-inf")
            sides.append(float(np.median(grey[xy[keep, 1], xy[keep, 0]])))
        least = min(least, sides[0] - sides[1])
    return least


def quad_size(quad: np.ndarray) -> tuple[float, float]:
    """(width, height) of the page ``quad`` (tl, tr, br, bl) in image pixels: its longer opposite sides."""
    tl, tr, br, bl = quad
    width = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    height = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    return float(width), float(height)


def rectify(image: np.ndarray, quad: np.ndarray, long_side: int = 1400) -> tuple[np.ndarray, np.ndarray]:
    """The page warped upright to ``long_side`` on its longer side, and the 3x3 map page -> image pixels."""
    width, height = quad_size(quad)
    s = long_side / max(width, height, 1.0)
    out_w, out_h = max(1, round(width * s)), max(1, round(height * s))
    dst = np.asarray([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]], np.float32)
    m = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    page = cv2.warpPerspective(image, m, (out_w, out_h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    return page, np.linalg.inv(m)


def map_box(box: tuple[float, float, float, float], page_to_image: np.ndarray) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = box
    pts = np.asarray([[[x1, y1], [x2, y1], [x2, y2], [x1, y2]]], np.float32)
    out = cv2.perspectiveTransform(pts, page_to_image)[0]
    return (float(out[:, 0].min()), float(out[:, 1].min()), float(out[:, 0].max()), float(out[:, 1].max()))


# A seal's red: OpenCV hue (0-180) within 10 of red, saturated, not dark (black text under the seal stays dark)
_SEAL_HUE = 10
_SEAL_MIN_SATURATION = 60
_SEAL_MIN_VALUE = 80
# A page whose paper's strongest channel is 15% over its weakest is tinted (40 of 240 dev pages of seeds 5150
# and 401): its paper is made grey first and, inside its seals, paler red is taken for ink too (thin strokes,
# faint impressions; black text stays below it). Dev fields on readable pages 2293 -> 2295 of 2344 (three
# invoices' 不含税价 under a seal read, one amount in words and one rate lost). Applied to every page it changed
# 145 pages' text for 2294 (the paler ink or the tinted fill alone: 2290, 2288), so white pages keep the rule.
_SEAL_INK_SATURATION = 35
_TINTED_GAIN = 1.15
# a seal is a blob of red between these shares of the page's long side (a 发票专用章 is about a sixth of an
# invoice's width); red print (an invoice number) is smaller, a page tinted red by the light is larger
_SEAL_SIDES = (0.08, 0.3)


def _paper_gains(page: np.ndarray) -> np.ndarray:
    """Per-channel gains (1 to 2) that make the page's paper grey: under warm light the paper itself passes for a
    seal's red, the page is one red blob too large to be a seal and a seal on it is left. The paper is the
    brighter half of the pixels of a page an eighth the size."""
    rows, cols = page.shape[:2]
    small = cv2.resize(page, (max(1, cols // 8), max(1, rows // 8)), interpolation=cv2.INTER_NEAREST)
    sample = small.reshape(-1, 3).astype(np.float32)
    level = sample.sum(axis=1)
    paper = sample[level >= np.median(level)].mean(axis=0)
    return np.clip(paper.max() / np.maximum(paper, 1.0), 1.0, 2.0).astype(np.float32)


def without_seals(page: np.ndarray) -> np.ndarray:
    """The page with its red seals faded to the paper, for the text reader: a seal stamped over a printed value
    (the invoice's 不含税价 row) hides it from the detector and garbles its characters. Red pixels inside
    seal-sized red blobs get their red channel in all three channels, which is light for red ink on paper and
    stays dark for black text under the seal. Smaller red print and larger red areas are left as they are.
    A page whose paper is tinted (warm light) is made grey first; its seal's ink, paler red included, then
    takes the paper's tint. Hand-written from OpenCV operations: the choice of what is a seal is ours."""
    if page.ndim != 3 or page.shape[2] != 3:
        return page
    gains = _paper_gains(page)
    tinted = float(gains.max()) >= _TINTED_GAIN
    balanced, ink_saturation = page, _SEAL_MIN_SATURATION
    if tinted:
        table = np.clip(np.arange(256, dtype=np.float32)[:, None] * gains[None, :], 0, 255).astype(np.uint8)
        balanced, ink_saturation = cv2.LUT(page, table.reshape(256, 1, 3)), _SEAL_INK_SATURATION
    else:
        gains = np.ones(3, np.float32)
    h, s, v = cv2.split(cv2.cvtColor(balanced, cv2.COLOR_BGR2HSV))
    reddish = ((h <= _SEAL_HUE) | (h >= 180 - _SEAL_HUE)) & (v >= _SEAL_MIN_VALUE)
    red = reddish & (s >= _SEAL_MIN_SATURATION)
    if not red.any():
        return page
    # the blobs are found on a mask a quarter the size (a pixel red where any of its 4x4 is): the closing and the
    # connected components take a sixteenth of the time (about 25 ms on a full 1280-pixel page)
    rows, cols = red.shape
    area = cv2.resize(red.astype(np.uint8) * 255, (-(-cols // 4), -(-rows // 4)), interpolation=cv2.INTER_AREA)
    small = (area > 0).astype(np.uint8)
    side = max(small.shape)
    k = max(3, side // 80) | 1  # joins a seal's ring, star and characters into one blob
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(closed)
    widths, heights = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    short, long = np.minimum(widths, heights), np.maximum(widths, heights)
    is_seal = (short >= _SEAL_SIDES[0] * side) & (long <= _SEAL_SIDES[1] * side)
    is_seal[0] = False  # the background
    if not is_seal.any():
        return page
    seal_area = cv2.resize(is_seal[labels].astype(np.uint8), (cols, rows), interpolation=cv2.INTER_NEAREST) > 0
    mask = reddish & (s >= ink_saturation) & seal_area
    out = page.copy()
    # the (grey-paper) page's red level in all three channels, tinted back like the paper round it
    level = balanced[:, :, 2][mask].astype(np.float32)
    out[mask] = np.clip(level[:, None] / gains[None, :], 0, 255).astype(np.uint8)
    return out
