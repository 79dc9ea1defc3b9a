"""Document type and page: a MobileNetV3-small over the whole page squashed to a small square (layout and
colour decide the type), with the titles the text reader finds as a second opinion when the model is unsure
or absent."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np

from ..engine import Engine, OnnxModel
from ..types import Frame
from .fields import normalise
from .preprocess import doc_thumbnail, to_chw
from .types import DocClass, DocType

# Printed titles, most specific first: (title, doc type, page)
TITLES: tuple[tuple[str, DocType, str], ...] = (
    ("机动车销售统一发票", DocType.sales_invoice, "1"),
    ("车辆购置税完税证明", DocType.purchase_tax, "1"),
    ("交通事故责任强制保险单", DocType.insurance_policy, "1"),
    ("整车出厂合格证", DocType.conformity_certificate, "1"),
    ("机动车登记证书", DocType.registration_certificate, "1"),
    ("机动车行驶证", DocType.vehicle_license, "main"),
    ("公民身份号码", DocType.id_card, "front"),
    ("签发机关", DocType.id_card, "back"),
    ("档案编号", DocType.vehicle_license, "secondary"),
)


# the shortest label found with one character misread: a shorter one misread is too likely another word
FUZZY_LABEL = 4


def label_in(lines: Sequence[str], label: str) -> bool:
    """Whether ``label`` is printed among the normalised ``lines``: whole (across lines too), or within one line with
    one character misread when it has ``FUZZY_LABEL`` characters or more ('档系编号' for 档案编号: the small print of a
    copied 行驶证 page is often read so)."""
    if label in "".join(lines):
        return True
    n = len(label)
    return n >= FUZZY_LABEL and any(
        sum(a != b for a, b in zip(t[i : i + n], label, strict=True)) <= 1 for t in lines for i in range(len(t) - n + 1)
    )


# a title printed as a line of its own, after the country's name or not ('中华人民共和国机动车行驶证')
TITLE_PREFIX = "中华人民共和国"
# titles taken as a line of their own only: the words are printed inside other documents' values too (a 登记证书's
# owner line names the 居民身份证 shown, '张梅/居民身份证/330...'). An ID card's back prints its title large, the one
# line left readable on a copy too small or blurred for the rest, which is then a retake notice and not an
# unrecognised upload
LINE_TITLES: tuple[tuple[str, DocType, str], ...] = (("居民身份证", DocType.id_card, "back"),)


def _title_line(line: str, title: str) -> bool:
    return line in (title, TITLE_PREFIX + title)


def classify_by_text(texts: Sequence[str], tops: Sequence[float] | None = None) -> DocClass | None:
    """The type a printed title names. With ``tops`` (each line's relative height on the page, 0 = top) the
    document titles count in the top third, where they are printed, and, when none is there, anywhere as a line
    of their own (``LINE_TITLES`` only so): the lower page of a sheet that copies two (a 行驶证's main page under
    its secondary page, whose own label is the one most often misread in small print). Keywords of the ID card and
    the 行驶证's secondary page count anywhere, one character misread or not (:func:`label_in`)."""
    lines = [normalise(t) for t in texts]
    keywords = {"公民身份号码", "签发机关", "档案编号"}
    joined = "".join(lines)

    def headed(title: str) -> bool:
        return any(title in t and (tops is None or tops[i] <= 0.34) for i, t in enumerate(lines))

    def alone(title: str) -> bool:
        return any(_title_line(t, title) for t in lines)

    # the keywords are looked for once, anywhere, with the titles in the top third
    alone_titles = tuple(t for t in TITLES + LINE_TITLES if t[0] not in keywords)
    for found, titles in ((headed, TITLES), (alone, alone_titles)):
        for title, doc_type, page in titles:
            if not (label_in(lines, title) if title in keywords else found(title)):
                continue
            second = "转移登记摘要" in joined and "车辆识别代号" not in joined
            if doc_type is DocType.registration_certificate and second:
                page = "2"
            return DocClass(doc_type, page, 0.9, ((f"{doc_type.value}/{page}", 0.9),))
    return None


# Pages of one document an upload can show together, each known by a label printed on it alone: an ID card copied
# front and back on one sheet, a 行驶证 main and secondary page, the copies offices ask for.
PAGE_LABELS: Mapping[DocType, tuple[tuple[str, str], ...]] = MappingProxyType(
    {
        DocType.id_card: (("front", "公民身份号码"), ("back", "签发机关")),
        DocType.vehicle_license: (("main", "车辆识别代号"), ("secondary", "档案编号")),
    }
)


# a page's label misread in two characters, known by what is left of it on that type of document: no other label
# of a 行驶证 ends in 代号, nor in 编号 followed by a number ('汽室编号310161787915' for 档案编号, '车辆88代号' for
# 车辆识别代号)
PAGE_LABEL_FORMS: Mapping[tuple[DocType, str], re.Pattern[str]] = MappingProxyType(
    {
        (DocType.vehicle_license, "main"): re.compile(r"车辆..代号"),
        (DocType.vehicle_license, "secondary"): re.compile(r"编号\d{10}"),
    }
)


def pages_shown(doc_type: DocType, texts: Sequence[str]) -> tuple[str, ...]:
    """The pages of a ``doc_type`` document whose own labels (``PAGE_LABELS``) are read among ``texts`` (one
    character misread or not, :func:`label_in`, or in the page's ``PAGE_LABEL_FORMS``), when the upload shows more
    than one of them; () when it shows one."""
    lines = [normalise(t) for t in texts]

    def shows(page: str, label: str) -> bool:
        form = PAGE_LABEL_FORMS.get((doc_type, page))
        return label_in(lines, label) or (form is not None and any(form.search(t) for t in lines))

    shown = tuple(page for page, label in PAGE_LABELS.get(doc_type, ()) if shows(page, label))
    return shown if len(shown) > 1 else ()


# a model at least this sure keeps its page when the printed title agrees on the type but not on the page
SURE_PAGE = 0.9
# An upload with no printed title and fewer text lines than this (of two characters or more) shows no document,
# unless a sheet of paper was found in the photo with at least MIN_PAGE_LINES lines on it (a small receipt on a desk
# reads 4): a photo of the car or its plate sent by mistake, or a page too poor to show one. The real-dev photos of
# cars and plates: 269 of 276 show none (27 have a bright quadrilateral taken for a page, 26 of them with at most
# one line); dev documents (120 of seed 5150, 300 of seed 401, 560 genuine, screen, copied and tampered pages of
# seeds 402 and 404, blurred ones included): every one shows a document.
MIN_DOCUMENT_LINES = 5
MIN_PAGE_LINES = 2


def shows_a_document(texts: Sequence[str], tops: Sequence[float] | None = None, page_found: bool = False) -> bool:
    """Whether the text read on an upload shows a document: a printed title (:func:`classify_by_text`), at least
    ``MIN_DOCUMENT_LINES`` lines of two characters or more, or ``MIN_PAGE_LINES`` of them on a sheet of paper found
    in the photo (``page_found``)."""
    lines = sum(len(normalise(t)) >= 2 for t in texts)
    if lines >= MIN_DOCUMENT_LINES or (page_found and lines >= MIN_PAGE_LINES):
        return True
    return classify_by_text(texts, tops) is not None


def fuse(doc: DocClass | None, texts: Sequence[str], tops: Sequence[float] | None = None) -> DocClass:
    """The model's class, overruled by a printed title when the reader found one (a title is the stronger
    evidence and also tells the page); ``other`` when there is neither."""
    by_text = classify_by_text(texts, tops)
    if by_text is None:
        return doc if doc is not None else DocClass(DocType.other, "1", 0.0)
    if doc is not None and (by_text.doc_type, by_text.page) == (doc.doc_type, doc.page):
        return doc
    agree = doc is not None and doc.doc_type == by_text.doc_type
    if agree and doc is not None and doc.confidence >= SURE_PAGE:
        # the same title heads several pages (登记证书 pages 1 and 2): it settles the type, a sure model the page
        return DocClass(doc.doc_type, doc.page, max(doc.confidence, by_text.confidence), doc.top)
    confidence = max(by_text.confidence, doc.confidence if doc is not None and agree else 0.0)
    return DocClass(by_text.doc_type, by_text.page, confidence, doc.top if doc is not None else by_text.top)


def relative_tops(boxes: Sequence[tuple[float, float, float, float]]) -> list[float]:
    """Each box's top as a fraction of the span of all boxes (0 = the highest line)."""
    if not boxes:
        return []
    y0 = min(b[1] for b in boxes)
    y1 = max(b[3] for b in boxes)
    return [(b[1] - y0) / max(y1 - y0, 1.0) for b in boxes]


def split_label(label: str) -> tuple[DocType, str]:
    doc_type, _, page = label.partition("/")
    return DocType(doc_type), page or "1"


class DocumentClassifier:
    """Stage: page -> :class:`DocClass` from the ``doc-type`` model; labels come from its ONNX metadata."""

    def __init__(self, engine: Engine, name: str = "doc-type") -> None:
        self.model: OnnxModel = engine.load(name)
        self.labels: tuple[str, ...] = tuple(json.loads(self.model.metadata["labels"]))
        self.size = int(self.model.metadata.get("input_size", "128"))

    def probabilities(self, images: Sequence[np.ndarray]) -> np.ndarray:
        batch = to_chw(np.stack([doc_thumbnail(im, self.size) for im in images]))
        return self.model.run({self.model.input_names[0]: batch})[0]

    def classify(self, frame: Frame) -> DocClass:
        probs = self.probabilities([frame.image])[0]
        order = np.argsort(probs)[::-1]
        doc_type, page = split_label(self.labels[int(order[0])])
        top = tuple((self.labels[int(i)], float(probs[i])) for i in order[:3])
        return DocClass(doc_type, page, float(probs[order[0]]), top)
