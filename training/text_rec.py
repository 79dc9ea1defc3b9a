"""Tune the general PP-OCR recogniser to the documents: ``chayan train doc-text-rec --config
training/configs/doc_text_rec.yaml``.

The base is the catalog's ``text-rec`` (PP-OCR small recogniser, ONNX from the rapidocr wheel). There is no
PyTorch source for it here, so the ONNX graph itself is brought into PyTorch with onnx2torch (two ``SAME_UPPER``
paddings written out, which onnx2torch does not take, and the final softmax left off so the CTC loss gets
logits), its weights made trainable (the batch-norm statistics stay the base model's), tuned with a CTC loss
on every printed line (labels, titles, values) cut from synthetic captured documents
(``datasets/documents/lines.py``), and exported back to ONNX with the softmax and the base model's metadata (its
vocabulary), so the reader uses it unchanged.

With ``quantize: matmul`` the exported model's matrix products (the sequence encoder's attention and MLP, and
the final projection onto the ~18k-class vocabulary) get int8 weights per output channel with dynamic int8
activations (onnxruntime's dynamic quantiser); the convolutions stay float. On the pages of the dev set and of
seed 401 it read 4158 fields against the float model's 4159 of 4635, 8% faster per line batch. Static int8 of the
convolutions as well was 30% faster but read 1-2% fewer fields: not done.

With ``quantize: matmul+pointwise`` the pointwise (1x1) convolutions, most of the backbone's time, are first
written as matrix products (:func:`pointwise_as_matmul`; onnxruntime's dynamic quantiser makes a convolution a
ConvInteger, 4x slower than the float one) and get int8 weights too: the line batches of a 4-page case in 0.66 of
the time of the ``matmul`` model. Rounded without more, the dev and seed-401 pages read 21 fewer fields (4153 of
4635 against 4174). With ``quant_aware: true`` the tuning computes those convolutions with their weights and inputs
rounded as the int8 model rounds them (:func:`quant_aware`, straight-through gradients): 4168.

With ``top_classes: K`` the model ends in a TopK node: each step's K most probable classes and their
probabilities (``inference.stages.text.TOP_OUTPUTS``) instead of the distribution over all ~18k classes, which the
reader only scanned for its maximum and a few alternatives (the same reads, without copying and scanning 18,710
probabilities per step).
"""

from __future__ import annotations

import hashlib
import math
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import torch
import yaml
from onnx import helper, numpy_helper
from torch import nn
from torch.nn.utils import parametrize

from datasets.documents.lines import LineCrop, line_crops
from inference.documents.reader import DOC_REC_MIN_WIDTH
from inference.ops.ctc import ctc_decode_batch
from inference.stages.text import (
    ASPECT_WIDTH_KEY,
    REC_HEIGHT,
    TOP_OUTPUTS,
    at_height,
    input_aspect_width,
    input_height,
    recognizer_input,
)
from models import CATALOG_PATH, ModelCatalog

from .catalog import upsert_entry
from .documents import ExportWrapper

REPO = Path(__file__).resolve().parents[1]


# quantisation modes (besides "": float) and how the catalog describes the model each gives
QUANTIZED = {
    "matmul": "; matrix products int8 (dynamic)",
    "matmul+pointwise": "; matrix products and pointwise convolutions (as matrix products) int8 (dynamic)",
}
QUANTIZE_MODES = ("", *QUANTIZED)
# int8 weights on 7 bits, -64..64 (onnxruntime's ``reduce_range``): on a CPU without VNNI (AVX2 only) onnxruntime's
# uint8 x int8 kernels add pairs of products in int16, which saturates with 8-bit weights (up to 255 * 127 * 2);
# the model then reads differently on such a CPU (the full-range v3 model: see the catalog). With 7 bits the pair
# sums fit, and every CPU computes the same integers.
WEIGHT_QMAX = 64


