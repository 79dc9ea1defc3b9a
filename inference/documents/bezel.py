"""The frame of a screen round the page, measured (not learned): a page shown on a phone or a monitor and
photographed with the device in view sits in a dark band of even width (the bezel), and past the band the
scene is lighter again. A paper page on a desk has no such band: on a dark desk the dark goes on, on a light
one there is none, and its own shadow is a few pixels wide at its edge.

Along each side of the page :func:`find_page` found, grey levels are sampled outward (the median over the
side's middle 60%, so a glare spot or an object on one part of the side does not decide). A side shows a
bezel when, right past the page's edge, a flat band at least 80 levels darker than the paper runs for
``MIN_WIDTH`` of the page's short side or more, and the scene after it is lighter by a step. The page's step
is the third-strongest side's (a side may be cut off by the photo's border, or the device's body may meet a
dark background there). Genuine pages of the documents and forgery sets never used for training (2 500 pages of
seeds 401-404, 5171, 5172, 5180, 5181 and the test seeds; and the 286 real-dev photos) step by 12 levels at
most; the screens of those sets whose page is found by ``STEP_LIMIT`` (20) or more in 164 of 207, none where a
dark scene meets the device's body. The models (``authenticity.py``) find screens without a visible frame; this
is a second look where one is in view, taken where the models lean towards a screen (a paper page on a dark folder
lying on a lighter desk is framed too). Written here because no library measures it.
"""

from __future__ import annotations

from statistics import median  # on a few dozen values, called per step: faster than numpy's

import cv2
import numpy as np

SIDE_SPAN = (0.2, 0.8)  # the part of each side sampled (its corners may be cut or rounded)
SIDE_SAMPLES = 24
REACH = 0.15  # how far out each side is sampled, as a share of the page's longer side
PAPER_DEPTH = (4, 12)  # the paper's level: sampled this far inside the edge (px)
BAND_DARKER = 80.0  # the band is at least this much darker than the paper (grey levels)
BAND_FLAT = 30.0  # and varies by no more than this along the way out
BAND_START = 15  # it starts within this many pixels of the found edge (the edge is found to a few pixels)
EDGE_BLUR = 3  # pixels skipped between the band and the scene past it (the bezel's outer edge)
MIN_WIDTH = 0.025  # the band's least width, as a share of the page's short side (a page's own shadow is thinner)
MIN_SIDES = 3
STEP_LIMIT = 20.0  # grey levels: the page's step at which the frame is a screen alarm


def _profiles(grey: np.ndarray, quad: np.ndarray) -> list[np.ndarray]:
    """Per side of ``quad`` (tl, tr, br, bl): the median grey level at each distance from the edge, from
    ``-PAPER_DEPTH[1]`` (inside) to ``REACH`` of the page's longer side outward, one pixel apart; NaN where the
    samples fall off the image."""
    h, w = grey.shape
    centre = quad.mean(axis=0)
    sides = [(quad[i], quad[(i + 1) % 4]) for i in range(4)]
    reach = int(REACH * max(float(np.linalg.norm(b - a)) for a, b in sides))
    dist = np.arange(-PAPER_DEPTH[1], reach + 1, dtype=np.float32)
    out = []
    for a, b in sides:
        length = float(np.linalg.norm(b - a))
        if length < 1.0:
            out.append(np.full(len(dist), np.nan, np.float32))
            continue
        along = (b - a) / length
        normal = np.asarray([-along[1], along[0]], np.float32)
        if float(np.dot((a + b) / 2 - centre, normal)) < 0:
            normal = -normal  # pointing away from the page
        t = np.linspace(*SIDE_SPAN, SIDE_SAMPLES, dtype=np.float32)[:, None]
        xy = (a + t * (b - a))[:, None, :] + dist[None, :, None] * normal[None, None, :]
        mx, my = np.ascontiguousarray(xy[..., 0], np.float32), np.ascontiguousarray(xy[..., 1], np.float32)
        v = cv2.remap(grey, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        off = (mx < 0) | (my < 0) | (mx > w - 1) | (my > h - 1)
        # the median of each distance's samples on the image (NaN when none): sorted with the samples off the
        # image last, the middle of those on it
        v = np.sort(np.where(off, np.inf, v.astype(np.float32)), axis=0)
        n = (~off).sum(axis=0)
        cols = np.arange(v.shape[1])
        med = (v[np.maximum(n - 1, 0) // 2, cols] + v[n // 2, cols]) / 2
        out.append(np.where(n > 0, med, np.nan).astype(np.float32))
    return out


def side_step(profile: np.ndarray, min_width: float) -> float:
    """The step (grey levels) from a side's dark band up to the scene past it; 0 when the side shows none
    (no band, a band thinner than ``min_width`` px, not much darker than the paper or not flat, or the side
    runs off the image)."""
    paper = profile[: PAPER_DEPTH[1] - PAPER_DEPTH[0] + 1]  # PAPER_DEPTH inside the edge
    out = profile[PAPER_DEPTH[1] :]
    head = out[: max(20, len(out) // 3)]
    if np.isnan(paper).all() or np.isnan(head).all():
        return 0.0
    level = float(np.nanmedian(paper))
    starts = np.nonzero(out[:BAND_START] <= np.nanmin(head) + 20.0)[0]
    if len(starts) == 0:
        return 0.0
    s0 = int(starts[0])
    values = out.tolist()  # NaN off the image
    best = 0.0
    lo = hi = values[s0]
    for b in range(s0 + 1, len(values) // 2):
        v = values[b - 1]
        if v != v:  # NaN: off the image
            break
        lo, hi = min(lo, v), max(hi, v)  # the band so far: out[s0:b]
        if hi - lo > BAND_FLAT:
            break
        if b - s0 < min_width:
            continue
        band = median(values[s0:b])
        window = values[b + EDGE_BLUR : b + EDGE_BLUR + max(6, (b - s0) // 2)]
        past = [x for x in window if x == x]
        if band > level - BAND_DARKER or len(window) < 4 or 2 * len(past) < len(window):
            break
        best = max(best, median(past) - band)
    return best


def bezel_step(image: np.ndarray, quad: np.ndarray | None) -> float:
    """The page's bezel step: the ``MIN_SIDES``-th strongest side's step (grey levels); 0 without a page."""
    if quad is None:
        return 0.0
    quad = np.asarray(quad, np.float32).reshape(4, 2)
    short = min(float(np.linalg.norm(quad[(i + 1) % 4] - quad[i])) for i in range(4))
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    steps = sorted((side_step(p, MIN_WIDTH * short) for p in _profiles(grey, quad)), reverse=True)
    return round(steps[MIN_SIDES - 1], 1)


def bezel_score(step: float) -> float:
    """A screen-recapture score from the bezel step: 0 below ``STEP_LIMIT``, from 0.8 up at and above it (over
    the calibrated screen thresholds, as the line-patch cue is over the forensic one)."""
    if step < STEP_LIMIT:
        return 0.0
    return round(min(0.8 + 0.2 * (step - STEP_LIMIT) / 80.0, 0.9999), 4)
