"""Authenticity thresholds for an office: ``chayan calibrate-authenticity FOLDER`` scores a folder of the
office's own genuine documents as the review scores an upload (the classifier's type, the text lines detected for the
cues round them, the patches and the pixel forensics) and sets each alarm's threshold so that it is raised on at
most its share of the target false-alarm rate (``authenticity.thresholds_for``). The cues round the text lines
count: scored without them, a threshold would hold its budget on pages the review never sees."""

from __future__ import annotations

from pathlib import Path

import cv2

from ..engine import Engine
from ..types import Frame
from .authenticity import thresholds_for
from .reader import DocumentReader

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
MIN_PAGES = 20


def calibrate_folder(engine: Engine, folder: Path, target_false_alarm: float = 0.01) -> dict[str, object]:
    """Thresholds for an office from a folder of its own genuine document images (``MIN_PAGES`` at least)."""
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder")
    paths = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if len(paths) < MIN_PAGES:
        raise ValueError(
            f"{folder} holds {len(paths)} images; calibration needs at least {MIN_PAGES} genuine documents"
        )
    reader = DocumentReader(engine)
    if reader.authenticity is None:
        raise ValueError("no authenticity model is installed (doc-authenticity is not in the catalog)")
    scores = []
    for path in paths:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise ValueError(f"{path} is not a readable image")
        result = reader.check_authenticity(Frame(image))
        assert result is not None  # the checker is installed
        scores.append(result.scores)
    model = reader.authenticity.model.entry
    return {
        "thresholds": thresholds_for(scores, target_false_alarm),
        "target_false_alarm": target_false_alarm,
        "pages": len(paths),
        "model": {"name": model.name, "sha256": model.sha256},
        "folder": str(folder),
    }
