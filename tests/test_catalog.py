from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from models import (
    CATALOG_PATH,
    ModelCatalog,
    ModelCatalogError,
    ModelChecksumError,
    ModelFileMissingError,
    ModelNotFoundError,
    sha256_of,
)


def _copy_catalog(tmp_path: Path, name: str = "text-rec") -> tuple[ModelCatalog, Path]:
    """A catalog in tmp_path holding one model copied next to it (relative file path)."""
    real = ModelCatalog.load()
    entry = real.get(name)
    src = real.resolve(name)
    dst = tmp_path / "model.onnx"
    shutil.copyfile(src, dst)
    raw = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    item = next(m for m in raw["models"] if m["name"] == entry.name)
    item["file"] = "model.onnx"
    (tmp_path / "catalog.yaml").write_text(yaml.safe_dump({"models": [item]}, allow_unicode=True), encoding="utf-8")
    return ModelCatalog.load(tmp_path / "catalog.yaml"), dst


def test_shipped_catalog_verifies():
    catalog = ModelCatalog.load()
    assert len(catalog) >= 2
    for entry in catalog:
        path = catalog.resolve(entry.name)
        assert sha256_of(path) == entry.sha256
        assert entry.input.get("warmup_shape"), f"{entry.name} declares no warm-up shape"
        assert entry.origin.get("kind") in {"pretrained", "trained", "quantized"}
        if entry.origin["kind"] in {"trained", "quantized"}:
            assert entry.training_command and entry.origin.get("data_seed") is not None


def test_altered_file_is_reported_with_both_checksums(tmp_path):
    catalog, path = _copy_catalog(tmp_path)
    assert catalog.resolve("text-rec") == path
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelChecksumError) as err:
        catalog.resolve("text-rec")
    message = str(err.value)
    assert catalog.get("text-rec").sha256 in message and sha256_of(path) in message and "altered" in message


def test_missing_file_names_the_path(tmp_path):
    catalog, path = _copy_catalog(tmp_path)
    path.unlink()
    with pytest.raises(ModelFileMissingError, match="model.onnx"):
        catalog.resolve("text-rec")


@pytest.mark.parametrize(
    ("mutate", "error", "match"),
    [
        (lambda m: m.pop("sha256"), ModelCatalogError, "lacks"),
        (lambda m: m.update(colour="red"), ModelCatalogError, "unknown keys"),
        (lambda m: m.update(file="pkg:no_such_package_xyz/m.onnx"), None, None),
    ],
)
def test_malformed_entries(tmp_path, mutate, error, match):
    raw = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    item = raw["models"][0]
    mutate(item)
    (tmp_path / "catalog.yaml").write_text(yaml.safe_dump({"models": [item]}), encoding="utf-8")
    if error is not None:
        with pytest.raises(error, match=match):
            ModelCatalog.load(tmp_path / "catalog.yaml")
    else:
        with pytest.raises(ModelFileMissingError, match="not installed"):
            ModelCatalog.load(tmp_path / "catalog.yaml").resolve(item["name"])


def test_duplicate_and_unknown_names(tmp_path):
    raw = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    (tmp_path / "catalog.yaml").write_text(yaml.safe_dump({"models": raw["models"][:1] * 2}), encoding="utf-8")
    with pytest.raises(ModelCatalogError, match="declared twice"):
        ModelCatalog.load(tmp_path / "catalog.yaml")
    with pytest.raises(ModelNotFoundError, match="no model named"):
        ModelCatalog.load().get("no-such-model")


def test_shipped_int8_weights_fit_cpus_without_vnni():
    """Every int8 weight of a shipped model lies within -64..64 (7 bits): onnxruntime's uint8 x int8 kernels on a
    CPU without VNNI (AVX2) add pairs of products in int16, and 255 * 127 * 2 overflows it, so a model with 8-bit
    weights reads differently there (the first int8 text detector found 107 of the float one's 231 lines on such
    a CPU, all of them on one with VNNI); 255 * 64 * 2 fits."""
    onnx = pytest.importorskip("onnx")
    from onnx import numpy_helper

    catalog = ModelCatalog.load()
    checked = []
    for entry in catalog:
        model = onnx.load(str(catalog.resolve(entry.name)))
        weights = [i for i in model.graph.initializer if i.data_type == onnx.TensorProto.INT8]
        if not weights:
            continue
        worst = max(int(abs(numpy_helper.to_array(w).astype(int)).max(initial=0)) for w in weights)
        assert worst <= 64, f"{entry.name}: int8 weights up to {worst}"
        checked.append(entry.name)
    assert {"doc-text-det", "doc-text-rec"} <= set(checked)
