"""Smoke training of the plate and VIN readers, ONNX export and ONNX/PyTorch parity."""

from __future__ import annotations

import json

import numpy as np
import onnxruntime as ort
import pytest
import torch
import yaml

from training import recognizer


def _config(tmp_path, task: str):
    cfg = {"name": f"{task}-smoke", "version": "smoke", "task": task,
           "data": {"dir": str(tmp_path / "data"), "train": {"n": 48, "seed": 11}, "val": {"n": 16, "seed": 12}},
           "epochs": 1, "batch": 16, "lr": 0.002, "seed": 0, "width": 1, "export_file": f"{task}.onnx"}
    path = tmp_path / f"{task}.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return recognizer.ReaderConfig.load(path)


@pytest.mark.parametrize("task", ["plate", "vin"])
def test_smoke_train_export_and_parity(tmp_path, task):
    cfg = _config(tmp_path, task)
    model, metrics = recognizer.train(cfg, workers=0, threads=2)
    assert 0.0 <= metrics["synthetic_val_exact"] <= 1.0
    hw = recognizer.input_hw_of(task)
    out = recognizer.export_onnx(model, cfg, tmp_path / "m.onnx", hw)
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    meta = session.get_modelmeta().custom_metadata_map
    assert json.loads(meta["vocabulary"]) == list(cfg.vocab)
    x = np.random.default_rng(0).uniform(-1, 1, (2, 3, *hw)).astype(np.float32)
    onnx_out = session.run(None, {"x": x})
    with torch.no_grad():
        torch_out = recognizer.ExportWrapper(model).eval()(torch.from_numpy(x))
    assert len(onnx_out) == len(torch_out) == (2 if task == "plate" else 1)
    for a, b in zip(onnx_out, torch_out, strict=True):
        np.testing.assert_allclose(a, b.numpy(), atol=1e-4, rtol=1e-3)
    assert onnx_out[0].shape == (2, hw[1] // 4, len(cfg.vocab) + 1)


def test_same_seeds_for_train_and_val_are_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"name": "x", "version": "x", "task": "plate",
                                    "data": {"dir": "d", "train": {"n": 1, "seed": 5}, "val": {"n": 1, "seed": 5}},
                                    "epochs": 1, "batch": 1, "lr": 0.1}), encoding="utf-8")
    with pytest.raises(ValueError, match="held apart"):
        recognizer.ReaderConfig.load(path)
