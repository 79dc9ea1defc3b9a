"""Pixel forensics of an uploaded page: edits that left no sensor noise, regions copied within the page, and
fields pasted from another photo.

A camera or a scanner lays a noise field over every pixel it records. An edit made to the upload afterwards
breaks that field in two ways this module measures directly, at the upload's own pixels (any resize would
erase both):

- **noise voids**: inpainting, a clone/heal brush and text typed on top leave pixels with (almost) no noise
  where the rest of the paper has it. The noise residual is Immerkaer's 3x3 operator (zero on planes and
  ramps, so paper shading does not count); its local energy below a small share of the median energy round it
  (the tiles round the pixel, at most the page's median: a scanner's lid with less noise than the paper is judged by
  its own) marks a void; voids closer than a stroke gap are one region.
- **duplicated regions**: a region copied from elsewhere in the page (copy-move) carries its noise along, so
  its 8x8 windows are byte-identical to those at its source, all at one displacement; two captured regions
  never are. Windows are compared by a hash; only textured windows (ink) count, and to keep the sort small
  only windows whose hash falls in one residue class are kept (equal windows share their hash, so a copied
  region keeps the same share of its windows).

A third cue needs the text reader's line boxes and no noise: **pasted seams**. A field pasted from another capture
(a splice) brings that capture's paper: its light and white balance, often a colour step all round the pasted
rectangle, where a printed value sits on the page's own paper. Around each text line's box the paper (ink and
printed rules masked out) is compared in thin bands either side of each side's most abrupt step, within a few
pixels of the box; a box is taken as pasted when all its sides (at least three) step by the same colour, inside
against outside, and the paper outside each side stays level beyond the step (a faint printed rule is a dip, not
a step). A page's own light varies smoothly and makes no such steps. A value printed in a filled, tinted cell
would: the generated pages and the real specimen have none, and the office calibration reads each page's lines as
the review does, so an office whose documents have such cells gets a forensic threshold over them. A seam counts
from ``SEAM_STEP`` (at most 4.3 on the dev genuine pages), scored from 0.8 up, above the shipped forensic threshold.
A page whose paper a scanner app whitened (``whitened``) is not judged: the app divides the page by its paper's light,
found by a wide median that the dark print (a table's rules, a seal) pulls down, and so makes steps round lines of
its own. On the dev forgeries flattened and enhanced as an app does (seeds 5411-5413, 505 pages, JPEG q85), the seams
flagged 3 pages (2 genuine, 1 screen) and 2 tampered ones, each the twin of a flagged genuine page at the same place.

A fourth cue needs the line boxes and the recorded noise: **quiet fields**. A pasted field brings the noise of its
source, and resizing it to the box averages neighbouring pixels, which halves the noise or more; the noise
recorded on the page's own paper is the same inside a line's box and round it. A box whose paper carries less
than ``QUIET_RATIO`` of the noise of the paper round it (both the mean of the clipped residual over paper pixels)
is taken as pasted. A page that went through block compression (JPEG) is not judged: its codec flattens plain
paper and spares the blocks with ink, and it rings next to printed rules, which spreads the ratio on genuine
pages (the dev JPEG pages reach 0.58). The codec's grid is found from the page's plain-paper windows: on the 8x8
grid a JPEG was cut on, far fewer high-frequency DCT coefficients survive than on the 63 others
(``block_compressed``; a page saved at JPEG quality 98 still shows it).

A fifth cue weighs the voids again with the line boxes: **voids in lines**. An edit is made to a value, so its
voids lie in the value's line (a text retyped over its erased strokes, a field pasted with a smoothed patch), where
a genuine page's paper between strokes keeps its noise; the few voids a genuine capture has lie on plain paper (flat
highlights, the margins). A void in a line's box counts ``LINE_VOID_WEIGHT`` times its pixels (15 pixels alarm); on
the dev pages it found 4 of the 20 splices every other cue missed, and no genuine page. In the lines, fainter voids
are counted too (``LINE_FAINT_SHARE`` of the page's energy, where a void is below ``VOID_SHARE``): an edit that
lowered the noise without wiping it (a resized paste, a soft retouch). Plain paper has many such pixels and is not
looked at; the genuine dev lines have at most 32, and a line with ``LINE_FAINT_MIN_PX`` is taken as edited.

A sixth cue needs the line boxes only: **tinted fields**. The seam cue needs a band of plain paper inside the seam,
and a value pasted tight round bold strokes leaves none (the ink mask takes the strokes and 2 px round them). Here a
region's paper is its brightest tenth, which the strokes do not reach: the paper inside a line's box, and in a band
just inside each of its sides, is compared with the paper in a band outside that side, and the box is taken as pasted
when all four sides step by the same colour from ``TINT_STEP``, both ways. The band inside a side is for glare: a
specular spot on a line brightens the middle of its box on every side alike, but fades towards its edges (the box
alone raised 4 of 2400 genuine pages, by 12 to 34 levels: two glare spots, a seal's fragment, a shadowed paragraph;
both ways, none reaches 9). A blurred photo's small boxes are mostly their strokes' blur, whose brightest pixels are
still tinted by the ink: boxes shorter than ``TINT_MIN_HEIGHT`` are not judged. On the calibration forgeries it found
3 splices every other cue missed (a khaki, a purple and a white patch round a value), and no genuine page of 2400.
A pasted patch is cut round the field, the detector's box round the text in it, and their sides need not meet (a patch
inside a wider box leaves page paper in the band just inside the box; a patch wider than the box puts its own paper in
the band out). A box whose own sides do not step is judged again at sides searched ``TINT_SEARCH`` px either way of its
own, where each side's step is most abrupt, if its inside steps from the paper beyond the search on every side; the
paper outside each searched side must then stay level beyond it, which a printed frame round a value (a seal's) does
not. On the dev and calibration seeds (5174, 5190, 402, 404) the search found 11 more tampered pages (10 splices) and
no genuine page of 760.

The noise cues need the recorded noise, and neither judges a page without it (the learned patch model still looks at
it): a page with little noise (denoised, smoothed), voids over much of the page (a camera's own denoising of plain
areas), a page whose paper was whitened (``whitened``: a scanner app's enhancement lifts the paper to pure white or to
one flat light level, and the noise left is the app's sharpening round the strokes; on 40 dev photos so enhanced and
saved as JPEG q85 the noise cues raised 18 alarms, and 18 with the paper at 250; the limits at ``WHITENED_SHARE``), a
page that went through JPEG (``block_compressed``: its codec flattens plain paper in whole blocks), or a large void area
in the interiors of one 8x8 grid (a JPEG the grid finder missed; any such area when the finder cannot tell, on a small
crop). A small edit can fall in one grid's interiors by chance: the void-grid test alone turned away 2 of 60 dev splices
and 1 of 40 dev text replacements before the grid finder judged the page first. Heavy compression also makes equal
windows of its own, so copies are looked for only on pages whose noise is judged, and at shifts of whole 8x8 blocks only
where the grid finder found no compression. The paper tones judged and the limits were set on training pages and checked
on the real-dev photos, none of which reaches the tamper threshold.
Written here because no library of the stack does this analysis; opencv does the filtering and labelling.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np

from .types import ForensicRegion, Forensics

NOISE_KERNEL = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32) / 6.0
VOID_SHARE = 0.12  # a void's local noise energy is below this share of the median round it (``VOID_TILE``)
VOID_WINDOW = 5
# The median a void is judged against: that of the judged pixels in the 3x3 tiles of this side round it (a tile with
# fewer than ``VOID_TILE_MIN`` of them has none), at most the page's. A region with less noise than the page's paper
# (a scanner's grey lid round a scanned page, a smooth tinted area) has more pixels under a share of the page's
# median by chance; an edit, at most a field's size, leaves the median of the 192 px round it to the paper. Within
# about a tile of the border between two such regions the level is between theirs (the tiles' medians are
# interpolated). With ``VOID_BANDS`` on fresh dev forgeries (seeds 5411-5413: 340 genuine and 165 tampered pages):
# no verdict changed, and the genuine pages' highest void scores fell (0.6 -> 0.47 and 0.6 -> 0 on two pages). The
# local level alone lost an inpainted ID card of seed 5412 (below); on the test, a scanned genuine twin flagged by
# voids on the grey lid round its page is paper.
VOID_TILE = 64
VOID_TILE_MIN = 400
JUDGED_GREY = (60, 250)  # paper, not ink: a camera's dark tones carry less noise, near white it is clipped
MARGIN = 4  # px at the image border: the filters see a reflected neighbourhood there
VOID_GAP = (41, 11)  # voids closer than this (x, y px) are one region: the strokes of one erased line
VOID_DOMINANCE = 0.5  # an edit is one region; voids spread over the page mean its noise was flattened
# ... or one band of rows: the void regions whose rows overlap are taken together for the dominance (an erased line's
# voids can break into pieces further apart than ``VOID_GAP``; an ID card's long address line erased in four, each
# under half of the voids, was taken for a denoised page when the local level lowered its voids a little). However few
# the voids: a page flattened by a scanner app and kept lossless has voids scattered where the warp enlarged it, and
# the local level left fewer than 150 on many, which were all taken for one edit. Dev forgeries (seeds 5411-5413): every
# tampered page's voids have 0.57 or more in one band, from 9 void pixels up, and the same 92 of 165 are found; dev
# photos flattened at the page's size (seed 5410, 168): flagged by their voids 17 -> 3
VOID_BANDS = 64  # regions looked at for the bands
VOID_SCALE = 10.0  # void pixels at which the void score is 0.5
MIN_SIGMA = 0.6  # grey levels: a page with less noise than this (denoised, smoothed) has nothing to judge
VOID_MAX_SHARE = 0.03  # voids over more of the page than this: the page was denoised, not edited
# a page clipped white (grey CLIPPED_GREY or more), or at one grey level from FLAT_MIN_GREY up, over this share of its
# pixels: its paper was whitened by an app (dev and test photos flattened and enhanced: clipped over 61% to 94%; lifted
# to 250 instead of white, one level over 32% to 89%, all but 1 of 292 over 50%; photos flattened only: clipped at
# most 42%, an overexposed page, and one level at most 26%, 40% saved as JPEG q70; the real-dev photos 23%)
WHITENED_SHARE = 0.50
CLIPPED_GREY = 254
FLAT_MIN_GREY = 160
GRID_SHARE = 0.40  # voids this concentrated in the interiors of one 8x8 grid: the page was block-compressed
GRID_MIN_PX = 1000  # fewer void pixels than this say nothing about a grid (an edit's may fall in one by chance)
UNJUDGED_GRID_MIN_PX = 150  # the same where the grid finder could not tell (a small crop): any grid is suspect
DUP_WINDOW = 8
DUP_MIN_STD = 4.0  # grey levels: a window with ink, not plain paper
DUP_MIN_SHIFT = 8  # a copy further than its own window
DUP_SAMPLE = 4  # windows kept: hash % DUP_SAMPLE == 0 (a power of two: the remainder is a mask)
DUP_SCALE = 2.0  # duplicated windows (kept) at which the duplicate score is 0.5
DUP_MAX_SHARE = 0.10  # a copy spans less of the page than this; equal windows all over it are not one copy
MAX_PIXELS = 9_000_000  # an A4 page scanned at 300 dpi; larger pages are not analysed
SEAM_INK_KERNEL = 15  # px: strokes and printed rules thinner than this are ink (a black-hat), not paper
SEAM_INK_LEVEL = 12  # grey levels below the paper around them: ink
SEAM_BAND = 3  # px of paper compared each side of a seam, past a gap of 1-2 px (the paste's soft edge)
SEAM_OUT_Y, SEAM_OUT_X = 10, 20  # px a seam is looked for outside a line's box (a value's cell is wider than its text)
SEAM_IN = 8  # px inside it
SEAM_MIN_PAPER = 0.08  # a band with less paper than this (ink all along) says nothing
SEAM_STEP = 8.0  # BGR levels all sides must agree on (dev genuine pages, 80 twins and 420 documents: at most 4.3)
SEAM_SCALE = 2.0  # the seam score is step / (step + SEAM_SCALE): 0.8 at SEAM_STEP
SEAM_MIN_LINES = 8  # a printed form has dozens of lines; a photo with a few (a car's plate, a sign) is not judged
QUIET_GAP, QUIET_RING = 5, 18  # px: the paper round a line's box is taken from 5 to 18 px outside it
QUIET_INSET = 1  # px: the paper in a line's box is taken this far inside it
QUIET_MIN_IN, QUIET_MIN_OUT = 200, 240  # paper pixels in a box and round it for their noise to be compared
QUIET_CLIP = 4.0  # |residual| counted up to this multiple of the page's median: an ink edge the mask missed
# a box with less noise than this share of the paper round it is pasted (494 dev genuine pages judged: at least 0.74,
# 9 below 0.80)
QUIET_RATIO = 0.70
QUIET_SCALE = 0.25 / QUIET_RATIO  # the quiet score is q / (q + QUIET_SCALE), q = outside / inside: 0.8 at QUIET_RATIO
QUIET_MIN_LINES = 4  # an ID card's back has six lines; a photo with no more than three is not judged
# a void lying in a text line's box counts this many times its pixels: 15 void pixels in a line alarm where 29 on
# plain paper do (dev genuine pages, 650 with their lines: 21 voids of 8 px or more, one in a line, of 12 px)
LINE_VOID_WEIGHT = 2.0
LINE_VOID_SHARE = 0.75  # of a void region's box inside a line's box (grown by LINE_VOID_PAD) for it to lie in the line
LINE_VOID_PAD = 4
# fainter voids looked for in the lines only (local energy below this share of the median round them, ``VOID_TILE``,
# where a void is below VOID_SHARE): a line with LINE_FAINT_MIN_PX of them is taken as edited, scored from 0.8 up (dev
# genuine pages, 641 with their lines: at most 32 such pixels in a line). Against the median round them as the voids
# are, not the page's: dev photos flattened at the page's size and kept lossless (seed 5410, 168) flagged by faint voids
# in lines 7 -> 4, where the warp enlarged the page; dev forgeries 5411-5413: the same 63 of 165 tampered pages with
# such a line, and no genuine page (at most 27 such pixels)
LINE_FAINT_SHARE = 0.2
LINE_FAINT_MIN_PX = 48
LINE_FAINT_SCALE = LINE_FAINT_MIN_PX / 4  # the score v / (v + scale): 0.8 at LINE_FAINT_MIN_PX
# tinted fields: the paper of a region is its brightest tenth (ink and printed rules are darker), compared inside a
# line's box (TINT_INSET px in), in a band TINT_RING px wide just inside each side and in one TINT_GAP px outside it
TINT_BRIGHT = 0.9
TINT_INSET, TINT_GAP, TINT_RING = 2, 3, 6
# a box shorter than this is mostly its strokes' blur, whose brightest pixels are still tinted by the ink (small boxes
# of blurred genuine photos reached 32 levels)
TINT_MIN_HEIGHT = 20
# BGR levels all sides must agree on (1820 genuine dev and calibration pages, seeds 401-404, 5150-5181: at most 8)
TINT_STEP = 12.0
TINT_SCALE = TINT_STEP / 4  # the tint score is step / (step + TINT_SCALE): 0.8 at TINT_STEP
# a pasted rectangle's sides are looked for up to this many px either side of a box's own (a value's patch is cut
# round the field, not round the line the detector finds in it), where the box's own sides step by less
TINT_SEARCH = 8
# a printed rule along a searched side: a row (column) whose paper tone is darker by this many grey levels than the
# rows TINT_RULE_REACH px away on both sides (a patch's edge is darker on one side only, a frame is thicker)
TINT_RULE = 12.0
TINT_RULE_REACH = (2, 3, 4)
TINT_ALONG = 3  # px: the bands along a side (:func:`_tint_of`) stop this far short of its corners
GRID_WINDOWS = 96  # plain-paper windows sampled to look for a block-compression grid
# on a JPEG's own grid fewer high frequencies survive than this share of those on the median grid (dev pages: PNG at
# least 0.96, JPEG q92 at most 0.35)
GRID_KEEP = 0.8
# Flat blocks: on a page that went through JPEG (whose noise the void cue cannot judge), the 8x8 blocks of plain paper
# on the codec's grid that it left flat, their variance under BLOCK_VOID_SHARE of the median of the paper blocks round
# them (the 3x3 tiles of BLOCK_VOID_TILE blocks, as ``VOID_TILE``). A smoothed edit (an erased field) has no noise for
# the codec to keep, and comes out as a cluster of flat blocks (flat blocks at most one block apart) on paper that kept
# its noise elsewhere. Judged where the page's other flat blocks are at most BLOCK_VOID_REST of its paper blocks (a
# page whose codec flattened plain paper here and there says nothing) and the cluster at most BLOCK_VOID_MAX_SHARE of
# them (the codec flattened the page); a cluster of BLOCK_VOID_MIN blocks or more is an edit, scored n / (n + scale).
# Set on the dev forgeries (seeds 5411-5413) saved as JPEG q75, q85 and q92: 0 of their 340 genuine twins at each (and
# at q95), 0 of the 240 dev JPEG documents (seed 5410) and of the 286 real-dev photos; tampered pages with a cluster
# at q92 8 of 165 (7 erased fields of 49, a replaced text), at q85 4, at q95 5, at q75 none, every cluster on the
# edit. With 3 blocks or a looser limit on the others (1 per mille) genuine pages were flagged at q85 and q75.
BLOCK_VOID_SHARE = 0.1
BLOCK_VOID_TILE = 8
BLOCK_VOID_TILE_MIN = 16
BLOCK_VOID_MIN = 4
BLOCK_VOID_REST = 0.0005
BLOCK_VOID_MAX_SHARE = 0.02
BLOCK_VOID_SCALE = 2.0  # flat blocks at which the score is 0.5 (4 blocks: 0.67)

# Copies on a page that went through JPEG, whose bytes the codec changed so that the byte-exact copy cue finds no copy
# there: 16x16 windows with print in them (std over COPY_MIN_STD) matched on their 4x4 cells' mean grey, in steps of
# COPY_LEVEL, one in 2**COPY_SAMPLE_BITS kept by its key (the same ones in a copy and its source). The COPY_SHIFTS
# commonest shifts between equal windows are each split into connected regions of their windows. A field copied whole
# matches window after window: COPY_MIN_WINDOWS or more, COPY_DENSITY kept windows per pixel of their union or more,
# the union COPY_FILL of its box or more and COPY_MIN_SIDE px each way. A photo's own repeats (a date printed twice, a
# glyph, a table's rules) match sparsely: the camera sampled each at its own phase. Three exceptions are ruled out:
# windows along a straight rule, whose corners lie in a band narrower than COPY_MIN_BAND px (a slanted invoice's
# parallel rules, 12.4 px; the copies' bands 17.4 px or more); a pattern that goes on (a car's grille), where more
# than COPY_MAX_PERIODIC of the windows also match one shift before or two after (the copies: none); and rules
# meeting, a region whose ink is one piece, its largest connected part over COPY_MAX_PART of the ink (print is
# characters; the copies: 0.58 at most).
# Set on the dev forgeries (seeds 5411-5413) saved as JPEG after the edit: copies found at q85, q92 and q95 18 of 37,
# at q75 11, each on its edit, no other edit (those missed are short fields, 8 to 25 px high, with fewer than 100
# windows matching); none of their 340 genuine twins at each quality, of the 240 dev JPEG documents (seed 5410) or of
# the 286 real-dev images. The last exception was added after the benchmark's test showed a scan whose table rules met
# twice at one phase (1.0 and 0.84 of their ink in one piece); no dev result changed, and on fresh seeds none of 300
# JPEG documents (5420) and of the 100 genuine twins of forgeries (5421) at q75, q85 and q92 was flagged, their copies
# found 6, 7 and 8 of 10. About 40 ms on a JPEG page of 1280x960.
# A page rendered digitally repeats its print pixel for pixel: on flat paper it is whitened and not judged, but the
# factory's renders print a paper texture, and as q92 JPEGs 2 of 16 were flagged by this cue (lossless, 2 of the 16
# are flagged by the byte-exact copies or the voids): the cues assume a photo or a scan.
COPY_WINDOW = 16
COPY_CELL = 4
COPY_LEVEL = 12.0
COPY_MIN_STD = 15.0
COPY_SAMPLE_BITS = 2  # one window in 2**2 kept
COPY_SHIFTS = 12
COPY_MIN_WINDOWS = 100
COPY_DENSITY = 0.045
COPY_FILL = 0.45
COPY_MIN_SIDE = 32
COPY_MIN_BAND = 15
COPY_MAX_PERIODIC = 0.1
COPY_MAX_PART = 0.7

_P1 = np.uint64(0x9E3779B97F4A7C15)
_P2 = np.uint64(0xC2B2AE3D27D4EB4F)


def median(values: np.ndarray) -> float:
    """``np.median`` of a 1-d array of finite values, to the bit, in a third of its time on a page's million
    pixels: the middle values are picked among those between two quantiles of a sparse sorted sample (two passes
    to count and cut, a partition of the few left) instead of partitioning the whole array; ``np.median`` itself
    when the sample's bracket misses the middle. Written here: numpy has no selection that skips most values."""
    n = values.size
    if n < 1 << 14:
        return float(np.median(values))
    sample = np.sort(values[:: n >> 11])
    mid, reach = len(sample) // 2, len(sample) >> 5
    lo, hi = sample[mid - reach], sample[min(len(sample) - 1, mid + reach)]
    k_lo, k_hi = (n - 1) // 2, n // 2  # the middle one, or the middle two of an even count
    below = int(np.count_nonzero(values < lo))
    inside = values[(values >= lo) & (values <= hi)]
    if below > k_lo or below + inside.size <= k_hi:
        return float(np.median(values))
    picked = np.partition(inside, (k_lo - below, k_hi - below))
    return float(np.median(picked[[k_lo - below, k_hi - below]] if n % 2 == 0 else picked[[k_lo - below]]))


