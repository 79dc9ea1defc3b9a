"""Train the plate and VIN readers: a small CRNN-style CTC recogniser (plus a plate-colour head), exported
to ONNX with its vocabulary in the metadata.

``chayan train plate-reader --config training/configs/plate_reader.yaml`` (or ``vin-reader``): builds or
reuses the synthetic data, trains, measures exact match on a held-apart synthetic split, exports and
writes the catalog entry.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
import yaml
from torch import nn
from torch.utils.data import DataLoader, Dataset

from datasets.core import ensure_built
from inference.ops.rectify import rectify_line, rectify_plate, to_tensor
from inference.validate.plate import DIGITS, PLATE_LETTERS, PROVINCES
from inference.validate.vin import VIN_CHARSET
from models import CATALOG_PATH

from .catalog import upsert_entry
from .data import Split

REPO = Path(__file__).resolve().parents[1]
PLATE_SPECIALS = "警学挂港澳领使"
PLATE_VOCAB = tuple(PROVINCES) + tuple(PLATE_LETTERS) + tuple(DIGITS) + tuple(PLATE_SPECIALS)
VIN_VOCAB = tuple(sorted(VIN_CHARSET))
PLATE_COLORS = ("blue", "yellow", "green", "white", "black")


# ------------------------------------------------------------------------------------------------- model


def _conv(cin: int, cout: int, k: int | tuple[int, int] = 3, p: int | tuple[int, int] = 1,
          bn: bool = True) -> nn.Sequential:
    norm = nn.BatchNorm2d(cout) if bn else nn.Identity()
    return nn.Sequential(nn.Conv2d(cin, cout, k, padding=p, bias=not bn), norm, nn.ReLU(inplace=True))


class CRNN(nn.Module):
    """Convolutional recogniser: the image height is pooled away, each of W/4 columns predicts a class.

    Fully convolutional (no recurrent layer): it exports cleanly to ONNX and runs fast on a CPU; the
    receptive field of the 1-D head covers about three characters, enough for plates and VINs. Sized for
    training on two CPU cores: about 45 M multiply-adds for a 32x128 plate.
    """

    def __init__(self, num_classes: int, num_colors: int = 0, width: int = 1, input_height: int = 32,
                 batch_norm: bool = True) -> None:
        super().__init__()
        if input_height % 16:
            raise ValueError(f"input height must be a multiple of 16, got {input_height}")
        c = [16 * width, 32 * width, 64 * width, 96 * width, 128 * width]
        bn = batch_norm
        self.features = nn.Sequential(
            _conv(3, c[0], bn=bn), nn.MaxPool2d(2),                       # H/2, W/2
            _conv(c[0], c[1], bn=bn), nn.MaxPool2d(2),                    # H/4, W/4
            _conv(c[1], c[2], bn=bn), _conv(c[2], c[2], bn=bn), nn.MaxPool2d((2, 1)),   # H/8
            _conv(c[2], c[3], bn=bn), _conv(c[3], c[3], bn=bn), nn.MaxPool2d((2, 1)),   # H/16
            _conv(c[3], c[4], (input_height // 16, 3), (0, 1), bn=bn),   # height -> 1
        )
        norm1d = (lambda n: nn.BatchNorm1d(n)) if bn else (lambda n: nn.Identity())
        self.head = nn.Sequential(
            nn.Conv1d(c[4], c[4], 3, padding=1, bias=True), norm1d(c[4]), nn.ReLU(inplace=True), nn.Dropout(0.1),
            nn.Conv1d(c[4], c[4], 3, padding=2, dilation=2, bias=True), norm1d(c[4]), nn.ReLU(inplace=True),
            nn.Conv1d(c[4], num_classes, 1),
        )
        self.color = nn.Linear(c[4], num_colors) if num_colors else None

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        f = self.features(x).squeeze(2)   # N, C, T
        logits = self.head(f).permute(0, 2, 1)  # N, T, classes
        color = self.color(f.mean(dim=2)) if self.color is not None else None
        return logits, color


class ExportWrapper(nn.Module):
    """What the ONNX file computes: probabilities, not logits."""

    def __init__(self, model: CRNN) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        logits, color = self.model(x)
        probs = torch.softmax(logits, dim=-1)
        if color is None:
            return (probs,)
        return probs, torch.softmax(color, dim=-1)


# -------------------------------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class ReaderConfig:
    name: str
    version: str
    task: str  # "plate" | "vin"
    data_dir: Path
    train: Split
    val: Split
    epochs: int
    batch: int
    lr: float
    seed: int = 0
    width: int = 1
    export_file: str = ""
    finetune: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> ReaderConfig:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        data = raw.pop("data")
        if data["train"]["seed"] == data["val"]["seed"]:
            raise ValueError("train and val seeds must differ: the validation set must be held apart")
        if raw["task"] not in ("plate", "vin"):
            raise ValueError(f"task must be plate or vin, got {raw['task']!r}")
        return cls(data_dir=REPO / data["dir"], train=Split(**data["train"]), val=Split(**data["val"]), **raw)

    @property
    def kind(self) -> str:
        return "plates" if self.task == "plate" else "vins"

    @property
    def vocab(self) -> tuple[str, ...]:
        return PLATE_VOCAB if self.task == "plate" else VIN_VOCAB

    @property
    def colors(self) -> tuple[str, ...]:
        return PLATE_COLORS if self.task == "plate" else ()


def rectify_sample(image: np.ndarray, label: dict[str, Any], task: str, rng: np.random.Generator | None) -> np.ndarray:
    """Rectify a labelled sample; with ``rng`` the corners are jittered like a detector's would be, and
    sometimes replaced by the axis-aligned box (tight crops from other tools)."""
    corners = np.asarray(label["corners"], np.float32)
    if rng is not None:
        side = float(np.linalg.norm(corners[3] - corners[0]))
        if rng.random() < 0.2:
            x1, y1, x2, y2 = label["box_xyxy"]
            corners = np.array([[x1, y1], [x2, y1], [x2, y2], [x1, y2]], np.float32)
        corners = corners + rng.normal(0, 0.06 * side, corners.shape).astype(np.float32)
    if task == "plate":
        return rectify_plate(image, corners, bool(label.get("double_row")))
    margin = 0.25 if rng is None else float(rng.uniform(0.0, 0.6))
    return rectify_line(image, corners, margin=margin)


class LineDataset(Dataset):
    def __init__(self, root: Path, cfg: ReaderConfig, augment: bool) -> None:
        self.root = root
        self.cfg = cfg
        self.augment = augment
        self.index = {ch: i + 1 for i, ch in enumerate(cfg.vocab)}  # 0 is the CTC blank
        rows = [json.loads(line) for line in (root / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
        self.rows = [r for r in rows if r.get("text") and all(ch in self.index for ch in r["text"])
                     and (cfg.task == "plate" or _single_line(r["corners"]))]
        self.epoch = 0

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor, int]:
        row = self.rows[i]
        image = cv2.imread(str(self.root / row["file"]), cv2.IMREAD_COLOR)
        rng = np.random.default_rng([self.cfg.seed, self.epoch, i]) if self.augment else None
        crop = rectify_sample(image, row, self.cfg.task, rng)
        if rng is not None and rng.random() < 0.3:
            crop = _photometric(crop, rng)
        x = torch.from_numpy(to_tensor([crop])[0])
        target = torch.tensor([self.index[ch] for ch in row["text"]], dtype=torch.long)
        color = self.cfg.colors.index(row["color"]) if self.cfg.colors and row.get("color") in self.cfg.colors else -1
        return x, target, color


def _single_line(corners: list[list[float]]) -> bool:
    """VINs stamped in two rows (8 + 9) are left to a later two-row reader: one line only here."""
    q = np.asarray(corners, np.float32)
    width = np.linalg.norm(q[1] - q[0])
    height = np.linalg.norm(q[3] - q[0])
    return bool(width > 4.5 * height)


def _photometric(crop: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = crop.astype(np.float32)
    out = out * rng.uniform(0.6, 1.4) + rng.uniform(-40, 40)
    if rng.random() < 0.3:
        out = out.mean(axis=2, keepdims=True).repeat(3, axis=2)  # grey cameras and photocopies
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        k = int(rng.choice([3, 5]))
        out = cv2.GaussianBlur(out, (k, k), 0)
    return out


def collate(batch: list[tuple[torch.Tensor, torch.Tensor, int]]) -> tuple[torch.Tensor, ...]:
    xs, targets, colors = zip(*batch, strict=True)
    lengths = torch.tensor([len(t) for t in targets], dtype=torch.long)
    return torch.stack(xs), torch.cat(targets), lengths, torch.tensor(colors, dtype=torch.long)


# -------------------------------------------------------------------------------------------------- train


def greedy(logits: torch.Tensor) -> list[list[int]]:
    best = logits.argmax(dim=-1).tolist()
    out = []
    for seq in best:
        prev, chars = 0, []
        for k in seq:
            if k != prev and k != 0:
                chars.append(k)
            prev = k
        out.append(chars)
    return out


def evaluate(model: CRNN, loader: DataLoader) -> dict[str, float]:
    model.eval()
    exact = total = color_ok = color_n = 0
    with torch.no_grad():
        for x, targets, lengths, colors in loader:
            logits, color = model(x)
            preds = greedy(logits)
            offset = 0
            for k, n in enumerate(lengths.tolist()):
                truth = targets[offset : offset + n].tolist()
                offset += n
                exact += preds[k] == truth
                total += 1
            if color is not None:
                valid = colors >= 0
                color_ok += int((color.argmax(1)[valid] == colors[valid]).sum())
                color_n += int(valid.sum())
    model.train()
    metrics = {"synthetic_val_exact": round(exact / max(total, 1), 4)}
    if color_n:
        metrics["synthetic_val_color_acc"] = round(color_ok / color_n, 4)
    return metrics


def prepare_data(cfg: ReaderConfig, workers: int) -> tuple[Path, Path]:
    return (ensure_built(cfg.kind, cfg.train.n, cfg.train.seed, cfg.data_dir / "train", workers),
            ensure_built(cfg.kind, cfg.val.n, cfg.val.seed, cfg.data_dir / "val", workers))


def train(cfg: ReaderConfig, workers: int = 2, threads: int | None = None,
          max_steps: int | None = None) -> tuple[CRNN, dict[str, float]]:
    torch.manual_seed(cfg.seed)
    if threads:
        torch.set_num_threads(threads)
    train_dir, val_dir = prepare_data(cfg, workers)
    train_set, val_set = LineDataset(train_dir, cfg, augment=True), LineDataset(val_dir, cfg, augment=False)
    loader = DataLoader(train_set, batch_size=cfg.batch, shuffle=True, num_workers=workers, collate_fn=collate,
                        drop_last=True, persistent_workers=False, generator=torch.Generator().manual_seed(cfg.seed))
    val_loader = DataLoader(val_set, batch_size=256, num_workers=workers, collate_fn=collate)
    model = CRNN(len(cfg.vocab) + 1, len(cfg.colors), cfg.width, input_hw_of(cfg.task)[0])
    steps_per_epoch = len(loader)
    total_steps = steps_per_epoch * cfg.epochs if max_steps is None else max_steps
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=max(total_steps, 1), pct_start=0.08)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    ce = nn.CrossEntropyLoss(ignore_index=-1)
    best: dict[str, float] = {}
    best_state = None
    step = 0
    start = time.perf_counter()
    for epoch in range(cfg.epochs):
        train_set.epoch = epoch
        for x, targets, lengths, colors in loader:
            logits, color = model(x)
            log_probs = logits.log_softmax(-1).permute(1, 0, 2)  # T, N, C for CTCLoss
            input_lengths = torch.full((x.shape[0],), log_probs.shape[0], dtype=torch.long)
            loss = ctc(log_probs, targets, input_lengths, lengths)
            if color is not None:
                loss = loss + 0.2 * ce(color, colors)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            sched.step()
            step += 1
            if step % 50 == 0:
                print(f"epoch {epoch} step {step}/{total_steps} loss {loss.item():.3f} "
                      f"{(time.perf_counter() - start) / 60:.1f} min", flush=True)
            if step >= total_steps:
                break
        metrics = evaluate(model, val_loader)
        print(f"epoch {epoch}: {metrics}", flush=True)
        if not best or metrics["synthetic_val_exact"] >= best["synthetic_val_exact"]:
            best = metrics
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        if step >= total_steps:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    best["train_minutes"] = round((time.perf_counter() - start) / 60, 1)
    model.eval()
    return model, best


def load_fused_from_onnx(path: Path, cfg: ReaderConfig) -> CRNN:
    """The exported model back in PyTorch: ONNX export folds each BatchNorm into its convolution, so the
    weights load into the same network without normalisation layers (convolutions with biases)."""
    import onnx
    from onnx import numpy_helper

    proto = onnx.load(str(path))
    weights = [numpy_helper.to_array(t) for t in proto.graph.initializer]
    by_name = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}
    model = CRNN(len(cfg.vocab) + 1, len(cfg.colors), cfg.width, input_hw_of(cfg.task)[0], batch_norm=False)
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d | nn.Conv1d)]
    anonymous = [w for t, w in zip(proto.graph.initializer, weights, strict=True) if t.name.startswith("onnx::")]
    tensors = iter(anonymous)
    with torch.no_grad():
        for conv in convs[:-1]:  # every convolution but the named last one of the head
            conv.weight.copy_(torch.from_numpy(next(tensors)))
            conv.bias.copy_(torch.from_numpy(next(tensors)))
        convs[-1].weight.copy_(torch.from_numpy(by_name["model.head.7.weight"]))
        convs[-1].bias.copy_(torch.from_numpy(by_name["model.head.7.bias"]))
        if model.color is not None:
            model.color.weight.copy_(torch.from_numpy(by_name["model.color.weight"]))
            model.color.bias.copy_(torch.from_numpy(by_name["model.color.bias"]))
    return model


class RealTuneDataset(Dataset):
    """The real-dev *tune* split (datasets/realdev.py) for the plate reader: 94x24 crops read whole, CCPD
    frames rectified from their labelled corners with the same jitter as the synthetic samples."""

    def __init__(self, root: Path, cfg: ReaderConfig, repeat: int) -> None:
        from datasets.realdev import ccpd_corners, load_labels, split_of

        self.cfg = cfg
        self.index = {ch: i + 1 for i, ch in enumerate(cfg.vocab)}
        self.items = []
        for row in load_labels(root):
            if row["kind"] != "plate" or split_of(row["file"]) != "tune":
                continue
            if not all(ch in self.index for ch in row["text"]):
                continue
            image = cv2.imread(str(root / row["file"]), cv2.IMREAD_COLOR)
            if row.get("vertices"):
                corners = ccpd_corners(row["vertices"])
                label = {"corners": corners, "box_xyxy": row["bbox"], "double_row": False}
            else:
                h, w = image.shape[:2]
                label = {"corners": [[0, 0], [w, 0], [w, h], [0, h]], "box_xyxy": [0, 0, w, h], "double_row": False}
            self.items.append((image, label, row["text"], row.get("plate_color")))
        self.repeat = repeat
        self.epoch = 0

    def __len__(self) -> int:
        return len(self.items) * self.repeat

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor, int]:
        image, label, text, color = self.items[i % len(self.items)]
        rng = np.random.default_rng([self.cfg.seed, 7, self.epoch, i])
        crop = rectify_sample(image, label, "plate", rng)
        if rng.random() < 0.3:
            crop = _photometric(crop, rng)
        x = torch.from_numpy(to_tensor([crop])[0])
        target = torch.tensor([self.index[ch] for ch in text], dtype=torch.long)
        return x, target, self.cfg.colors.index(color) if color in self.cfg.colors else -1


def finetune(cfg: ReaderConfig, base_onnx: Path, threads: int | None = None) -> tuple[CRNN, dict[str, float]]:
    """Second stage: the stage-one model fine-tuned on the real-dev tune split mixed with synthetic samples."""
    from torch.utils.data import ConcatDataset, Subset

    ft = cfg.finetune
    torch.manual_seed(cfg.seed)
    if threads:
        torch.set_num_threads(threads)
    model = load_fused_from_onnx(base_onnx, cfg)
    real = RealTuneDataset(Path(ft.get("realdev_root", REPO.parent / "shared" / "data" / "real-dev")), cfg,
                           int(ft.get("real_repeat", 20)))
    synthetic = LineDataset(cfg.data_dir / "train", cfg, augment=True)
    synthetic_part = Subset(synthetic, range(min(len(synthetic), len(real))))
    loader = DataLoader(ConcatDataset([real, synthetic_part]), batch_size=int(ft.get("batch", 64)), shuffle=True,
                        num_workers=0, collate_fn=collate, drop_last=True,
                        generator=torch.Generator().manual_seed(cfg.seed))
    val_loader = DataLoader(LineDataset(cfg.data_dir / "val", cfg, augment=False), batch_size=256,
                            collate_fn=collate)
    opt = torch.optim.AdamW(model.parameters(), lr=float(ft.get("lr", 3e-4)), weight_decay=1e-4)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    ce = nn.CrossEntropyLoss(ignore_index=-1)
    steps, step = int(ft.get("steps", 300)), 0
    start = time.perf_counter()
    model.train()
    while step < steps:
        real.epoch += 1
        synthetic.epoch += 1
        for x, targets, lengths, colors in loader:
            logits, color = model(x)
            log_probs = logits.log_softmax(-1).permute(1, 0, 2)
            loss = ctc(log_probs, targets, torch.full((x.shape[0],), log_probs.shape[0], dtype=torch.long), lengths)
            if color is not None:
                loss = loss + 0.2 * ce(color, colors)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            step += 1
            if step % 50 == 0:
                print(f"finetune step {step}/{steps} loss {loss.item():.3f}", flush=True)
            if step >= steps:
                break
    metrics = evaluate(model, val_loader)
    metrics = {f"finetuned_{k}": v for k, v in metrics.items()}
    metrics["finetune_minutes"] = round((time.perf_counter() - start) / 60, 1)
    model.eval()
    return model, metrics


def export_onnx(model: CRNN, cfg: ReaderConfig, out: Path, input_hw: tuple[int, int]) -> Path:
    import onnx

    wrapper = ExportWrapper(model).eval()
    dummy = torch.zeros(1, 3, *input_hw)
    outputs = ["probs", "color_probs"] if cfg.colors else ["probs"]
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(wrapper, (dummy,), str(out), input_names=["x"], output_names=outputs, opset_version=17,
                      dynamic_axes={"x": {0: "batch"}, **{o: {0: "batch"} for o in outputs}}, dynamo=False)
    proto = onnx.load(str(out))
    meta = {"vocabulary": json.dumps(list(cfg.vocab), ensure_ascii=False), "blank_index": "0",
            "colors": json.dumps(list(cfg.colors)), "input_hw": json.dumps(list(input_hw)),
            "name": cfg.name, "version": cfg.version}
    del proto.metadata_props[:]
    for k, v in meta.items():
        proto.metadata_props.add(key=k, value=v)
    onnx.save(proto, str(out))
    return out


def input_hw_of(task: str) -> tuple[int, int]:
    from inference.ops.rectify import PLATE_INPUT_HW, VIN_INPUT_HW

    return PLATE_INPUT_HW if task == "plate" else VIN_INPUT_HW


def catalog_entry(cfg: ReaderConfig, config_path: Path, metrics: dict[str, Any], file: str) -> dict[str, Any]:
    hw = input_hw_of(cfg.task)
    return {
        "name": cfg.name,
        "version": cfg.version,
        "task": f"{cfg.task}_recognition",
        "file": file,
        "sha256": "",
        "input": {"name": "x", "layout": "NCHW", "channels": "BGR", "size": f"{hw[0]}x{hw[1]} (rectified)",
                  "warmup_shape": [1, 3, *hw]},
        "normalization": {"scale": 1 / 255, "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]},
        "labels": list(cfg.colors),
        "vocabulary": {"source": "onnx_metadata", "key": "vocabulary", "blank_index": 0, "size": len(cfg.vocab)},
        "origin": {
            "kind": "trained",
            "source": f"CRNN-CTC trained from scratch on synthetic {cfg.kind} (datasets/{cfg.kind}.py)",
            "training_command": f"chayan train {cfg.task}-reader --config {config_path.as_posix()}",
            "data_seed": {"train": cfg.train.seed, "val": cfg.val.seed},
            "data_size": {"train": cfg.train.n, "val": cfg.val.n},
            "epochs": cfg.epochs,
            "finetune": dict(cfg.finetune) or None,
            "realdev_used_for_training": ("tune split of CCPD frames and lprnet crops (datasets/realdev.py)"
                                          if cfg.finetune else "none"),
        },
        "metrics": metrics,
    }


def run(config_path: Path, workers: int = 2, threads: int | None = None, catalog_path: Path = CATALOG_PATH,
        stage: str = "all") -> dict[str, Any]:
    """Stage one trains on synthetic data and exports; stage two (when the config has ``finetune``) loads
    that export and fine-tunes it. ``stage="finetune"`` runs stage two alone on the current export."""
    cfg = ReaderConfig.load(config_path)
    out = catalog_path.parent / cfg.export_file
    hw = input_hw_of(cfg.task)
    metrics: dict[str, Any] = {}
    if stage in ("all", "train"):
        model, metrics = train(cfg, workers, threads)
        export_onnx(model, cfg, out, hw)
    else:
        entries = yaml.safe_load(catalog_path.read_text(encoding="utf-8"))["models"]
        metrics = dict(next((m.get("metrics") or {} for m in entries if m["name"] == cfg.name), {}))
    if cfg.finetune and stage in ("all", "finetune"):
        model, ft_metrics = finetune(cfg, out, threads)
        metrics.update(ft_metrics)
        export_onnx(model, cfg, out, hw)
    rel = config_path.resolve().relative_to(REPO) if config_path.resolve().is_relative_to(REPO) else config_path
    entry = upsert_entry(catalog_entry(cfg, Path(rel), metrics, out.name), catalog_path)
    print(json.dumps(entry, indent=1, ensure_ascii=False))
    return entry