@dataclass(frozen=True, slots=True)
class RecConfig:
    name: str
    version: str
    base: str  # catalog entry tuned from
    train_seed: int
    train_docs: int
    val_seed: int
    val_docs: int
    steps: int
    batch: int
    lr: float
    seed: int = 0
    export_file: str = ""
    test_seeds: tuple[int, ...] = ()
    # "matmul": int8 weights of the matrix products, dynamic activations; "matmul+pointwise": the pointwise
    # convolutions written as matrix products first, so they are int8 as well
    quantize: str = ""
    # the tuning sees the int8 rounding the pointwise convolutions get once quantised (quantisation-aware)
    quant_aware: bool = False
    top_classes: int = 0  # > 0: the outputs are each step's most probable classes, not the whole distribution
    # the lines' height in the tuned model's input (the base model's 48, or a multiple of its 16-fold downsampling)
    height: int = REC_HEIGHT
    # input pixels of width per unit of a line's aspect (0: the height, the aspect kept); more than the height keeps
    # the steps of the sequence (one per 8 pixels) as many per character as the base model has at 48
    aspect_width: int = 0

    @classmethod
    def load(cls, path: Path) -> RecConfig:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        data = raw.pop("data")
        cfg = cls(
            **raw,
            train_seed=int(data["train"]["seed"]),
            train_docs=int(data["train"]["n_docs"]),
            val_seed=int(data["val"]["seed"]),
            val_docs=int(data["val"]["n_docs"]),
            test_seeds=tuple(int(s) for s in data.get("test_seeds", ())),
        )
        if {cfg.train_seed, cfg.val_seed} & set(cfg.test_seeds) or cfg.train_seed == cfg.val_seed:
            raise ValueError("train, val and test seeds must differ: the test sets must be held apart")
        if cfg.quantize not in QUANTIZE_MODES:
            raise ValueError(f"quantize must be one of {QUANTIZE_MODES}, got {cfg.quantize!r}")
        if cfg.quant_aware and cfg.quantize != "matmul+pointwise":
            raise ValueError("quant_aware tunes for int8 pointwise convolutions: it needs quantize 'matmul+pointwise'")
        if cfg.top_classes < 0 or 0 < cfg.top_classes < 2:
            raise ValueError(f"top_classes must be 0 (the whole distribution) or >= 2, got {cfg.top_classes}")
        if cfg.height <= 0 or cfg.height % BACKBONE_STRIDE:
            raise ValueError(f"height must be a positive multiple of {BACKBONE_STRIDE}, got {cfg.height}")
        return cfg


# ------------------------------------------------------------------------------------------------ model

BACKBONE_STRIDE = 16  # the base recogniser's backbone downsamples the line's height 16-fold


def input_spec(base: dict[str, Any], height: int, aspect_width: int = 0) -> dict[str, Any]:
    """The catalog's input description of the base recogniser for lines ``height`` pixels high, ``aspect_width``
    wide per unit of aspect (0: the height)."""
    if height == REC_HEIGHT and aspect_width in (0, height):
        return base
    warmup = list(base.get("warmup_shape", [1, 3, REC_HEIGHT, 320]))
    warmup[2] = height
    width = "aspect kept" if aspect_width in (0, height) else f"{aspect_width} px per unit of aspect"
    return {**base, "size": f"height {height}, width dynamic ({width}, padded)", "warmup_shape": warmup}


def at_input_height(m: onnx.ModelProto, height: int) -> onnx.ModelProto:
    """The recogniser graph ``m`` for lines ``height`` pixels high: the backbone downsamples the height 16-fold
    (``BACKBONE_STRIDE``) and one average pooling takes what is left of it (3 rows of 48) to one row, so that
    pooling's height becomes what is left of ``height``; the input's declared height and the shapes recorded
    inside the graph for 48 go. The weights are the same; the model must be tuned at the new height."""
    (pool,) = [n for n in m.graph.node if n.op_type == "AveragePool"]
    attrs = {a.name: a for a in pool.attribute}
    if list(attrs["kernel_shape"].ints) != list(attrs["strides"].ints):
        raise ValueError(f"{pool.name}: a pooling whose kernel and strides differ is not the height's last pooling")
    attrs["kernel_shape"].ints[0] = attrs["strides"].ints[0] = height // BACKBONE_STRIDE
    m.graph.input[0].type.tensor_type.shape.dim[2].dim_value = height
    del m.graph.value_info[:]
    return m


