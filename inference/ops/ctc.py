"""CTC decoding that keeps what the rules need downstream: per-character confidence and alternatives.

Written here rather than taken from rapidocr's ``CTCLabelDecode``, which returns one score per line and
drops the per-step distribution that rule-constrained correction (VIN check digit, plate grammar) needs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..types import CharRead, TextRead


def _emitted(best: np.ndarray, blank_index: int) -> tuple[np.ndarray, np.ndarray]:
    """(start, end) steps of the runs of one class that emit a character (numpy, not a loop over the steps)."""
    steps = len(best)
    starts = np.flatnonzero(np.r_[True, best[1:] != best[:-1]])
    ends = np.r_[starts[1:], steps]
    emitted = best[starts] != blank_index
    return starts[emitted], ends[emitted]


# a gap between two emitted characters' peaks this many times the line's median spacing may hide a character
GAP_SPACINGS = 2.0
_MIN_GAP_CHARS = 4  # a median spacing needs a few characters
_GAP_CLASSES = 6


def _gaps(peaks: np.ndarray) -> np.ndarray:
    """Indices ``k`` of the emitted characters whose peak is ``GAP_SPACINGS`` times the line's median spacing (and
    at least 3 steps) after the previous one's."""
    if len(peaks) < _MIN_GAP_CHARS:
        return np.zeros(0, np.int64)
    spacing = np.diff(peaks)
    return np.flatnonzero(spacing >= max(float(np.median(spacing)) * GAP_SPACINGS, 3.0)) + 1


def _skipped(
    peaks: np.ndarray,
    step_top: Callable[[int, int], tuple[np.ndarray, np.ndarray]],
    vocabulary: Sequence[str],
    blank_index: int,
) -> list[tuple[tuple[str, float], ...] | None]:
    """Per emitted character: None, or when it follows a gap (:func:`_gaps`), the non-blank classes among the
    candidates of the steps in the gap (``step_top(start, end)``: their classes and probabilities, ``[n, K]``),
    each at its highest probability there, most probable first, at most ``_GAP_CLASSES``."""
    out: list[tuple[tuple[str, float], ...] | None] = [None] * len(peaks)
    for k in _gaps(peaks):
        classes, probs = step_top(int(peaks[k - 1]) + 1, int(peaks[k]))
        seen: dict[int, float] = {}
        for cls, q in zip(classes.ravel(), probs.ravel(), strict=True):
            if cls != blank_index and q > seen.get(int(cls), 0.0):
                seen[int(cls)] = float(q)
        ranked = sorted(seen.items(), key=lambda kv: -kv[1])[:_GAP_CLASSES]
        out[k] = tuple((vocabulary[c], q) for c, q in ranked)
    return out


def _read(
    classes: np.ndarray,
    cand: np.ndarray,
    cand_probs: np.ndarray,
    vocabulary: Sequence[str],
    blank_index: int,
    top_k: int,
    skipped: Sequence[tuple[tuple[str, float], ...] | None] | None = None,
) -> TextRead:
    """The line from each emitted character's class and its peak step's candidate classes with their
    probabilities, most probable first (the first is the emitted class: the step's best), and what the steps
    before it held when they left a gap (:func:`_skipped`)."""
    chars: list[CharRead] = []
    for n, (cls, idx, p) in enumerate(zip(classes, cand, cand_probs, strict=True)):
        alternatives = tuple(
            (vocabulary[int(i)], float(q)) for i, q in zip(idx[1:], p[1:], strict=True) if i != blank_index
        )[: max(0, top_k - 1)]
        chars.append(CharRead(vocabulary[int(cls)], float(p[0]), alternatives, skipped[n] if skipped else None))
    text = "".join(c.char for c in chars)
    confidence = float(np.exp(np.mean(np.log([max(c.confidence, 1e-9) for c in chars]))))
    return TextRead(text, confidence, tuple(chars))


def _peaks(starts: np.ndarray, ends: np.ndarray, run_probs: np.ndarray) -> np.ndarray:
    """Each run's step where its class is most probable."""
    return np.asarray([s + int(run_probs[s:e].argmax()) for s, e in zip(starts, ends, strict=True)], np.int64)


