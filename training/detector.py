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


def _finetune_dir(run_dir: Path) -> Path:
    return run_dir.parent / f"{run_dir.name}-ft"


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
        workers=workers, project=str(run_dir.parent), name=_finetune_dir(run_dir).name, exist_ok=True, amp=False,
        plots=False, seed=cfg.seed, deterministic=True, lr0=float(ft.get("lr0", 0.002)), warmup_epochs=0,
        verbose=True, cache=cfg.cache, **augment,
    )
    return _finetune_dir(run_dir) / "weights" / "best.pt"


def export_onnx(weights: Path, cfg: DetectorConfig, out: Path) -> Path:
    ultra.prepare()
    from ultralytics import YOLO

    model = YOLO(str(weights), task="pose")
    exported = Path(model.export(format="onnx", imgsz=cfg.export.get("default_input_size", cfg.imgsz),
                                 dynamic=True, simplify=True, opset=cfg.export.get("opset", 17), device="cpu"))
    out.parent.mkdir(parents=True, exist_ok=True)
    if exported.resolve() != out.resolve():
        shutil.copyfile(exported, out)
    return out


def validate(weights: Path, cfg: DetectorConfig) -> dict[str, float]:
    """Synthetic val metrics of PyTorch weights or an exported ONNX file (ultralytics runs either)."""
    ultra.prepare()
    from ultralytics import YOLO

    batch = cfg.batch if Path(weights).suffix == ".pt" else 1  # the ONNX export takes one image per call
    metrics = YOLO(str(weights), task="pose").val(data=str(cfg.data_dir / "dataset.yaml"), imgsz=cfg.imgsz,
                                                  batch=batch, device="cpu", plots=False, verbose=False)
    return {"synthetic_val_box_map50": round(float(metrics.box.map50), 4),
            "synthetic_val_box_map50_95": round(float(metrics.box.map), 4),
            "synthetic_val_pose_map50": round(float(metrics.pose.map50), 4)}


def quantize_int8(fp32: Path, cfg: DetectorConfig, out: Path, calibration_images: int = 64) -> Path:
    """Static QDQ int8 of the convolutions and matmuls (per-channel weights on 7 bits, activations calibrated on
    synthetic *train* scenes letterboxed to the default input size) with onnxruntime's quantiser. 7-bit weights
    (``reduce_range``, why: ``training.text_rec.WEIGHT_QMAX``), so that keeping or dropping the int8 model, and its
    reads, do not depend on whether the CPU has VNNI."""
    import cv2
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    from inference.stages.detector import detector_input

    size = int(cfg.export.get("default_input_size", cfg.imgsz))
    files = sorted((cfg.data_dir / "train" / "images").iterdir())[:calibration_images]

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.items = iter(files)

        def get_next(self) -> dict[str, Any] | None:
            path = next(self.items, None)
            if path is None:
                return None
            x, _ = detector_input(cv2.imread(str(path), cv2.IMREAD_COLOR), size, square=True)
            return {"images": x}

    prepared = out.with_suffix(".pre.onnx")
    quant_pre_process(str(fp32), str(prepared), skip_symbolic_shape=True)
    # Only the convolutions and matmuls: the head's decode (box pixels, class scores and keypoints concatenated
    # into one tensor) must stay float, one int8 scale over pixels and probabilities zeroes the scores.
    quantize_static(str(prepared), str(out), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    reduce_range=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    op_types_to_quantize=["Conv", "MatMul"])
    prepared.unlink()
    return out


def onnx_p50_ms(path: Path, size: int, threads: int = 2, repeats: int = 40) -> float:
    import numpy as np
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).random((1, 3, size, size), dtype=np.float32)
    for _ in range(5):
        session.run(None, {"images": x})
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        session.run(None, {"images": x})
        times.append((time.perf_counter() - t) * 1000)
    return float(np.percentile(times, 50))


