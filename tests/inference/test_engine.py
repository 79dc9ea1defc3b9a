from __future__ import annotations

import numpy as np
import pytest

from inference.engine import Engine, EngineOptions
from models import ModelCatalog, ModelChecksumError


@pytest.mark.parametrize("threads", [1, 2])
def test_session_options_follow_settings(threads):
    engine = Engine(options=EngineOptions(intra_op_threads=threads, allow_spinning=False, graph_optimization="basic"))
    so = engine.session_options()
    assert so.intra_op_num_threads == threads
    assert so.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    model = engine.load("text-rec")
    assert model.session.get_session_options().intra_op_num_threads == threads


def test_load_warms_up_reports_provider_and_caches(engine):
    model = engine.load("text-det")
    assert model.provider == "CPUExecutionProvider"
    assert model.warmup_ms is not None and model.warmup_ms > 0
    assert engine.load("text-det") is model  # one session per model per engine
    out = model.run({"x": np.zeros((1, 3, 64, 64), np.float32)})
    assert out[0].shape == (1, 1, 64, 64)


def test_vocabulary_comes_from_onnx_metadata(engine):
    model = engine.load("text-rec")
    chars = model.metadata["character"].splitlines()
    assert len(chars) + 2 == model.session.get_outputs()[0].shape[-1]  # blank + dictionary + space
    assert "京" in chars and "皖" in chars


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"intra_op_threads": 0}, "thread counts"), ({"graph_optimization": "max"}, "graph_optimization")],
)
def test_bad_options_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        EngineOptions(**kwargs)


def test_engine_refuses_an_altered_model(tmp_path):
    import shutil

    import yaml

    from models import CATALOG_PATH

    catalog = ModelCatalog.load()
    src = catalog.resolve("text-rec")
    dst = tmp_path / "rec.onnx"
    shutil.copyfile(src, dst)
    with open(dst, "ab") as fh:
        fh.write(b"\0")
    raw = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    item = next(m for m in raw["models"] if m["name"] == "text-rec")
    item["file"] = "rec.onnx"
    (tmp_path / "catalog.yaml").write_text(yaml.safe_dump({"models": [item]}), encoding="utf-8")
    with pytest.raises(ModelChecksumError):
        Engine(ModelCatalog.load(tmp_path / "catalog.yaml")).load("text-rec")