def ctc_greedy_decode(
    probs: np.ndarray, vocabulary: Sequence[str], blank_index: int = 0, top_k: int = 3
) -> TextRead:
    """Decode one ``[T, C]`` matrix of per-step class probabilities.

    Each emitted character takes the step of its run where it is most probable; its confidence is that
    probability and its alternatives are the next ``top_k - 1`` non-blank classes at that step.
    """
    if probs.ndim != 2 or probs.shape[1] != len(vocabulary):
        raise ValueError(f"expected probs of shape [T, {len(vocabulary)}], got {probs.shape}")
    if len(probs) == 0:
        return TextRead("", 0.0, ())
    best = probs.argmax(axis=1)
    starts, ends = _emitted(best, blank_index)
    if len(starts) == 0:
        return TextRead("", 0.0, ())
    peaks = _peaks(starts, ends, probs[np.arange(len(best)), best])
    rows = probs[peaks]
    # Only the top few classes matter (a general vocabulary has ~18k classes): taken by repeated argmax over
    # the emitted characters' steps at once, each pick masked out; several times faster than a partition.
    k = min(rows.shape[1], max(0, top_k - 1) + 2)  # room for the emitted class and the blank
    work = rows.copy()
    line = np.arange(len(rows))
    top = np.empty((len(rows), k), np.int64)
    for j in range(k):
        top[:, j] = work.argmax(axis=1)
        work[line, top[:, j]] = -1.0
    skipped = _skipped(peaks, lambda a, b: _steps_top(probs[a:b], top_k + 1), vocabulary, blank_index)
    return _read(best[starts], top, np.take_along_axis(rows, top, 1), vocabulary, blank_index, top_k, skipped)


def _steps_top(probs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each step's ``k`` most probable classes (unordered) and their probabilities."""
    if k >= probs.shape[1]:
        return np.tile(np.arange(probs.shape[1]), (len(probs), 1)), probs
    top = np.argpartition(probs, -k, axis=1)[:, -k:]
    return top, np.take_along_axis(probs, top, 1)


def ctc_topk_decode(
    top_probs: np.ndarray,
    top_classes: np.ndarray,
    vocabulary: Sequence[str],
    blank_index: int = 0,
    top_k: int = 3,
) -> TextRead:
    """:func:`ctc_greedy_decode` from each step's few most probable classes (``[T, K]`` probabilities, most
    probable first, and their classes), as a recogniser with a TopK output gives them: the same read, without
    the full ``[T, C]`` matrix. Alternatives are those among the ``K`` (``K >= top_k + 1`` gives them all)."""
    if top_probs.ndim != 2 or top_probs.shape != top_classes.shape or top_probs.shape[1] < 1:
        raise ValueError(f"expected two [T, K] arrays, got {top_probs.shape} and {top_classes.shape}")
    if len(top_probs) == 0:
        return TextRead("", 0.0, ())
    best = top_classes[:, 0]
    starts, ends = _emitted(best, blank_index)
    if len(starts) == 0:
        return TextRead("", 0.0, ())
    peaks = _peaks(starts, ends, top_probs[:, 0])
    skipped = _skipped(peaks, lambda a, b: (top_classes[a:b], top_probs[a:b]), vocabulary, blank_index)
    return _read(best[starts], top_classes[peaks], top_probs[peaks], vocabulary, blank_index, top_k, skipped)


def ctc_decode_batch(
    outputs: Sequence[np.ndarray], vocabulary: Sequence[str], blank_index: int = 0, top_k: int = 3
) -> list[TextRead]:
    """Every line of one recogniser batch, from its outputs: the distribution ``[N, T, C]`` alone, or each
    step's most probable classes as ``[N, T, K]`` probabilities and classes (a recogniser ending in TopK)."""
    if len(outputs) == 2:
        probs, classes = outputs
        return [ctc_topk_decode(p, c, vocabulary, blank_index, top_k) for p, c in zip(probs, classes, strict=True)]
    (probs,) = outputs
    return [ctc_greedy_decode(row, vocabulary, blank_index, top_k) for row in probs]


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = logits - logits.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)
