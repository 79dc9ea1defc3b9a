"""Smoke training of the detector (a handful of scenes, one epoch), ONNX export, ONNX/PyTorch parity,
and the inference stage on the exported model."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
import torch
import yaml

from training import detector as det_training


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
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


def test_smoke_training_writes_weights_and_dataset(smoke):
    config, weights, onnx_path = smoke
    assert weights.is_file() and onnx_path.is_file()
    data = yaml.safe_load((config.data_dir / "dataset.yaml").read_text(encoding="utf-8"))
    assert data["kpt_shape"] == [4, 3] and data["names"][0] == "plate"


def test_onnx_matches_pytorch(smoke):
    from training import ultra

    ultra.prepare(2)
    from ultralytics import YOLO

    _, weights, onnx_path = smoke
    model = YOLO(str(weights)).model.float().eval()
    x = np.random.default_rng(0).uniform(0, 1, (1, 3, 160, 160)).astype(np.float32)
    with torch.no_grad():
        torch_out = model(torch.from_numpy(x))
    torch_pred = (torch_out[0] if isinstance(torch_out, list | tuple) else torch_out).numpy()
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    (onnx_pred,) = session.run(None, {session.get_inputs()[0].name: x})
    assert onnx_pred.shape == torch_pred.shape == (1, 4 + 4 + 12, 525)
    np.testing.assert_allclose(onnx_pred, torch_pred, rtol=1e-3, atol=1e-3)
