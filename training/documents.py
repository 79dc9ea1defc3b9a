"""Train the document classifiers: document type + page, and authenticity (patch classifier).

``chayan train doc-type --config training/configs/doc_type.yaml`` (or ``authenticity``): builds or reuses
the synthetic data, caches the training inputs once as numpy arrays (whole pages squashed to 224 for the
type; 112-pixel patches at native scale for authenticity), trains a MobileNetV3-small from scratch, exports
ONNX with the labels in its metadata and writes the catalog entry.

MobileNetV3 from scratch: torchvision's BatchNorm momentum of 0.01 leaves the running statistics far from
the weights after a short training, so evaluation scores chance. Momentum is raised to 0.1 and the
statistics are recomputed over training batches before evaluation and export.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
import yaml
from torch import nn
from torchvision.models import mobilenet_v3_small

from datasets.core import ensure_built
from inference.documents import authenticity as doc_auth
from inference.documents.forensics import NOISE_KERNEL
from inference.documents.preprocess import AUTH_MAX_SIDE, AUTH_PATCH, DOC_INPUT_SIZE, auth_scale, doc_thumbnail, to_chw
from inference.documents.types import DocClass, DocType
from models import CATALOG_PATH, ModelCatalog

from .catalog import upsert_entry

REPO = Path(__file__).resolve().parents[1]
DOC_LABELS = (
    "id_card/front", "id_card/back", "vehicle_license/main", "vehicle_license/secondary",
    "registration_certificate/1", "registration_certificate/2", "sales_invoice/1", "purchase_tax/1",
    "insurance_policy/1", "conformity_certificate/1", "other/1",
)  # fmt: skip
AUTH_LABELS = ("genuine", "screen_recapture", "photocopy", "tampered")
# the whole-page view sees what patches cannot (a bezel, a copy sheet, a page without colour); an edit is local
PAGE_AUTH_LABELS = ("genuine", "screen_recapture", "photocopy")
TASKS = ("doc_type", "authenticity", "authenticity_page")


@dataclass(frozen=True, slots=True)
class Split:
    kind: str
    dir: Path
    n: int
    seed: int
    options: tuple[tuple[str, Any], ...] = ()  # the generator's options (datasets.forgeries: mat)


def _options(split: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(split.get("options", {}).items()))


@dataclass(frozen=True, slots=True)
class DocConfig:
    name: str
    version: str
    task: str
    train: tuple[Split, ...]
    val_fraction: float
    epochs: int
    batch: int
    lr: float
    patches_per_image: int = 10
    seed: int = 0
    export_file: str = ""
    test_seeds: tuple[int, ...] = ()
    target_false_alarm: float = 0.01
    arch: str = "mobilenet_v3_small"  # or "patchnet", "patchnet_residual" (ARCH_SOURCES)
    calibration: tuple[Split, ...] = ()  # genuine pages used only to set thresholds (never trained on)

    @classmethod
    def load(cls, path: Path) -> DocConfig:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        if raw.get("task") not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {raw.get('task')!r}")
        data = raw.pop("data")

        def splits(key: str) -> tuple[Split, ...]:
            return tuple(
                Split(d["kind"], REPO / d["dir"], int(d["n"]), int(d["seed"]), _options(d))
                for d in data.get(key, ())
            )

        train, calibration = splits("train"), splits("calibration")
        test_seeds = tuple(int(s) for s in data.get("test_seeds", ()))
        if set(test_seeds) & {s.seed for s in train + calibration}:
            raise ValueError("a test seed is also a training or calibration seed: the test sets must be held apart")
        if {s.seed for s in train} & {s.seed for s in calibration}:
            raise ValueError("a calibration seed is also a training seed: calibration pages must be unseen")
        return cls(
            train=train,
            calibration=calibration,
            test_seeds=test_seeds,
            val_fraction=float(data.get("val_fraction", 0.1)),
            **raw,
        )

    @property
    def labels(self) -> tuple[str, ...]:
        return {"doc_type": DOC_LABELS, "authenticity": AUTH_LABELS, "authenticity_page": PAGE_AUTH_LABELS}[self.task]

    @property
    def input_size(self) -> int:
        return AUTH_PATCH if self.task == "authenticity" else DOC_INPUT_SIZE


def prepare_data(cfg: DocConfig, workers: int = 1) -> list[Split]:
    """Build (if needed) the training and calibration splits; the training splits are returned."""
    for split in cfg.train + cfg.calibration:
        ensure_built(split.kind, split.n, split.seed, split.dir, workers, **dict(split.options))
    return list(cfg.train)


CALIBRATION_DOCS = 60  # the first pages of each documents split: thresholds only, never trained on


def _genuine_calibration_pages(
    cfg: DocConfig, val_rows: list[tuple[Path, dict[str, Any]]], doc_splits: list[Split]
) -> list[Path]:
    """The genuine pages thresholds are set on, none trained on: the held-out twins, the first ``CALIBRATION_DOCS``
    pages of each documents split and the calibration splits (a forgeries split gives its genuine
    twins)."""
    pages = [d / r["file"] for d, r in val_rows if r["authenticity"] == "genuine"]
    pages += [sp.dir / r["file"] for sp in doc_splits for r in _rows(sp)[:CALIBRATION_DOCS]]
    pages += [
        sp.dir / r["file"] for sp in cfg.calibration for r in _rows(sp) if r.get("authenticity", "genuine") == "genuine"
    ]
    return pages


def _rows(split: Split) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (split.dir / "labels.jsonl").read_text(encoding="utf-8").splitlines()]


@functools.lru_cache(maxsize=32)
def _doc_classes(split_dir: Path) -> dict[str, DocClass]:
    rows = (split_dir / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["file"]: DocClass(DocType(r["doc_type"]), str(r.get("page", "1")), 1.0) for r in map(json.loads, rows)}


def _page_class(page: Path) -> DocClass | None:
    """The page's type and page from its label (None without one: taken for a listed document, as the reader takes
    an unclassified page)."""
    split_dir = page.parent.parent
    if not (split_dir / "labels.jsonl").is_file():
        return None
    return _doc_classes(split_dir).get(f"{page.parent.name}/{page.name}")


def colour_expected(page: Path) -> bool:
    """As the reader judges a page (``authenticity.colour_expected``), from the page's label: colour is expected
    unless it is of no listed type or a listed page printed in black but for a mark (a page without a label is
    expected to be in colour)."""
    return doc_auth.colour_expected(_page_class(page))


def listed(page: Path) -> bool:
    """As the reader judges a page (``authenticity.listed``), from the page's label: a listed document's (a page
    without a label is taken for one)."""
    return doc_auth.listed(_page_class(page))


# --------------------------------------------------------------------------------------------- caching


def _maybe_jpeg(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Real uploads are JPEGs while the forgery twins are PNG: recompress half of every class alike so the
    codec is never a cue."""
    if rng.random() < 0.5:
        q = int(rng.integers(60, 96))
        return cv2.imdecode(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, q])[1], cv2.IMREAD_COLOR)
    return image


