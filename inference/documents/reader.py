"""One uploaded page -> :class:`DocumentRead`: type and page, image quality, authenticity, fields.

Each stage runs once per page. The text reader sees the page at most ``ocr_max_side`` pixels on its longest
side (PP-OCR's cost grows with the area; printed document text stays legible), and boxes are mapped back to
the uploaded pixels.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from types import EllipsisType, MappingProxyType

import cv2
import numpy as np

from ..engine import Engine
from ..stages.text import TextReader
from ..types import BoxXYXY, Frame, TextLine, TextResult
from . import lexicon
from .authenticity import AuthenticityChecker, colour_expected, listed
from .cells import blank_cell, burnt_share, read_cell
from .classify import (
    SURE_PAGE,
    DocumentClassifier,
    classify_by_text,
    fuse,
    pages_shown,
    relative_tops,
    shows_a_document,
)
from .orientation import MODEL as ORIENTATION_MODEL
from .orientation import PageOrientation, box_before_turn, turn_image
from .page import find_page, map_box, quad_size, rectify, without_seals
from .quality import QualityLimits, measure
from .rules import rules_for
from .types import AuthenticityResult, DocClass, DocType, DocumentRead, FieldValue, QualityReport

# The recogniser tuned on document lines (training/text_rec.py) and the detector quantised on document pages
# (training/text_det.py); the general ones where they are not installed.
DOC_REC_MODEL = "doc-text-rec"
DOC_DET_MODEL = "doc-text-det"
OCR_MAX_SIDE = 1280
# a page found small in the photo is read at its own pixels, but not below this long side
OCR_MIN_SIDE = 640
# the recogniser's widths are stated for PP-OCR's 48-pixel lines (a model made for other lines gets them scaled)
DOC_REC_MIN_WIDTH = 96
DOC_REC_WORKERS = 2
DOC_REC_BATCH = 2
# a line this wide in the recogniser's input runs alone: from about 350 px a batch of two takes longer per line than
# one line alone (4% at 512, 12% at 1024; 8% less at 96); 4-page case CPU 3.67 -> 3.56 s, dev fields 2699 -> 2700 of
# 3016 (seeds 5170 and 403)
DOC_REC_SOLO_WIDTH = 384
DOC_CHECK_WORKERS = 2
# The detector's input per document type printed large for its size, as a share of the size rapidocr's rule gives
# (the lines are still read on the full page). In the detector's input the forms' lines are boxes 20-31 px high
# (median per page, dev seed 5170; the smallest tenth 17-27), ID cards' 42-49 (smallest 39-44) and 行驶证 pages'
# 33-44 (smallest 23-27): the shares bring the smallest lines of these two types down to the forms' size. On their
# 173 dev pages (seeds 5150, 401, 403, 5170) the detector took 16.6 s instead of 39.3 s, and 1297 of their 1301
# fields were read instead of 1298 (0.4 and 0.7: 11.8 s, 1298; 0.6 and 0.9: 22.2 s, 1298). 行驶证 pages at 0.7
# since 2026-12-05: their 473 fields on the 280 dev pages of seeds 5170 and 403 read the same, and no authenticity
# verdict changed on the test, dev and calibration forgeries. Not lower for the others: the cues round the lines
# need their boxes from a detection this fine. ID cards at 0.4 lost a detected splice; registration certificates at
# 0.8, policies and certificates of conformity at 0.9 read 9 more dev fields with the detector 23% faster, but lost
# three detected edits (one of 53 dev and two of 89 calibration tampered pages) and found none more. Used when the
# classifier is sure of the type (SURE_PAGE).
DET_SCALES: Mapping[DocType, float] = MappingProxyType({DocType.id_card: 0.5, DocType.vehicle_license: 0.7})
# A page's reading time (ms on one core, this reader with its authenticity check) per type and page as the classifier
# gives them: medians over the 280 dev pages of seeds 5170 and 403. A case's pages are started the costliest first
# (review_case's ``cost`` or ``plan``, :meth:`DocumentReader.plan`).
READ_MS: Mapping[tuple[DocType, str], float] = MappingProxyType(
    {
        (DocType.insurance_policy, "1"): 900,
        (DocType.sales_invoice, "1"): 890,
        (DocType.registration_certificate, "1"): 805,
        (DocType.registration_certificate, "2"): 540,
        (DocType.conformity_certificate, "1"): 750,
        (DocType.purchase_tax, "1"): 620,
        (DocType.vehicle_license, "main"): 600,
        (DocType.vehicle_license, "secondary"): 535,
        (DocType.id_card, "front"): 330,
        (DocType.id_card, "back"): 245,
        (DocType.other, "1"): 515,
    }
)
UNKNOWN_READ_MS = 600  # a page of a type and page not listed, or read without the classifier
# The characters a page of each type prints as this reader reads them: medians over the 215 listed dev pages of
# seed 5410 (the real 行驶证 specimen reads 293). A page of a type the classifier is sure of that reads a quarter of
# them at most could not be read (``QualityLimits.min_share_of_print``). The registration certificate's second page
# is left out: its transfer records may be blank, and the floor for every listed page holds (``min_chars_on_document``).
PRINTED_CHARS: Mapping[tuple[DocType, str], int] = MappingProxyType(
    {
        (DocType.insurance_policy, "1"): 699,
        (DocType.sales_invoice, "1"): 620,
        (DocType.registration_certificate, "1"): 520,
        (DocType.conformity_certificate, "1"): 426,
        (DocType.vehicle_license, "main"): 311,
        (DocType.vehicle_license, "secondary"): 241,
        (DocType.purchase_tax, "1"): 231,
        (DocType.id_card, "front"): 87,
        (DocType.id_card, "back"): 51,
    }
)
# A page the quality check finds blurred, or read mostly with low confidence, is read again from the photo sharpened
# (an unsharp mask of this sigma and amount) and its fields taken from that reading; its quality report, and so the
# citizen's "retake the photo" notice, stay the upload's. The 41 pages of the dev seeds 5180 and 5181 that fail the
# check (37 for these issues, 4 for glare): fields read exactly 158 -> 177 of 582, the other 559 pages unchanged; on
# the test seed's 3 such pages 1 -> 0 of 42. Sigma 1.0 or 2.5, or amount 0.6, gained less or nothing; sharpening the
# pages that pass the check did not help (235 -> 234 of 242 fields); re-reading only the lines already found,
# sharpened, gained 2: the detector finds more of the blurred lines.
SHARPEN = (1.5, 1.0)
REREAD_ISSUES = frozenset({"unreadable", "blur", "text_blur"})


def text_page(
    image: np.ndarray,
    max_side: int,
    min_side: int = OCR_MIN_SIDE,
    quad: np.ndarray | None | EllipsisType = ...,
) -> tuple[np.ndarray, Callable[[BoxXYXY], BoxXYXY], bool]:
    """The image the text reader sees: the page rectified when it is found in the photo, else the photo, at most
    ``max_side`` pixels on its longest side; with a map from its boxes to the uploaded pixels and whether the
    page was found. A found page keeps its own resolution in the photo (at least ``min_side``): enlarging it
    adds no detail and the detector's time grows with its pixels (enlarged to ``max_side`` instead: 5 more of
    4635 fields read on the dev and seed-401 pages, the detector 23% slower). ``quad``: the page's corners
    (:func:`find_page`'s, None when it found none; found here when not given)."""
    quad = find_page(image) if quad is ... else quad
    if quad is not None:
        long_side = min(max_side, max(min_side, round(max(quad_size(quad)))))
        page, page_to_image = rectify(image, quad, long_side)
        return page, lambda b: map_box(b, page_to_image), True
    h, w = image.shape[:2]
    s = min(1.0, max_side / max(h, w))
    if s < 1.0:
        small = cv2.resize(image, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
        k = 1.0 / s
        return small, lambda b: (b[0] * k, b[1] * k, b[2] * k, b[3] * k), False
    return image, lambda b: b, False


def sharpened(image: np.ndarray, sigma: float = SHARPEN[0], amount: float = SHARPEN[1]) -> np.ndarray:
    """``image`` with an unsharp mask: ``amount`` of its difference from a Gaussian blur of ``sigma`` added."""
    blur = cv2.GaussianBlur(image, (0, 0), sigma)
    return cv2.addWeighted(image, 1.0 + amount, blur, -amount, 0)


def page_class(doc: DocClass | None, text: TextResult) -> DocClass:
    """The classifier's class of a page (``doc``) fused with the title printed among its lines."""
    return fuse(doc, [ln.read.text for ln in text.lines], relative_tops([ln.box_xyxy for ln in text.lines]))


def _mapped(corners: Sequence[tuple[float, float]], to_image: Callable[[BoxXYXY], BoxXYXY]) -> np.ndarray:
    return np.asarray([to_image((x, y, x, y))[:2] for x, y in corners], np.float32)


def line_corners(line: TextLine, to_image: Callable[[BoxXYXY], BoxXYXY]) -> np.ndarray:
    """A text line's four corners in the uploaded pixels (4 x 2), each mapped on its own."""
    return _mapped(line.corners_xy, to_image)


def corner_boxes(
    corners: Sequence[Sequence[tuple[float, float]]], to_image: Callable[[BoxXYXY], BoxXYXY]
) -> list[BoxXYXY]:
    """The box in the uploaded pixels round each line's mapped corners (mapping the page box's corners instead
    would widen a line photographed at a slant)."""
    out = []
    for c in corners:
        (x1, y1), (x2, y2) = (q := _mapped(c, to_image)).min(0), q.max(0)
        out.append((float(x1), float(y1), float(x2), float(y2)))
    return out


def line_boxes(text: TextResult, to_image: Callable[[BoxXYXY], BoxXYXY]) -> list[BoxXYXY]:
    """Each text line's box in the uploaded pixels (:func:`corner_boxes`)."""
    return corner_boxes([line.corners_xy for line in text.lines], to_image)


def _det_scale(doc: DocClass | None) -> float:
    """The detector's input share for a page of class ``doc`` (``DET_SCALES``: types printed large, when sure)."""
    return DET_SCALES.get(doc.doc_type, 1.0) if doc is not None and doc.confidence >= SURE_PAGE else 1.0


def _quad_boxes(quads: Sequence[tuple[np.ndarray, float]], to_image: Callable[[BoxXYXY], BoxXYXY]) -> list[BoxXYXY]:
    return corner_boxes([[(float(x), float(y)) for x, y in q] for q, _ in quads], to_image)


class DocumentReader:
    def __init__(
        self,
        engine: Engine,
        text_reader: TextReader | None = None,
        authenticity_thresholds: Mapping[str, float] | None = None,
        ocr_max_side: int = OCR_MAX_SIDE,
        quality_limits: QualityLimits | None = None,
    ) -> None:
        # Document lines are read without padding short ones to PP-OCR's 320-pixel minimum width: same fields
        # read on a dev set (295/350 vs 294/350), 18% less page reading time. A page's line batches run two at
        # a time, so the densest page of a case does not finish alone on one core (4-page review 2.7 -> 2.2 s).
        # Two lines per batch instead of six: a batch is padded to its widest line and a page's lines differ
        # widely in width; dev set 108 pages read in 67 s instead of 87 s, fields 1105/1256 vs 1106/1256.
        # The detector's input keeps PP-OCR's rule (short side to 736, long side at most 2000): capped at 1120, a
        # 1280-pixel page took 16% less detector time but 8 fewer of the 4635 dev and seed-401 fields were read.
        self.text = text_reader or TextReader(
            engine,
            det_name=DOC_DET_MODEL if DOC_DET_MODEL in engine.catalog else "text-det",
            rec_name=DOC_REC_MODEL if DOC_REC_MODEL in engine.catalog else "text-rec",
            rec_min_width=DOC_REC_MIN_WIDTH,
            rec_workers=DOC_REC_WORKERS,
            rec_batch=DOC_REC_BATCH,
            rec_solo_width=DOC_REC_SOLO_WIDTH,
        )
        self.classifier = DocumentClassifier(engine) if "doc-type" in engine.catalog else None
        self.authenticity = (
            AuthenticityChecker(engine, thresholds=authenticity_thresholds)
            if "doc-authenticity" in engine.catalog
            else None
        )
        self.orientation = PageOrientation(engine) if ORIENTATION_MODEL in engine.catalog else None
        # a page's authenticity check runs beside the reading of its lines (one per page read at a time)
        self._checks = ThreadPoolExecutor(DOC_CHECK_WORKERS, thread_name_prefix="doc-check")
        self.ocr_max_side = ocr_max_side
        self.quality_limits = quality_limits or QualityLimits()
        self.models = tuple(
            m
            for m in (
                *self.text.models,
                self.classifier.model.version if self.classifier else None,
                *(m.version for m in (self.authenticity.models if self.authenticity else ())),
                self.orientation.model.version if self.orientation else None,
            )
            if m is not None
        )

    def warm_up(self) -> None:
        """Read now what the first page's fields would read: the lexicon's words (``lexicon.words``, once a process,
        0.5-0.8 s and 40 MB). A service calls it before it answers, so its first review does not pay for it; a command
        that never reads fields (the calibration, the training's line places) does not."""
        lexicon.words()

    def ocr(self, frame: Frame) -> tuple[TextResult, Callable[[BoxXYXY], BoxXYXY], bool]:
        """Text lines of the page (rectified when it is found in the photo, its red seals faded), a map from their
        boxes to the uploaded pixels, and whether the page was found."""
        return self.ocr_page(frame)[1:]

    def ocr_page(
        self,
        frame: Frame,
        doc: DocClass | None = None,
        detected: Callable[[list[BoxXYXY]], None] | None = None,
        quad: np.ndarray | None | EllipsisType = ...,
    ) -> tuple[np.ndarray, TextResult, Callable[[BoxXYXY], BoxXYXY], bool]:
        """:meth:`ocr` with the image its lines were read on first (:meth:`fields` reads cells of it). ``doc``: the
        classifier's class of the page; a type printed large that it is sure of is detected on a smaller input
        (``DET_SCALES``), and again on the full one when the title printed on the page names another type.
        ``detected``: called with the lines' boxes in the uploaded pixels as soon as they are detected, before they
        are read (again when they are detected again). ``quad``: the page's corners (:func:`find_page`'s; found here
        when not given)."""
        page, to_image, found = self._text_page(frame, quad)
        scale = _det_scale(doc)

        def read(scale: float) -> TextResult:
            t = time.perf_counter()
            quads = self.text.detect(Frame(page), scale)
            if detected is not None:
                detected(_quad_boxes(quads, to_image))
            return self.text.recognise(Frame(page), quads, (time.perf_counter() - t) * 1000)

        text = read(scale)
        if doc is not None and scale != 1.0 and page_class(doc, text).doc_type is not doc.doc_type:
            text = read(1.0)
        return page, text, to_image, found

    def reread_if_poor(
        self,
        frame: Frame,
        doc: DocClass | None,
        quality: QualityReport,
        read: tuple[np.ndarray, TextResult, Callable[[BoxXYXY], BoxXYXY]],
    ) -> tuple[np.ndarray, TextResult, Callable[[BoxXYXY], BoxXYXY]]:
        """``read`` (:meth:`ocr_page`'s page image, lines and map to the upload), or, when ``quality`` finds the
        page's text blurred or read with low confidence (``REREAD_ISSUES``), the page read again from the photo
        sharpened (``SHARPEN``), for its fields. ``doc``: the classifier's class. The page's corners are found again
        on the sharpened photo (on the dev pages of the comment above, 158 -> 170 fields with the corners found on
        the upload instead)."""
        if not any(issue.code in REREAD_ISSUES for issue in quality.issues):
            return read
        page_image, text, to_image, _ = self.ocr_page(Frame(sharpened(frame.image)), doc)
        return page_image, text, to_image

    def _text_page(
        self, frame: Frame, quad: np.ndarray | None | EllipsisType = ...
    ) -> tuple[np.ndarray, Callable[[BoxXYXY], BoxXYXY], bool]:
        page, to_image, found = text_page(frame.image, self.ocr_max_side, quad=quad)
        return without_seals(page), to_image, found

    def reading_cost(self, frame: Frame) -> float:
        """The page's expected reading time in ms (``READ_MS`` of the class the classifier gives it), to start a
        case's costly pages first (:meth:`plan` keeps the class for the read too)."""
        return self.plan(frame)[0]

    def plan(self, frame: Frame) -> tuple[float, DocClass | None]:
        """The page's expected reading time in ms (:meth:`reading_cost`) and the classifier's class it comes from,
        which :meth:`read` takes (``doc``) instead of classifying the page again (4 ms a page)."""
        doc = self.classifier.classify(frame) if self.classifier else None
        cost = READ_MS.get((doc.doc_type, doc.page), UNKNOWN_READ_MS) if doc is not None else UNKNOWN_READ_MS
        return cost, doc

    def line_places(
        self, frame: Frame, doc: DocClass | None = None, quad: np.ndarray | None | EllipsisType = ...
    ) -> list[BoxXYXY]:
        """The text lines' boxes in the uploaded pixels, detected as :meth:`ocr_page` first detects them and not
        read: the authenticity cues need their places only. ``doc``: the classifier's class (run here when not
        given). A read detects again when the printed title contradicts a sure class (no dev page does); this
        does not read the title and keeps the first detection. ``quad``: the page's corners (:func:`find_page`'s;
        found here when not given)."""
        if doc is None and self.classifier is not None:
            doc = self.classifier.classify(frame)
        page, to_image, _ = self._text_page(frame, quad)
        return _quad_boxes(self.text.detect(Frame(page), _det_scale(doc)), to_image)

    def fields(self, page_image: np.ndarray, text: TextResult, doc_type: DocType, page: str) -> dict[str, FieldValue]:
        """The fields of a page of ``doc_type`` from its text lines (boxes in ``page_image``'s pixels); a short value
        the detector missed next to its label is read from its cell (``cells.py``) and the rules run again with it."""
        return self.read_fields(page_image, text, doc_type, page)[0]

    def read_fields(
        self, page_image: np.ndarray, text: TextResult, doc_type: DocType, page: str
    ) -> tuple[dict[str, FieldValue], tuple[str, ...]]:
        """:meth:`fields`, and the printed fields found blank: their label read as printed, no value, and no ink in
        the cell right of it (``cells.blank_cell``: a value erased, or a page printed without it)."""
        rules = rules_for(doc_type)
        fields, requests, unfilled = rules.read_with_requests(text.lines, page)
        found = [line for r in requests if (line := read_cell(page_image, r, self.text.recognizer)) is not None]
        if found:
            fields = rules.read([*text.lines, *found], page)
        unfilled = tuple(u for u in unfilled if u.key not in fields)
        burnt = burnt_share(page_image) if unfilled else 0.0
        return fields, tuple(u.key for u in unfilled if blank_cell(page_image, u, burnt))

    def quality(
        self,
        frame: Frame,
        text: TextResult,
        to_image: Callable[[BoxXYXY], BoxXYXY],
        page_found: bool,
        doc: DocClass | None = None,
    ) -> QualityReport:
        """Measured quality; the text lines tell whether text is cut by the border, how large and how blurred
        it is, and how sure the reader was of its characters. ``doc``: the page's type, when a listed document
        (every one prints dozens of characters) next to nothing read means it could not be read, and for a type the
        classifier is sure of, a quarter of what such a page prints (``PRINTED_CHARS``)."""
        boxes = [to_image(line.box_xyxy) for line in text.lines]
        heights = []
        for line in text.lines:
            # height across the line in uploaded pixels (the box of a tilted line is taller than its text)
            q = line_corners(line, to_image)
            area = abs(float(cv2.contourArea(q)))
            length = 0.5 * float(np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3]))
            if length > 0 and area > 0:
                heights.append(area / length)
        text_height = float(np.median(heights)) if len(heights) >= 3 else None
        confidences = [c.confidence for line in text.lines for c in line.read.chars]
        sure = doc is not None and doc.confidence >= SURE_PAGE
        # a page found whole inside the photo is not cut off; otherwise text at the border says it is
        return measure(
            frame.image,
            [] if page_found else boxes,
            self.quality_limits,
            text_height,
            text_boxes=boxes,
            char_confidences=confidences,
            text_expected=doc is not None and doc.doc_type is not DocType.other,
            printed_chars=PRINTED_CHARS.get((doc.doc_type, doc.page), 0) if sure else 0,
        )

    def check_authenticity(
        self,
        frame: Frame,
        doc: DocClass | None = None,
        text_boxes: Sequence[BoxXYXY] | None = None,
        quad: np.ndarray | None | EllipsisType = ...,
    ) -> AuthenticityResult | None:
        """The authenticity stage as the review runs it: colour is expected on the listed documents, a page the
        classifier (run here when ``doc`` is not given) finds of no listed type may be printed in black only, as may
        the listed pages printed in black but for a mark (``authenticity.colour_expected``);
        pasted seams, tinted and quiet fields and voids in lines are looked for round the text lines (their places
        detected here when ``text_boxes`` is not given, :meth:`line_places`) of every page, whatever its type: the
        cues judge only pages with enough lines to be a printed form (a photo of a car, whose plate steps from its
        surroundings as a pasted field does, has too few). ``quad``: the page's corners (:func:`find_page`'s, found
        here once for the lines and the check when not given)."""
        if self.authenticity is None:
            return None
        if doc is None and self.classifier is not None:
            doc = self.classifier.classify(frame)
        if quad is ...:
            quad = find_page(frame.image)
        if text_boxes is None:
            text_boxes = self.line_places(frame, doc, quad)
        return self.authenticity.check(frame, colour_expected(doc), text_boxes, quad, form=listed(doc))

    def read(
        self, frame: Frame, source: str = "", doc: DocClass | None | EllipsisType = ..., *, turn: bool = True
    ) -> DocumentRead:
        """The page classified (``doc``: the class :meth:`plan` gave it, when it was planned), read, checked for
        authenticity while its lines are read, and its fields taken by its type's rules. A page its lines show
        turned (sideways or upside down, ``orientation.py``) is read again turned upright (``turn``: whether to look),
        its boxes given in the upload's pixels all the same."""
        timings: dict[str, float] = {}
        t = time.perf_counter()
        if doc is ...:
            doc = self.classifier.classify(frame) if self.classifier else None
        timings["classify"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        checks: list[Future[tuple[AuthenticityResult | None, float]]] = []

        quad = find_page(frame.image)  # once for the text page and the authenticity check

        def check(doc: DocClass | None, boxes: list[BoxXYXY]) -> tuple[AuthenticityResult | None, float]:
            t = time.perf_counter()
            return self.check_authenticity(frame, doc, boxes, quad), (time.perf_counter() - t) * 1000

        def detected(boxes: list[BoxXYXY]) -> None:
            # the authenticity check needs the lines' places only: it runs while they are read (with the
            # classifier's class, given here: this thread goes on to fuse it with the printed title)
            if checks:
                checks.pop().cancel()
            checks.append(self._checks.submit(check, doc, boxes))

        page_image, text, to_image, page_found = self.ocr_page(frame, doc, detected, quad)
        timings["ocr"] = (time.perf_counter() - t) * 1000
        texts, tops = [ln.read.text for ln in text.lines], relative_tops([ln.box_xyxy for ln in text.lines])
        if turn and self.orientation is not None:
            t = time.perf_counter()
            degrees = self.orientation.turn(page_image, text.lines, classify_by_text(texts, tops) is not None)
            timings["orientation"] = (time.perf_counter() - t) * 1000
            if degrees:
                if checks:
                    checks[-1].cancel()
                upright = self.read(Frame(turn_image(frame.image, degrees)), source, turn=False)
                return _turned_back(upright, degrees, frame.image.shape, timings)
        if not shows_a_document(texts, tops, page_found):
            checks[-1].cancel()
            other = DocClass(DocType.other, "1", 0.0, doc.top if doc is not None else ())
            quality = self.quality(frame, text, to_image, page_found, other)
            return DocumentRead(source, other, quality, None, timings_ms=MappingProxyType(timings), is_document=False)
        auth, timings["authenticity"] = checks[-1].result()
        t = time.perf_counter()
        cnn, doc = doc, fuse(doc, texts, tops)
        quality = self.quality(frame, text, to_image, page_found, doc)
        page_image, text, to_image = self.reread_if_poor(frame, cnn, quality, (page_image, text, to_image))
        fields, blank = self.read_fields(page_image, text, doc.doc_type, doc.page)
        shown = pages_shown(doc.doc_type, [ln.read.text for ln in text.lines])
        for page in shown:  # the other pages on the same sheet: their own labels, so no field is taken twice
            if page != doc.page:
                fields = {**self.fields(page_image, text, doc.doc_type, page), **fields}
        fields = {
            name: replace(v, box_xyxy=to_image(v.box_xyxy)) if v.box_xyxy is not None else v
            for name, v in fields.items()
        }
        timings["fields"] = (time.perf_counter() - t) * 1000
        return DocumentRead(
            source,
            doc,
            quality,
            auth,
            MappingProxyType(fields),
            MappingProxyType(timings),
            pages_shown=shown,
            blank_fields=tuple(k for k in blank if k not in fields),
        )


def _turned_back(
    upright: DocumentRead, degrees: int, shape: tuple[int, ...], timings: Mapping[str, float]
) -> DocumentRead:
    """``upright`` (the read of an upload turned ``degrees`` clockwise) with its boxes in the upload's pixels (the
    upload's ``shape``), the turn recorded, and the times of the read that found the page turned (``timings``, as
    ``unturned_classify``, ``unturned_ocr`` and ``unturned_orientation``) beside its own."""

    def back(box: BoxXYXY) -> BoxXYXY:
        return box_before_turn(box, degrees, shape)

    fields = {
        name: replace(v, box_xyxy=back(v.box_xyxy)) if v.box_xyxy is not None else v
        for name, v in upright.fields.items()
    }
    auth = upright.authenticity
    if auth is not None:
        side = auth.patch_side_px
        heatmap = tuple((*back((x, y, x + side, y + side))[:2], p) for x, y, p in auth.heatmap)
        forensics = auth.forensics
        if forensics is not None:
            forensics = replace(
                forensics,
                regions=tuple(replace(r, box_xyxy=back(r.box_xyxy)) for r in forensics.regions),
                voids=tuple(replace(r, box_xyxy=back(r.box_xyxy)) for r in forensics.voids),
            )
        auth = replace(
            auth,
            tamper_regions=tuple(replace(r, box_xyxy=back(r.box_xyxy)) for r in auth.tamper_regions),
            heatmap=heatmap,
            forensics=forensics,
        )
    spent = {f"unturned_{k}": v for k, v in timings.items()}
    return replace(
        upright,
        authenticity=auth,
        fields=MappingProxyType(fields),
        timings_ms=MappingProxyType({**spent, **upright.timings_ms}),
        turned_degrees=degrees,
    )
