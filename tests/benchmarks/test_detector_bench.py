"""The detector benchmark's accuracy arithmetic, run with the smoke-trained detector."""

from __future__ import annotations

import json

import pytest

from benchmarks import detector as bench
from inference.engine import Engine
from inference.stages.detector import Detector
from models import ModelCatalog


@pytest.fixture(scope="module")
def smoke(smoke_detector, smoke_detector_entry):
    config, _, onnx_path = smoke_detector
    engine = Engine(ModelCatalog({"vehicle-det": smoke_detector_entry}, onnx_path.parent))
    return config, Detector(engine.load("vehicle-det"), conf=0.01)


def test_synthetic_recall_counts_every_whole_plate_once(smoke):
    config, detector = smoke
    root = config.data_dir / "val"
    rows = [json.loads(line) for line in (root / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    plates = sum(1 for r in rows for o in r["objects"] if o["class"] == "plate" and not o["truncated"])
    result = bench.synthetic_recall(detector, 160, root)
    counts = [tuple(map(int, v.split("/"))) for k, v in result.items() if k != "input_size"]
    assert sum(n for _, n in counts) == plates and all(0 <= k <= n for k, n in counts)
    assert bench.synthetic_recall(detector, 160, root / "missing") is None


def test_realdev_rows_cover_all_and_holdout_frames(smoke, realdev):
    _, detector = smoke
    rows = bench.accuracy(detector, realdev, 160)
    assert [r["frames"] for r in rows] == ["all", "holdout"]
    assert rows[0]["frames_with_box"] == 159 and 0 < rows[1]["frames_with_box"] < 159
    assert rows[0]["vin_crops_with_a_vin"].endswith("/9")
    for r in rows:
        assert r["plate_recall_iou50"] is not None and 0 <= r["plate_recall_iou50"] <= 1