def doc_type_arrays(
    splits: list[Split], task: str = "doc_type", limit: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Every labelled page (documents and forgery twins) as a thumbnail + label index: the type and page, or
    for ``authenticity_page`` the page-level authenticity (tampered pages count as genuine: an edit is local).
    Authenticity pages are JPEG-recompressed at random like the patches."""
    xs, ys = [], []
    for split in splits:
        for k, row in enumerate(_rows(split)[:limit]):
            image = cv2.imread(str(split.dir / row["file"]), cv2.IMREAD_COLOR)
            if task == "doc_type":
                ys.append(DOC_LABELS.index(f"{row['doc_type']}/{row['page']}"))
            else:
                image = _maybe_jpeg(image, np.random.default_rng([split.seed, k, 2]))
                kind = row.get("authenticity", "genuine")
                ys.append(PAGE_AUTH_LABELS.index("genuine" if kind == "tampered" else kind))
            xs.append(doc_thumbnail(image))
    return np.stack(xs), np.asarray(ys, np.int64)


# a patch is "tampered" from this share of edited pixels (a short inpainted date is ~3% of a patch); a thinner
# sliver of an edit is ambiguous and not used
TAMPER_PATCH_MIN_FRACTION = 0.03


# a pasted region (splice, copy-move) looks like any captured text inside: only its border shows the paste
# (a step of paper tone, a seam), so its patches are labelled by a band around the border
SEAM_BAND = 5
PASTED_KINDS = ("splice", "copy_move")


def seam_of(mask: np.ndarray, band: int = SEAM_BAND) -> np.ndarray:
    """The band of ``band`` pixels across the border of the edited region."""
    kernel = np.ones((band, band), np.uint8)
    return cv2.morphologyEx((mask > 0).astype(np.uint8) * 255, cv2.MORPH_GRADIENT, kernel)


def _patch_label(
    authenticity: str, mask: np.ndarray | None, x: int, y: int, p: int, cue: np.ndarray | None = None
) -> int | None:
    """The patch's class; for a tampered page, tampered where enough of ``cue`` (the edit, or for a paste its
    seam) lies in the patch, genuine where nothing was edited, left out otherwise."""
    if authenticity != "tampered":
        return AUTH_LABELS.index(authenticity)
    assert mask is not None
    cue = mask if cue is None else cue
    if float((cue[y : y + p, x : x + p] > 0).mean()) >= TAMPER_PATCH_MIN_FRACTION:
        return AUTH_LABELS.index("tampered")
    if not mask[y : y + p, x : x + p].any():
        return AUTH_LABELS.index("genuine")
    return None  # a sliver of the edit, or the inside of a paste: ambiguous, not used


def auth_patches(rows: list[tuple[Path, dict[str, Any]]], per_image: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``per_image`` patches per page at the working scale; tampered pages give half their patches on the edit."""
    p = AUTH_PATCH
    xs, ys = [], []
    for k, (root, row) in enumerate(rows):
        rng = np.random.default_rng([seed, k])
        image = cv2.imread(str(root / row["file"]), cv2.IMREAD_COLOR)
        jpeg_rng = np.random.default_rng([seed, k, 1])
        image = _maybe_jpeg(image, jpeg_rng)
        image, s = auth_scale(image, AUTH_MAX_SIDE)
        mask = twin = cue = None
        if row["authenticity"] == "tampered":
            mask = cv2.imread(str(root / row["mask"]), cv2.IMREAD_GRAYSCALE)
            if s != 1.0:
                mask = cv2.resize(mask, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_NEAREST)
            cue = seam_of(mask) if row.get("tamper_kind") in PASTED_KINDS else mask
            # the genuine twin (index - 1) is identical outside the edit: the same spot, untouched, is the most
            # informative genuine example there is
            twin_path = root / "images" / f"forgeries_{int(row['index']) - 1:06d}.png"
            if twin_path.is_file():
                twin = cv2.imread(str(twin_path), cv2.IMREAD_COLOR)
                twin = auth_scale(_maybe_jpeg(twin, np.random.default_rng([seed, k, 1])), AUTH_MAX_SIDE)[0]
                if twin.shape != image.shape:
                    twin = None
        h, w = image.shape[:2]
        if h < p or w < p:
            continue
        # patches mostly inside the document: its bounding box in working pixels
        q = np.asarray(row["corners"], np.float32) * s
        bx1, by1 = np.clip(q.min(0), 0, [w - p, h - p]).astype(int)
        bx2, by2 = np.clip(q.max(0) - p, [bx1, by1], [w - p, h - p]).astype(int)
        got, tries = 0, 0
        while got < per_image and tries < per_image * 8:
            tries += 1
            if cue is not None and got < per_image // 2:
                yy, xx = np.nonzero(cue)
                if len(xx) == 0:
                    continue
                j = int(rng.integers(len(xx)))
                x = int(np.clip(xx[j] - p // 2 + rng.integers(-p // 4, p // 4 + 1), 0, w - p))
                y = int(np.clip(yy[j] - p // 2 + rng.integers(-p // 4, p // 4 + 1), 0, h - p))
            elif rng.random() < 0.85:
                x, y = int(rng.integers(bx1, bx2 + 1)), int(rng.integers(by1, by2 + 1))
            else:
                x, y = int(rng.integers(0, w - p + 1)), int(rng.integers(0, h - p + 1))
            label = _patch_label(row["authenticity"], mask, x, y, p, cue)
            if label is None:
                continue
            xs.append(image[y : y + p, x : x + p].copy())
            ys.append(label)
            got += 1
            if twin is not None and label == AUTH_LABELS.index("tampered"):
                xs.append(twin[y : y + p, x : x + p].copy())
                ys.append(AUTH_LABELS.index("genuine"))
    if not xs:
        return np.zeros((0, p, p, 3), np.uint8), np.zeros((0,), np.int64)
    return np.stack(xs), np.asarray(ys, np.int64)


# ----------------------------------------------------------------------------------------------- model


RESIDUAL_GAIN = 16.0  # input units are grey/127.5: a residual of 2 grey levels becomes ~0.25


class PatchNet(nn.Module):
    """A plain conv net for authenticity patches: dense 3x3 convolutions learn pixel-scale statistics (screen
    grids, halftone dots, colour loss, edit edges) in far fewer steps than MobileNetV3 from scratch; average
    and max pooling keep both global cues and a single suspicious spot."""

    def __init__(self, num_classes: int, width: int = 32, residual: bool = False) -> None:
        super().__init__()
        c = [width // 2, width, width * 2, width * 4]
        # with ``residual``, the first layer also sees each channel's noise residual (Immerkaer's operator, fixed):
        # the sensor noise an edit removes or brings from elsewhere, a few grey levels, is scaled to be seen
        self.residual = residual
        if residual:
            k = torch.from_numpy(NOISE_KERNEL) * RESIDUAL_GAIN  # the forensics' own residual operator
            self.register_buffer("noise_kernel", k.expand(3, 1, 3, 3).clone())

        def block(cin: int, cout: int, stride: int) -> nn.Sequential:
            return nn.Sequential(
                nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)
            )

        self.features = nn.Sequential(
            block(6 if residual else 3, c[0], 2),
            block(c[0], c[1], 2),
            block(c[1], c[2], 2),
            block(c[2], c[3], 2),
            block(c[3], c[3], 1),
        )
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(2 * c[3], num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.residual:
            x = torch.cat([x, nn.functional.conv2d(x, self.noise_kernel, padding=1, groups=3)], dim=1)
        f = self.features(x)
        return self.head(torch.cat([f.mean(dim=(2, 3)), f.amax(dim=(2, 3))], dim=1))


ARCH_SOURCES = {
    "mobilenet_v3_small": "torchvision mobilenet_v3_small",
    "patchnet": "PatchNet (plain conv)",
    "patchnet_residual": "PatchNet (plain conv, noise residual input)",
}


def make_model(num_classes: int, arch: str = "mobilenet_v3_small") -> nn.Module:
    if arch not in ARCH_SOURCES:
        raise ValueError(f"arch must be one of {sorted(ARCH_SOURCES)}, got {arch!r}")
    if arch in ("patchnet", "patchnet_residual"):
        return PatchNet(num_classes, residual=arch == "patchnet_residual")
    model = mobilenet_v3_small(weights=None, num_classes=num_classes)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = 0.1
    return model


class ExportWrapper(nn.Module):
    """What the ONNX file computes: class probabilities."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.model(x), dim=-1)


def _augment(batch: np.ndarray, rng: np.random.Generator, geometric: bool, grey: bool = True) -> np.ndarray:
    out = np.empty_like(batch)
    n, h, w = batch.shape[:3]
    for i in range(n):
        img = batch[i]
        if geometric:
            a = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-6, 6), rng.uniform(0.9, 1.1))
            a[:, 2] += rng.uniform(-0.05, 0.05, 2) * (w, h)
            img = cv2.warpAffine(img, a, (w, h), borderMode=cv2.BORDER_REPLICATE)
        else:
            img = np.rot90(img, int(rng.integers(4))) if rng.random() < 0.5 else img
            img = img[:, ::-1] if rng.random() < 0.5 else img
        f = img.astype(np.float32) * rng.uniform(0.75, 1.25) + rng.uniform(-25, 25)
        if geometric and grey and rng.random() < 0.2:
            f = f.mean(axis=2, keepdims=True).repeat(3, axis=2)  # photocopies and grey scans
        out[i] = np.clip(f, 0, 255).astype(np.uint8)
    return out


@torch.no_grad()
def recalibrate_bn(model: nn.Module, x: np.ndarray, batch: int = 64, max_batches: int = 30) -> None:
    """Recompute BatchNorm running statistics as a plain average over training batches."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    order = np.random.default_rng(0).permutation(len(x))
    for b in range(min(max_batches, int(np.ceil(len(x) / batch)))):
        model(torch.from_numpy(to_chw(x[order[b * batch : (b + 1) * batch]])))
    for m in bns:
        m.momentum = 0.1
    model.eval()


@torch.no_grad()
def predict(model: nn.Module, x: np.ndarray, batch: int = 128) -> np.ndarray:
    model.eval()
    out = [
        torch.softmax(model(torch.from_numpy(to_chw(x[i : i + batch]))), -1).numpy() for i in range(0, len(x), batch)
    ]
    return np.concatenate(out) if out else np.zeros((0, 0), np.float32)


def fit(
    cfg: DocConfig,
    x: np.ndarray,
    y: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    threads: int | None = None,
    max_steps: int | None = None,
) -> tuple[nn.Module, dict[str, float]]:
    torch.manual_seed(cfg.seed)
    if threads:
        torch.set_num_threads(threads)
    model = make_model(len(cfg.labels), cfg.arch)
    rng = np.random.default_rng(cfg.seed)
    steps_per_epoch = max(1, len(x) // cfg.batch)
    total = steps_per_epoch * cfg.epochs if max_steps is None else max_steps
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=max(total, 1), pct_start=0.15)
    # balance the classes: tampered patches and some pages are rare
    counts = np.bincount(y, minlength=len(cfg.labels)).astype(np.float64)
    weights = torch.tensor(np.sqrt(len(y) / np.maximum(counts, 1) / len(cfg.labels)), dtype=torch.float32)
    loss_fn = nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05)
    start, step = time.perf_counter(), 0
    geometric = cfg.task != "authenticity"
    grey = cfg.task == "doc_type"  # greying a genuine page would teach that colour does not matter
    model.train()
    while step < total:
        order = rng.permutation(len(x))
        for b in range(steps_per_epoch):
            idx = order[b * cfg.batch : (b + 1) * cfg.batch]
            xb = torch.from_numpy(to_chw(_augment(x[idx], rng, geometric, grey)))
            loss = loss_fn(model(xb), torch.from_numpy(y[idx]))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % 25 == 0:
                print(
                    f"step {step}/{total} loss {loss.item():.3f} {(time.perf_counter() - start) / 60:.1f} min",
                    flush=True,
                )
            if step >= total:
                break
    recalibrate_bn(model, x)
    metrics: dict[str, float] = {"train_minutes": round((time.perf_counter() - start) / 60, 1)}
    if len(x_val):
        acc = float((predict(model, x_val).argmax(1) == y_val).mean())
        metrics["synthetic_val_patch_accuracy" if cfg.task == "authenticity" else "synthetic_val_accuracy"] = round(
            acc, 4
        )
    print(f"metrics {metrics}", flush=True)
    return model, metrics


# ---------------------------------------------------------------------------------------------- export


def export_onnx(model: nn.Module, cfg: DocConfig, out: Path, extra_meta: dict[str, str] | None = None) -> Path:
    import onnx

    wrapper = ExportWrapper(model).eval()
    dummy = torch.zeros(1, 3, cfg.input_size, cfg.input_size)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        wrapper,
        (dummy,),
        str(out),
        input_names=["x"],
        output_names=["probs"],
        opset_version=17,
        dynamic_axes={"x": {0: "batch"}, "probs": {0: "batch"}},
        dynamo=False,
    )
    proto = onnx.load(str(out))
    meta = {
        "labels": json.dumps(list(cfg.labels)),
        "input_size": str(cfg.input_size),
        "task": cfg.task,
        "name": cfg.name,
        "version": cfg.version,
        **(extra_meta or {}),
    }
    del proto.metadata_props[:]
    for k, v in meta.items():
        proto.metadata_props.add(key=k, value=v)
    onnx.save(proto, str(out))
    return out


def catalog_entry(
    cfg: DocConfig, config_path: Path, metrics: dict[str, Any], file: str, postprocess: dict[str, Any]
) -> dict[str, Any]:
    s = cfg.input_size
    size = {
        "doc_type": f"{s}x{s} whole page (squashed)",
        "authenticity": f"{s}x{s} patches at native scale (page longest side <= {AUTH_MAX_SIDE})",
        "authenticity_page": f"{s}x{s} whole image (squashed)",
    }[cfg.task]
    return {
        "name": cfg.name,
        "version": cfg.version,
        "task": {
            "doc_type": "document_classification",
            "authenticity": "document_authenticity",
            "authenticity_page": "document_authenticity_page",
        }[cfg.task],
        "file": file,
        "sha256": "",
        "input": {"name": "x", "layout": "NCHW", "channels": "BGR", "size": size, "warmup_shape": [1, 3, s, s]},
        "normalization": {"scale": 1 / 255, "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]},
        "labels": list(cfg.labels),
        "postprocess": postprocess,
        "origin": {
            "kind": "trained",
            "source": f"{ARCH_SOURCES[cfg.arch]} from scratch on synthetic "
            + ", ".join(sorted({sp.kind for sp in cfg.train})),
            "training_command": f"chayan train {cfg.task.replace('_', '-')} --config {config_path.as_posix()}",
            "data_seed": {
                "train": [sp.seed for sp in cfg.train],
                **({"calibration": [sp.seed for sp in cfg.calibration]} if cfg.calibration else {}),
                "test": list(cfg.test_seeds),
            },
            "data_size": {"train": [sp.n for sp in cfg.train]},
            "epochs": cfg.epochs,
        },
        "metrics": metrics,
    }


# ------------------------------------------------------------------------------------------------ runs


def _split_val(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng([seed, 99]).permutation(n)
    k = max(1, int(round(n * fraction))) if n > 1 and fraction > 0 else 0
    return order[k:], order[:k]


def train_doc_type(
    cfg: DocConfig, threads: int | None = None, workers: int = 1, max_steps: int | None = None
) -> tuple[nn.Module, dict[str, Any], dict[str, Any]]:
    splits = prepare_data(cfg, workers)
    x, y = doc_type_arrays(splits)
    tr, va = _split_val(len(x), cfg.val_fraction, cfg.seed)
    model, metrics = fit(cfg, x[tr], y[tr], x[va], y[va], threads, max_steps)
    return model, metrics, {"kind": "argmax"}


def _auth_rows(splits: list[Split]) -> list[tuple[Path, dict[str, Any]]]:
    return [(sp.dir, r) for sp in splits for r in _rows(sp) if sp.kind == "forgeries"]


def _val_pairs(rows: list[tuple[Path, dict[str, Any]]], cfg: DocConfig) -> set[str]:
    """The held-out forgery pairs: whole pairs, as the twins of a pair share their page and must fall on the
    same side; the same pairs in every training and calibration run of a config."""
    pairs = sorted({r["pair_id"] for _, r in rows})
    _, va_idx = _split_val(len(pairs), cfg.val_fraction, cfg.seed)
    return {pairs[i] for i in va_idx}


def train_authenticity(
    cfg: DocConfig,
    threads: int | None = None,
    workers: int = 1,
    max_steps: int | None = None,
    catalog_path: Path = CATALOG_PATH,
) -> tuple[nn.Module, dict[str, Any], dict[str, Any]]:
    splits = prepare_data(cfg, workers)
    rows = _auth_rows(splits)
    val_pairs = _val_pairs(rows, cfg)
    train_rows = [(d, r) for d, r in rows if r["pair_id"] not in val_pairs]
    val_rows = [(d, r) for d, r in rows if r["pair_id"] in val_pairs]
    x, y = auth_patches(train_rows, cfg.patches_per_image, cfg.seed)
    xv, yv = auth_patches(val_rows, 4, cfg.seed + 1)
    print(f"patches: train {len(x)} {np.bincount(y, minlength=4).tolist()}, val {len(xv)}", flush=True)
    model, metrics = fit(cfg, x, y, xv, yv, threads, max_steps)
    # page-level thresholds for the target false-alarm rate, from held-out genuine pages + genuine documents
    genuine_pages = _genuine_calibration_pages(cfg, val_rows, [sp for sp in splits if sp.kind == "documents"])
    postprocess = calibrate_patches(_torch_probs(model), genuine_pages, cfg.target_false_alarm, catalog_path)
    return model, metrics, postprocess


def _torch_probs(model: nn.Module) -> Callable[[np.ndarray], np.ndarray]:
    model.eval()

    def run(batch: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return torch.softmax(model(torch.from_numpy(batch)), -1).numpy()

    return run


def line_places(catalog_path: Path = CATALOG_PATH) -> Callable[[np.ndarray], list[tuple[float, float, float, float]]]:
    """A page's text-line boxes as the review detects them for its authenticity cues (the catalog's classifier and
    text detector): thresholds are set on the scores the review computes, cues round the lines included."""
    from inference.documents.reader import DocumentReader
    from inference.engine import Engine
    from inference.types import Frame

    reader = DocumentReader(Engine(ModelCatalog.load(catalog_path)))
    return lambda image: reader.line_places(Frame(image))


def calibrate_patches(
    run: Callable[[np.ndarray], np.ndarray], pages: list[Path], target: float, catalog_path: Path = CATALOG_PATH
) -> dict[str, Any]:
    """Default thresholds (per forged kind) from genuine pages, with the patch model's probabilities (``run``:
    the PyTorch model in training, the ONNX file when calibrating again) and the engine's own page scoring
    (the cues round the text lines included, :func:`line_places`), so that the two agree."""
    from inference.documents.authenticity import DEFAULT_STRIDE, alarm_scores, thresholds_for

    places = line_places(catalog_path)
    scores = []
    for path in pages:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        scores.append(
            alarm_scores(
                image,
                run,
                AUTH_LABELS,
                DEFAULT_STRIDE,
                colour_expected=colour_expected(path),
                form=listed(path),
                text_boxes=places(image),
            )[0]
        )
    thresholds = thresholds_for(scores, target)
    print(f"calibrated on {len(pages)} genuine pages: {thresholds}", flush=True)
    return {
        "kind": "patch_grid",
        "patch": AUTH_PATCH,
        "stride": DEFAULT_STRIDE,
        "max_side": AUTH_MAX_SIDE,
        "thresholds": thresholds,
        "target_false_alarm": target,
        "calibration_pages": len(pages),
    }


def train_authenticity_page(
    cfg: DocConfig,
    threads: int | None = None,
    workers: int = 1,
    max_steps: int | None = None,
    catalog_path: Path = CATALOG_PATH,
) -> tuple[nn.Module, dict[str, Any], dict[str, Any]]:
    """The whole-page authenticity model. Its thresholds are for the verdict the engine gives with BOTH
    models (the catalog's patch model and this one), so they are calibrated here, on held-out genuine pages."""
    splits = prepare_data(cfg, workers)
    forg = [sp for sp in splits if sp.kind == "forgeries"]
    docs = [sp for sp in splits if sp.kind == "documents"]
    rows = _auth_rows(forg)
    val_pairs = _val_pairs(rows, cfg)
    # genuine pages far outnumber screens and copies: a few hundred documents are enough
    x_f, y_f = doc_type_arrays(forg, "authenticity_page")
    x_d, y_d = doc_type_arrays(docs, "authenticity_page", limit=360)
    x, y = np.concatenate([x_f, x_d]), np.concatenate([y_f, y_d])
    is_val = np.asarray([r["pair_id"] in val_pairs for _, r in rows] + [False] * len(x_d))
    # the first CALIBRATION_DOCS documents of each documents split are calibration pages: kept out of training
    offset = len(rows)
    for sp in docs:
        n = min(360, len(_rows(sp)))
        is_val[offset : offset + min(CALIBRATION_DOCS, n)] = True
        offset += n
    model, metrics = fit(cfg, x[~is_val], y[~is_val], x[is_val], y[is_val], threads, max_steps)
    genuine_pages, forged_pages = _page_calibration_pages(cfg, rows, val_pairs, docs)
    run = _torch_probs(model)
    return model, metrics, calibrate_combined(
        lambda image: run(to_chw(doc_thumbnail(image)[None]))[0],
        genuine_pages,
        cfg.target_false_alarm,
        catalog_path,
        forged_pages,
    )


def _page_calibration_pages(
    cfg: DocConfig, rows: list[tuple[Path, dict[str, Any]]], val_pairs: set[str], docs: list[Split]
) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The genuine pages the combined thresholds are set on and the held-out screens and copies that choose
    the kinds the page view is trusted with."""
    genuine = _genuine_calibration_pages(cfg, [(d, r) for d, r in rows if r["pair_id"] in val_pairs], docs)
    forged = [
        (d / r["file"], r["authenticity"])
        for d, r in rows
        if r["pair_id"] in val_pairs and r["authenticity"] in ("screen_recapture", "photocopy")
    ]
    return genuine, forged


def calibrate_combined(
    page_probs: Callable[[np.ndarray], np.ndarray],
    pages: list[Path],
    target: float,
    catalog_path: Path,
    forged: list[tuple[Path, str]] | None = None,
) -> dict[str, Any]:
    """Thresholds for the combined verdict from genuine ``pages`` (``page_probs``: a page's probabilities by the
    whole-page model, in the order of ``PAGE_AUTH_LABELS``), and which whole-page kinds the page view is
    trusted with: for each, the view is kept unless it detects fewer of the held-out ``forged`` pages of that
    kind at its own false-alarm threshold than the patches alone do (a view that alarms on some genuine page
    raises the threshold of the combined score and can cost more than it adds). On a tie it is kept: it cost
    nothing there, and the few held-out pages of a kind may all be found by the patches alone (screens, 33 of 33,
    while of the dev sets' 108 screens the patches alone found 105 and with the view 108)."""
    from inference.documents.authenticity import PAGE_KINDS, AuthenticityChecker, combine, thresholds_for
    from inference.engine import Engine

    catalog = ModelCatalog.load(catalog_path)
    patch = AuthenticityChecker(Engine(catalog), page_model=False) if "doc-authenticity" in catalog else None
    places = line_places(catalog_path) if patch else None

    def views(path: Path) -> tuple[dict[str, float], dict[str, float]]:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        page = dict(zip(PAGE_AUTH_LABELS, (float(p) for p in page_probs(image)), strict=True))
        if patch is None or places is None:
            return {}, page
        return patch.scores(image, colour_expected(path), places(image), form=listed(path)), page

    genuine = [views(p) for p in pages]
    forged_views = [(views(p), kind) for p, kind in (forged or [])]
    page_kinds: list[str] = []
    detection: dict[str, dict[str, float]] = {}
    for kind in PAGE_KINDS:
        mine = [v for v, k in forged_views if k == kind]
        rates = {}
        for option, kinds in (("patches", ()), ("patches+page", (kind,))):
            thr = thresholds_for([combine(*v, kinds) for v in genuine], target)[kind]
            rates[option] = round(float(np.mean([combine(*v, kinds)[kind] >= thr for v in mine])) if mine else 0.0, 4)
        detection[kind] = rates
        if not mine or patch is None or rates["patches+page"] >= rates["patches"]:
            page_kinds.append(kind)
    thresholds = thresholds_for([combine(*v, page_kinds) for v in genuine], target)
    print(
        f"page view kept for {page_kinds} (held-out detection {detection}); combined thresholds from "
        f"{len(pages)} genuine pages: {thresholds}",
        flush=True,
    )
    return {
        "kind": "combined_with_patches",
        "page_kinds": page_kinds,
        "thresholds": thresholds,
        "target_false_alarm": target,
        "calibration_pages": len(pages),
        "heldout_detection": detection,
    }


def recalibrate(cfg: DocConfig, workers: int = 1, catalog_path: Path = CATALOG_PATH) -> dict[str, Any]:
    """The thresholds of the shipped authenticity model set again, its weights unchanged: after a change to how
    the engine scores a page, on the same calibration pages as the training run (the patch model's ONNX file
    for ``authenticity``; for ``authenticity_page`` both shipped models, as the engine combines them). Only
    ``postprocess`` and the calibration's date change in the catalog entry."""
    import datetime as dt

    from inference.engine import Engine

    if cfg.task not in ("authenticity", "authenticity_page"):
        raise ValueError(f"only the authenticity models are calibrated again, not {cfg.task!r}")
    splits = prepare_data(cfg, workers)
    rows = _auth_rows(splits)
    docs = [sp for sp in splits if sp.kind == "documents"]
    val_pairs = _val_pairs(rows, cfg)
    catalog = ModelCatalog.load(catalog_path)
    model = Engine(catalog).load(cfg.name)

    def probs(batch: np.ndarray) -> np.ndarray:
        return model.run({model.input_names[0]: batch})[0]

    genuine, forged = _page_calibration_pages(cfg, rows, val_pairs, docs)
    if cfg.task == "authenticity":
        postprocess = calibrate_patches(probs, genuine, cfg.target_false_alarm, catalog_path)
    else:
        size = int(model.metadata.get("input_size", DOC_INPUT_SIZE))
        postprocess = calibrate_combined(
            lambda image: probs(to_chw(doc_thumbnail(image, size)[None]))[0],
            genuine,
            cfg.target_false_alarm,
            catalog_path,
            forged,
        )
    raw = yaml.safe_load(catalog_path.read_text(encoding="utf-8"))
    entry = next(m for m in raw["models"] if m["name"] == cfg.name)
    entry["postprocess"] = postprocess
    entry["origin"]["calibrated"] = {
        "command": f"{entry['origin']['training_command']} --stage calibrate",
        "date": dt.date.today().isoformat(),
    }
    entry = upsert_entry(entry, catalog_path)
    print(json.dumps(entry["postprocess"], indent=1, ensure_ascii=False))
    return entry


def run(
    config_path: Path,
    threads: int | None = None,
    workers: int = 1,
    catalog_path: Path = CATALOG_PATH,
    stage: str = "all",
) -> dict[str, Any]:
    """Train, export and catalogue (``stage`` "all"), or only set the shipped model's thresholds again
    (``stage`` "calibrate", :func:`recalibrate`)."""
    cfg = DocConfig.load(config_path)
    if stage == "calibrate":
        return recalibrate(cfg, workers, catalog_path)
    if stage != "all":
        raise ValueError(f"stage must be 'all' or 'calibrate' for {cfg.task}, got {stage!r}")
    trainer = {
        "doc_type": train_doc_type,
        # calibrated with the catalog's other models (the text lines' places, the patch model beside the page one)
        "authenticity": functools.partial(train_authenticity, catalog_path=catalog_path),
        "authenticity_page": functools.partial(train_authenticity_page, catalog_path=catalog_path),
    }[cfg.task]
    model, metrics, postprocess = trainer(cfg, threads, workers)
    out = export_onnx(model, cfg, catalog_path.parent / cfg.export_file)
    rel = config_path.resolve().relative_to(REPO) if config_path.resolve().is_relative_to(REPO) else config_path
    entry = upsert_entry(catalog_entry(cfg, Path(rel), metrics, out.name, postprocess), catalog_path)
    print(json.dumps(entry, indent=1, ensure_ascii=False))
    return entry