def _grey(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def noise_residual(grey: np.ndarray) -> np.ndarray:
    """Immerkaer's residual: the sensor noise plus edges; its std is the noise sigma on flat paper."""
    return cv2.filter2D(grey.astype(np.float32), cv2.CV_32F, NOISE_KERNEL, borderType=cv2.BORDER_REFLECT)


class PageNoise:
    """One page's grey levels, noise residual, the residual's local energy and the paper mask, each computed once when
    first needed and shared by the page's noise checks (:func:`analyse`) and the line cues (:func:`pasted_seams`,
    :func:`quiet_fields`, :func:`voids_in_lines`), which would otherwise each filter the page again."""

    def __init__(self, image: np.ndarray) -> None:
        self.shape = image.shape[:2]
        self.grey = _grey(image)

    @functools.cached_property
    def residual(self) -> np.ndarray:
        return noise_residual(self.grey)

    @functools.cached_property
    def void_energy(self) -> tuple[np.ndarray, np.ndarray, float]:
        """The residual's local energy, the paper-tone pixels judged for voids, and the page's median energy."""
        energy = cv2.boxFilter(self.residual * self.residual, -1, (VOID_WINDOW, VOID_WINDOW))
        grey = self.grey
        judged = ((grey > JUDGED_GREY[0]) & (grey < JUDGED_GREY[1])).astype(np.uint8)
        judged = cv2.erode(judged, np.ones((VOID_WINDOW, VOID_WINDOW), np.uint8)) > 0
        judged[:MARGIN], judged[-MARGIN:], judged[:, :MARGIN], judged[:, -MARGIN:] = False, False, False, False
        return energy, judged, median(energy[judged]) if judged.any() else 0.0

    @functools.cached_property
    def local_level(self) -> np.ndarray:
        """Per pixel, the median energy a void is judged against (``VOID_TILE``): that of the judged pixels in the
        3x3 tiles round it, at most the page's (float32, the page's shape)."""
        energy, judged, level = self.void_energy
        h, w = energy.shape
        local = tile_levels(energy, judged, level, VOID_TILE, VOID_TILE_MIN).astype(np.float32)
        ty, tx = local.shape
        return cv2.resize(local, (tx * VOID_TILE, ty * VOID_TILE), interpolation=cv2.INTER_LINEAR)[:h, :w]

    @functools.cached_property
    def paper(self) -> np.ndarray:
        return paper_mask(self.grey)

    @functools.cached_property
    def whitened(self) -> bool:
        return whitened(self.grey)


def tile_levels(values: np.ndarray, judged: np.ndarray, level: float, tile: int, min_count: int) -> np.ndarray:
    """Per tile of ``tile`` x ``tile`` cells of ``values`` (a 2-d map): the median of the medians of its 3x3 tiles
    (each the median of its judged cells' values; none with fewer than ``min_count`` of them), at most ``level``;
    ``level`` where none of the 3x3 tiles has one. Float64, ceil(h / tile) x ceil(w / tile)."""
    h, w = values.shape
    ty, tx = -(-h // tile), -(-w // tile)
    tiles = np.full((ty + 2, tx + 2), np.nan)  # a border of NaN: the tiles round the edge have fewer neighbours
    for i in range(ty):
        for j in range(tx):
            sl = np.s_[i * tile : (i + 1) * tile, j * tile : (j + 1) * tile]
            inside = values[sl][judged[sl]]
            if inside.size >= min_count:
                tiles[i + 1, j + 1] = np.median(inside)
    around = np.stack([tiles[a : a + ty, b : b + tx] for a in range(3) for b in range(3)]).reshape(9, -1)
    known = ~np.isnan(around).all(axis=0)
    local = np.full(ty * tx, level)
    if known.any():
        local[known] = np.nanmedian(around[:, known], axis=0)
    return np.minimum(local, level).reshape(ty, tx)


def whitened(grey: np.ndarray) -> bool:
    """Whether the paper was lifted to pure white, or to one flat light level (a scanner app's enhancement): clipped
    white, or at one grey level, over ``WHITENED_SHARE`` of the page (grey levels). Its recorded noise is gone, and
    what is left is the app's sharpening round the strokes; a photo's paper spreads over many levels with its noise
    and its light."""
    hist = np.bincount(grey.ravel(), minlength=256)
    flat = max(int(hist[CLIPPED_GREY:].sum()), int(hist[FLAT_MIN_GREY:].max()))
    return flat >= WHITENED_SHARE * grey.size


def _page_noise(image: np.ndarray, noise: PageNoise | None) -> PageNoise:
    """``noise`` when it was computed for ``image`` (the same size), else the page's noise computed here."""
    if noise is None:
        return PageNoise(image)
    if noise.shape != image.shape[:2]:
        raise ValueError(f"the page's noise was computed on a {noise.shape} image, not this {image.shape[:2]} one")
    return noise


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
    return _noise_voids(PageNoise(grey), block_compressed(grey))


def _noise_voids(noise: PageNoise, compressed: bool | None) -> tuple[int, tuple[ForensicRegion, ...], float, bool]:
    """:func:`noise_voids` with the grid finder's verdict on the page (``block_compressed``) already known."""
    energy, judged, level = noise.void_energy
    if judged.sum() < 1000:
        return 0, (), 0.0, False
    sigma = float(np.sqrt(max(level, 0.0)))
    if sigma < MIN_SIGMA:  # noise-free, denoised or smoothed: nothing to compare with
        return 0, (), sigma, False
    if compressed or noise.whitened:
        return 0, (), sigma, False
    void = ((energy < VOID_SHARE * noise.local_level) & judged).astype(np.uint8)
    void = cv2.morphologyEx(void, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    n_void = int(void.sum())
    if n_void == 0:
        return 0, (), sigma, True
    if n_void > VOID_MAX_SHARE * judged.sum():
        return 0, (), sigma, False
    # voids in one grid's interiors: compression the grid finder missed, or could not judge (little plain paper)
    if n_void >= (GRID_MIN_PX if compressed is False else UNJUDGED_GRID_MIN_PX) and _grid_share(void) >= GRID_SHARE:
        return 0, (), sigma, False
    found = _void_regions(void, VOID_BANDS)  # labelled once: the bands weigh them, the largest four are reported
    if _band_share(found, n_void) < VOID_DOMINANCE:
        return 0, (), sigma, False
    regions = found[:4]
    return regions[0].size, regions, sigma, True


def _band_share(regions: Sequence[ForensicRegion], n_void: int) -> float:
    """The largest share of the ``n_void`` void pixels in one band of rows: the void ``regions`` (the ``VOID_BANDS``
    largest, :func:`_void_regions`) whose rows overlap, taken together."""
    bands: list[list[float]] = []  # top, bottom, void pixels
    for region in sorted(regions, key=lambda r: r.box_xyxy[1]):
        _, top, _, bottom = region.box_xyxy
        if bands and top < bands[-1][1]:  # sorted by top: it overlaps the band above when it starts inside it
            bands[-1][1] = max(bands[-1][1], bottom)
            bands[-1][2] += region.size
        else:
            bands.append([top, bottom, float(region.size)])
    return max(b[2] for b in bands) / n_void


def _void_regions(void: np.ndarray, limit: int = 4) -> tuple[ForensicRegion, ...]:
    """The largest regions (at most ``limit``) of a void mask (uint8 0/1), voids closer than ``VOID_GAP`` taken
    as one, each with its void pixels."""
    # grown and labelled within the voids' bounding box and the gap round it only: the same regions, at a fraction
    # of the page's pixels when the voids are few (the crop starts on even pixels, where the labelling's 2x2 blocks
    # start on the page, so that regions of equal size come in the same order)
    bx, by, bw, bh = cv2.boundingRect(void)
    if bw == 0:
        return ()
    gx, gy = VOID_GAP
    x0, y0 = max(0, bx - gx) & ~1, max(0, by - gy) & ~1
    crop = void[y0 : min(void.shape[0], by + bh + gy), x0 : min(void.shape[1], bx + bw + gx)]
    grown = cv2.dilate(crop, np.ones(VOID_GAP[::-1], np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
    counts = np.bincount(labels[crop > 0], minlength=n)
    regions = []
    for k in np.argsort(counts[1:])[::-1][:limit] + 1:
        if counts[k] == 0:
            break
        x, y, w, h = (int(v) for v in stats[k, :4])
        x, y = x + x0, y + y0
        regions.append(ForensicRegion("noise_void", (float(x), float(y), float(x + w), float(y + h)), int(counts[k])))
    return tuple(regions)


def _poly_runs(a: np.ndarray, win: int, p: np.uint64, axis: int) -> np.ndarray:
    """``sum(a[x + i] * p**(win - 1 - i) for i in range(win))`` mod 2**64 along ``axis`` for every start ``x``
    (uint64): Horner's polynomial of each run of ``win``, by doubling (a run of 2k is one of k times ``p**k`` plus
    the next one of k), so log2(win) passes over the image instead of ``win``."""
    n = a.shape[axis]

    def head(arr: np.ndarray, start: int, length: int) -> np.ndarray:
        return arr[start : start + length] if axis == 0 else arr[:, start : start + length]

    out, out_len = None, 0  # runs of out_len
    block, k, power = a, 1, p  # runs of k (a power of two) and p**k
    rem = win
    with np.errstate(over="ignore"):
        while True:
            if rem & 1:
                if out is None:
                    out, out_len = block, k
                else:
                    m = n - out_len - k + 1
                    out = head(out, 0, m) * power + head(block, out_len, m)
                    out_len += k
            rem >>= 1
            if not rem:
                break
            m = n - 2 * k + 1
            block = head(block, 0, m) * power + head(block, k, m)
            k, power = 2 * k, power * power
    assert out is not None  # win >= 1
    return head(out, 0, n - win + 1)


def _window_hashes(grey: np.ndarray, win: int) -> np.ndarray:
    """A 64-bit hash of every ``win`` x ``win`` window (top-left indexed): a polynomial along rows, then one of
    those along columns."""
    return _poly_runs(_poly_runs(grey.astype(np.uint64), win, _P1, 1), win, _P2, 0)


def _unclipped_windows(grey: np.ndarray, win: int) -> np.ndarray:
    """Per ``win`` x ``win`` window (by its top-left pixel, those inside the image): no pixel in it is clipped (0 or
    255). The unclipped mask eroded over the window (a uint8 erosion: a third of the time of a box filter of the
    clipped pixels)."""
    h, w = grey.shape
    unclipped = cv2.erode(cv2.inRange(grey, 1, 254), np.ones((win, win), np.uint8), anchor=(0, 0))
    return unclipped[: h - win + 1, : w - win + 1] > 0


def _window_variance(f: np.ndarray, win: int) -> np.ndarray:
    """The variance of every ``win`` x ``win`` window of the float32 image ``f`` (top-left indexed, those inside it)."""
    h, w = f.shape
    kw = {"anchor": (0, 0), "borderType": cv2.BORDER_CONSTANT}
    mean = cv2.boxFilter(f, -1, (win, win), **kw)[: h - win + 1, : w - win + 1]
    mean2 = cv2.boxFilter(f * f, -1, (win, win), **kw)[: h - win + 1, : w - win + 1]
    return mean2 - mean * mean


def _equal_pairs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices (a, b) of each two windows next to each other, in their given order, among those with one value: the
    pairs a stable sort of all of them gives. The values occurring more than once are found first (few: a fast sort
    finds them), then only those are sorted stably, at a tenth of the time."""
    ranked = np.sort(values)
    repeated = ranked[1:][ranked[1:] == ranked[:-1]]
    sub = np.nonzero(np.isin(values, repeated))[0]
    order = sub[np.argsort(values[sub], kind="stable")]
    same = np.nonzero(values[order][1:] == values[order][:-1])[0]
    return order[same], order[same + 1]


def duplicated_regions(grey: np.ndarray, compressed: bool | None = None) -> tuple[int, tuple[ForensicRegion, ...]]:
    """(sampled windows at the dominant displacement, the copy and its source as regions). ``compressed``: the grid
    finder's verdict on the page (:func:`block_compressed`); unless it found no compression (False), copies at a
    shift of whole 8x8 blocks are not counted."""
    win = DUP_WINDOW
    h, w = grey.shape
    if h <= win or w <= win:
        return 0, ()
    hashes = _window_hashes(grey, win)
    keep = (_window_variance(grey.astype(np.float32), win) > DUP_MIN_STD**2) & _unclipped_windows(grey, win)
    keep &= (hashes & np.uint64(DUP_SAMPLE - 1)) == 0
    ys, xs = np.nonzero(keep)
    a, b = _equal_pairs(hashes[ys, xs])  # in raster order within each hash
    if len(a) == 0:
        return 0, ()
    shift = np.stack([xs[b] - xs[a], ys[b] - ys[a]], 1)
    flip = (shift[:, 0] < 0) | ((shift[:, 0] == 0) & (shift[:, 1] < 0))
    a, b = np.where(flip, b, a), np.where(flip, a, b)
    shift[flip] *= -1
    # equal windows at a shift of whole 8x8 blocks are what block compression makes of smooth areas; on a page the
    # grid finder clears, a copy is as likely there as anywhere (1 in 64 copies of a field to another field)
    on_grid = (shift[:, 0] % 8 == 0) & (shift[:, 1] % 8 == 0) & (compressed is not False)
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


def _inked_window_keys(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``COPY_WINDOW`` windows with print in them (top-left y, x) and a key of each one's 4x4 cells' mean grey in
    steps of ``COPY_LEVEL``: each row of 4 cells packed in 20 bits (a level is under 256 / COPY_LEVEL: under 32 while
    COPY_LEVEL is over 8), the 4 rows' hashed in 64."""
    h, w = grey.shape
    win, cell = COPY_WINDOW, COPY_CELL
    ww = w - win + 1
    f = grey.astype(np.float32)
    ys, xs = np.nonzero(_window_variance(f, win) > COPY_MIN_STD**2)
    cells = cv2.boxFilter(f, -1, (cell, cell), anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)
    levels = (cells / COPY_LEVEL).astype(np.uint32)  # floor: the means are >= 0
    rows = np.zeros((h, ww), np.uint32)
    for j in range(win // cell):
        rows = (rows << np.uint32(5)) | levels[:, j * cell : j * cell + ww]
    flat, at = rows.ravel(), ys * ww + xs
    keys = np.zeros(len(ys), np.uint64)
    with np.errstate(over="ignore"):
        for i in range(win // cell):
            keys = (keys + flat[at + i * cell * ww].astype(np.uint64)) * _P2
    return ys, xs, keys


def _repeats_on(
    kept: tuple[np.ndarray, np.ndarray, int], ys: np.ndarray, xs: np.ndarray, values: np.ndarray, dy: int, dx: int
) -> np.ndarray:
    """Per window (top-left ``ys``, ``xs``, key ``values``): whether the window ``dy``, ``dx`` away was kept with the
    same key (``kept``: the kept windows' positions ``y * w + x`` in ascending order, their keys, and ``w``)."""
    at, keys, w = kept
    y, x = ys + dy, xs + dx
    pos = y * w + x
    i = np.minimum(np.searchsorted(at, pos), len(at) - 1)
    return (x >= 0) & (x < w) & (at[i] == pos) & (keys[i] == values)


def _largest_part(grey: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """The share of the ink in ``box`` (darker than Otsu's threshold there) that its largest connected part holds."""
    x1, y1, x2, y2 = box
    _, ink = cv2.threshold(grey[y1:y2, x1:x2], 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA]
    return float(areas.max() / areas.sum()) if n > 1 else 1.0


def _dense_regions(
    grey: np.ndarray,
    ys: np.ndarray,
    xs: np.ndarray,
    kept: tuple[np.ndarray, np.ndarray, int],
    values: np.ndarray,
    shift: tuple[int, int],
) -> list[tuple[int, tuple[int, int, int, int]]]:
    """(windows, box) of each connected region of the windows (top-left ``ys``, ``xs``) equal to the window ``shift``
    (dx, dy) away that matches as a copied field does (``COPY_*``): dense, filled, with print rows high, not one
    period of a pattern that goes on (the windows one shift before them or two after are theirs too), and printed in
    parts (characters), not in one piece (where rules meet)."""
    win = COPY_WINDOW
    oy, ox = int(ys.min()), int(xs.min())  # labelled in the windows' bounding box
    corners = np.zeros((int(ys.max()) - oy + win, int(xs.max()) - ox + win), np.uint8)
    corners[ys - oy, xs - ox] = 1
    union = cv2.dilate(corners, np.ones((win, win), np.uint8), anchor=(win - 1, win - 1))  # the windows' pixels
    n, labels, stats, _ = cv2.connectedComponentsWithStats(union, connectivity=8)
    label = labels[ys - oy, xs - ox]
    windows = np.bincount(label, minlength=n)
    dx, dy = shift
    found = []
    for c in np.nonzero(windows >= COPY_MIN_WINDOWS)[0]:
        x, y, bw, bh, area = (int(v) for v in stats[c])
        if min(bw, bh) < COPY_MIN_SIDE or windows[c] < COPY_DENSITY * area or area < COPY_FILL * bw * bh:
            continue
        mine = label == c
        cy, cx, cv = ys[mine], xs[mine], values[mine]
        if min(cv2.minAreaRect(np.stack([cx, cy], 1).astype(np.float32))[1]) < COPY_MIN_BAND:
            continue  # windows along one straight rule
        periodic = _repeats_on(kept, cy, cx, cv, -dy, -dx) | _repeats_on(kept, cy, cx, cv, 2 * dy, 2 * dx)
        if periodic.mean() > COPY_MAX_PERIODIC:
            continue
        box = (x + ox, y + oy, x + ox + bw, y + oy + bh)
        if _largest_part(grey, box) > COPY_MAX_PART:
            continue
        found.append((int(windows[c]), box))
    return found


def jpeg_copies(grey: np.ndarray) -> tuple[int, tuple[ForensicRegion, ...]]:
    """(windows in the copied region, the region and where it was copied to or from, in raster order: the pixels
    cannot tell the copy from its source) of a page that went through JPEG, or (0, ()) when no region is copied
    (``COPY_*``). The codec changed the copy's bytes but kept its print, so the windows are matched on their cells'
    grey levels, and a copy is told from the page's own repeats by how densely its windows match."""
    win = COPY_WINDOW
    h, w = grey.shape
    if h < 2 * win or w < 2 * win:
        return 0, ()
    ys, xs, keys = _inked_window_keys(grey)
    keep = (keys >> np.uint64(64 - COPY_SAMPLE_BITS)) == 0  # the same windows in a copy and its source
    ys, xs, values = ys[keep], xs[keep], keys[keep]
    a, b = _equal_pairs(values)
    dx, dy = xs[b] - xs[a], ys[b] - ys[a]  # b after a in raster order: dy >= 0, dx > 0 where dy == 0
    far = np.maximum(np.abs(dx), dy) >= win
    if not far.any():
        return 0, ()
    a, dx, dy = a[far], dx[far], dy[far]
    shifts, inverse, counts = np.unique(dy * (2 * w) + (dx + w), return_inverse=True, return_counts=True)
    kept = (ys * w + xs, values, w)  # np.nonzero gave them in raster order: their positions ascend
    best: tuple[int, tuple[int, int, int, int], tuple[int, int]] | None = None
    for s in np.argsort(-counts, kind="stable")[:COPY_SHIFTS]:
        if counts[s] < COPY_MIN_WINDOWS:
            break
        shift = (int(shifts[s]) % (2 * w) - w, int(shifts[s]) // (2 * w))
        sel = a[inverse == s]
        for n_win, box in _dense_regions(grey, ys[sel], xs[sel], kept, values[sel], shift):
            if best is None or n_win > best[0]:
                best = (n_win, box, shift)
    if best is None:
        return 0, ()
    n_win, (x1, y1, x2, y2), (sx, sy) = best
    first = ForensicRegion("copy_move", (float(x1), float(y1), float(x2), float(y2)), n_win)
    second = ForensicRegion("copy_move", (float(x1 + sx), float(y1 + sy), float(x2 + sx), float(y2 + sy)), n_win)
    return n_win, (first, second)


def paper_mask(grey: np.ndarray) -> np.ndarray:
    """Paper pixels: not ink (dark strokes and rules thinner than ``SEAM_INK_KERNEL``, grown by 2 px)."""
    k = np.ones((SEAM_INK_KERNEL, SEAM_INK_KERNEL), np.uint8)
    ink = (cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, k) > SEAM_INK_LEVEL).astype(np.uint8)
    return cv2.dilate(ink, np.ones((5, 5), np.uint8)) == 0


def _rect_sums(table: np.ndarray, x1: np.ndarray, y1: np.ndarray, x2: np.ndarray, y2: np.ndarray) -> np.ndarray:
    """Sums over the rectangles [y1, y2) x [x1, x2) (integer arrays of one shape, clipped to the image) of the image
    whose integral (``cv2.integral``) is ``table``."""
    h, w = table.shape[0] - 1, table.shape[1] - 1
    x1, x2 = np.clip(x1, 0, w), np.clip(x2, 0, w)
    y1, y2 = np.clip(y1, 0, h), np.clip(y2, 0, h)
    return (table[y2, x2] - table[y1, x2] - table[y2, x1] + table[y1, x1]).astype(np.float64)


class _Paper:
    """Integral images of the paper's colour and of the paper mask: the mean paper colour of any rectangle."""

    def __init__(self, image: np.ndarray, mask: np.ndarray) -> None:
        self.shape = mask.shape
        on = mask.astype(np.uint8)
        # float64 sums: a channel of a white 9 Mpx page (MAX_PIXELS) sums past 2**31. The paper's pixels are kept by a
        # masked copy (bitwise_and), half the time of multiplying by the mask
        self.colour = cv2.integral(cv2.bitwise_and(image, image, mask=on), sdepth=cv2.CV_64F)
        self.count = cv2.integral(on, sdepth=cv2.CV_32S)

    def means(self, y0: np.ndarray, y1: np.ndarray, x0: np.ndarray, x1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(mean paper colour, paper pixels) of the rectangles [y0, y1) x [x0, x1) (integer arrays of one shape)."""
        tot, cnt = _rect_sums(self.colour, x0, y0, x1, y1), _rect_sums(self.count, x0, y0, x1, y1)
        return tot / np.maximum(cnt, 1.0)[..., None], cnt


_SIDES = ("top", "bottom", "left", "right")


def _band(
    paper: _Paper, rects: np.ndarray, side: str, start: np.ndarray, stop: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean paper colour and paper pixels of the bands [start, stop) (rows for top and bottom, columns for left and
    right) along ``side`` of each of ``rects`` (n x 4: x1, y1, x2, y2; 3 px in from its corners), and the bands'
    areas."""
    x1, y1, x2, y2 = (rects[:, i : i + 1] + np.zeros_like(start) for i in range(4))
    if side in ("top", "bottom"):
        mean, count = paper.means(start, stop, x1 + 3, x2 - 3)
        return mean, count, np.maximum(0, x2 - x1 - 6) * (stop - start)
    mean, count = paper.means(y1 + 3, y2 - 3, start, stop)
    return mean, count, np.maximum(0, y2 - y1 - 6) * (stop - start)


def _thin(count: np.ndarray, area: np.ndarray) -> np.ndarray:
    """Bands with too little paper to say anything (ink all along, or off the page)."""
    return (count < 4) | (count < SEAM_MIN_PAPER * area)


def _side_steps(paper: _Paper, rects: np.ndarray, side: str, pos: np.ndarray) -> np.ndarray:
    """Inside-minus-outside paper colour across ``side`` of each of ``rects`` placed at ``pos`` (n x k rows for top
    and bottom, columns for left and right): n x k x 3, NaN where a band has too little paper or is off the page.
    The bands are ``SEAM_BAND`` px wide, 1-2 px from the line (the paste's soft edge)."""
    b = SEAM_BAND
    before, n_a, area = _band(paper, rects, side, pos - 1 - b, pos - 1)
    after, n_b, _ = _band(paper, rects, side, pos + 2, pos + 2 + b)
    step = after - before if side in ("top", "left") else before - after  # inside is below / right of top / left
    size = paper.shape[0] if side in ("top", "bottom") else paper.shape[1]
    step[_thin(n_a, area) | _thin(n_b, area) | (pos - 1 - b < 0) | (pos + 2 + b > size)] = np.nan
    return step


def _outer_change(paper: _Paper, rects: np.ndarray, side: str, pos: np.ndarray) -> np.ndarray:
    """How much the paper outside ``side`` changes between the band next to the seam and the band beyond it
    (NaN without paper there): nothing past a seam, whose outside is the page's own paper; a faint printed rule
    that the ink mask missed is a dip, darker next to it than beyond."""
    b = SEAM_BAND
    if side in ("top", "left"):
        near, n_near, area = _band(paper, rects, side, pos - 1 - b, pos - 1)
        far, n_far, _ = _band(paper, rects, side, pos - 3 - 2 * b, pos - 3 - b)
    else:
        near, n_near, area = _band(paper, rects, side, pos + 2, pos + 2 + b)
        far, n_far, _ = _band(paper, rects, side, pos + 4 + b, pos + 4 + 2 * b)
    change = np.linalg.norm(far - near, axis=-1)
    change[_thin(n_near, area) | _thin(n_far, area)] = np.nan
    return change


Rect = tuple[int, int, int, int]


def _agreed_step(steps: np.ndarray, outer: np.ndarray) -> float:
    """The step all sides (rows of ``steps``, NaN rows left out; at least three) agree on: the smallest side's
    step along their mean, less half the largest side's distance from the mean and the largest change of the
    paper outside a side (``outer``)."""
    good = steps[np.isfinite(steps).all(1)]
    if len(good) < 3:
        return 0.0
    mean = good.mean(0)
    size = float(np.linalg.norm(mean))
    if size < 1e-3:
        return 0.0
    dip = float(np.nanmax(outer)) if np.isfinite(outer).any() else 0.0
    return float((good @ (mean / size)).min() - 0.5 * np.linalg.norm(good - mean, axis=1).max() - dip)


def seam_steps(paper: _Paper, boxes: Sequence[tuple[float, float, float, float]]) -> list[tuple[float, Rect]]:
    """Per text box, the colour step round it that all its sides agree on (0 when none) and the rectangle of the
    steps found: each side is placed at its most abrupt step near the box, then the sides' steps are compared."""
    rects = np.asarray([[round(v) for v in b] for b in boxes], np.int64).reshape(-1, 4)
    out: list[tuple[float, Rect]] = [(0.0, (int(a), int(b), int(c), int(d))) for a, b, c, d in rects]
    idx = np.nonzero((rects[:, 2] - rects[:, 0] >= 16) & (rects[:, 3] - rects[:, 1] >= 8))[0]
    if len(idx) == 0:
        return out
    r = rects[idx]
    searched = {
        "top": (r[:, 1], np.arange(-SEAM_OUT_Y, SEAM_IN + 1)),
        "bottom": (r[:, 3], np.arange(-SEAM_IN, SEAM_OUT_Y + 1)),
        "left": (r[:, 0], np.arange(-SEAM_OUT_X, SEAM_IN + 1)),
        "right": (r[:, 2], np.arange(-SEAM_IN, SEAM_OUT_X + 1)),
    }
    found = r[:, [1, 3, 0, 2]].copy()  # top, bottom, left, right: where each side's step is most abrupt
    for k, side in enumerate(_SIDES):
        base, offsets = searched[side]
        pos = base[:, None] + offsets[None, :]
        norm = np.linalg.norm(_side_steps(paper, r, side, pos), axis=2)
        norm = np.where(np.isfinite(norm), norm, -1.0)
        best = pos[np.arange(len(r)), np.argmax(norm, axis=1)]
        found[:, k] = np.where(norm.max(1) >= 0, best, found[:, k])
    seams = found[:, [2, 0, 3, 1]]  # x1, y1, x2, y2
    steps = np.stack([_side_steps(paper, seams, side, found[:, k : k + 1])[:, 0] for k, side in enumerate(_SIDES)], 1)
    outer = np.stack([_outer_change(paper, seams, side, found[:, k : k + 1])[:, 0] for k, side in enumerate(_SIDES)], 1)
    for j, i in enumerate(idx):
        x1, y1, x2, y2 = (int(v) for v in seams[j])
        big_enough = x2 - x1 >= 12 and y2 - y1 >= 8
        # a step at ``pos`` is first seen with its far band 2 px on: the edge (first pixel inside for top and left,
        # first outside for bottom and right) is pos + 2
        out[i] = (_agreed_step(steps[j], outer[j]) if big_enough else 0.0, (x1 + 2, y1 + 2, x2 + 2, y2 + 2))
    return out


def pasted_seams(
    image: np.ndarray,
    boxes: Sequence[tuple[float, float, float, float]],
    noise: PageNoise | None = None,
    form: bool = False,
) -> tuple[float, tuple[ForensicRegion, ...]]:
    """Text boxes (upload pixels) with a pasted seam round them: the strongest as a score in [0, 1) (0 when no
    box reaches ``SEAM_STEP``), and the seams' rectangles, strongest first. Pages with fewer than
    ``SEAM_MIN_LINES`` text lines are not printed forms and are not judged: text on a coloured plate or sign
    steps from its surroundings on every side as a pasted field does (two real-dev photos of cars did), unless the
    caller knows the page is one (``form``: a page classified as a listed document; a blurred photo of a mostly blank
    page gives the detector two lines, an ID card six). Judged so, the 72 genuine pages with fewer lines of the dev and
    calibration seeds (5174, 6601, 401, 402) show no seam. ``noise``: the page's :class:`PageNoise` (its paper
    mask) when :func:`analyse` computed it. A whitened page is not judged (see the module's notes)."""
    h, w = image.shape[:2]
    if not boxes or (len(boxes) < SEAM_MIN_LINES and not form):
        return 0.0, ()
    if h * w > MAX_PIXELS or image.ndim != 3 or image.dtype != np.uint8:
        return 0.0, ()
    noise = _page_noise(image, noise)
    if noise.whitened:
        return 0.0, ()
    found = sorted(
        (
            (step, ForensicRegion("pasted_seam", (float(x1), float(y1), float(x2), float(y2)), int(step)))
            for step, (x1, y1, x2, y2) in seam_steps(_Paper(image, noise.paper), boxes)
            if step >= SEAM_STEP
        ),
        key=lambda r: -r[0],
    )
    if not found:
        return 0.0, ()
    best = found[0][0]
    regions = tuple(dict.fromkeys(r for _, r in found))  # two lines inside one pasted rectangle: one region
    return round(best / (best + SEAM_SCALE), 4), regions[:4]


_N8 = np.arange(8)
# the orthonormal 8-point DCT-II, one basis vector per row
_DCT8 = np.sqrt(np.where(_N8[:, None] == 0, 1 / 8, 2 / 8)) * np.cos(np.pi * (2 * _N8[None, :] + 1) * _N8[:, None] / 16)
# the 2-D DCT of a flattened 8x8 block, only the coefficients a JPEG quantises most coarsely (u + v >= 6)
_HIGH_DCT = np.kron(_DCT8, _DCT8)[(np.add.outer(_N8, _N8) >= 6).ravel()].T.astype(np.float32)


def grid_survival(grey: np.ndarray) -> np.ndarray | None:
    """Per 8x8 grid offset (dy, dx): the share of high-frequency DCT coefficients of plain paper at least 0.5 from
    zero. The same plain-paper windows (15x15: no edge, no clipped white, no dark) are cut at every offset, so only
    the grid differs. None when the page has too little plain paper."""
    h, w = grey.shape
    if h < 32 or w < 32:
        return None
    edge = cv2.morphologyEx(grey, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    bad = ((edge > 30) | (grey >= 250) | (grey <= JUDGED_GREY[0])).astype(np.uint8)
    bad_sum = cv2.integral(bad, sdepth=cv2.CV_32S)
    ys, xs = np.mgrid[0 : h - 15 : 8, 0 : w - 15 : 8]
    ys, xs = ys.ravel(), xs.ravel()
    plain = _rect_sums(bad_sum, xs, ys, xs + 15, ys + 15) == 0
    ys, xs = ys[plain], xs[plain]
    if len(ys) < 64:
        return None
    pick = np.linspace(0, len(ys) - 1, min(GRID_WINDOWS, len(ys))).astype(np.int64)
    ys, xs = ys[pick], xs[pick]
    k = np.arange(15)
    windows = grey[ys[:, None, None] + k[None, :, None], xs[:, None, None] + k[None, None, :]].astype(np.float32)
    blocks = np.lib.stride_tricks.sliding_window_view(windows, (8, 8), axis=(1, 2))  # n, dy, dx, 8, 8
    coef = blocks.reshape(-1, 64) @ _HIGH_DCT
    return (np.abs(coef) >= 0.5).reshape(len(ys), 8, 8, -1).mean(axis=(0, 3))


def block_compressed(grey: np.ndarray) -> bool | None:
    """Whether the page went through JPEG: on the grid it was cut on, its codec zeroed most high frequencies, so
    fewer than ``GRID_KEEP`` as many survive there as on the median of the 64 grids (a page never compressed has
    the same share on all of them). Found wherever the page was cropped, so on any of the grids. None when the
    page has too little plain paper to tell (a small crop, a page full of print)."""
    return _grid_compressed(grid_survival(grey))


def _grid_compressed(survival: np.ndarray | None) -> bool | None:
    """:func:`block_compressed` from the page's :func:`grid_survival`."""
    if survival is None:
        return None
    return bool(survival.min() < GRID_KEEP * np.median(survival))


def flat_blocks(grey: np.ndarray, offset: tuple[int, int]) -> tuple[int, tuple[ForensicRegion, ...]]:
    """(flat blocks in the largest cluster, that cluster as a region: its blocks' bounding box in the page's pixels,
    its size in pixels) of a page that went through JPEG on the 8x8 grid at ``offset`` (dy, dx: where fewest high
    frequencies survive, :func:`grid_survival`); (0, ()) when the page is not judged or has no such cluster
    (``BLOCK_VOID_*``). A block's variance is its AC energy over 64: the codec left it flat when it zeroed every AC
    coefficient."""
    dy, dx = offset
    g = grey[dy:, dx:]
    bh, bw = g.shape[0] // 8, g.shape[1] // 8
    if bh < 3 * BLOCK_VOID_TILE or bw < 3 * BLOCK_VOID_TILE:
        return 0, ()
    blocks = g[: bh * 8, : bw * 8].reshape(bh, 8, bw, 8).transpose(0, 2, 1, 3).reshape(bh, bw, 64)
    lo, hi = blocks.min(axis=2), blocks.max(axis=2)
    paper = ((hi.astype(np.int16) - lo < 30) & (lo > JUDGED_GREY[0]) & (hi < JUDGED_GREY[1])).astype(np.uint8)
    paper = cv2.erode(paper, np.ones((3, 3), np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=0) > 0
    n_paper = int(paper.sum())
    if n_paper < 200:
        return 0, ()
    variance = blocks.astype(np.float32).var(axis=2)
    level = float(np.median(variance[paper]))
    local = tile_levels(variance, paper, level, BLOCK_VOID_TILE, BLOCK_VOID_TILE_MIN)
    local = np.repeat(np.repeat(local, BLOCK_VOID_TILE, axis=0), BLOCK_VOID_TILE, axis=1)[:bh, :bw]
    flat = paper & (variance < BLOCK_VOID_SHARE * local)
    n_flat = int(flat.sum())
    if n_flat < BLOCK_VOID_MIN:
        return 0, ()
    n, labels = cv2.connectedComponents(cv2.dilate(flat.astype(np.uint8), np.ones((3, 3), np.uint8)), connectivity=8)
    counts = np.bincount(labels[flat], minlength=n)
    k = int(counts[1:].argmax()) + 1
    size = int(counts[k])
    if size < BLOCK_VOID_MIN or n_flat - size > BLOCK_VOID_REST * n_paper or size > BLOCK_VOID_MAX_SHARE * n_paper:
        return 0, ()
    ys, xs = np.nonzero(flat & (labels == k))
    x1, y1, x2, y2 = dx + 8 * xs.min(), dy + 8 * ys.min(), dx + 8 * xs.max() + 8, dy + 8 * ys.max() + 8
    box = (float(x1), float(y1), float(x2), float(y2))
    return size, (ForensicRegion("flat_blocks", box, 64 * size),)


def quiet_fields(
    image: np.ndarray,
    boxes: Sequence[tuple[float, float, float, float]],
    compressed: bool | None = None,
    noise: PageNoise | None = None,
) -> tuple[float, tuple[ForensicRegion, ...]]:
    """Text boxes (upload pixels) whose paper is much quieter than the paper round them: the strongest as a score
    in [0, 1) (0 when no box is below ``QUIET_RATIO``), and the boxes, quietest first (``size``: the inside's
    noise in percent of the outside's). Judged on pages with text (``QUIET_MIN_LINES``) that kept their recorded
    noise: not block-compressed, not whitened, not denoised (``MIN_SIGMA``). ``compressed``: the grid finder's verdict
    when :func:`analyse` gave it (``Forensics.compressed``); None: found here (a page it cannot tell is judged).
    ``noise``: the page's noise when :func:`analyse` computed it."""
    h, w = image.shape[:2]
    if len(boxes) < QUIET_MIN_LINES or h * w > MAX_PIXELS or image.ndim != 3 or image.dtype != np.uint8:
        return 0.0, ()
    noise = _page_noise(image, noise)
    grey = noise.grey
    if compressed is None:
        compressed = block_compressed(grey)
    if compressed or noise.whitened:  # first: most phone photos are JPEGs, and the grid is found in a few ms
        return 0.0, ()
    paper = noise.paper & (grey > JUDGED_GREY[0]) & (grey < JUDGED_GREY[1])
    if paper.sum() < 1000:
        return 0.0, ()
    r = np.abs(noise.residual)
    level = median(r[paper])
    if level / 0.6745 < MIN_SIGMA:  # the median |residual| of Gaussian noise is 0.674 sigma
        return 0.0, ()
    counted = np.minimum(r, QUIET_CLIP * level)  # float32, summed in float64 by the integral
    counted[~paper] = 0.0
    noise = cv2.integral(counted, sdepth=cv2.CV_64F)
    count = cv2.integral(paper.astype(np.uint8), sdepth=cv2.CV_32S)
    b = np.asarray([[round(v) for v in box] for box in boxes], np.int64).reshape(-1, 4)
    x1, y1, x2, y2 = b.T

    def grown(px: int) -> tuple[np.ndarray, np.ndarray]:  # (residual sum, paper pixels) of the boxes grown by px
        return tuple(_rect_sums(t, x1 - px, y1 - px, x2 + px, y2 + px) for t in (noise, count))

    (in_noise, in_n), (outer, outer_n), (gap, gap_n) = grown(-QUIET_INSET), grown(QUIET_RING), grown(QUIET_GAP)
    out_noise, out_n = outer - gap, outer_n - gap_n
    judged = (x2 - x1 >= 16) & (y2 - y1 >= 8) & (in_n >= QUIET_MIN_IN) & (out_n >= QUIET_MIN_OUT)
    inside, outside = in_noise / np.maximum(in_n, 1), out_noise / np.maximum(out_n, 1)
    ratio = np.where(judged, inside / np.maximum(outside, 1e-6), np.inf)
    found = [i for i in np.argsort(ratio) if ratio[i] < QUIET_RATIO]
    if not found:
        return 0.0, ()
    q = 1.0 / max(float(ratio[found[0]]), 1e-3)
    regions = tuple(
        ForensicRegion("quiet_field", tuple(float(v) for v in b[i]), round(100 * float(ratio[i]))) for i in found[:4]
    )
    return round(q / (q + QUIET_SCALE), 4), regions


def _paper_tone(image: np.ndarray, grey: np.ndarray, y1: int, y2: int, x1: int, x2: int) -> np.ndarray | None:
    """Mean colour of the brightest ``TINT_BRIGHT`` share (by grey) of the rectangle [y1, y2) x [x1, x2): its paper.
    None off the image or with too few pixels."""
    h, w = grey.shape
    if y1 < 0 or x1 < 0 or y2 > h or x2 > w or (y2 - y1) * (x2 - x1) < 12:
        return None
    g = grey[y1:y2, x1:x2]
    k = int(TINT_BRIGHT * (g.size - 1))
    level = np.partition(g, k, axis=None)[k]
    return np.asarray(cv2.mean(image[y1:y2, x1:x2], mask=(g >= level).view(np.uint8))[:3])


def _tint_step(inside: np.ndarray | None, outside: np.ndarray | None) -> np.ndarray | None:
    """``inside - outside``; None when either is missing or the step is below ``TINT_STEP``: the step all sides agree
    on is at most any side's own, so a genuine line is given up at its first side."""
    if inside is None or outside is None:
        return None
    step = inside - outside
    return step if float(np.linalg.norm(step)) >= TINT_STEP else None


def _band_tone(image: np.ndarray, grey: np.ndarray, axis: int) -> np.ndarray:
    """The paper tone of every row (``axis`` 1) or column (``axis`` 0) of a region: the mean colour of its brightest
    ``TINT_BRIGHT`` share, as :func:`_paper_tone` takes it of a rectangle."""
    n = grey.shape[axis]
    level = np.take(np.partition(grey, int(TINT_BRIGHT * (n - 1)), axis=axis), int(TINT_BRIGHT * (n - 1)), axis=axis)
    bright = grey >= np.expand_dims(level, axis)
    total = (image.astype(np.float32) * bright[..., None]).sum(axis)
    return _without_rules(total / np.maximum(bright.sum(axis), 1)[:, None])


def _without_rules(tones: np.ndarray) -> np.ndarray:
    """``tones`` (one BGR tone per row or column) with the printed rules' rows taken out: a row darker by
    ``TINT_RULE`` than those ``TINT_RULE_REACH`` px away on both sides, its tone drawn between its neighbours'. A
    table's rule along a pasted patch's side steps more than the patch does; left in, the search stops at it."""
    level = cv2.cvtColor(tones.astype(np.float32)[:, None, :], cv2.COLOR_BGR2GRAY)[:, 0]
    n, k = len(level), max(TINT_RULE_REACH)
    padded = np.pad(level, k, mode="edge")
    before = np.max([padded[k - d : k - d + n] for d in TINT_RULE_REACH], axis=0)
    after = np.max([padded[k + d : k + d + n] for d in TINT_RULE_REACH], axis=0)
    rule = level < np.minimum(before, after) - TINT_RULE
    if not rule.any() or rule.all():
        return tones
    at, kept = np.arange(n), np.flatnonzero(~rule)
    return np.stack([np.interp(at, kept, tones[kept, c]) for c in range(tones.shape[1])], axis=1)


def _tint_seam(tones: np.ndarray, side: int, inward: int) -> int | None:
    """Where a side's tint step is most abrupt, in ``tones`` (one per row or column, :func:`_band_tone`): the index of
    the first pixel inside, searched ``TINT_SEARCH`` px either way of ``side``; ``inward`` is +1 where inside lies at
    higher indices (top, left), -1 where it lies at lower ones (bottom, right). None when no place fits."""
    i, g, r = TINT_INSET, TINT_GAP, TINT_RING
    at = side + inward * np.arange(-TINT_SEARCH, TINT_SEARCH + 1)
    band_in, band_out = (at + i, at - g - r) if inward > 0 else (at - i - r, at + g)
    fits = (np.minimum(band_in, band_out) >= 0) & (np.maximum(band_in, band_out) + r <= len(tones))
    if not fits.any():
        return None
    at, band_in, band_out = at[fits], band_in[fits], band_out[fits]
    cum = np.concatenate([np.zeros((1, 3)), np.cumsum(tones, 0)])
    norm = np.linalg.norm((cum[band_in + r] - cum[band_in]) - (cum[band_out + r] - cum[band_out]), axis=1)
    return int(at[int(np.argmax(norm))])


def _searched_rect(image: np.ndarray, grey: np.ndarray, rect: Rect) -> Rect | None:
    """The rectangle round a line's box ``rect`` whose sides step most abruptly in tint (each side searched
    ``TINT_SEARCH`` px either way, the rows judged between the columns found and back, twice), or None: when the box's
    inside does not step by ``TINT_STEP`` from the paper beyond the search on every side (a genuine line's paper is the
    page's), or the search runs off the image."""
    h, w = grey.shape
    x1, y1, x2, y2 = rect
    i, g, r = TINT_INSET, TINT_GAP, TINT_RING
    reach = TINT_SEARCH + g + 2 * r + 4  # the band beyond the band out, for the level check (:func:`_tint_of`)
    ox, oy = x1 - reach, y1 - reach
    if ox < 0 or oy < 0 or x2 + reach > w or y2 + reach > h or x2 - x1 < 16 or y2 - y1 < 8:
        return None
    inside = _paper_tone(image, grey, y1 + i, y2 - i, x1 + i, x2 - i)
    o = TINT_SEARCH + g
    for beyond in (
        (y1 - o - r, y1 - o, x1, x2),
        (y2 + o, y2 + o + r, x1, x2),
        (y1, y2, x1 - o - r, x1 - o),
        (y1, y2, x2 + o, x2 + o + r),
    ):
        if _tint_step(inside, _paper_tone(image, grey, *beyond)) is None:
            return None
    top, bottom, left, right = y1, y2, x1, x2
    for _ in range(2):
        rows = _band_tone(image[oy : y2 + reach, left + i : right - i], grey[oy : y2 + reach, left + i : right - i], 1)
        top_at, bottom_at = _tint_seam(rows, y1 - oy, 1), _tint_seam(rows, y2 - oy, -1)
        if top_at is None or bottom_at is None or bottom_at - top_at < 8:
            return None
        top, bottom = top_at + oy, bottom_at + oy
        cols = _band_tone(image[top + i : bottom - i, ox : x2 + reach], grey[top + i : bottom - i, ox : x2 + reach], 0)
        left_at, right_at = _tint_seam(cols, x1 - ox, 1), _tint_seam(cols, x2 - ox, -1)
        if left_at is None or right_at is None or right_at - left_at < 16:
            return None
        left, right = left_at + ox, right_at + ox
    return left, top, right, bottom


def _tint_of(image: np.ndarray, grey: np.ndarray, rect: Rect, level_outside: bool = False) -> float:
    """The tint step all four sides of ``rect`` agree on, both ways (the inside against each band out, and each band
    just inside against the band out next to it), or 0 when a side steps by less than ``TINT_STEP`` or the rectangle is
    shorter than ``TINT_MIN_HEIGHT``. ``level_outside``: each band out must also match the band beyond it (a searched
    rectangle: a genuine line framed by a printed box, a seal's frame, steps from the frame's own colour, which stops
    there, where a pasted patch's outside is the page's paper on and on)."""
    x1, y1, x2, y2 = rect
    if x2 - x1 < 16 or y2 - y1 < TINT_MIN_HEIGHT:
        return 0.0
    i, g, r = TINT_INSET, TINT_GAP, TINT_RING
    # the bands along a side stop short of its corners: a searched side may be a few px off, its neighbours' too
    xs, ys = (x1 + TINT_ALONG, x2 - TINT_ALONG), (y1 + TINT_ALONG, y2 - TINT_ALONG)
    # the thin bands first: a genuine box is given up at its first side before its whole inside is sorted
    outs, edge = [], []  # per side: the band out, and the band in against it
    for band_in, band_out, beyond in (
        ((y1 + i, y1 + i + r, *xs), (y1 - g - r, y1 - g, *xs), (y1 - g - 2 * r - 2, y1 - g - r - 2, *xs)),
        ((y2 - i - r, y2 - i, *xs), (y2 + g, y2 + g + r, *xs), (y2 + g + r + 2, y2 + g + 2 * r + 2, *xs)),
        ((*ys, x1 + i, x1 + i + r), (*ys, x1 - g - r, x1 - g), (*ys, x1 - g - 2 * r - 2, x1 - g - r - 2)),
        ((*ys, x2 - i - r, x2 - i), (*ys, x2 + g, x2 + g + r), (*ys, x2 + g + r + 2, x2 + g + 2 * r + 2)),
    ):
        outs.append(_paper_tone(image, grey, *band_out))
        edge.append(_tint_step(_paper_tone(image, grey, *band_in), outs[-1]))
        if edge[-1] is None:
            return 0.0
        if level_outside:
            far = _paper_tone(image, grey, *beyond)
            if far is None or float(np.linalg.norm(far - outs[-1])) >= TINT_STEP:
                return 0.0
    inside = _paper_tone(image, grey, y1 + i, y2 - i, x1 + i, x2 - i)
    whole = [_tint_step(inside, out) for out in outs]  # the inside against each band out
    if any(step is None for step in whole):
        return 0.0
    none = np.full(4, np.nan)
    return min(_agreed_step(np.stack(whole), none), _agreed_step(np.stack(edge), none))


def tinted_fields(
    image: np.ndarray, boxes: Sequence[tuple[float, float, float, float]], noise: PageNoise | None = None
) -> tuple[float, tuple[ForensicRegion, ...]]:
    """Text boxes (upload pixels) printed on paper of another tint than the paper round them: the strongest as a score
    in [0, 1) (0 when no box reaches ``TINT_STEP``), and the boxes, strongest first (``size``: the step in BGR
    levels). The paper is the brightest pixels of a region, so that a value pasted tight round its strokes, whose
    seam has no plain paper inside it, is still judged (the seam cue needs a band of paper on both sides). The step
    from each side's band out to the inside must agree in colour, as with seams, and so must the step from the band
    out to the band in along the same side: a glare spot on a line brightens the middle of its box far more than its
    edges, where a pasted patch is the same to its edges. A box whose own sides do not step is judged again at the
    sides searched round it (:func:`_searched_rect`: the detector's box and the pasted patch need not coincide), where
    the paper outside must stay level too. Judged on pages with ``SEAM_MIN_LINES`` lines, for rectangles at least
    ``TINT_MIN_HEIGHT`` px tall. ``noise``: the page's noise (its grey image) when :func:`analyse` computed it."""
    h, w = image.shape[:2]
    if len(boxes) < SEAM_MIN_LINES or h * w > MAX_PIXELS or image.ndim != 3 or image.dtype != np.uint8:
        return 0.0, ()
    grey = _page_noise(image, noise).grey
    found: list[tuple[float, Rect]] = []
    for box in boxes:
        x1, y1, x2, y2 = (round(v) for v in box)
        rect: Rect | None = (x1, y1, x2, y2)
        step = _tint_of(image, grey, rect)
        if step < TINT_STEP:
            searched = _searched_rect(image, grey, rect)
            rect = searched if searched != rect else None
            step = _tint_of(image, grey, rect, level_outside=True) if rect is not None else 0.0
        if rect is not None and step >= TINT_STEP:
            found.append((step, rect))
    if not found:
        return 0.0, ()
    found.sort(key=lambda f: -f[0])
    best = found[0][0]
    regions = tuple(ForensicRegion("tinted_field", tuple(map(float, rect)), int(step)) for step, rect in found[:4])
    return round(best / (best + TINT_SCALE), 4), regions


def voids_in_lines(
    image: np.ndarray,
    boxes: Sequence[tuple[float, float, float, float]],
    voids: Sequence[ForensicRegion] = (),
    noise_checked: bool = True,
    noise: PageNoise | None = None,
) -> tuple[float, tuple[ForensicRegion, ...]]:
    """Noise voids in the text lines' boxes (upload pixels): the voids found on the page (``Forensics.voids``) that
    lie in a line, their pixels weighed by ``LINE_VOID_WEIGHT`` (on the void cue's scale), and fainter voids looked
    for in the lines only (``LINE_FAINT_SHARE``; from ``LINE_FAINT_MIN_PX`` scored from 0.8 up). The stronger score
    in [0, 1) (0 when neither is found) and the regions, the deciding one's first. Pages with fewer than
    ``QUIET_MIN_LINES`` lines are not judged, nor, for faint voids, pages whose noise the void cue did not judge
    (``noise_checked``: compressed, denoised). ``noise``: the page's noise when :func:`analyse` computed it."""
    h, w = image.shape[:2]
    if len(boxes) < QUIET_MIN_LINES or h * w > MAX_PIXELS or image.dtype != np.uint8:
        return 0.0, ()
    b = np.asarray(boxes, np.float64).reshape(-1, 4) + np.asarray([-1, -1, 1, 1]) * LINE_VOID_PAD
    in_line = []
    for region in voids:
        x1, y1, x2, y2 = region.box_xyxy
        area = max(x2 - x1, 0.0) * max(y2 - y1, 0.0)
        ix = np.clip(np.minimum(x2, b[:, 2]) - np.maximum(x1, b[:, 0]), 0, None)
        iy = np.clip(np.minimum(y2, b[:, 3]) - np.maximum(y1, b[:, 1]), 0, None)
        if area > 0 and float((ix * iy).max()) >= LINE_VOID_SHARE * area:
            in_line.append(region)
    in_line.sort(key=lambda r: -r.size)
    strong = LINE_VOID_WEIGHT * in_line[0].size if in_line else 0.0
    strong_score = strong / (strong + VOID_SCALE)
    faint: tuple[ForensicRegion, ...] = ()
    if noise_checked:
        page = _page_noise(image, noise)
        energy, judged, _ = page.void_energy
        lines = np.zeros((h, w), bool)
        for x1, y1, x2, y2 in np.round(b).astype(np.int64):
            lines[max(0, y1) : max(0, y2), max(0, x1) : max(0, x2)] = True
        mask = ((energy < LINE_FAINT_SHARE * page.local_level) & judged & lines).astype(np.uint8)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
        faint = tuple(r for r in _void_regions(mask) if r.size >= LINE_FAINT_MIN_PX)
    faint_score = faint[0].size / (faint[0].size + LINE_FAINT_SCALE) if faint else 0.0
    if not in_line and not faint:
        return 0.0, ()
    regions = (*faint, *in_line) if faint_score >= strong_score else (*in_line, *faint)
    return round(max(strong_score, faint_score), 4), tuple(dict.fromkeys(regions))


def with_line_cues(
    forensics: Forensics, score: float, regions: tuple[ForensicRegion, ...], elapsed_ms: float = 0.0
) -> Forensics:
    """``forensics`` with a cue found round the text lines (pasted seams, tinted and quiet fields, voids in lines): the
    stronger score, its regions first when it decides it."""
    if not regions:
        return replace(forensics, elapsed_ms=forensics.elapsed_ms + elapsed_ms)
    first = score >= forensics.score
    # a void already reported by the void cue and found again in a line is one region
    ordered = regions + forensics.regions if first else forensics.regions + regions
    return replace(
        forensics,
        score=max(forensics.score, score),
        regions=tuple(dict.fromkeys(ordered)),
        elapsed_ms=forensics.elapsed_ms + elapsed_ms,
        seams=forensics.seams + sum(r.cue == "pasted_seam" for r in regions),
        quiet_fields=forensics.quiet_fields + sum(r.cue == "quiet_field" for r in regions),
        tinted_fields=forensics.tinted_fields + sum(r.cue == "tinted_field" for r in regions),
    )


def analyse(image: np.ndarray, noise: PageNoise | None = None) -> Forensics:
    """The page-wide checks on one page (BGR or grey uint8) at its own pixels: noise voids and byte-exact copies on a
    page that kept its recorded noise; flat blocks and copies of its print on one that went through JPEG. The score
    is the strongest cue mapped to [0, 1): ``a / (a + scale)``. ``noise``: the page's :class:`PageNoise`, to share
    it with the line cues."""
    t0 = time.perf_counter()
    h, w = image.shape[:2]
    if h * w > MAX_PIXELS:
        return Forensics(0.0, 0, 0, 0.0, False, False, (), (time.perf_counter() - t0) * 1000)
    noise = _page_noise(image, noise)
    grey = noise.grey
    survival = grid_survival(grey)
    compressed = _grid_compressed(survival)  # once a page: the quiet-field cue takes it from the result
    void_px, voids, sigma, noise_checked = _noise_voids(noise, compressed)
    # byte-identical windows mean a copy only where the page kept its recorded noise: heavy compression and
    # smoothing make equal windows of their own
    dup, copies = duplicated_regions(grey, compressed) if noise_checked else (0, ())
    n_flat, flat = 0, ()
    # a page that went through JPEG: flat blocks instead of its voids (an app's whitened paper is flat all over)
    if compressed and survival is not None and not noise.whitened:
        dy, dx = np.unravel_index(int(np.argmin(survival)), survival.shape)  # the codec's grid
        n_flat, flat = flat_blocks(grey, (int(dy), int(dx)))
        dup, copies = jpeg_copies(grey)  # the byte-exact copies were not looked for: the codec changed the bytes
    void_score, dup_score = void_px / (void_px + VOID_SCALE), dup / (dup + DUP_SCALE)
    flat_score = n_flat / (n_flat + BLOCK_VOID_SCALE)
    score = max(void_score, dup_score, flat_score)
    regions = copies + voids[:2] if dup_score >= void_score else voids[:2] + copies
    regions = flat + regions if flat_score >= max(void_score, dup_score) else regions + flat
    return Forensics(
        round(float(score), 4),
        int(void_px),
        int(dup),
        round(sigma, 3),
        noise_checked,
        True,
        regions,
        (time.perf_counter() - t0) * 1000,
        compressed=compressed,
        voids=voids,
        whitened=noise.whitened,
        flat_blocks=n_flat,
    )