def to_torch(onnx_path: Path, height: int = REC_HEIGHT) -> nn.Module:
    """The recogniser as a trainable PyTorch module that returns logits ``[N, T, classes]``, for lines ``height``
    pixels high (:func:`at_input_height`)."""
    from onnx2torch import convert

    m = onnx.load(str(onnx_path))
    if m.opset_import[0].version < 13:
        m = onnx.version_converter.convert_version(m, 13)
    if height != REC_HEIGHT:
        m = at_input_height(m, height)
    for node in m.graph.node:
        if node.op_type in ("Conv", "MaxPool"):
            for a in list(node.attribute):
                if a.name == "auto_pad" and a.s == b"SAME_UPPER":
                    kernel = next(helper.get_attribute_value(x) for x in node.attribute if x.name == "kernel_shape")
                    strides = next((helper.get_attribute_value(x) for x in node.attribute if x.name == "strides"), [1])
                    if any(k != 2 for k in kernel) or any(s != 1 for s in strides):
                        raise ValueError(f"{node.name}: only 2x2 stride-1 SAME_UPPER is written out")
                    node.attribute.remove(a)
                    node.attribute.append(helper.make_attribute("pads", [0, 0, 1, 1]))  # the extra row/col at the end
    out = m.graph.output[0].name
    (softmax,) = [n for n in m.graph.node if n.op_type == "Softmax" and n.output[0] == out]
    m.graph.node.remove(softmax)
    m.graph.output[0].name = softmax.input[0]
    model = convert(m)
    for mod in model.modules():
        if isinstance(mod, nn.modules.batchnorm._BatchNorm):
            continue
        for name, buf in list(mod.named_buffers(recurse=False)):
            if buf.is_floating_point() and buf.numel() >= 64:  # weights the graph held as constants
                delattr(mod, name)
                mod.register_parameter(name, nn.Parameter(buf.clone()))
    return model


def _int8_weight(w: torch.Tensor) -> torch.Tensor:
    """``w`` on the grid the dynamic quantiser puts a matrix product's weights on: int8 within
    +-``WEIGHT_QMAX``, symmetric, one scale per output channel (straight-through gradient)."""
    scale = w.detach().abs().amax(dim=tuple(range(1, w.ndim)), keepdim=True).clamp_min(1e-12) / WEIGHT_QMAX
    return w + (torch.clamp(torch.round(w / scale), -WEIGHT_QMAX, WEIGHT_QMAX) * scale - w).detach()


def _uint8_dynamic(x: torch.Tensor) -> torch.Tensor:
    """``x`` rounded as ONNX Runtime's DynamicQuantizeLinear rounds a matrix product's input: uint8 over the range
    of the whole tensor, zero included (straight-through gradient)."""
    lo, hi = x.detach().min().clamp(max=0), x.detach().max().clamp(min=0)
    scale = ((hi - lo) / 255).clamp_min(1e-12)
    zero = torch.clamp(torch.round(-lo / scale), 0, 255)
    return x + ((torch.clamp(torch.round(x / scale) + zero, 0, 255) - zero) * scale - x).detach()


class _Int8Weight(nn.Module):
    def forward(self, w: torch.Tensor) -> torch.Tensor:
        return _int8_weight(w)


def pointwise_convs(model: nn.Module) -> list[nn.Conv2d]:
    """The convolutions :func:`pointwise_as_matmul` rewrites: 1x1, one group, stride 1, no padding."""
    return [
        m for m in model.modules()
        if isinstance(m, nn.Conv2d) and m.kernel_size == (1, 1) and m.groups == 1 and m.stride == (1, 1)
        and m.padding == (0, 0)
    ]  # fmt: skip