def int8_decision(cfg: DetectorConfig, fp32: Path, fp32_metrics: dict[str, float],
                  out_dir: Path | None = None) -> dict[str, Any]:
    """Quantise, validate and time fp32 vs int8 in one run; int8 ships only if it loses <= 0.5 mAP50
    points and is faster. Returns the measurements and the decision (the int8 file is kept out of the
    catalog otherwise)."""
    int8 = quantize_int8(fp32, cfg, (out_dir or REPO / "var" / "runs" / cfg.name) / f"{fp32.stem}.int8.onnx")
    int8_metrics = validate(int8, cfg)
    size, threads = int(cfg.export.get("default_input_size", cfg.imgsz)), 2
    # rounded as reported, so that the decision is the one its figures show (two p50s equal to 0.01 ms are a tie)
    fp32_ms, int8_ms = round(onnx_p50_ms(fp32, size, threads), 2), round(onnx_p50_ms(int8, size, threads), 2)
    loss = fp32_metrics["synthetic_val_box_map50"] - int8_metrics["synthetic_val_box_map50"]
    ship = loss <= 0.005 and int8_ms < fp32_ms
    return {"int8_file": str(int8.relative_to(REPO) if int8.is_relative_to(REPO) else int8),
            "int8_box_map50": int8_metrics["synthetic_val_box_map50"],
            "map50_loss": round(loss, 4), "p50_ms_fp32": round(fp32_ms, 2), "p50_ms_int8": round(int8_ms, 2),
            "input_size": size, "threads": threads, "int8_shipped": ship}


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
                  "photo_size": cfg.export.get("photo_input_size", cfg.export.get("default_input_size", cfg.imgsz)),
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


STAGES = ("all", "train", "finetune", "export")


def run(config_path: Path, threads: int | None = None, workers: int = 2,
        catalog_path: Path = CATALOG_PATH, stage: str = "all") -> dict[str, Any] | None:
    """``all``: train, fine-tune (when configured), then export. ``train`` / ``finetune`` / ``export`` run one
    stage from the previous stage's weights under ``var/runs/<name>``; ``export`` validates (PyTorch and
    ONNX), exports, decides int8 and writes the catalog entry."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, got {stage!r}")
    cfg = DetectorConfig.load(config_path)
    run_dir = REPO / "var" / "runs" / cfg.name
    log = run_dir / "stages.json"
    minutes: dict[str, float] = json.loads(log.read_text(encoding="utf-8")) if log.is_file() else {}
    weights = run_dir / "weights" / "best.pt"
    if stage in ("all", "train"):
        start = time.perf_counter()
        weights = train(cfg, run_dir, threads, workers)
        minutes = {"train": round((time.perf_counter() - start) / 60, 1)}
        log.write_text(json.dumps(minutes), encoding="utf-8")
    if cfg.finetune and stage in ("all", "finetune"):
        start = time.perf_counter()
        weights = finetune(cfg, weights, run_dir, threads, workers)
        minutes["finetune"] = round((time.perf_counter() - start) / 60, 1)
        log.write_text(json.dumps(minutes), encoding="utf-8")
    if stage not in ("all", "export"):
        return None
    if cfg.finetune:
        weights = _finetune_dir(run_dir) / "weights" / "best.pt"
    if not weights.is_file():
        raise FileNotFoundError(f"no trained weights at {weights}: run the train (and finetune) stage first")
    metrics: dict[str, Any] = {**validate(weights, cfg), "train_minutes": round(sum(minutes.values()), 1)}
    out = export_onnx(weights, cfg, catalog_path.parent / cfg.export["file"])
    onnx_metrics = validate(out, cfg)
    metrics.update({f"onnx_{k}": v for k, v in onnx_metrics.items()})
    decision = int8_decision(cfg, out, onnx_metrics)
    print(json.dumps(decision), flush=True)
    metrics["int8"] = decision
    if decision["int8_shipped"]:
        shutil.copyfile(REPO / decision["int8_file"], out)  # same name: the catalog entry pins its sha256
    rel_config = config_path.resolve().relative_to(REPO) if config_path.resolve().is_relative_to(REPO) else config_path
    entry = upsert_entry(catalog_entry(cfg, Path(rel_config), metrics, out.name), catalog_path)
    print(json.dumps(entry, indent=1, ensure_ascii=False))
    return entry
