from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

REPO = Path(__file__).resolve().parents[1]
REALDEV = REPO.parent / "shared" / "data" / "real-dev"


@pytest.fixture(scope="session")
def realdev() -> Path:
    if not (REALDEV / "labels.jsonl").is_file():
        pytest.skip(f"real-dev data not found at {REALDEV}")
    return REALDEV


@pytest.fixture(scope="session")
def licence_capture():
    """A photographed 行驶证 main page (with its sensor noise) as the generator renders and captures it, and
    the page with its field boxes carried into capture pixels: what the tamper edits of the forgery factory
    take."""
    import numpy as np

    from datasets.documents import DocType, render_document
    from datasets.documents.capture import apply_capture, plan_capture
    from datasets.forgeries import _captured

    rng = np.random.default_rng(11)
    doc = render_document(rng, DocType.vehicle_license, "main")
    h, w = doc.image.shape[:2]
    image, h_mat = apply_capture(plan_capture(rng, (w, h), "photo"), doc.image)
    return image, _captured(doc, image, h_mat)


@pytest.fixture(scope="session")
def engine():
    from inference.engine import Engine, EngineOptions

    return Engine(options=EngineOptions(intra_op_threads=1))


@pytest.fixture(scope="session")
def doc_reader(engine):
    """The document reader with its authenticity checker (skipped where the catalog has no doc-authenticity model)."""
    from inference.documents.reader import DocumentReader

    if "doc-authenticity" not in engine.catalog:
        pytest.skip("model doc-authenticity is not in the catalog")
    return DocumentReader(engine)


@pytest.fixture(scope="session")
def quiet_line_pages(engine):
    """20 photographed genuine 行驶证 main pages, every fifth with the paper of its widest text line quieter than
    the page's (as some printers leave it): a cue round the lines that the page forensics alone do not see."""
    import cv2
    import numpy as np

    from datasets.documents import DocType, render_document
    from datasets.documents.capture import apply_capture, plan_capture
    from inference.documents.reader import DocumentReader
    from inference.types import Frame

    if "doc-authenticity" not in engine.catalog:
        pytest.skip("model doc-authenticity is not in the catalog (train it: chayan train authenticity ...)")
    reader = DocumentReader(engine)
    rng = np.random.default_rng(5)
    pages = []
    for i in range(20):
        doc = render_document(rng, DocType.vehicle_license, "main")
        image, _ = apply_capture(plan_capture(rng, (doc.image.shape[1], doc.image.shape[0]), "photo"), doc.image)
        if i % 5 == 0:
            x1, y1, x2, y2 = (int(v) for v in max(reader.line_places(Frame(image)), key=lambda b: b[2] - b[0]))
            line = image[y1:y2, x1:x2].astype(np.float32)
            image = image.copy()
            image[y1:y2, x1:x2] = np.clip(0.7 * line + 0.3 * cv2.GaussianBlur(line, (0, 0), 1.0), 0, 255)
        pages.append(image)
    return pages


@pytest.fixture(scope="session")
def ocr_reader(engine):
    from inference.vehicle import OcrVehicleReader

    return OcrVehicleReader(engine)


@pytest.fixture(scope="session")
def smoke_detector(tmp_path_factory):
    """A detector trained for one epoch on a handful of scenes and exported: (config, weights, onnx)."""
    import yaml

    from training import detector as det_training

    tmp = tmp_path_factory.mktemp("det")
    cfg = {"name": "det-smoke", "version": "smoke", "model": "yolo11n-pose.yaml",
           "data": {"dir": str(tmp / "scenes"), "train": {"n": 8, "seed": 21}, "val": {"n": 4, "seed": 22}},
           "imgsz": 160, "epochs": 1, "batch": 4, "seed": 0,
           "augment": {"fliplr": 0.0, "mosaic": 0.0}, "export": {"file": "det.onnx", "opset": 17,
                                                                 "default_input_size": 160}}
    path = tmp / "det.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    config = det_training.DetectorConfig.load(path)
    weights = det_training.train(config, tmp / "runs" / "smoke", threads=2, workers=0)
    onnx_path = det_training.export_onnx(weights, config, tmp / "det.onnx")
    return config, weights, onnx_path


@pytest.fixture(scope="session")
def smoke_detector_entry(smoke_detector):
    """The smoke-trained detector as a catalog entry (absolute file path), to put in an in-memory catalog."""
    from models import ModelEntry, sha256_of

    _, _, onnx_path = smoke_detector
    return ModelEntry.from_dict({
        "name": "vehicle-det", "version": "smoke", "task": "detection_with_corners", "file": str(onnx_path),
        "sha256": sha256_of(onnx_path), "input": {"default_size": 160, "photo_size": 192,
                                                  "warmup_shape": [1, 3, 160, 160]},
        "normalization": {}, "origin": {"kind": "trained", "training_command": "test", "data_seed": 21}})