@contextmanager
def quant_aware(model: nn.Module) -> Iterator[int]:
    """Inside, the pointwise convolutions compute with int8-rounded weights and inputs, as they will once
    rewritten and quantised; the gradients pass straight through the rounding. The float weights are kept (the
    quantiser rounds them the same way). Yields how many convolutions are affected."""
    convs = pointwise_convs(model)
    hooks = [c.register_forward_pre_hook(lambda _, args: (_uint8_dynamic(args[0]), *args[1:])) for c in convs]
    for c in convs:
        parametrize.register_parametrization(c, "weight", _Int8Weight())
    try:
        yield len(convs)
    finally:
        for h in hooks:
            h.remove()
        for c in convs:
            parametrize.remove_parametrizations(c, "weight", leave_parametrized=False)


def _train_mode(model: nn.Module) -> None:
    model.train()
    for mod in model.modules():  # the base model's running statistics are kept
        if isinstance(mod, nn.modules.batchnorm._BatchNorm):
            mod.eval()


def export_onnx(
    model: nn.Module, base_onnx: Path, out: Path, height: int = REC_HEIGHT, aspect_width: int = 0
) -> Path:
    """ONNX with the softmax and the base model's metadata (vocabulary), and the input's width per unit of a line's
    aspect when it is not the height (``ASPECT_WIDTH_KEY``); checked against PyTorch."""
    model.eval()
    # onnx2torch asks the TorchScript exporter for the opset through the module it imported as
    # ``torch.onnx.symbolic_helper``; after other exports in the same process (the detector's, the classifiers')
    # that name no longer has the exporter's state, so it is pointed at the exporter's own module
    import onnx2torch.utils.common as o2t
    from torch.onnx._internal.torchscript_exporter import symbolic_helper

    o2t.symbolic_helper = symbolic_helper
    wrapped = ExportWrapper(model).eval()
    x = torch.zeros(2, 3, height, 320)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "rec.onnx"
        torch.onnx.export(
            wrapped, (x,), str(raw), input_names=["x"], output_names=["probs"], opset_version=17,
            dynamic_axes={"x": {0: "n", 3: "w"}, "probs": {0: "n", 1: "t"}}, dynamo=False,
        )  # fmt: skip
        m = onnx.load(str(raw))
    base = onnx.load(str(base_onnx), load_external_data=False)
    del m.metadata_props[:]
    m.metadata_props.extend(base.metadata_props)
    if aspect_width and aspect_width != height:
        m.metadata_props.append(onnx.StringStringEntryProto(key=ASPECT_WIDTH_KEY, value=str(aspect_width)))
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(m, str(out))
    probe = np.random.default_rng(0).uniform(-1, 1, (2, 3, height, 200)).astype(np.float32)
    got = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"]).run(None, {"x": probe})[0]
    with torch.no_grad():
        want = wrapped(torch.from_numpy(probe)).numpy()
    if got.shape != want.shape or float(np.abs(got - want).max()) > 1e-4:
        raise RuntimeError(f"exported recogniser differs from PyTorch: {got.shape} vs {want.shape}")
    return out


