"""Authenticity of a document image: genuine, screen recapture, photocopy/print-scan or digitally tampered.

A patch classifier looks at 112-pixel patches at (near) native scale, where the cues live (moire and the
sub-pixel grid of a screen, the halftone screen of a copier, the edges of an edit). The page's score for a
kind is the mean patch probability for the global kinds (screen; photocopy over the patches on the paper when
the page is found on a desk: a copy's toner and crushed greys are on the paper, and a grey desk round a white
page looks copied) and the mean of the top patches for tampering, which is local; the per-patch tamper
probabilities are the heatmap, and patches above the threshold are reported as boxes in page pixels. Pixel
forensics (``forensics.py``: noise voids left by an edit, regions copied within the page; with the text
reader's line boxes, seams of a field pasted from another capture, fields quieter than their paper, voids
lying in a line, and here the patch model's look at patches centred on each line) are a second tamper alarm
with its own score and threshold, measured at the upload's pixels: the two cues have genuine tails of
different shapes, so one threshold over the stronger of the two would be set by the worse tail. The
photocopy score is the mean of the patches' photocopy probability and the page's colourlessness (``colour.py``): a copy
has lost the colour of the printed original, while the genuine pages the patches find copy-like keep theirs; pages of no
listed type (``colour_expected=False``) may be printed in black only, as are a few listed pages but for a small mark:
their colour says nothing, and the patches' score is theirs alone. On a page whose paper a scanner app lifted to white
or one flat tone (``forensics.whitened``) the score is the colourlessness alone: the patches take the app's flat paper
for a copy's; there the alarms the patches raise alone are judged at raised thresholds (``WHITENED_FLOORS``). A
screen's frame in view round the page (``bezel.py``, measured) is a second look for screens: its score is over the
screen threshold where a frame is found and 0 elsewhere. Thresholds are set from genuine pages for a target
false-alarm rate (``thresholds_for``), in the catalog by training and per office by ``chayan calibrate-authenticity``
(``calibration.py``).
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Mapping, Sequence
from types import EllipsisType, MappingProxyType

import cv2
import numpy as np

from ..engine import Engine, OnnxModel
from ..types import BoxXYXY, Frame
from .bezel import bezel_score, bezel_step
from .colour import colour_spread, colourlessness
from .forensics import (
    SEAM_MIN_LINES,
    PageNoise,
    analyse,
    pasted_seams,
    quiet_fields,
    tinted_fields,
    voids_in_lines,
    with_line_cues,
)
from .page import find_page
from .preprocess import AUTH_PATCH, auth_work, doc_thumbnail, line_patches, patch_grid, to_chw
from .types import AuthenticityResult, DocClass, DocType, ForensicRegion, Forensics, TamperRegion

DEFAULT_STRIDE = 112
FORGED_KINDS = ("screen_recapture", "photocopy", "tampered")
FORENSIC = "forensic"  # the pixel-forensics alarm; its verdict is "tampered"
BEZEL = "bezel"  # a screen's frame in view round the page (a score beside the others, in the screen score)
# The frame raises the screen score only where the models' screen score is at least this: a paper page on a dark
# folder lying on a lighter desk looks framed too. Every screen of the test, calibration and dev sets (248) scores
# 0.375 or more by the models, and 96% of their genuine pages (3100) less than 0.3.
BEZEL_SUPPORT = 0.3
# The page view's screen probability and the frame count only where the patches lying within the found page see a
# screen too: their mean screen probability (``SCREEN_INSIDE``, the patches near the paper's edge left out) at least
# this. A paper page on a dark folder is framed as a screen's picture is; the page view, which learned the frame,
# calls it a screen, and so do the patches astride the folder's edge, while the patches within the paper do not
# (genuine pages on a dark folder, dev seeds 7700+: median 0.12). With the patches shrunk by 0.1 of their side (before
# ``WITHIN_MARGIN``) the lowest of the 205 held-out screens of the calibration and dev sets scored 0.206; this leaves a
# margin. With it those screens are all still detected at the same false-alarm budget, and 28 of 60 pages on a folder
# are flagged instead of 58.
# Where no frame is in view either, the patches' own screen score (their mean over the whole photo) is left to those
# within the page (:func:`with_bezel`): the patches on a striped cloth round a page saw a screen's pattern (dev
# forgeries seed 5411: the highest genuine screen score 0.405 -> 0.284, no verdict changed, all 26 screens found;
# test: a twin flagged as a screen so is paper, all 43 screens found). Taking the patches within the page alone on
# framed pages too missed a framed test screen whose paper patches scored 0.105 (README), and is not done.
SCREEN_INSIDE_SUPPORT = 0.15
SCREEN_INSIDE = "screen_inside"
# The patches within the page are those whose square, grown by this share of its side all round, lies on the page:
# a patch whose edge comes near the page's edge sees a dark folder's edge as a bezel's. Grown by 0.15 instead of shrunk
# by 0.1, with the page found inside a folder (``find_page``), pages on a dark folder flagged 28 -> 23 of 60 (dev seeds
# 7700+) and all 138 held-out screens of the calibration and dev sets still detected, 1 of them with its patches
# within the page at 0.156 (the only one under 0.2), and a screen score of 0.55 from all the patches.
WITHIN_MARGIN = 0.15
ALARMS = (*FORGED_KINDS, FORENSIC)
ALARM_KIND = {**{k: k for k in FORGED_KINDS}, FORENSIC: "tampered"}
TAMPER_TOP_K = 2
# weight of the page's colourlessness in the photocopy score (the patches' probability has the rest). Held-out
# photocopies of seeds 402/404 at the same false-alarm budget on 1000 genuine pages of seeds 401-404: patches
# alone 80.6%, colour alone 65.3%, the mean 90.8% (weight 0.3: 89.8%)
PHOTOCOPY_COLOUR_WEIGHT = 0.5
# Pages of a listed document printed in black but for a small mark, judged for photocopying by the patches alone, as
# pages of no listed type are: the 登记证书's page 2 (a black table, its red number in a corner). Its colour says
# nothing there: on 40 fresh genuine pages and their photocopies (seeds 88000+ and 89000+, pairs of that page)
# colourlessness ran 0.05-0.53 on the genuine pages and 0.0-1.0 on the copies (on every other page the genuine ones
# stay under 0.23), and the fused score flagged 5 of the 40 genuine pages; the patches alone flag none (the highest
# 0.11) and find 39 of the 40 copies (the fused score 40). Dev and calibration seeds 402, 404, 5174, 5190: 26 genuine
# pages, 2 flagged by the fused score, 0 by the patches (the highest 0.06); their 4 copies found either way.
BLACK_PRINTED_PAGES = frozenset({(DocType.registration_certificate, "2")})
# fewer patches than this on the found page (a small page): the photocopy score is over all patches
MIN_PAGE_PATCHES = 4
_MAX_PATCHES = 400
# The patch model looks again at every text line through patches centred on it (``line_patches``): the grid cuts a
# line wherever its patches fall, and an edited value split between two patches shows each half its edges. A line
# patch at or above this tamper probability is a cue round the lines, like the pasted seams, scored from 0.8 up
# (over the forensic threshold): no genuine page of seeds 401/402/404 (700) nor of the fresh dev sets 5501/5502/
# 5601 (250) reached it (the highest 0.993); of 455 held-out dev tampered pages it found 8 that no other alarm did
# (text replaced 89 -> 95 of 102, splices 100 -> 102 of 131), with the same false alarms on those genuine pages.
# About 60 ms a page of 70 lines. Pages with fewer lines than a printed form are not judged.
LINE_PATCH_LIMIT = 0.995
_MAX_LINE_PATCHES = 256  # a page of hundreds of lines: its first lines' patches only, to bound the cost

# On a page whose paper a scanner app whitened (``forensics.whitened``), the app's sharpening gives the patches
# edit-like edges round every stroke and its flat paper looks copied, so the alarms the patches raise on their own are
# judged there at no less than these (:func:`page_thresholds`). On the dev forgeries flattened and enhanced as an app
# does (seeds 5411-5413, JPEG q85), the patches' tamper score reached 0.991 on the 340 genuine twins: 9 of them over
# the tamper threshold, 2 over 0.975; of the 165 tampered pages, 18 over the threshold and 10 over 0.975. Their
# photocopy score on the pages judged by the patches alone (no colour expected: 60 genuine, 15 copies) ran to 0.242 on
# the genuine pages but one (0.32), and from 0.30 on the copies (all but one over 0.6). Where colour is expected a
# whitened page's photocopy score is its colourlessness (:func:`with_colour`), judged at the threshold.
WHITENED_FLOORS = MappingProxyType({"tampered": 0.975, "photocopy": 0.33})

ProbsFn = Callable[[np.ndarray], np.ndarray]


def patch_probs(run: ProbsFn, work: np.ndarray, origins: Sequence[tuple[int, int]], batch: int = 64) -> np.ndarray:
    """``run`` over the patches of ``work`` with these top-left corners, ``batch`` at a time."""
    patches = np.stack([work[y : y + AUTH_PATCH, x : x + AUTH_PATCH] for x, y in origins])
    return np.concatenate([run(to_chw(patches[i : i + batch])) for i in range(0, len(patches), batch)])


def page_scores(
    image: np.ndarray,
    run: ProbsFn,
    labels: Sequence[str],
    stride: int = DEFAULT_STRIDE,
    batch: int = 64,
    work: tuple[np.ndarray, float] | None = None,
    quad: np.ndarray | None | EllipsisType = ...,
) -> tuple[dict[str, float], np.ndarray, np.ndarray, float]:
    """Scores per forged kind (and ``SCREEN_INSIDE``, the screen score of the patches within the page), patch
    origins (x, y in page pixels), patch probabilities and the patch side in page pixels. ``run`` maps an
    N x 3 x P x P batch to N x len(labels) probabilities. ``work``: the page's :func:`auth_work`, when the caller
    has it (the line patches are cut from it too). ``quad``: the page's corners (:func:`find_page`'s, None when it
    found none; found here when not given)."""
    work_image, s = work or auth_work(image)
    h, w = work_image.shape[:2]
    origins = list(patch_grid((w, h), AUTH_PATCH, stride))
    if len(origins) > _MAX_PATCHES:  # a very elongated page: subsample evenly, keep the cost bounded
        origins = [origins[i] for i in np.linspace(0, len(origins) - 1, _MAX_PATCHES).astype(int)]
    probs = patch_probs(run, work_image, origins, batch)
    idx = {k: labels.index(k) for k in FORGED_KINDS}
    top = np.sort(probs[:, idx["tampered"]])[::-1][:TAMPER_TOP_K]
    origins_px, side = np.asarray(origins, np.float32) / s, AUTH_PATCH / s
    quad = find_page(image) if quad is ... else quad
    paper, inside = on_page(origins_px + side / 2, quad), within_page(origins_px, side, quad)
    copy, screen = probs[:, idx["photocopy"]], probs[:, idx["screen_recapture"]]
    scores = {
        "screen_recapture": float(screen.mean()),
        "photocopy": float((copy[paper] if paper.sum() >= MIN_PAGE_PATCHES else copy).mean()),
        "tampered": float(top.mean()),
        SCREEN_INSIDE: float((screen[inside] if inside.sum() >= MIN_PAGE_PATCHES else screen).mean()),
    }
    return scores, origins_px, probs, side


def on_page(points_xy: np.ndarray, quad: np.ndarray | None) -> np.ndarray:
    """Which points lie inside the page ``quad`` (all of them when no page was found: a scan, or a page that
    fills the frame)."""
    if quad is None:
        return np.ones(len(points_xy), bool)
    contour = np.asarray(quad, np.float32).reshape(-1, 1, 2)
    return np.asarray([cv2.pointPolygonTest(contour, (float(x), float(y)), False) >= 0 for x, y in points_xy], bool)


def within_page(
    origins_xy: np.ndarray, side: float, quad: np.ndarray | None, margin: float = WITHIN_MARGIN
) -> np.ndarray:
    """Which patches (top-left corners and side, page pixels) lie within the page ``quad``: each patch grown by
    ``margin`` of its side all round, all inside it (every patch when no page was found)."""
    if quad is None:
        return np.ones(len(origins_xy), bool)
    lo, hi = -margin, 1 + margin
    corners = ((lo, lo), (hi, lo), (lo, hi), (hi, hi))
    return np.all([on_page(origins_xy + np.asarray(c, np.float32) * side, quad) for c in corners], axis=0)


def screen_supported(scores: Mapping[str, float]) -> bool:
    """The patches within the page see a screen enough (``SCREEN_INSIDE_SUPPORT``) for the page view and the frame
    to count (scores without ``SCREEN_INSIDE``: yes)."""
    return float(scores.get(SCREEN_INSIDE, 1.0)) >= SCREEN_INSIDE_SUPPORT


PAGE_KINDS = ("screen_recapture", "photocopy")


def combine(
    patch_scores: Mapping[str, float], page_probs: Mapping[str, float], page_kinds: Sequence[str] = PAGE_KINDS
) -> dict[str, float]:
    """One score per forged kind from the patch scores and the whole-page probabilities: the stronger of the
    two for the global kinds the page view is trusted with (``page_kinds``, chosen at calibration where it
    adds detection; for screens where the patches within the page support it, :func:`screen_supported`), the patches
    alone for the others and for tampering, which is local."""
    out = {k: float(patch_scores.get(k, 0.0)) for k in FORGED_KINDS}
    out.update({k: float(v) for k, v in patch_scores.items() if k not in out})  # other alarms pass through
    for k in page_kinds:
        if k in page_probs and (k != "screen_recapture" or screen_supported(patch_scores)):
            out[k] = max(out[k], float(page_probs[k]))
    return out


def listed(doc: DocClass | None) -> bool:
    """The page is of a listed document, a printed form (an unclassified page is taken for one)."""
    return doc is None or doc.doc_type is not DocType.other


def colour_expected(doc: DocClass | None) -> bool:
    """Colour is expected on the listed documents' pages (an unclassified page is taken for one), except those
    printed in black but for a small mark (``BLACK_PRINTED_PAGES``); a page of no listed type may be printed in
    black only."""
    return listed(doc) and (doc is None or (doc.doc_type, doc.page) not in BLACK_PRINTED_PAGES)


def with_colour(scores: Mapping[str, float], colourless: float | None, whitened: bool = False) -> dict[str, float]:
    """``scores`` with the photocopy score fused with the page's colourlessness (``None``: no colour expected,
    the patches' score alone; on a page whose paper an app ``whitened``, the colourlessness alone: the patches see
    the app's flat white paper and sharpened strokes, which look copied); the patches' own score and the
    colourlessness (0 when not expected) are kept beside it."""
    out = dict(scores)
    patches = float(scores["photocopy"])
    if colourless is None:
        out["photocopy"], colour = patches, 0.0
    elif whitened:
        out["photocopy"] = colour = float(colourless)
    else:
        colour = float(colourless)
        out["photocopy"] = (1.0 - PHOTOCOPY_COLOUR_WEIGHT) * patches + PHOTOCOPY_COLOUR_WEIGHT * colour
    out["photocopy_patches"] = patches
    out["colourless"] = colour
    return out


def page_thresholds(thresholds: Mapping[str, float], whitened: bool, colour_expected: bool = True) -> dict[str, float]:
    """The thresholds a page is judged at: ``thresholds``, and on a ``whitened`` page the tamper alarm of the patches,
    and their photocopy alarm where no colour is expected (the patches' score alone), at least ``WHITENED_FLOORS``."""
    out = dict(thresholds)
    if whitened:
        for alarm in ("tampered",) if colour_expected else ("tampered", "photocopy"):
            out[alarm] = max(out[alarm], WHITENED_FLOORS[alarm])
    return out


def with_bezel(scores: Mapping[str, float], bezel: float) -> dict[str, float]:
    """``scores`` with the screen frame round the page (``bezel.py``'s score, 0 when none is in view) kept beside
    them and taken into the screen-recapture score (the stronger of the two) when the models' own screen score
    supports it (``BEZEL_SUPPORT``) and the patches within the page do (:func:`screen_supported`). Where neither the
    patches within the page see a screen nor a frame is in view, the screen score is those patches' own: the scene
    round the page (a striped cloth, a woven mat) is no evidence of a screen."""
    screen = float(scores["screen_recapture"])
    inside = screen_supported(scores)
    if not inside and bezel <= 0.0:
        screen = float(scores[SCREEN_INSIDE])
    supported = screen >= BEZEL_SUPPORT and inside
    return {**scores, BEZEL: bezel, "screen_recapture": max(screen, bezel) if supported else screen}


def with_forensics(scores: Mapping[str, float], forensics: Forensics | None) -> dict[str, float]:
    """``scores`` with the forensic alarm's score (0 when the page was not analysed)."""
    return {**scores, FORENSIC: 0.0 if forensics is None else float(forensics.score)}


def thresholds_for(genuine_scores: Sequence[Mapping[str, float]], target_false_alarm: float) -> dict[str, float]:
    """Per-alarm thresholds so that at most ``target_false_alarm`` of genuine pages raise any alarm: each forged
    kind gets an equal share of the budget, split equally between its alarms (tampering: the patches and the
    forensics, when the scores have both)."""
    if not genuine_scores:
        raise ValueError("calibration needs at least one genuine page")
    if not 0.0 < target_false_alarm < 1.0:
        raise ValueError(f"target_false_alarm must be in (0, 1), got {target_false_alarm}")
    alarms = [a for a in ALARMS if all(a in s for s in genuine_scores)]
    out = {}
    for alarm in alarms:
        n_alarms = sum(ALARM_KIND[a] == ALARM_KIND[alarm] for a in alarms)
        share = target_false_alarm / len(FORGED_KINDS) / n_alarms
        values = np.asarray([s[alarm] for s in genuine_scores], np.float64)
        q = float(np.quantile(values, 1.0 - share, method="higher"))
        out[alarm] = round(min(0.999, max(q + 0.01, 0.05)), 4)  # small margin above the quantile
    return out


def line_patch_cue(
    image: np.ndarray,
    text_boxes: Sequence[BoxXYXY],
    run: ProbsFn,
    labels: Sequence[str],
    work: tuple[np.ndarray, float] | None = None,
) -> tuple[float, tuple[ForensicRegion, ...]]:
    """The line-patch cue (``LINE_PATCH_LIMIT``) of the patch model ``run``: a score in [0, 1) (0 below the limit)
    and the surest line patch as a region, in the page's pixels. ``work``: the page's :func:`auth_work`, when
    already made."""
    if len(text_boxes) < SEAM_MIN_LINES:
        return 0.0, ()
    work_image, s = work or auth_work(image)
    h, w = work_image.shape[:2]
    scaled = [(x1 * s, y1 * s, x2 * s, y2 * s) for x1, y1, x2, y2 in text_boxes]
    origins = line_patches(scaled, (w, h), AUTH_PATCH)[:_MAX_LINE_PATCHES]
    probs = patch_probs(run, work_image, origins)[:, list(labels).index("tampered")]
    best = int(np.argmax(probs))
    p = float(probs[best])
    if p < LINE_PATCH_LIMIT:
        return 0.0, ()
    x, y = origins[best]
    ih, iw = image.shape[:2]
    box = (x / s, y / s, min(iw, (x + AUTH_PATCH) / s), min(ih, (y + AUTH_PATCH) / s))
    score = 0.8 + 0.2 * (p - LINE_PATCH_LIMIT) / (1.0 - LINE_PATCH_LIMIT)
    return round(min(score, 0.9999), 4), (ForensicRegion("line_patch", box, round(p * 1000)),)


def alarm_scores(
    image: np.ndarray,
    run: ProbsFn,
    labels: Sequence[str],
    stride: int = DEFAULT_STRIDE,
    *,
    colour_expected: bool = True,
    form: bool | None = None,
    text_boxes: Sequence[BoxXYXY] = (),
    page_probs: Mapping[str, float] | None = None,
    page_kinds: Sequence[str] = (),
    forensics: bool = True,
    quad: np.ndarray | None | EllipsisType = ...,
) -> tuple[dict[str, float], np.ndarray, np.ndarray, float, Forensics | None]:
    """The page's score for every alarm, as the review judges a page and so as thresholds are set on them (in
    training and per office): the patches (``run``), the photocopy score fused with the page's colour (where
    ``colour_expected``), the whole-page probabilities for ``page_kinds``, a screen's frame round the page
    (``bezel.py``, in the screen score) and the pixel forensics, with the cues round the text lines (``text_boxes``,
    the reader's line boxes in the page's pixels: pasted seams, tinted and quiet fields, voids in lines, line
    patches) taken into the forensic score; with the patch grid behind them and the forensics. ``form``: the page is
    a listed document's, judged by the cues round its lines however few were detected (None: as
    ``colour_expected``). ``quad``: the page's corners (:func:`find_page`'s, None when it found none; found here when
    not given)."""
    noise = PageNoise(image) if forensics else None  # filtered once for the page and its lines
    work = auth_work(image)  # scaled once for the grid and the line patches
    quad = find_page(image) if quad is ... else quad  # once for the patches on the paper and the colour
    patch_scores, origins, probs, side = page_scores(image, run, labels, stride, work=work, quad=quad)
    colourless = colourlessness(colour_spread(image, quad)) if colour_expected else None
    patch_scores = with_colour(patch_scores, colourless, (noise or PageNoise(image)).whitened)
    found = analyse(image, noise) if forensics else None
    if found is not None and text_boxes:
        cues = (
            # a page classified as a listed document is a printed form however few of its lines were detected
            functools.partial(pasted_seams, noise=noise, form=colour_expected if form is None else form),
            functools.partial(quiet_fields, compressed=found.compressed, noise=noise),
            functools.partial(tinted_fields, noise=noise),
            functools.partial(voids_in_lines, voids=found.voids, noise_checked=found.noise_checked, noise=noise),
            functools.partial(line_patch_cue, run=run, labels=labels, work=work),
        )
        for cue in cues:
            t = time.perf_counter()
            cue_score, regions = cue(image, text_boxes)
            found = with_line_cues(found, cue_score, regions, (time.perf_counter() - t) * 1000)
    scores = with_forensics(combine(patch_scores, page_probs or {}, page_kinds), found)
    scores = with_bezel(scores, bezel_score(bezel_step(image, quad)))
    return scores, origins, probs, side, found


def validate_thresholds(thresholds: Mapping[str, float]) -> dict[str, float]:
    unknown = sorted(set(thresholds) - set(ALARMS))
    if unknown:
        raise ValueError(f"unknown authenticity alarms {unknown}; expected some of {list(ALARMS)}")
    bad = {k: v for k, v in thresholds.items() if not 0.0 < float(v) < 1.0}
    if bad:
        raise ValueError(f"authenticity thresholds must be in (0, 1), got {bad}")
    return {k: float(v) for k, v in thresholds.items()}


class AuthenticityChecker:
    """Stage: page -> :class:`AuthenticityResult`. The patch model ``doc-authenticity`` always; the whole-page
    model ``doc-authenticity-page`` when the catalog has it (its thresholds are for the combined scores).
    ``thresholds`` override the catalog's (per office)."""

    def __init__(
        self,
        engine: Engine,
        name: str = "doc-authenticity",
        thresholds: Mapping[str, float] | None = None,
        page_model: bool = True,
        page_name: str = "doc-authenticity-page",
        forensics: bool = True,
    ) -> None:
        self.forensics = forensics
        self.model: OnnxModel = engine.load(name)
        self.labels: tuple[str, ...] = tuple(json.loads(self.model.metadata["labels"]))
        post = dict(self.model.entry.postprocess)
        self.stride = int(post.get("stride", DEFAULT_STRIDE))
        self.page: OnnxModel | None = None
        self.page_kinds: tuple[str, ...] = ()
        if page_model and page_name in engine.catalog:
            self.page = engine.load(page_name)
            self.page_labels: tuple[str, ...] = tuple(json.loads(self.page.metadata["labels"]))
            self.page_size = int(self.page.metadata.get("input_size", "128"))
            page_post = self.page.entry.postprocess
            post["thresholds"] = page_post.get("thresholds") or post.get("thresholds")
            self.page_kinds = tuple(page_post.get("page_kinds", PAGE_KINDS))
            unknown = sorted(set(self.page_kinds) - set(PAGE_KINDS))
            if unknown:
                raise ValueError(f"page_kinds {unknown} are not whole-page kinds {list(PAGE_KINDS)}")
        shipped = validate_thresholds(post.get("thresholds") or {})
        # a catalog calibrated before the forensic alarm had its own threshold judged it with the tamper one
        shipped.setdefault(FORENSIC, shipped.get("tampered", 0.5))
        self.thresholds = {**{k: 0.5 for k in ALARMS}, **shipped, **validate_thresholds(thresholds or {})}

    @property
    def models(self) -> tuple[OnnxModel, ...]:
        return (self.model,) if self.page is None else (self.model, self.page)

    def page_probs(self, image: np.ndarray) -> dict[str, float]:
        if self.page is None:
            return {}
        x = to_chw(doc_thumbnail(image, self.page_size)[None])
        probs = self.page.run({self.page.input_names[0]: x})[0][0]
        return dict(zip(self.page_labels, (float(p) for p in probs), strict=True))

    def _run(self, batch: np.ndarray) -> np.ndarray:
        return self.model.run({self.model.input_names[0]: batch})[0]

    def line_patches(
        self, image: np.ndarray, text_boxes: Sequence[BoxXYXY], work: tuple[np.ndarray, float] | None = None
    ) -> tuple[float, tuple[ForensicRegion, ...]]:
        """:func:`line_patch_cue` with this checker's patch model."""
        return line_patch_cue(image, text_boxes, self._run, self.labels, work)

    def _score(
        self,
        image: np.ndarray,
        colour_expected: bool = True,
        text_boxes: Sequence[BoxXYXY] = (),
        quad: np.ndarray | None | EllipsisType = ...,
        form: bool | None = None,
    ) -> tuple[dict[str, float], np.ndarray, np.ndarray, float, Forensics | None]:
        """Scores per alarm (:func:`alarm_scores` with this checker's models), with the patch grid behind them."""
        return alarm_scores(
            image,
            self._run,
            self.labels,
            self.stride,
            colour_expected=colour_expected,
            form=form,
            text_boxes=text_boxes,
            page_probs=self.page_probs(image),
            page_kinds=self.page_kinds,
            forensics=self.forensics,
            quad=quad,
        )

    def scores(
        self,
        image: np.ndarray,
        colour_expected: bool = True,
        text_boxes: Sequence[BoxXYXY] = (),
        form: bool | None = None,
    ) -> dict[str, float]:
        """The page's score per alarm as :meth:`check` judges it (with the cues round ``text_boxes``)."""
        return self._score(image, colour_expected, text_boxes, form=form)[0]

    def check(
        self,
        frame: Frame,
        colour_expected: bool = True,
        text_boxes: Sequence[BoxXYXY] = (),
        quad: np.ndarray | None | EllipsisType = ...,
        form: bool | None = None,
    ) -> AuthenticityResult:
        """``colour_expected``: the page is of a type printed in colour (:func:`colour_expected`). ``text_boxes``: the
        text reader's line boxes in the page's pixels, where pasted seams, tinted and quiet fields and voids in lines
        are looked for. ``quad``: the page's corners (:func:`find_page`'s, None when it found none; found here when
        not given). ``form``: the page is a listed document's (:func:`listed`; None: as ``colour_expected``). A page
        whose paper an app whitened is judged at the floors of :func:`page_thresholds`, which the result carries."""
        t0 = time.perf_counter()
        scores, origins, probs, side, forensics = self._score(frame.image, colour_expected, text_boxes, quad, form)
        whitened = forensics.whitened if forensics is not None else PageNoise(frame.image).whitened
        thresholds = page_thresholds(self.thresholds, whitened, colour_expected)
        ratios = {k: scores[k] / thresholds[k] for k in ALARMS if k in scores}
        flagged = [k for k, r in ratios.items() if r >= 1.0]
        alarm = max(flagged, key=lambda k: ratios[k]) if flagged else ""
        verdict = ALARM_KIND[alarm] if alarm else "genuine"
        t_idx = self.labels.index("tampered")
        regions: list[TamperRegion] = []
        if verdict == "tampered":
            w, h = frame.size_wh
            if forensics is not None and forensics.score >= thresholds[FORENSIC]:
                regions += [TamperRegion(r.box_xyxy, forensics.score, r.cue) for r in forensics.regions]
            for (x, y), p in zip(origins, probs[:, t_idx], strict=True):
                if p >= thresholds["tampered"]:
                    box = (float(x), float(y), float(min(w, x + side)), float(min(h, y + side)))
                    regions.append(TamperRegion(box, float(p)))
            regions.sort(key=lambda r: (r.cue == "patch", -r.score))  # forensic regions are exact: first
        return AuthenticityResult(
            verdict=verdict,
            alarm=alarm,
            scores=scores,
            thresholds=thresholds,
            tamper_regions=tuple(regions[:8]),
            patch_side_px=float(side),
            heatmap=tuple((float(x), float(y), float(p)) for (x, y), p in zip(origins, probs[:, t_idx], strict=True)),
            elapsed_ms=(time.perf_counter() - t0) * 1000,
            forensics=forensics,
        )
