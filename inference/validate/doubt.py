"""When a read character that differs from the one expected is no evidence of a difference.

One rule for the vehicle-record comparison and the document cross-checks: a difference counts only where
the recogniser was sure of itself. A character read with low confidence, one that lists the expected
character among its alternatives, or one the recognisers are known to confuse with it and read without
great confidence, says "could not read", not "differs": the cost of a false difference is a citizen sent
home or a genuine document called wrong.
"""

from __future__ import annotations

from collections.abc import Iterable

LOW_CHAR_CONFIDENCE = 0.85
# Pairs the recognisers confuse; a confusable difference needs more confidence to be a difference. 0/8 and 0/U:
# generated complete cases (dev seeds 5004, 6000) read an ID number's 0 as 8 at 0.88 and an engine number's U
# as 0 at 0.98-0.99, and 8 is the first alternative of a read 0 more often than any other character.
CONFUSABLE = frozenset(
    {frozenset(p) for p in ("0D", "0Q", "08", "0U", "8B", "1I", "17", "2Z", "5S", "6G", "UV", "MN", "EF")}
)
CONFUSABLE_CONFIDENCE = 0.97
# An alternative below this probability is no evidence that the expected character was there.
ALTERNATIVE_EVIDENCE = 0.01


def char_doubt(read: str, confidence: float, alternatives: Iterable[tuple[str, float]], expected: str) -> str | None:
    """Why ``read`` (recognised with ``confidence`` and the other candidates ``alternatives``) may really be
    ``expected``; None when the reading is sure of a different character."""
    if confidence < LOW_CHAR_CONFIDENCE:
        return f"{read!r} read with low confidence ({confidence:.2f})"
    if any(a == expected and p >= ALTERNATIVE_EVIDENCE for a, p in alternatives):
        return f"{expected!r} is an alternative of the read {read!r}"
    if frozenset((read, expected)) in CONFUSABLE and confidence < CONFUSABLE_CONFIDENCE:
        return f"{read!r} and {expected!r} look alike ({confidence:.2f})"
    return None