def quantize_matmul(src: Path, out: Path) -> Path:
    """``src`` with int8 weights (per output channel, 7 bits: ``WEIGHT_QMAX``) in its MatMul nodes and dynamic
    int8 activations."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out.parent.mkdir(parents=True, exist_ok=True)
    quantize_dynamic(
        str(src), str(out), op_types_to_quantize=["MatMul"], per_channel=True, reduce_range=True,
        weight_type=QuantType.QInt8,
    )  # fmt: skip
    return out


def pointwise_as_matmul(src: Path, out: Path) -> Path:
    """``src`` with every pointwise convolution (1x1, one group, stride 1, no padding) written as a matrix product
    over the channels (channels last, MatMul, bias Add, channels first again), so the dynamic quantiser gives it
    int8 weights like the other matrix products. Written here because onnxruntime's dynamic quantiser turns a
    convolution into ConvInteger, which measured 4x slower than the float convolution; ONNX Runtime's transpose
    optimiser cancels the transposes between consecutive products. The outputs are the same up to float
    rounding."""
    m = onnx.load(str(src))
    weights = {i.name: i for i in m.graph.initializer}
    nodes: list[onnx.NodeProto] = []
    rewritten = 0
    for node in m.graph.node:
        w = weights.get(node.input[1]) if node.op_type == "Conv" and len(node.input) > 1 else None
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        plain = attrs.get("group", 1) == 1 and set(attrs.get("strides", [1])) == {1} and not any(attrs.get("pads", []))
        if w is None or list(w.dims[2:]) != [1, 1] or not plain:
            nodes.append(node)
            continue
        k = f"{node.name or node.output[0]}/pointwise"
        mat = numpy_helper.to_array(w)[:, :, 0, 0].T  # [in, out]
        m.graph.initializer.append(numpy_helper.from_array(np.ascontiguousarray(mat), f"{k}/weight"))
        product = f"{k}/product"
        nodes.append(helper.make_node("Transpose", [node.input[0]], [f"{k}/nhwc"], f"{k}/nhwc", perm=[0, 2, 3, 1]))
        nodes.append(helper.make_node("MatMul", [f"{k}/nhwc", f"{k}/weight"], [product], product))
        if len(node.input) > 2 and node.input[2]:
            nodes.append(helper.make_node("Add", [product, node.input[2]], [f"{k}/biased"], f"{k}/biased"))
            product = f"{k}/biased"
        nodes.append(helper.make_node("Transpose", [product], [node.output[0]], f"{k}/nchw", perm=[0, 3, 1, 2]))
        rewritten += 1
    if not rewritten:
        raise ValueError(f"{src}: no pointwise convolution to rewrite")
    del m.graph.node[:]
    m.graph.node.extend(nodes)
    used = {i for n in m.graph.node for i in n.input}
    unused = [i for i in m.graph.initializer if i.name not in used]
    for i in unused:
        m.graph.initializer.remove(i)
    onnx.checker.check_model(m)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(m, str(out))
    return out


def with_top_outputs(path: Path, k: int) -> Path:
    """Rewrite the recogniser at ``path`` to end in a TopK over its class axis: outputs ``TOP_OUTPUTS`` (each
    step's ``k`` most probable classes, most probable first) instead of the distribution."""
    from onnx import TensorProto

    m = onnx.load(str(path))
    (probs,) = m.graph.output
    m.graph.initializer.append(helper.make_tensor("top_k", TensorProto.INT64, [1], [k]))
    m.graph.node.append(helper.make_node("TopK", [probs.name, "top_k"], list(TOP_OUTPUTS), axis=-1, name="top_k"))
    m.graph.output.remove(probs)
    m.graph.output.extend(
        [
            helper.make_tensor_value_info(TOP_OUTPUTS[0], TensorProto.FLOAT, ["n", "t", k]),
            helper.make_tensor_value_info(TOP_OUTPUTS[1], TensorProto.INT64, ["n", "t", k]),
        ]
    )
    onnx.checker.check_model(m)
    onnx.save(m, str(path))
    return path


def onnx_line_accuracy(
    path: Path, data: Sequence[tuple[np.ndarray, str, list[int]]], vocabulary: Sequence[str], batch: int = 2
) -> tuple[float, float]:
    """(line accuracy, seconds of model time) of an exported recogniser on ``data``, in the reader's batches
    (``batch`` lines of similar shape, one thread)."""
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    session = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    height, per_aspect = input_height(session), input_aspect_width(session)
    order = sorted(range(len(data)), key=lambda i: data[i][0].shape[1] / data[i][0].shape[0])
    ok, seconds = 0, 0.0
    for s in range(0, len(order), batch):
        idx = order[s : s + batch]
        x = batch_tensor([data[i][0] for i in idx], height, per_aspect).numpy()
        t = time.perf_counter()
        outputs = session.run(None, {"x": x})
        seconds += time.perf_counter() - t
        got = [read.text for read in ctc_decode_batch(outputs, vocabulary, 0, 1)]
        ok += sum(g == data[i][1] for g, i in zip(got, idx, strict=True))
    return ok / max(1, len(data)), seconds


# ------------------------------------------------------------------------------------------------ data


def batch_tensor(crops: Sequence[np.ndarray], height: int = REC_HEIGHT, aspect_width: int = 0) -> torch.Tensor:
    """The document reader's recogniser input (its minimum width) for lines ``height`` pixels high and
    ``aspect_width`` wide per unit of aspect (:func:`recognizer_input`), as a tensor."""
    per_aspect = aspect_width or height
    return torch.from_numpy(recognizer_input(crops, at_height(DOC_REC_MIN_WIDTH, per_aspect), height, per_aspect))


def encodable(crops: Sequence[LineCrop], vocabulary: Sequence[str]) -> list[tuple[np.ndarray, str, list[int]]]:
    """(image, text, class indices) of the crops whose every character the recogniser has."""
    index = {c: i for i, c in enumerate(vocabulary) if i > 0}
    return [(c.image, c.text, [index[ch] for ch in c.text]) for c in crops if all(ch in index for ch in c.text)]


def line_accuracy(
    model: nn.Module,
    data: Sequence[tuple[np.ndarray, str, list[int]]],
    vocabulary: Sequence[str],
    height: int = REC_HEIGHT,
    aspect_width: int = 0,
) -> float:
    model.eval()
    order = sorted(range(len(data)), key=lambda i: data[i][0].shape[1] / data[i][0].shape[0])
    ok = 0
    with torch.no_grad():
        for s in range(0, len(order), 32):
            idx = order[s : s + 32]
            probs = torch.softmax(model(batch_tensor([data[i][0] for i in idx], height, aspect_width)), -1).numpy()
            got = [read.text for read in ctc_decode_batch([probs], vocabulary, 0, 1)]
            ok += sum(g == data[i][1] for g, i in zip(got, idx, strict=True))
    return ok / max(1, len(data))


# ------------------------------------------------------------------------------------------------ tuning


def tune(
    model: nn.Module, train: Sequence[tuple[np.ndarray, str, list[int]]], cfg: RecConfig, log_every: int = 100
) -> nn.Module:
    """CTC fine-tuning: AdamW, 50 warm-up steps then a cosine decay; batches of lines of similar shape."""
    rng = np.random.default_rng(cfg.seed)
    torch.manual_seed(cfg.seed)
    order = sorted(range(len(train)), key=lambda i: train[i][0].shape[1] / train[i][0].shape[0])
    batches = [order[s : s + cfg.batch] for s in range(0, len(order), cfg.batch)]
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=0.0)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    _train_mode(model)
    start, running = time.time(), None
    for step in range(1, cfg.steps + 1):
        lr = cfg.lr * min(1.0, step / 50) * 0.5 * (1 + math.cos(math.pi * step / cfg.steps))
        for g in opt.param_groups:
            g["lr"] = lr
        idx = batches[int(rng.integers(len(batches)))]
        x = batch_tensor([train[i][0] for i in idx], cfg.height, cfg.aspect_width)
        log_probs = model(x).log_softmax(-1).permute(1, 0, 2)
        targets = torch.tensor([k for i in idx for k in train[i][2]])
        target_lengths = torch.tensor([len(train[i][2]) for i in idx])
        input_lengths = torch.full((len(idx),), log_probs.shape[0], dtype=torch.long)
        loss = ctc(log_probs, targets, input_lengths, target_lengths)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
        if step % log_every == 0:
            print(f"step {step}/{cfg.steps} loss {running:.3f} {time.time() - start:.0f}s", flush=True)
    model.eval()
    return model


