"""The general text reader: PP-OCR detector (DB) + PP-OCR recogniser (CTC) over ONNX Runtime.

Pre- and post-processing of the detector are rapidocr's own (``DetPreProcess``, ``DBPostProcess``,
reading-order sort, rotated crop), so boxes match what PaddleOCR produces; the sessions come from our
engine, and CTC decoding is ours because it keeps per-character alternatives.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import onnxruntime as ort
from rapidocr.ch_ppocr_det.utils import DBPostProcess, DetPreProcess
from rapidocr.utils.process_img import get_rotate_crop_image

from ..engine import Engine, OnnxModel
from ..ops.ctc import ctc_decode_batch
from ..ops.geometry import box_of_points
from ..types import Frame, TextLine, TextRead, TextResult

REC_HEIGHT = 48
REC_MIN_WIDTH = 320
# outputs of a recogniser exported with each step's most probable classes (training/text_rec.py) instead of the
# whole distribution over its vocabulary
TOP_OUTPUTS = ("top_probs", "top_classes")


class _CappedDetPreProcess(DetPreProcess):
    """rapidocr's ``min`` rule (the short side brought up to ``limit_side_len``) with the long side capped at
    ``max_side_len`` (rapidocr's pipeline caps its input at 2000 px before this step): without the cap a thin
    crop such as a 600x90 VIN becomes a 4900x736 input and the session keeps ~0.8 GB for it."""

    def __init__(self, limit_side_len: int, max_side_len: int, mean: list[float], std: list[float]) -> None:
        super().__init__(limit_side_len, "min", mean, std)
        self.max_side_len = max_side_len
        # rapidocr's normalisation of each of the 256 grey levels per channel, computed once as rapidocr does it
        # (float32 scaling, float64 mean and std) and cast: a table look-up gives its very values in float32
        levels = np.arange(256, dtype=np.float32)[:, None] * self.scale  # float32 until the mean comes in
        table = (levels - np.asarray(mean, np.float64)) / np.asarray(std, np.float64)
        self._table = np.ascontiguousarray(table.astype(np.float32).reshape(1, 256, len(mean)))

    def normalize(self, img: np.ndarray) -> np.ndarray:
        """rapidocr's normalisation by table look-up (uint8 page -> float32): the same values as its float64
        arithmetic cast to float32, in 3 ms instead of 33 for a 992x736 page."""
        if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != self._table.shape[2]:
            return np.asarray(super().normalize(img), np.float32)
        return cv2.LUT(img, self._table).reshape(img.shape)  # one channel comes back without its axis

    def __call__(self, img: np.ndarray, scale: float = 1.0) -> np.ndarray | None:
        """rapidocr's steps, with the input ``scale`` times the size its rule gives (text printed large relative
        to its page is found as well on fewer pixels)."""
        resized = self.resize(img, scale)
        if resized is None:
            return None
        return np.expand_dims(self.permute(self.normalize(resized)), axis=0).astype(np.float32)

    def resize(self, img: np.ndarray, scale: float = 1.0) -> np.ndarray | None:
        h, w = img.shape[:2]
        ratio = max(1.0, self.limit_side_len / max(min(h, w), 1))
        ratio = min(ratio, self.max_side_len / max(h, w)) * scale
        resize_h, resize_w = round(h * ratio / 32) * 32, round(w * ratio / 32) * 32
        if resize_h <= 0 or resize_w <= 0:
            return None
        return cv2.resize(img, (resize_w, resize_h))


class TextDetector:
    def __init__(self, model: OnnxModel, limit_side_len: int = 736, max_side_len: int = 2000) -> None:
        self.model = model
        norm = model.entry.normalization
        self._pre = _CappedDetPreProcess(limit_side_len, max_side_len, list(norm["mean"]), list(norm["std"]))
        post = dict(model.entry.postprocess)
        post.pop("kind", None)
        self._post = DBPostProcess(**post)

    def input_tensor(self, image: np.ndarray, scale: float = 1.0) -> np.ndarray | None:
        """The model's input for ``image`` (scaled to multiples of 32, ``scale`` times the size of rapidocr's
        rule, normalised, NCHW), None when empty."""
        return self._pre(image, scale)

    def __call__(self, image: np.ndarray, scale: float = 1.0) -> list[tuple[np.ndarray, float]]:
        """Quadrilaterals (4x2, clockwise from top-left, in ``image``'s pixels) with scores, in reading order;
        ``scale``: of the detector's input (:meth:`input_tensor`)."""
        tensor = self.input_tensor(image, scale)
        if tensor is None:
            return []
        (pred,) = self.model.run({self.model.input_names[0]: tensor})
        boxes, scores = self._post(pred, image.shape[:2])
        order = _reading_order(boxes)
        return [(boxes[i].astype(np.float32), float(scores[i])) for i in order]


def _reading_order(boxes: np.ndarray, line_gap_px: float = 10.0) -> list[int]:
    """Indices of quads top-to-bottom, then left-to-right within a line: the order of rapidocr's
    ``sorted_boxes``, kept as indices so that each score stays with its box."""
    if len(boxes) == 0:
        return []
    y_order = np.argsort(boxes[:, 0, 1], kind="stable")
    y_sorted = boxes[y_order, 0, 1]
    line_ids = np.concatenate([[0], np.cumsum(np.diff(y_sorted) >= line_gap_px)])
    within = np.lexsort((boxes[y_order, 0, 0], line_ids))
    return [int(i) for i in y_order[within]]


def recognizer_input(
    crops: Sequence[np.ndarray], min_width: int = REC_MIN_WIDTH, height: int = REC_HEIGHT, aspect_width: int = 0
) -> np.ndarray:
    """The recogniser's input for BGR line crops: ``height`` pixels high (PP-OCR's 48 unless the model was made for
    another) and ``aspect_width`` pixels wide per unit of the crop's aspect (``height`` when 0: the aspect kept),
    normalised to [-1, 1], padded to the widest crop (at least ``min_width``)."""
    per_aspect = aspect_width or height
    ratios = [c.shape[1] / max(c.shape[0], 1) for c in crops]
    width = max(min_width, int(math.ceil(per_aspect * max(ratios))))
    batch = np.zeros((len(crops), 3, height, width), dtype=np.float32)
    for i, crop in enumerate(crops):
        h, w = crop.shape[:2]
        new_w = min(width, max(1, int(math.ceil(per_aspect * w / max(h, 1)))))
        resized = cv2.resize(crop, (new_w, height)).astype(np.float32)
        batch[i, :, :, :new_w] = (resized.transpose(2, 0, 1) / 255.0 - 0.5) / 0.5
    return batch


# ONNX metadata of a recogniser that takes its lines wider than their aspect at its height: input pixels of width per
# unit of a line's aspect (width / height)
ASPECT_WIDTH_KEY = "aspect_width"


def input_height(session: ort.InferenceSession) -> int:
    """The line height a recogniser's session takes: its input's fixed height, PP-OCR's 48 when left open."""
    h = session.get_inputs()[0].shape[2]
    return h if isinstance(h, int) and h > 0 else REC_HEIGHT


def input_aspect_width(session: ort.InferenceSession) -> int:
    """Input pixels of width per unit of a line's aspect (:data:`ASPECT_WIDTH_KEY` in the model's metadata; its
    height when not given)."""
    given = session.get_modelmeta().custom_metadata_map.get(ASPECT_WIDTH_KEY, 0)
    return int(given) or input_height(session)


def at_height(width: int, aspect_width: int) -> int:
    """A width stated for PP-OCR's 48-pixel lines, for an input ``aspect_width`` pixels wide per unit of aspect."""
    return max(1, round(width * aspect_width / REC_HEIGHT))


class TextRecognizer:
    """CTC line recogniser. ``workers`` > 1 runs the batches of one call concurrently (each a one-thread
    session run): a dense page then uses every core even when the page next to it has finished. A model whose
    outputs are ``TOP_OUTPUTS`` gives each step's few most probable classes, decoded without the full
    distribution (the same reads)."""

    def __init__(
        self,
        model: OnnxModel,
        batch_size: int = 6,
        min_width: int = REC_MIN_WIDTH,
        workers: int = 1,
        solo_width: int | None = None,
    ) -> None:
        """``solo_width``: a line at least this wide in the model's input runs in a batch of its own. Both widths
        are stated for PP-OCR's 48-pixel lines; a model made for lines of another size (:func:`input_height`,
        :func:`input_aspect_width`) gets them for the same lines (:func:`at_height`)."""
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.model = model
        self.height, self.aspect_width = input_height(model.session), input_aspect_width(model.session)
        self.min_width = at_height(min_width, self.aspect_width)
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="text-rec") if workers > 1 else None
        vocab_spec = model.entry.vocabulary or {}
        raw = model.metadata.get(vocab_spec.get("key", "character"))
        if raw is None:
            raise ValueError(f"model {model.entry.name!r} has no vocabulary in its ONNX metadata")
        chars = raw.splitlines()
        # PaddleOCR convention: index 0 is the CTC blank, a space is appended after the dictionary.
        self.vocabulary: tuple[str, ...] = ("<blank>", *chars, *([" "] if vocab_spec.get("append_space") else []))
        self.batch_size = batch_size
        self.solo_width = None if solo_width is None else at_height(solo_width, self.aspect_width)

    def __call__(self, crops: Sequence[np.ndarray], top_k: int = 3) -> list[TextRead]:
        """Read each crop (BGR, one text line) as one string."""
        if not crops:
            return []
        ratios = np.asarray([c.shape[1] / max(c.shape[0], 1) for c in crops])
        order = np.argsort(ratios)
        n_solo = 0 if self.solo_width is None else int(np.sum(self.aspect_width * ratios >= self.solo_width))
        batched = order[: len(order) - n_solo]
        chunks = [batched[start : start + self.batch_size] for start in range(0, len(batched), self.batch_size)]
        chunks += [order[i : i + 1] for i in range(len(batched), len(order))]
        chunks.reverse()  # the widest first: the last batches, short, end together on every worker

        def run(idx: np.ndarray) -> list[TextRead]:
            batch = recognizer_input([crops[i] for i in idx], self.min_width, self.height, self.aspect_width)
            return ctc_decode_batch(self.model.run({self.model.input_names[0]: batch}), self.vocabulary, 0, top_k)

        reads: list[TextRead] = [TextRead.empty()] * len(crops)
        results = self._pool.map(run, chunks) if self._pool is not None and len(chunks) > 1 else map(run, chunks)
        for idx, chunk_reads in zip(chunks, results, strict=True):
            for i, read in zip(idx, chunk_reads, strict=True):
                reads[int(i)] = read
        return reads


