"""Pixel forensics of an uploaded page: edits that left no sensor noise, and regions copied within the page.

A camera or a scanner lays a noise field over every pixel it records. An edit made to the upload afterwards
breaks that field in two ways this module measures directly, at the upload's own pixels (any resize would
erase both):

- **noise voids**: inpainting, a clone/heal brush and text typed on top leave pixels with (almost) no noise
  where the rest of the paper has it. The noise residual is Immerkaer's 3x3 operator (zero on planes and
  ramps, so paper shading does not count); its local energy below a small share of the page's median energy
  marks a void; voids closer than a stroke gap are one region.
- **duplicated regions**: a region copied from elsewhere in the page (copy-move) carries its noise along, so
  its 8x8 windows are byte-identical to those at its source, all at one displacement; two captured regions
  never are. Windows are compared by a hash; only textured windows (ink) count, and to keep the sort small
  only windows whose hash falls in one residue class are kept (equal windows share their hash, so a copied
  region keeps the same share of its windows).

Both need the recorded noise, and neither judges a page without it (the learned patch model still looks at
it): a page with little noise (denoised, smoothed), voids over much of the page (a camera's own denoising of
plain areas), or voids in the interiors of one 8x8 grid (block compression flattens plain paper in whole
blocks). Heavy compression also makes equal windows of its own, so copies are looked for only on pages whose
noise is judged, and never at shifts of whole 8x8 blocks. The paper tones judged and the limits were set on
training pages and checked on the real-dev photos, none of which reaches the tamper threshold. Written here
because no library of the stack does this analysis; opencv does the filtering and labelling.
"""

from __future__ import annotations

import time

import cv2
import numpy as np

from .types import ForensicRegion, Forensics

NOISE_KERNEL = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32) / 6.0
VOID_SHARE = 0.12  # a void's local noise energy is below this share of the page's median
VOID_WINDOW = 5
JUDGED_GREY = (60, 250)  # paper, not ink: a camera's dark tones carry less noise, near white it is clipped
MARGIN = 4  # px at the image border: the filters see a reflected neighbourhood there
VOID_GAP = (41, 11)  # voids closer than this (x, y px) are one region: the strokes of one erased line
VOID_DOMINANCE = 0.5  # an edit is one region; voids spread over the page mean its noise was flattened
VOID_SCALE = 10.0  # void pixels at which the void score is 0.5
MIN_SIGMA = 0.6  # grey levels: a page with less noise than this (denoised, smoothed) has nothing to judge
VOID_MAX_SHARE = 0.03  # voids over more of the page than this: the page was denoised, not edited
GRID_SHARE = 0.40  # voids this concentrated in the interiors of one 8x8 grid: the page was block-compressed
GRID_MIN_PX = 150  # fewer void pixels than this say nothing about a grid
DUP_WINDOW = 8
DUP_MIN_STD = 4.0  # grey levels: a window with ink, not plain paper
DUP_MIN_SHIFT = 8  # a copy further than its own window
DUP_SAMPLE = 4  # windows kept: hash % DUP_SAMPLE == 0 (a power of two: the remainder is a mask)
DUP_SCALE = 2.0  # duplicated windows (kept) at which the duplicate score is 0.5
DUP_MAX_SHARE = 0.10  # a copy spans less of the page than this; equal windows all over it are not one copy
MAX_PIXELS = 9_000_000  # an A4 page scanned at 300 dpi; larger pages are not analysed

_P1 = np.uint64(0x9E3779B97F4A7C15)
_P2 = np.uint64(0xC2B2AE3D27D4EB4F)