def run(config_path: Path, threads: int | None = None, catalog_path: Path = CATALOG_PATH) -> dict[str, Any]:
    cfg = RecConfig.load(config_path)
    if threads:
        torch.set_num_threads(threads)
    catalog = ModelCatalog.load(catalog_path)
    base_path = catalog.resolve(cfg.base)
    from inference.engine import Engine
    from inference.stages.text import TextRecognizer

    vocabulary = TextRecognizer(Engine(catalog).load(cfg.base)).vocabulary
    start = time.time()
    train = encodable(list(line_crops(cfg.train_seed, cfg.train_docs)), vocabulary)
    val = encodable(list(line_crops(cfg.val_seed, cfg.val_docs)), vocabulary)
    print(f"{len(train)} training lines, {len(val)} validation lines ({time.time() - start:.0f}s)", flush=True)
    before = line_accuracy(to_torch(base_path), val, vocabulary)
    print(f"validation line accuracy of {cfg.base}: {before:.4f}", flush=True)
    model = to_torch(base_path, cfg.height)
    with quant_aware(model) if cfg.quant_aware else nullcontext(0) as rounded:
        if rounded:
            print(f"tuning with {rounded} pointwise convolutions rounded to int8", flush=True)
        tune(model, train, cfg)
    after = line_accuracy(model, val, vocabulary, cfg.height, cfg.aspect_width)
    print(f"validation line accuracy tuned (float): {after:.4f}", flush=True)
    out = catalog_path.parent / cfg.export_file
    quantized: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tuned = export_onnx(model, base_path, Path(tmp) / "float.onnx", cfg.height, cfg.aspect_width)
        if cfg.quantize:
            pointwise = cfg.quantize == "matmul+pointwise"
            quantize_matmul(pointwise_as_matmul(tuned, Path(tmp) / "pointwise.onnx") if pointwise else tuned, out)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(tuned, out)
        if cfg.top_classes:
            with_top_outputs(out, cfg.top_classes)
        if cfg.quantize:
            # float and int8 side by side, twice each in turn (the machine's load drifts)
            runs = [onnx_line_accuracy(p, val, vocabulary) for _ in range(2) for p in (tuned, out)]
            quantized = {
                "float_sha256": hashlib.sha256(tuned.read_bytes()).hexdigest(),
                "synthetic_val_line_accuracy_float": round(runs[0][0], 4),
                "model_seconds_over_float": round((runs[1][1] + runs[3][1]) / (runs[0][1] + runs[2][1]), 3),
            }
            after = runs[1][0]
            print(f"validation line accuracy int8 ({cfg.quantize}): {after:.4f} ({quantized})", flush=True)
    base_entry = catalog.get(cfg.base)
    entry = {
        "name": cfg.name,
        "version": cfg.version,
        "task": "text_recognition",
        "file": out.name,
        "sha256": "",
        "input": input_spec(dict(base_entry.input), cfg.height, cfg.aspect_width),
        "normalization": dict(base_entry.normalization),
        "vocabulary": dict(base_entry.vocabulary or {}),
        "origin": {
            "kind": "trained",
            "source": f"{base_entry.version} ({cfg.base}) tuned with a CTC loss on printed lines of synthetic "
            "captured documents" + (QUANTIZED[cfg.quantize] if cfg.quantize else "")
            + ("; tuned quantisation-aware" if cfg.quant_aware else "")
            + (f"; outputs each step's {cfg.top_classes} most probable classes" if cfg.top_classes else ""),
            "training_command": f"chayan train doc-text-rec --config {config_path.as_posix()}",
            "data_seed": {"train": [cfg.train_seed], "val": [cfg.val_seed], "test": list(cfg.test_seeds)},
            "data_size": {"train_documents": cfg.train_docs, "train_lines": len(train)},
            "steps": cfg.steps,
        },
        "metrics": {
            "train_minutes": round((time.time() - start) / 60, 1),
            "synthetic_val_line_accuracy": round(after, 4),
            "synthetic_val_line_accuracy_base": round(before, 4),
            **quantized,
        },
    }
    return upsert_entry(entry, catalog_path)
