"""CTC decoding that keeps what the rules need downstream: per-character confidence and alternatives.

Written here rather than taken from rapidocr's ``CTCLabelDecode``, which returns one score per line and
drops the per-step distribution that rule-constrained correction (VIN check digit, plate grammar) needs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..types import CharRead, TextRead


def ctc_greedy_decode(
    probs: np.ndarray, vocabulary: Sequence[str], blank_index: int = 0, top_k: int = 3
) -> TextRead:
    """Decode one ``[T, C]`` matrix of per-step class probabilities.

    Each emitted character takes the step of its run where it is most probable; its confidence is that
    probability and its alternatives are the next ``top_k - 1`` non-blank classes at that step.
    """
    if probs.ndim != 2 or probs.shape[1] != len(vocabulary):
        raise ValueError(f"expected probs of shape [T, {len(vocabulary)}], got {probs.shape}")
    best = probs.argmax(axis=1)
    steps = len(best)
    if steps == 0:
        return TextRead("", 0.0, ())
    # runs of one class: their starts, and each emitted run's peak step (numpy, not a loop over the steps)
    starts = np.flatnonzero(np.r_[True, best[1:] != best[:-1]])
    ends = np.r_[starts[1:], steps]
    emitted = best[starts] != blank_index
    starts, ends = starts[emitted], ends[emitted]
    if len(starts) == 0:
        return TextRead("", 0.0, ())
    classes = best[starts]
    run_probs = probs[np.arange(steps), best]  # each step's probability of its best class
    peaks = np.asarray([s + int(run_probs[s:e].argmax()) for s, e in zip(starts, ends, strict=True)])
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
    chars: list[CharRead] = []
    for row, cls, cand in zip(rows, classes, top, strict=True):
        order = cand[np.argsort(-row[cand], kind="stable")]
        alternatives = tuple(
            (vocabulary[int(i)], float(row[i])) for i in order if i != cls and i != blank_index
        )[: max(0, top_k - 1)]
        chars.append(CharRead(vocabulary[int(cls)], float(row[cls]), alternatives))
    text = "".join(c.char for c in chars)
    confidence = float(np.exp(np.mean(np.log([max(c.confidence, 1e-9) for c in chars]))))
    return TextRead(text, confidence, tuple(chars))


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = logits - logits.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)