def _grey(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def noise_residual(grey: np.ndarray) -> np.ndarray:
    """Immerkaer's residual: the sensor noise plus edges; its std is the noise sigma on flat paper."""
    return cv2.filter2D(grey.astype(np.float32), cv2.CV_32F, NOISE_KERNEL, borderType=cv2.BORDER_REFLECT)


def _grid_share(mask: np.ndarray) -> float:
    """The largest share of ``mask`` pixels inside the 4x4 interiors of the blocks of one 8x8 grid offset."""
    ys, xs = np.nonzero(mask)
    hist = np.zeros((8, 8), np.float64)
    np.add.at(hist, (ys % 8, xs % 8), 1.0)
    tiled = np.tile(hist, (2, 2))
    best = max(tiled[a : a + 4, b : b + 4].sum() for a in range(8) for b in range(8))
    return float(best / max(1, len(xs)))


def noise_voids(grey: np.ndarray) -> tuple[int, tuple[ForensicRegion, ...], float, bool]:
    """(void pixels of the largest void region, void regions largest first, the page's noise sigma, whether
    the check applies). Only paper tones are judged (``JUDGED_GREY``)."""
    r = noise_residual(grey)
    energy = cv2.boxFilter(r * r, -1, (VOID_WINDOW, VOID_WINDOW))
    judged = ((grey > JUDGED_GREY[0]) & (grey < JUDGED_GREY[1])).astype(np.uint8)
    judged = cv2.erode(judged, np.ones((VOID_WINDOW, VOID_WINDOW), np.uint8)) > 0
    judged[:MARGIN], judged[-MARGIN:], judged[:, :MARGIN], judged[:, -MARGIN:] = False, False, False, False
    if judged.sum() < 1000:
        return 0, (), 0.0, False
    level = float(np.median(energy[judged]))
    sigma = float(np.sqrt(max(level, 0.0)))
    if sigma < MIN_SIGMA:  # noise-free, denoised or smoothed: nothing to compare with
        return 0, (), sigma, False
    void = ((energy < VOID_SHARE * level) & judged).astype(np.uint8)
    void = cv2.morphologyEx(void, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    n_void = int(void.sum())
    if n_void == 0:
        return 0, (), sigma, True
    if n_void > VOID_MAX_SHARE * judged.sum():
        return 0, (), sigma, False
    if n_void >= GRID_MIN_PX and _grid_share(void) >= GRID_SHARE:
        return 0, (), sigma, False
    grown = cv2.dilate(void, np.ones(VOID_GAP[::-1], np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
    counts = np.bincount(labels[void > 0], minlength=n)
    regions = []
    for k in np.argsort(counts[1:])[::-1][:4] + 1:
        if counts[k] == 0:
            break
        x, y, w, h = (int(v) for v in stats[k, :4])
        regions.append(ForensicRegion("noise_void", (float(x), float(y), float(x + w), float(y + h)), int(counts[k])))
    if n_void >= GRID_MIN_PX and regions[0].size < VOID_DOMINANCE * n_void:
        return 0, (), sigma, False
    return regions[0].size, tuple(regions), sigma, True


def _window_hashes(grey: np.ndarray, win: int) -> np.ndarray:
    """A 64-bit hash of every ``win`` x ``win`` window (top-left indexed), by two polynomial passes."""
    h, w = grey.shape
    g = grey.astype(np.uint64)
    with np.errstate(over="ignore"):  # in place: the same values without a temporary per pass
        rows = np.zeros((h, w - win + 1), np.uint64)
        for i in range(win):
            np.multiply(rows, _P1, out=rows)
            np.add(rows, g[:, i : w - win + 1 + i], out=rows)
        out = np.zeros((h - win + 1, w - win + 1), np.uint64)
        for j in range(win):
            np.multiply(out, _P2, out=out)
            np.add(out, rows[j : h - win + 1 + j], out=out)
    return out


def duplicated_regions(grey: np.ndarray) -> tuple[int, tuple[ForensicRegion, ...]]:
    """(sampled windows at the dominant displacement, the copy and its source as regions)."""
    win = DUP_WINDOW
    h, w = grey.shape
    if h <= win or w <= win:
        return 0, ()
    hashes = _window_hashes(grey, win)
    f = grey.astype(np.float32)
    kw = {"anchor": (0, 0), "borderType": cv2.BORDER_CONSTANT}
    mean = cv2.boxFilter(f, -1, (win, win), **kw)[: h - win + 1, : w - win + 1]
    mean2 = cv2.boxFilter(f * f, -1, (win, win), **kw)[: h - win + 1, : w - win + 1]
    clipped = ((grey == 0) | (grey == 255)).astype(np.float32)
    clipped = cv2.boxFilter(clipped, -1, (win, win), **kw)[: h - win + 1, : w - win + 1]
    keep = (mean2 - mean * mean > DUP_MIN_STD**2) & (clipped == 0) & ((hashes & np.uint64(DUP_SAMPLE - 1)) == 0)
    ys, xs = np.nonzero(keep)
    values = hashes[ys, xs]
    # windows whose hash occurs more than once (few: a fast sort finds them), then those in raster order within
    # each hash (a stable sort of the few): the pairs a stable sort of all of them gives, at a tenth of the time
    ranked = np.sort(values)
    repeated = ranked[1:][ranked[1:] == ranked[:-1]]
    if len(repeated) == 0:
        return 0, ()
    sub = np.nonzero(np.isin(values, repeated))[0]
    order = sub[np.argsort(values[sub], kind="stable")]
    same = np.nonzero(values[order][1:] == values[order][:-1])[0]
    a, b = order[same], order[same + 1]
    shift = np.stack([xs[b] - xs[a], ys[b] - ys[a]], 1)
    flip = (shift[:, 0] < 0) | ((shift[:, 0] == 0) & (shift[:, 1] < 0))
    a, b = np.where(flip, b, a), np.where(flip, a, b)
    shift[flip] *= -1
    # equal windows at a shift of whole 8x8 blocks are what block compression makes of smooth areas
    on_grid = (shift[:, 0] % 8 == 0) & (shift[:, 1] % 8 == 0)
    far = (np.abs(shift).max(1) >= DUP_MIN_SHIFT) & ~on_grid
    if not far.any():
        return 0, ()
    keys, inverse, counts = np.unique(shift[far], axis=0, return_inverse=True, return_counts=True)
    best = int(counts.argmax())
    sel = np.nonzero(far)[0][inverse.ravel() == best]
    regions = []
    for idx in (a[sel], b[sel]):
        x1, y1 = float(xs[idx].min()), float(ys[idx].min())
        x2, y2 = float(xs[idx].max() + win), float(ys[idx].max() + win)
        if (x2 - x1) * (y2 - y1) > DUP_MAX_SHARE * h * w:
            return 0, ()
        regions.append(ForensicRegion("copy_move", (x1, y1, x2, y2), int(counts[best])))
    return int(counts[best]), tuple(regions)


def analyse(image: np.ndarray) -> Forensics:
    """Both checks on one page (BGR or grey uint8) at its own pixels. The score is the stronger cue mapped to
    [0, 1): ``a / (a + scale)``."""
    t0 = time.perf_counter()
    h, w = image.shape[:2]
    if h * w > MAX_PIXELS:
        return Forensics(0.0, 0, 0, 0.0, False, False, (), (time.perf_counter() - t0) * 1000)
    grey = _grey(image)
    void_px, voids, sigma, noise_checked = noise_voids(grey)
    # byte-identical windows mean a copy only where the page kept its recorded noise: heavy compression and
    # smoothing make equal windows of their own
    dup, copies = duplicated_regions(grey) if noise_checked else (0, ())
    void_score, dup_score = void_px / (void_px + VOID_SCALE), dup / (dup + DUP_SCALE)
    score = max(void_score, dup_score)
    regions = copies + voids[:2] if dup_score >= void_score else voids[:2] + copies
    return Forensics(
        round(float(score), 4),
        int(void_px),
        int(dup),
        round(sigma, 3),
        noise_checked,
        True,
        regions,
        (time.perf_counter() - t0) * 1000,
    )
