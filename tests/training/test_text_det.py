"""The document detector's quantisation: a smoke run over a few generated pages writes a verified catalog entry
whose int8 graph finds the same text as the float one; test seeds are held apart."""

from __future__ import annotations

import shutil

import numpy as np
import onnx
import pytest
import yaml

from inference.engine import Engine
from inference.stages.text import TextDetector
from models import CATALOG_PATH, ModelCatalog
from training import text_det


def _config(tmp_path, extra=None, **data):
    cfg = {
        "name": "doc-text-det",
        "version": "smoke",
        "base": "text-det",
        "data": {"dir": str(tmp_path / "docs"), "seed": 31, "n": 3, "test_seeds": [9103], **data},
        "calibration_pages": 2,
        "check_pages": 1,
        "export_file": "doc-text-det.onnx",
        **(extra or {}),
    }
    path = tmp_path / "det.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


def test_quantise_smoke_and_catalog_entry(tmp_path):
    catalog = tmp_path / "catalog.yaml"
    shutil.copy(CATALOG_PATH, catalog)
    base = ModelCatalog.load().get("text-det")
    extra = {"postprocess": {"score_mode": "slow"}, "op_types": ["Conv", "Add", "GlobalAveragePool"]}
    entry = text_det.run(_config(tmp_path, extra), catalog_path=catalog)
    out = tmp_path / "doc-text-det.onnx"
    loaded = ModelCatalog.load(catalog)
    assert entry["file"] == out.name and loaded.resolve("doc-text-det") == out
    assert entry["origin"]["kind"] == "quantized"
    assert entry["origin"]["training_command"].startswith("chayan train doc-text-det --config")
    assert entry["origin"]["data_seed"] == {"calibration": [31], "test": [9103]}
    # decoded as the base is, with the config's settings over it
    assert dict(loaded.get("doc-text-det").postprocess) == {**base.postprocess, "score_mode": "slow"}
    assert TextDetector(Engine(loaded).load("doc-text-det"))._post.score_mode == "slow"
    graph = onnx.load(str(out)).graph
    ops = {n.op_type for n in graph.node}
    assert {"QuantizeLinear", "DequantizeLinear", "Gelu"} <= ops and not {"Erf", "ReduceMean"} & ops
    # the listed operators take dequantised inputs and their outputs are quantised (onnxruntime runs them on uint8)
    made_by = {o: n.op_type for n in graph.node for o in n.output}
    quantised = {i for n in graph.node if n.op_type == "QuantizeLinear" for i in n.input}
    for op in ("Add", "GlobalAveragePool"):
        nodes = [n for n in graph.node if n.op_type == op]
        assert nodes and all(made_by.get(i) == "DequantizeLinear" for n in nodes for i in n.input), op
        assert all(n.output[0] in quantised for n in nodes), op
    assert "QDQ Conv, Add, GlobalAveragePool" in entry["origin"]["source"]
    m = entry["metrics"]
    assert m["check_pages"] == 1 and m["text_map_pixel_agreement"] > 0.99 and m["text_map_iou_with_float"] > 0.9
    assert m["p50_ms_float"] > 0 and m["p50_ms_int8"] > 0


def test_graph_is_fused_before_quantising_with_the_same_outputs():
    """The rewrite before quantising leaves no GELU in pieces and no spatial ReduceMean, and the float model
    computes what it did."""
    import onnxruntime as ort
    from onnx import version_converter

    base = version_converter.convert_version(onnx.load(str(ModelCatalog.load().resolve("text-det"))), text_det.OPSET)
    fused = text_det.fused_for_int8(onnx.ModelProto.FromString(base.SerializeToString()))
    before = [n.op_type for n in base.graph.node]
    after = [n.op_type for n in fused.graph.node]
    assert after.count("Gelu") == before.count("Erf") > 0 and "Erf" not in after
    assert after.count("GlobalAveragePool") == before.count("GlobalAveragePool") + before.count("ReduceMean")
    assert "ReduceMean" not in after and len(after) == len(before) - 4 * before.count("Erf")  # five nodes -> one
    x = np.random.default_rng(0).standard_normal((1, 3, 320, 480)).astype(np.float32)
    outs = [
        ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
        for m in (base, fused)
    ]
    np.testing.assert_allclose(outs[1], outs[0], atol=1e-4)


def test_test_seeds_are_held_apart(tmp_path):
    with pytest.raises(ValueError, match="held apart"):
        text_det.DetQuantConfig.load(_config(tmp_path, seed=9103))


def test_calibration_and_check_pages_must_fit_the_split(tmp_path):
    with pytest.raises(ValueError, match="exceed"):
        text_det.DetQuantConfig.load(_config(tmp_path, n=2))


def test_detector_input_is_the_readers_page_at_its_largest_size(tmp_path):
    """The calibration sees what the document reader's detector sees for a page photographed large: the page
    found and rectified to the reader's largest size (the reader keeps a smaller page at its own size)."""
    import cv2

    from inference.documents.reader import OCR_MAX_SIDE, text_page

    image = np.full((900, 1200, 3), 40, np.uint8)
    cv2.fillConvexPoly(image, np.array([[200, 100], [1000, 130], [980, 820], [180, 800]], np.int32), (235, 235, 235))
    path = tmp_path / "page.jpg"
    cv2.imwrite(str(path), image)
    detector = TextDetector(Engine().load("text-det"))
    x = text_det.detector_input(path, detector)
    own, _, found = text_page(image, OCR_MAX_SIDE)
    assert found and max(own.shape[:2]) < OCR_MAX_SIDE  # the reader: the page at its own size in the photo
    large, _, _ = text_page(image, OCR_MAX_SIDE, min_side=OCR_MAX_SIDE)
    assert max(large.shape[:2]) == OCR_MAX_SIDE
    assert x is not None and x.shape == detector.input_tensor(large).shape
