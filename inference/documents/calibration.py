"""Authenticity thresholds for an office: ``chayan calibrate-authenticity FOLDER`` scores the pages of the
office's own genuine documents (decoded as uploads are: images, HEIC and PDF pages) as the review scores an upload
(the classifier's type, the text lines detected for the cues round them, the patches and the pixel forensics) and
sets each alarm's threshold so that it is raised on at most its share of the target false-alarm rate
(``authenticity.thresholds_for``). The cues round the text lines count: scored without them, a threshold would hold
its budget on pages the review never sees."""

from __future__ import annotations

from collections.abc import Iterable

from ..engine import Engine
from ..types import Frame
from .authenticity import thresholds_for
from .reader import DocumentReader

MIN_PAGES = 20


def calibrate_pages(
    engine: Engine, pages: Iterable[Frame], target_false_alarm: float = 0.01, source: str = ""
) -> dict[str, object]:
    """Thresholds for an office from its own genuine document pages (``MIN_PAGES`` at least; ``source`` names
    where they came from, for the result and the error)."""
    reader = DocumentReader(engine)
    if reader.authenticity is None:
        raise ValueError("no authenticity model is installed (doc-authenticity is not in the catalog)")
    scores = []
    for frame in pages:
        result = reader.check_authenticity(frame)
        assert result is not None  # the checker is installed
        scores.append(result.scores)
    if len(scores) < MIN_PAGES:
        raise ValueError(
            f"{source or 'the pages given'}: {len(scores)} pages; calibration needs at least {MIN_PAGES} genuine"
            " document pages"
        )
    model = reader.authenticity.model.entry
    return {
        "thresholds": thresholds_for(scores, target_false_alarm),
        "target_false_alarm": target_false_alarm,
        "pages": len(scores),
        "model": {"name": model.name, "sha256": model.sha256},
        "folder": source,
    }
