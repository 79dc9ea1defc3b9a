"""The document recogniser's tuning: the PP-OCR recogniser brought into PyTorch matches the ONNX one, a
smoke run tunes, exports with the base vocabulary and writes a verified catalog entry, and the line crops
carry the text printed in them."""

from __future__ import annotations

import shutil

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
import yaml

from datasets.documents.lines import document_lines, line_crops
from inference.stages.text import TOP_OUTPUTS
from models import CATALOG_PATH, ModelCatalog
from training import text_rec


@pytest.fixture(scope="module")
def base_path():
    return ModelCatalog.load().resolve("text-rec")


def test_the_converted_recogniser_matches_the_onnx_one(base_path):
    model = text_rec.to_torch(base_path).eval()
    x = np.random.default_rng(1).uniform(-1, 1, (2, 3, 48, 150)).astype(np.float32)
    want = ort.InferenceSession(str(base_path), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    with torch.no_grad():
        got = torch.softmax(model(torch.from_numpy(x)), -1).numpy()
    assert got.shape == want.shape
    assert float(np.abs(got - want).max()) < 1e-4
    assert any(p.numel() == want.shape[-1] for p in model.parameters())  # the classifier is trainable


def test_line_crops_are_deterministic_and_labelled():
    a, b = document_lines(7, 3), document_lines(7, 3)
    assert a and [c.text for c in a] == [c.text for c in b]
    assert all(np.array_equal(x.image, y.image) for x, y in zip(a, b, strict=True))
    assert all(c.text and c.image.ndim == 3 and c.image.shape[2] == 3 for c in a)
    assert [c.text for c in document_lines(8, 3)] != [c.text for c in a]
    assert len(list(line_crops(7, 2))) == len(document_lines(7, 0)) + len(document_lines(7, 1))


def test_tune_smoke_export_and_catalog_entry(tmp_path, base_path):
    catalog = tmp_path / "catalog.yaml"
    shutil.copy(CATALOG_PATH, catalog)
    cfg = {
        "name": "doc-text-rec",
        "version": "smoke",
        "base": "text-rec",
        "data": {"train": {"seed": 11, "n_docs": 2}, "val": {"seed": 12, "n_docs": 1}, "test_seeds": [9103]},
        "steps": 3,
        "batch": 4,
        "lr": 0.0005,
        "seed": 0,
        "export_file": "doc-text-rec.onnx",
    }
    path = tmp_path / "rec.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    entry = text_rec.run(path, threads=2, catalog_path=catalog)
    out = tmp_path / "doc-text-rec.onnx"
    assert entry["file"] == out.name and ModelCatalog.load(catalog).resolve("doc-text-rec") == out
    assert entry["origin"]["training_command"].startswith("chayan train doc-text-rec --config")
    assert set(entry["metrics"]) >= {"synthetic_val_line_accuracy", "synthetic_val_line_accuracy_base"}
    meta = {p.key: p.value for p in onnx.load(str(out)).metadata_props}
    base_meta = {p.key: p.value for p in onnx.load(str(base_path)).metadata_props}
    assert meta["character"] == base_meta["character"]
    x = np.random.default_rng(2).uniform(-1, 1, (3, 3, 48, 230)).astype(np.float32)
    tuned = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    base = ort.InferenceSession(str(base_path), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    assert tuned.shape == base.shape
    np.testing.assert_allclose(tuned.sum(-1), 1.0, atol=1e-4)
    assert float(np.abs(tuned - base).max()) > 1e-6  # three steps moved the weights


def test_a_recogniser_tuned_for_lower_lines_takes_them_at_the_same_time_resolution(tmp_path, base_path):
    """Tuned at ``height: 32`` with ``aspect_width: 48``, the exported model takes lines 32 pixels high and as wide as
    the base takes them at 48 (its metadata says so), one step per 8 pixels of width; its catalog entry warms it up
    at 32, and the reader feeds it such lines, with the widths it states for 48-pixel lines unchanged. A height the
    backbone cannot bring down to whole rows is refused."""
    from inference.engine import Engine
    from inference.stages.text import ASPECT_WIDTH_KEY, TextRecognizer

    catalog = tmp_path / "catalog.yaml"
    shutil.copy(CATALOG_PATH, catalog)
    cfg = {
        "name": "doc-text-rec", "version": "smoke-h32", "base": "text-rec", "steps": 2, "batch": 4, "lr": 0.0005,
        "data": {"train": {"seed": 11, "n_docs": 2}, "val": {"seed": 12, "n_docs": 1}, "test_seeds": [9103]},
        "export_file": "doc-text-rec.onnx", "height": 32, "aspect_width": 48,
    }  # fmt: skip
    path = tmp_path / "rec.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    entry = text_rec.run(path, threads=2, catalog_path=catalog)
    assert entry["input"]["warmup_shape"][2] == 32 and "height 32" in entry["input"]["size"]
    session = ort.InferenceSession(str(tmp_path / "doc-text-rec.onnx"), providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].shape[2] == 32
    assert session.get_modelmeta().custom_metadata_map[ASPECT_WIDTH_KEY] == "48"
    (probs,) = session.run(None, {"x": np.zeros((2, 3, 32, 240), np.float32)})
    assert probs.shape[:2] == (2, 240 // 8)
    with pytest.raises(Exception):  # noqa: B017 - onnxruntime's own error type for a wrong input shape
        session.run(None, {"x": np.zeros((2, 3, 48, 240), np.float32)})
    rec = TextRecognizer(Engine(ModelCatalog.load(catalog)).load("doc-text-rec"), min_width=96, solo_width=384)
    assert (rec.height, rec.aspect_width, rec.min_width, rec.solo_width) == (32, 48, 96, 384)
    crops = [c.image for c in document_lines(5, 0)[:3]]
    x = text_rec.batch_tensor(crops, 32, 48)
    assert x.shape[2] == 32 and x.shape[3] == text_rec.batch_tensor(crops).shape[3]  # as wide as at 48
    assert len(rec(crops)) == 3
    cfg["height"] = 40  # the backbone brings the height down 16-fold
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    with pytest.raises(ValueError, match="height"):
        text_rec.RecConfig.load(path)


def test_quantized_export_has_int8_matrix_products_and_reads_like_the_float_model(tmp_path):
    catalog = tmp_path / "catalog.yaml"
    shutil.copy(CATALOG_PATH, catalog)
    cfg = {
        "name": "doc-text-rec", "version": "smoke-q", "base": "text-rec", "steps": 2, "batch": 4, "lr": 0.0005,
        "data": {"train": {"seed": 11, "n_docs": 1}, "val": {"seed": 12, "n_docs": 1}, "test_seeds": [9103]},
        "export_file": "doc-text-rec.onnx", "quantize": "matmul+pointwise", "quant_aware": True, "top_classes": 4,
    }  # fmt: skip
    path = tmp_path / "rec.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    entry = text_rec.run(path, threads=2, catalog_path=catalog)
    out = tmp_path / "doc-text-rec.onnx"
    graph = onnx.load(str(out)).graph
    ops = {n.op_type for n in graph.node}
    assert "MatMulInteger" in ops or "DynamicQuantizeMatMul" in ops, ops
    weights = {i.name for i in graph.initializer}
    # every product with a weight matrix is quantised (those of two activations stay float), the pointwise
    # convolutions among them; the other convolutions (stem, depthwise) stay float
    assert not [n.name for n in graph.node if n.op_type == "MatMul" and set(n.input) & weights]
    assert "Conv" in ops and not [n.name for n in graph.node if n.op_type == "Conv" and _pointwise(n, graph)]
    m = entry["metrics"]
    assert len(m["float_sha256"]) == 64 and 0 < m["model_seconds_over_float"]
    # on the validation lines the int8 model reads nearly as many as the float one it came from
    assert m["synthetic_val_line_accuracy"] >= m["synthetic_val_line_accuracy_float"] - 0.05, m
    assert "int8" in entry["origin"]["source"] and "quantisation-aware" in entry["origin"]["source"]
    meta = {p.key: p.value for p in onnx.load(str(out)).metadata_props}
    assert "character" in meta  # the vocabulary travels with the quantised model
    # the outputs are each step's 4 most probable classes, most probable first, decoded as the full distribution
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    assert tuple(o.name for o in session.get_outputs()) == TOP_OUTPUTS
    x = np.random.default_rng(3).uniform(-1, 1, (2, 3, 48, 160)).astype(np.float32)
    probs, classes = session.run(None, {"x": x})
    assert probs.shape == classes.shape and probs.shape[0] == 2 and probs.shape[2] == 4
    assert np.all(np.diff(probs, axis=-1) <= 0) and float(probs.sum(-1).max()) <= 1.0 + 1e-5


def _pointwise(node, graph):
    weights = {i.name: i for i in graph.initializer}
    w = weights.get(node.input[1])
    group = next((a.i for a in node.attribute if a.name == "group"), 1)
    return w is not None and list(w.dims[2:]) == [1, 1] and group == 1


def test_pointwise_convolutions_as_matrix_products_compute_the_same(tmp_path, base_path):
    out = text_rec.pointwise_as_matmul(base_path, tmp_path / "pw.onnx")
    before, after = onnx.load(str(base_path)).graph, onnx.load(str(out)).graph
    n_pointwise = sum(_pointwise(n, before) for n in before.node if n.op_type == "Conv")
    assert n_pointwise > 10
    assert not [n for n in after.node if n.op_type == "Conv" and _pointwise(n, after)]
    assert sum(n.op_type == "Conv" for n in after.node) == sum(n.op_type == "Conv" for n in before.node) - n_pointwise
    # the torch side rounds exactly the convolutions the rewrite turns into products
    assert len(text_rec.pointwise_convs(text_rec.to_torch(base_path))) == n_pointwise
    x = text_rec.recognizer_input([c.image for c in document_lines(5, 0)[:6]], 96)
    (want,) = ort.InferenceSession(str(base_path), providers=["CPUExecutionProvider"]).run(None, {"x": x})
    (got,) = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"]).run(None, {"x": x})
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_quant_aware_tuning_sees_the_int8_models_rounding(tmp_path):
    """Inside ``quant_aware`` the pointwise convolutions compute what ONNX Runtime computes once they are
    rewritten and quantised (up to inputs that fall on a rounding tie); outside, the float model again, with its
    weights untouched. (Through a deep network the two roundings drift apart as they would between any two
    nearly equal inputs, so one layer is compared.)"""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(8, 24, 1), torch.nn.GELU(), torch.nn.Conv2d(24, 24, 3, groups=24))
    model.eval()
    weights = {k: p.detach().clone() for k, p in model.named_parameters()}
    x = torch.randn(3, 8, 5, 40) * 2 + 0.5
    torch.onnx.export(model, (x,), str(tmp_path / "f.onnx"), input_names=["x"], opset_version=17, dynamo=False)
    pointwise = text_rec.pointwise_as_matmul(tmp_path / "f.onnx", tmp_path / "p.onnx")
    q = text_rec.quantize_matmul(pointwise, tmp_path / "q.onnx")
    (int8,) = ort.InferenceSession(str(q), providers=["CPUExecutionProvider"]).run(None, {"x": x.numpy()})
    with torch.no_grad():
        float_ = model(x).numpy()
        with text_rec.quant_aware(model) as n:
            rounded = model(x).numpy()
        again = model(x).numpy()
    assert n == 1  # the depthwise convolution stays float
    assert float(np.abs(float_ - int8).mean()) > 1e-3  # the int8 model does round
    assert float(np.abs(rounded - int8).mean()) < 0.01 * float(np.abs(float_ - int8).mean())
    np.testing.assert_array_equal(again, float_)
    after = dict(model.named_parameters())
    assert after.keys() == weights.keys() and all(torch.equal(weights[k], after[k]) for k in weights)


def test_top_outputs_read_as_the_full_distribution(tmp_path, base_path):
    """The TopK ending changes what the model outputs, not what the reader reads from it."""
    from inference.ops.ctc import ctc_greedy_decode, ctc_topk_decode

    top = tmp_path / "top.onnx"
    shutil.copy(base_path, top)
    text_rec.with_top_outputs(top, 4)
    crops = [c.image for c in document_lines(5, 0)[:12]]
    x = text_rec.recognizer_input(crops, 96)
    (full,) = ort.InferenceSession(str(base_path), providers=["CPUExecutionProvider"]).run(None, {"x": x})
    probs, classes = ort.InferenceSession(str(top), providers=["CPUExecutionProvider"]).run(None, {"x": x})
    vocab = ["<blank>", *onnx_vocabulary(base_path), " "]
    for row in range(len(crops)):
        want = ctc_greedy_decode(full[row], vocab, 0, 3)
        got = ctc_topk_decode(probs[row], classes[row], vocab, 0, 3)
        assert got.text == want.text and got.chars == want.chars
    assert any(read.text for read in (ctc_greedy_decode(f, vocab) for f in full))


def onnx_vocabulary(path):
    meta = {p.key: p.value for p in onnx.load(str(path), load_external_data=False).metadata_props}
    return meta["character"].splitlines()


def test_test_seeds_are_held_apart(tmp_path):
    cfg = {
        "name": "x", "version": "x", "base": "text-rec", "steps": 1, "batch": 1, "lr": 0.1,
        "data": {"train": {"seed": 9103, "n_docs": 1}, "val": {"seed": 2, "n_docs": 1}, "test_seeds": [9103]},
    }  # fmt: skip
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    with pytest.raises(ValueError, match="held apart"):
        text_rec.RecConfig.load(path)
    cfg["data"]["train"]["seed"] = 1
    cfg["quantize"] = "all"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    with pytest.raises(ValueError, match="quantize"):
        text_rec.RecConfig.load(path)
    cfg["quantize"], cfg["quant_aware"] = "matmul", True  # quantisation-aware tuning of what is not rounded
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    with pytest.raises(ValueError, match="quant_aware"):
        text_rec.RecConfig.load(path)
