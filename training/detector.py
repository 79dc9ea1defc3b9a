"""Train the vehicle-text detector (YOLO pose, four corner keypoints) and ship it to the catalog.

``chayan train detector --config training/configs/detector.yaml``: builds (or reuses) the synthetic
scenes, trains from scratch, validates, exports ONNX with a dynamic input size and writes the catalog
entry (sha256, command, seeds, metrics).
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from datasets.core import ensure_built
from models import CATALOG_PATH

from . import ultra
from .catalog import upsert_entry
from .data import Split

REPO = ultra.REPO
CLASS_NAMES = ("plate", "vin_stamp", "vin_label", "nameplate")


@dataclass(frozen=True, slots=True)
class DetectorConfig:
    name: str
    version: str
    model: str
    data_dir: Path
    train: Split
    val: Split
    imgsz: int
    epochs: int
    batch: int
    seed: int = 0
    patience: int = 100
    hours: float | None = None
    cache: str | bool = False
    augment: dict[str, Any] = field(default_factory=dict)
    # Optional second stage on the real-dev *tune* split (datasets/realdev.py) mixed with synthetic scenes.
    finetune: dict[str, Any] = field(default_factory=dict)
    export: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> DetectorConfig:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        data = raw.pop("data")
        if data["train"]["seed"] == data["val"]["seed"]:
            raise ValueError("train and val seeds must differ: the validation set must be held apart")
        return cls(data_dir=REPO / data["dir"], train=Split(**data["train"]), val=Split(**data["val"]), **raw)


def prepare_data(cfg: DetectorConfig, workers: int = 2) -> Path:
    for split_name, split in (("train", cfg.train), ("val", cfg.val)):
        ensure_built("scenes", split.n, split.seed, cfg.data_dir / split_name, workers)
    data_yaml = cfg.data_dir / "dataset.yaml"
    data_yaml.write_text(yaml.safe_dump({
        "path": str(cfg.data_dir), "train": "train/images", "val": "val/images",
        "names": dict(enumerate(CLASS_NAMES)), "kpt_shape": [4, 3], "flip_idx": [1, 0, 3, 2],
    }, sort_keys=False), encoding="utf-8")
    return data_yaml


def train(cfg: DetectorConfig, run_dir: Path, threads: int | None = None, workers: int = 2) -> Path:
    """Train; returns the best PyTorch weights."""
    ultra.prepare(threads)
    from ultralytics import YOLO

    data_yaml = prepare_data(cfg, workers)
    model = YOLO(cfg.model, task="pose")
    model.train(
        data=str(data_yaml), epochs=cfg.epochs, imgsz=cfg.imgsz, batch=cfg.batch, device="cpu", workers=workers,
        project=str(run_dir.parent), name=run_dir.name, exist_ok=True, pretrained=False, amp=False, plots=False,
        seed=cfg.seed, deterministic=True, patience=cfg.patience, verbose=True, time=cfg.hours, cache=cfg.cache,
        **cfg.augment,
    )
    return run_dir / "weights" / "best.pt"


def finetune(cfg: DetectorConfig, weights: Path, run_dir: Path, threads: int | None = None, workers: int = 2) -> Path:
    """Fine-tune on the real-dev tune frames plus a share of the synthetic scenes; the real holdout frames
    and the synthetic val split are never seen."""
    ultra.prepare(threads)
    from ultralytics import YOLO

    from datasets.realdev import export_tune_frames_yolo

    ft = cfg.finetune
    root = cfg.data_dir / "finetune"
    if root.exists():
        shutil.rmtree(root)
    real = export_tune_frames_yolo(Path(ft.get("realdev_root", REPO.parent / "shared" / "data" / "real-dev")),
                                   root / "train")
    synthetic = sorted((cfg.data_dir / "train" / "images").iterdir())[: int(ft.get("synthetic_images", 400))]
    for image in synthetic:
        (root / "train" / "images" / image.name).symlink_to(image)
        label = cfg.data_dir / "train" / "labels" / f"{image.stem}.txt"
        (root / "train" / "labels" / label.name).symlink_to(label)
    print(f"fine-tuning on {real} real tune frames + {len(synthetic)} synthetic scenes", flush=True)
    data_yaml = root / "dataset.yaml"
    data_yaml.write_text(yaml.safe_dump({
        "path": str(root), "train": "train/images", "val": str(cfg.data_dir / "val" / "images"),
        "names": dict(enumerate(CLASS_NAMES)), "kpt_shape": [4, 3], "flip_idx": [1, 0, 3, 2],
    }, sort_keys=False), encoding="utf-8")
    model = YOLO(str(weights), task="pose")
    augment = {**cfg.augment, **ft.get("augment", {})}
    model.train(
        data=str(data_yaml), epochs=int(ft.get("epochs", 10)), imgsz=cfg.imgsz, batch=cfg.batch, device="cpu",
        workers=workers, project=str(run_dir.parent), name=f"{run_dir.name}-ft", exist_ok=True, amp=False,
        plots=False, seed=cfg.seed, deterministic=True, lr0=float(ft.get("lr0", 0.002)), warmup_epochs=0,
        verbose=True, cache=cfg.cache, **augment,
    )
    return run_dir.parent / f"{run_dir.name}-ft" / "weights" / "best.pt"


def export_onnx(weights: Path, cfg: DetectorConfig, out: Path) -> Path:
    ultra.prepare()
    from ultralytics import YOLO

    model = YOLO(str(weights), task="pose")
    exported = Path(model.export(format="onnx", imgsz=cfg.export.get("default_input_size", cfg.imgsz),
                                 dynamic=True, simplify=True, opset=cfg.export.get("opset", 17), device="cpu"))
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(exported, out)
    return out


def validate(weights: Path, cfg: DetectorConfig) -> dict[str, float]:
    ultra.prepare()
    from ultralytics import YOLO

    metrics = YOLO(str(weights), task="pose").val(data=str(cfg.data_dir / "dataset.yaml"), imgsz=cfg.imgsz,
                                                  batch=cfg.batch, device="cpu", plots=False, verbose=False)
    return {"synthetic_val_box_map50": round(float(metrics.box.map50), 4),
            "synthetic_val_box_map50_95": round(float(metrics.box.map), 4),
            "synthetic_val_pose_map50": round(float(metrics.pose.map50), 4)}


def catalog_entry(cfg: DetectorConfig, config_path: Path, metrics: dict[str, Any], file: str) -> dict[str, Any]:
    return {
        "name": cfg.name,
        "version": cfg.version,
        "task": "detection_with_corners",
        "file": file,
        "sha256": "",
        "input": {"name": "images", "layout": "NCHW", "channels": "RGB",
                  "size": "dynamic (letterboxed, long side = input size, multiples of 32)",
                  "default_size": cfg.export.get("default_input_size", cfg.imgsz),
                  "warmup_shape": [1, 3, cfg.imgsz, cfg.imgsz]},
        "normalization": {"scale": 1 / 255, "mean": [0.0, 0.0, 0.0], "std": [1.0, 1.0, 1.0], "pad_value": 114},
        "labels": list(CLASS_NAMES),
        "postprocess": {"kind": "yolo_pose", "keypoints": ["top_left", "top_right", "bottom_right", "bottom_left"]},
        "origin": {
            "kind": "trained",
            "source": f"{cfg.model} trained from scratch on synthetic scenes (datasets/scenes.py)",
            "training_command": f"chayan train detector --config {config_path.as_posix()}",
            "data_seed": {"train": cfg.train.seed, "val": cfg.val.seed},
            "data_size": {"train": cfg.train.n, "val": cfg.val.n},
            "epochs": cfg.epochs,
            "hours": cfg.hours,
            "imgsz": cfg.imgsz,
            "finetune": dict(cfg.finetune) or None,
            "realdev_used_for_training": "tune split of CCPD frames (datasets/realdev.py)" if cfg.finetune else "none",
        },
        "metrics": metrics,
    }


def run(config_path: Path, threads: int | None = None, workers: int = 2,
        catalog_path: Path = CATALOG_PATH) -> dict[str, Any]:
    cfg = DetectorConfig.load(config_path)
    run_dir = REPO / "var" / "runs" / cfg.name
    start = time.perf_counter()
    weights = train(cfg, run_dir, threads, workers)
    if cfg.finetune:
        weights = finetune(cfg, weights, run_dir, threads, workers)
    minutes = (time.perf_counter() - start) / 60
    metrics = validate(weights, cfg)
    metrics["train_minutes"] = round(minutes, 1)
    out = export_onnx(weights, cfg, catalog_path.parent / cfg.export["file"])
    rel_config = config_path.resolve().relative_to(REPO) if config_path.resolve().is_relative_to(REPO) else config_path
    entry = upsert_entry(catalog_entry(cfg, Path(rel_config), metrics, out.name), catalog_path)
    print(json.dumps(entry, indent=1, ensure_ascii=False))
    return entry
