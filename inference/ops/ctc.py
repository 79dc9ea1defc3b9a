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
    chars: list[CharRead] = []
    t = 0
    steps = len(best)
    while t < steps:
        cls = int(best[t])
        end = t
        while end + 1 < steps and best[end + 1] == cls:
            end += 1
        if cls != blank_index:
            run = probs[t : end + 1, cls]
            peak = t + int(run.argmax())
            row = probs[peak]
            # Only the top few classes matter: partition first (a general vocabulary has ~18k classes).
            k = min(len(row), max(0, top_k - 1) + 2)  # room for the emitted class and the blank
            top = np.argpartition(row, len(row) - k)[len(row) - k :]
            order = top[np.argsort(-row[top], kind="stable")]
            alternatives = tuple(
                (vocabulary[int(i)], float(row[i])) for i in order if i != cls and i != blank_index
            )[: max(0, top_k - 1)]
            chars.append(CharRead(vocabulary[cls], float(row[cls]), alternatives))
        t = end + 1
    text = "".join(c.char for c in chars)
    confidence = float(np.exp(np.mean(np.log([max(c.confidence, 1e-9) for c in chars])))) if chars else 0.0
    return TextRead(text, confidence, tuple(chars))


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = logits - logits.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)