class TextReader:
    """Detect and read every text line of a frame."""

    def __init__(self, engine: Engine, det_name: str = "text-det", rec_name: str = "text-rec",
                 rec_min_width: int = REC_MIN_WIDTH, rec_workers: int = 1, rec_batch: int = 6,
                 rec_solo_width: int | None = None) -> None:
        self.detector = TextDetector(engine.load(det_name))
        self.recognizer = TextRecognizer(
            engine.load(rec_name), batch_size=rec_batch, min_width=rec_min_width, workers=rec_workers,
            solo_width=rec_solo_width,
        )
        self.models = (self.detector.model.version, self.recognizer.model.version)

    def read(self, frame: Frame, det_scale: float = 1.0) -> TextResult:
        """Every line of ``frame``; ``det_scale``: of the detector's input, the lines are read on the frame."""
        t0 = time.perf_counter()
        quads = self.detect(frame, det_scale)
        return self.recognise(frame, quads, (time.perf_counter() - t0) * 1000)

    def detect(self, frame: Frame, det_scale: float = 1.0) -> list[tuple[np.ndarray, float]]:
        """The lines' quadrilaterals in ``frame`` with their scores, in reading order (:meth:`read`'s first step:
        what only needs the lines' places can start before they are read)."""
        return self.detector(frame.image, det_scale)

    def recognise(self, frame: Frame, quads: Sequence[tuple[np.ndarray, float]], det_ms: float = 0.0) -> TextResult:
        """The lines at ``quads`` (:meth:`detect`) read; ``det_ms``: the detection's time, for the timings."""
        t1 = time.perf_counter()
        crops = [get_rotate_crop_image(frame.image, q.copy()) for q, _ in quads]
        reads = self.recognizer(crops)
        t2 = time.perf_counter()
        lines = tuple(
            TextLine(
                box_xyxy=box_of_points(q),
                corners_xy=tuple((float(x), float(y)) for x, y in q),  # type: ignore[arg-type]
                det_score=score,
                read=read,
            )
            for (q, score), read in zip(quads, reads, strict=True)
        )
        timings = {"text_det": det_ms, "text_rec": (t2 - t1) * 1000}
        return TextResult(lines, timings, self.models)

    def read_line(self, image: np.ndarray) -> TextRead:
        """Read a whole image as one text line (tight crops of a plate or a VIN)."""
        return self.recognizer([image])[0]
