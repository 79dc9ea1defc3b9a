"""The general PP-OCR text detector quantised to int8 for document pages: ``chayan train doc-text-det --config
training/configs/doc_text_det.yaml``.

Nothing is trained: the catalog's ``text-det`` (PP-OCR small DB detector, ONNX from the rapidocr wheel) gets
static QDQ int8 convolutions (per-channel weights) and element-wise operators with onnxruntime's quantiser,
activations calibrated on the pages the document reader's detector sees (synthetic training documents, found and
rectified as :func:`inference.documents.reader.text_page` does, through the detector's own pre-processing). The
graph is cleaned up by onnxruntime's pre-processing and brought to opset 17 first: per-channel dequantisation needs
an ``axis``, which the wheel's opset does not have.
Percentile calibration (the 99.999th percentile of each activation, not its extreme) kept the thin strokes of
small text; min-max calibration lost 4 of 1256 dev fields.

Between int8 convolutions alone the feature maps went back to float for every addition, product, GELU and
concatenation, and those passes took more time than the convolutions. So the element-wise operators the config
lists are quantised too (``op_types``: onnxruntime runs them on uint8), and the float graph is first rewritten into
fewer operators with the same arithmetic (:func:`fused_for_int8`): each GELU written as five element-wise nodes
becomes one (onnxruntime's own fusion, which its session does not apply to a quantised graph), and each mean over
a feature map's height and width becomes the global average pool it computes (quantised too). A 1280x960 page:
detector kernels 409 -> 262 ms. Fields read exactly: 1460 -> 1468 of 1637 on fresh pages (seed 5170), 3704 -> 3693
of 4021 on the dev pages of seeds 5150, 401 and 403 (the earlier settings were chosen on the first two).

Held-out measurements written to the catalog: agreement of the text/no-text map with the float model on
pages not used for calibration, and the detector's time on one page, float and int8 side by side.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import onnx
import onnxruntime as ort
import yaml
from onnx import version_converter

from datasets.core import ensure_built
from inference.documents.reader import OCR_MAX_SIDE, text_page
from inference.stages.text import TextDetector
from models import CATALOG_PATH, ModelCatalog

from .catalog import upsert_entry

REPO = Path(__file__).resolve().parents[1]
OPSET = 17
CONV_ONLY = ("Conv",)  # operators quantised when a config lists none


@dataclass(frozen=True, slots=True)
class DetQuantConfig:
    name: str
    version: str
    base: str  # catalog entry quantised
    data_dir: Path
    seed: int  # documents split the pages come from
    n_docs: int
    calibration_pages: int  # the first pages of the split
    check_pages: int  # the pages after them: agreement with the float model
    percentile: float = 99.999
    float_nodes: tuple[str, ...] = ()  # convolutions left in float (names in the base graph)
    op_types: tuple[str, ...] = CONV_ONLY  # operators quantised
    export_file: str = ""
    test_seeds: tuple[int, ...] = ()
    postprocess: dict[str, Any] = field(default_factory=dict)  # over the base's DB post-processing settings

    @classmethod
    def load(cls, path: Path) -> DetQuantConfig:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        data = raw.pop("data")
        float_nodes = tuple(str(n) for n in raw.pop("float_nodes", ()))
        op_types = tuple(str(n) for n in raw.pop("op_types", CONV_ONLY))
        cfg = cls(
            **raw,
            data_dir=REPO / data["dir"],
            seed=int(data["seed"]),
            n_docs=int(data["n"]),
            test_seeds=tuple(int(s) for s in data.get("test_seeds", ())),
            float_nodes=float_nodes,
            op_types=op_types,
        )
        if cfg.seed in cfg.test_seeds:
            raise ValueError("the calibration seed is a test seed: the test sets must be held apart")
        if cfg.calibration_pages + cfg.check_pages > cfg.n_docs:
            raise ValueError("calibration_pages + check_pages exceed the split")
        return cfg


def detector_input(path: Path, detector: TextDetector) -> np.ndarray | None:
    """The detector's input for a page, as the document reader builds it for a page photographed at the
    reader's largest size (found pages rectified to ``OCR_MAX_SIDE``). Calibrated on the pages as the reader
    sees them, at their own size in the photo, the quantised detector lost a field of the real 行驶证
    specimen."""
    page, _, _ = text_page(cv2.imread(str(path), cv2.IMREAD_COLOR), OCR_MAX_SIDE, min_side=OCR_MAX_SIDE)
    return detector.input_tensor(page)


def fused_for_int8(model: onnx.ModelProto) -> onnx.ModelProto:
    """The float graph with the same arithmetic in fewer operators: GELUs (``x * 0.5 * (1 + erf(x / sqrt 2))``
    in five nodes) fused into onnxruntime's ``Gelu`` by its own fusion, and means over height and width
    (``ReduceMean`` on axes 2, 3 keeping them) made ``GlobalAveragePool``, the operator they compute (written here:
    no fusion of onnxruntime's makes it)."""
    from onnxruntime.transformers.fusion_gelu import FusionGelu
    from onnxruntime.transformers.onnx_model import OnnxModel

    wrapped = OnnxModel(model)
    FusionGelu(wrapped).apply()
    wrapped.prune_graph()
    for node in wrapped.model.graph.node:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        spatial = len(node.input) == 1 and list(attrs.get("axes", ())) == [2, 3] and attrs.get("keepdims", 1) == 1
        if node.op_type == "ReduceMean" and spatial:
            node.op_type = "GlobalAveragePool"
            del node.attribute[:]
    return wrapped.model


def quantize(
    base: Path,
    tensors: list[np.ndarray],
    out: Path,
    percentile: float,
    float_nodes: Sequence[str] = (),
    op_types: Sequence[str] = CONV_ONLY,
) -> Path:
    """Static QDQ int8 of the ``op_types`` (of :func:`fused_for_int8`'s graph), activations calibrated on
    ``tensors``, one page at a time (a page's intermediate outputs take ~0.5 GB; the histograms are merged, so pages
    of any shape can be used). Weights on 7 bits (``reduce_range``), for the reason given at
    ``training.text_rec.WEIGHT_QMAX`` (the first int8 detector, on 8 bits, found 107 of the 231 lines the float one
    finds on a CPU without VNNI, all of them on one with it)."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.set_range(0, len(tensors))

        def __len__(self) -> int:
            return len(tensors)

        def set_range(self, start_index: int, end_index: int) -> None:
            self.items = iter(tensors[start_index:end_index])

        def get_next(self) -> dict[str, np.ndarray] | None:
            x = next(self.items, None)
            return None if x is None else {input_name: x}

    with tempfile.TemporaryDirectory(prefix="doc-text-det-") as tmp:  # nothing left behind by a failed run
        prepared = Path(tmp) / "prepared.onnx"
        quant_pre_process(str(base), str(prepared), skip_symbolic_shape=True)  # onnxruntime's graph clean-up
        model = onnx.load(str(prepared))
        input_name = model.graph.input[0].name
        onnx.save(fused_for_int8(version_converter.convert_version(model, OPSET)), str(prepared))
        quantize_static(str(prepared), str(Path(tmp) / out.name), Reader(), quant_format=QuantFormat.QDQ,
                        per_channel=True, reduce_range=True, activation_type=QuantType.QUInt8,
                        weight_type=QuantType.QInt8,
                        op_types_to_quantize=list(op_types), nodes_to_exclude=list(float_nodes),
                        calibrate_method=CalibrationMethod.Percentile,
                        extra_options={"CalibPercentile": percentile, "CalibStridedMinMax": 1})
        shutil.move(str(Path(tmp) / out.name), out)
    return out


def _session(path: Path) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def compare(base: Path, quantized: Path, tensors: list[np.ndarray], thresh: float, repeats: int = 5) -> dict[str, Any]:
    """Agreement of the binarised text maps (share of pixels, and share of text pixels of either model) and
    the p50 time of one page, the two models run alternately (one thread each)."""
    a, b = _session(base), _session(quantized)
    name = a.get_inputs()[0].name
    same = text_same = text_either = total = 0
    for x in tensors:
        pa, pb = a.run(None, {name: x})[0] > thresh, b.run(None, {name: x})[0] > thresh
        same += int((pa == pb).sum())
        total += pa.size
        text_same += int((pa & pb).sum())
        text_either += int((pa | pb).sum())
    x = tensors[0]
    times: dict[str, list[float]] = {"float": [], "int8": []}
    for _ in range(repeats):
        for key, s in (("float", a), ("int8", b)):
            t = time.perf_counter()
            s.run(None, {name: x})
            times[key].append((time.perf_counter() - t) * 1000)
    p50 = {k: float(np.median(v)) for k, v in times.items()}
    return {
        "check_pages": len(tensors),
        "text_map_pixel_agreement": round(same / max(total, 1), 5),
        "text_map_iou_with_float": round(text_same / max(text_either, 1), 4),
        "page_input_shape": list(x.shape),
        "p50_ms_float": round(p50["float"], 1),
        "p50_ms_int8": round(p50["int8"], 1),
    }


def run(config_path: Path, catalog_path: Path = CATALOG_PATH, workers: int = 1) -> dict[str, Any]:
    cfg = DetQuantConfig.load(config_path)
    start = time.time()
    ensure_built("documents", cfg.n_docs, cfg.seed, cfg.data_dir, workers)
    catalog = ModelCatalog.load(catalog_path)
    base_entry = catalog.get(cfg.base)
    base_path = catalog.resolve(cfg.base)
    from inference.engine import Engine

    detector = TextDetector(Engine(catalog).load(cfg.base))
    files = sorted((cfg.data_dir / "images").glob("*.jpg"))
    n = cfg.calibration_pages
    calib = [x for f in files[:n] if (x := detector_input(f, detector)) is not None]
    print(f"{len(calib)} calibration pages", flush=True)
    out = quantize(
        base_path, calib, catalog_path.parent / cfg.export_file, cfg.percentile, cfg.float_nodes, cfg.op_types
    )
    check = [x for f in files[n : n + cfg.check_pages] if (x := detector_input(f, detector)) is not None]
    metrics = compare(base_path, out, check, float(base_entry.postprocess.get("thresh", 0.3)))
    print(metrics, flush=True)
    except_float = f", except {', '.join(cfg.float_nodes)}" if cfg.float_nodes else ""
    entry = {
        "name": cfg.name,
        "version": cfg.version,
        "task": "text_detection",
        "file": out.name,
        "sha256": "",
        "input": dict(base_entry.input),
        "normalization": dict(base_entry.normalization),
        "labels": list(base_entry.labels),
        "postprocess": {**base_entry.postprocess, **cfg.postprocess},
        "origin": {
            "kind": "quantized",
            "source": f"{base_entry.version} ({cfg.base}), GELUs fused and spatial means as global pools, with int8 "
            f"QDQ {', '.join(cfg.op_types)} (convolution weights per channel on 7 bits{except_float}), activations "
            f"calibrated ({cfg.percentile} percentile) on {len(calib)} rectified synthetic document pages",
            "training_command": f"chayan train doc-text-det --config {config_path.as_posix()}",
            "data_seed": {"calibration": [cfg.seed], "test": list(cfg.test_seeds)},
            "data_size": {"calibration_pages": len(calib), "check_pages": metrics["check_pages"]},
        },
        "metrics": {"minutes": round((time.time() - start) / 60, 1), **metrics},
    }
    return upsert_entry(entry, catalog_path)
