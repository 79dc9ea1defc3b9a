"""Smoke training of the detector (a handful of scenes, one epoch), ONNX export, ONNX/PyTorch parity,
and the inference stage on the exported model."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import torch
import yaml


def test_smoke_training_writes_weights_and_dataset(smoke_detector):
    config, weights, onnx_path = smoke_detector
    assert weights.is_file() and onnx_path.is_file()
    data = yaml.safe_load((config.data_dir / "dataset.yaml").read_text(encoding="utf-8"))
    assert data["kpt_shape"] == [4, 3] and data["names"][0] == "plate"


def test_onnx_matches_pytorch(smoke_detector):
    from training import ultra

    ultra.prepare(2)
    from ultralytics import YOLO

    _, weights, onnx_path = smoke_detector
    model = YOLO(str(weights)).model.float().eval()
    x = np.random.default_rng(0).uniform(0, 1, (1, 3, 160, 160)).astype(np.float32)
    with torch.no_grad():
        torch_out = model(torch.from_numpy(x))
    torch_pred = (torch_out[0] if isinstance(torch_out, list | tuple) else torch_out).numpy()
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    (onnx_pred,) = session.run(None, {session.get_inputs()[0].name: x})
    assert onnx_pred.shape == torch_pred.shape == (1, 4 + 4 + 12, 525)
    np.testing.assert_allclose(onnx_pred, torch_pred, rtol=1e-3, atol=1e-3)


def test_int8_is_measured_against_fp32_and_kept_only_when_it_pays(smoke_detector, tmp_path):
    import onnx

    from training import detector as det_training

    config, _, onnx_path = smoke_detector
    fp32_metrics = det_training.validate(onnx_path, config)
    decision = det_training.int8_decision(config, onnx_path, fp32_metrics, out_dir=tmp_path)
    int8 = tmp_path / f"{onnx_path.stem}.int8.onnx"
    assert int8.is_file() and any(n.op_type == "QuantizeLinear" for n in onnx.load(str(int8)).graph.node)
    x = np.random.default_rng(1).uniform(0, 1, (1, 3, 160, 160)).astype(np.float32)
    (a,) = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"]).run(None, {"images": x})
    (b,) = ort.InferenceSession(str(int8), providers=["CPUExecutionProvider"]).run(None, {"images": x})
    assert a.shape == b.shape and np.corrcoef(a.ravel(), b.ravel())[0, 1] > 0.9
    faster = decision["p50_ms_int8"] < decision["p50_ms_fp32"]
    assert decision["int8_shipped"] == (decision["map50_loss"] <= 0.005 and faster)
