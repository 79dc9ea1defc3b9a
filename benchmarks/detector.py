"""Detector benchmark: recall/precision and corner error on the real-dev frames, VIN localisation on the
real VIN crops, and latency per input size, fp32 vs int8, 1 vs 2 threads, with the PyTorch model (when
its weights and torch are present) timed in the same run.

``python -m benchmarks.detector [--sizes 320 416 512 640] [--int8 var/runs/vehicle-det/vehicle-det.int8.onnx]``
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from benchmarks.realdev import DEFAULT_ROOT, RESULTS_DIR, load_items
from datasets.realdev import ccpd_corners, load_labels, split_of
from inference.engine import Engine, EngineOptions
from inference.ops.geometry import iou_xyxy
from inference.stages.detector import Detector, detector_input
from models import ModelCatalog

REPO = Path(__file__).resolve().parents[1]


def accuracy(detector: Detector, root: Path, size: int) -> list[dict[str, Any]]:
    """One row over every labelled frame and one over the frames the fine-tune never saw (holdout)."""
    items = load_labels(root)
    frames = [r for r in items if r["kind"] == "plate" and r.get("image_type") == "full_frame"]
    vins = [r for r in items if r["kind"] == "vin"]
    per_frame: list[dict[str, Any]] = []  # frames with a labelled box
    special_any = special_n = 0
    for r in frames:
        image = cv2.imread(str(root / r["file"]), cv2.IMREAD_COLOR)
        plates = detector(image, size).of("plate")
        if not r.get("bbox"):
            special_n += 1
            special_any += bool(plates)
            continue
        match = [p for p in plates if iou_xyxy(p.box_xyxy, tuple(r["bbox"])) >= 0.5]
        err = None
        if match and r.get("vertices"):
            truth = np.asarray(ccpd_corners(r["vertices"]), np.float32)
            width = float(np.linalg.norm(truth[1] - truth[0]))
            pred = np.asarray(match[0].corners_xy, np.float32)
            err = float(np.linalg.norm(pred - truth, axis=1).mean() / max(width, 1))
        per_frame.append({"holdout": split_of(r["file"]) == "holdout", "reported": len(plates),
                          "found": bool(match), "false": len(plates) - (1 if match else 0), "corner_err": err})
    vin_found = 0
    vin_cover: list[float] = []
    for r in vins:
        image = cv2.imread(str(root / r["file"]), cv2.IMREAD_COLOR)
        w = image.shape[1]
        dets = [d for d in detector(image, size).detections if d.label in ("vin_stamp", "vin_label")]
        if dets:
            x1, _, x2, _ = dets[0].box_xyxy
            vin_found += 1
            vin_cover.append((x2 - x1) / w)
    rows = []
    for group, chosen in (("all", per_frame), ("holdout", [f for f in per_frame if f["holdout"]])):
        reported = sum(f["reported"] for f in chosen)
        errors = [f["corner_err"] for f in chosen if f["corner_err"] is not None]
        rows.append({
            "input_size": size,
            "frames": group,
            "frames_with_box": len(chosen),
            "plate_recall_iou50": sum(f["found"] for f in chosen) / len(chosen) if chosen else None,
            "plate_precision": (reported - sum(f["false"] for f in chosen)) / reported if reported else None,
            "corner_error_mean_rel_width": float(np.mean(errors)) if errors else None,
            "special_frames_with_a_plate": f"{special_any}/{special_n}",
            "vin_crops_with_a_vin": f"{vin_found}/{len(vins)}",
            "vin_width_covered_mean": float(np.mean(vin_cover)) if vin_cover else None,
        })
    return rows


SYNTHETIC_VAL = REPO / "data" / "scenes" / "val"
WIDTH_BUCKETS = ((0, 0.04), (0.04, 0.08), (0.08, 1.01))  # plate width as a share of the frame width


def synthetic_recall(detector: Detector, size: int, root: Path = SYNTHETIC_VAL) -> dict[str, Any] | None:
    """Plate recall (IoU >= 0.5) on the synthetic val scenes (a seed never trained on) by plate width share:
    what decides the input size, since real-dev frames all have large plates."""
    labels = root / "labels.jsonl"
    if not labels.is_file():
        return None
    hits = {b: [0, 0] for b in WIDTH_BUCKETS}
    for line in labels.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        plates = [o for o in r["objects"] if o["class"] == "plate" and not o["truncated"]]
        if not plates:
            continue
        found = detector(cv2.imread(str(root / r["file"]), cv2.IMREAD_COLOR), size).of("plate")
        for o in plates:
            share = (o["box_xyxy"][2] - o["box_xyxy"][0]) / r["width"]
            bucket = next(b for b in WIDTH_BUCKETS if b[0] <= share < b[1])
            hits[bucket][1] += 1
            hits[bucket][0] += any(iou_xyxy(d.box_xyxy, tuple(o["box_xyxy"])) >= 0.5 for d in found)
    return {"input_size": size, **{f"plates {lo:.0%}-{min(hi, 1):.0%} of width": f"{k}/{n}"
                                   for (lo, hi), (k, n) in hits.items()}}


def reads_by_input_size(catalog: ModelCatalog, root: Path, sizes: list[int]) -> list[dict[str, Any]]:
    """Exact plate reads of the whole dedicated path (detector corners -> plate reader) per detector input size:
    corners matter more than recall for reading."""
    import tempfile

    from benchmarks import realdev
    from inference.vehicle import DetectorVehicleReader

    engine = Engine(catalog, EngineOptions(intra_op_threads=2))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            reader = DetectorVehicleReader(engine, input_size=size, photo_input_size=size)
            summary = realdev.run(reader, f"dedicated-{size}", root, Path(tmp), threads=2)["summary"]
            rows.append({"input_size": size, **{g: f"{summary[g]['exact']}/{summary[g]['images']}" for g in
                                                ("ccpd (holdout)", "ccpd_other", "special_frames") if g in summary},
                         "p50_ms": round(summary["all"]["latency_ms_p50"], 1)})
    return rows


def latency(session_run, tensor: np.ndarray, repeats: int) -> dict[str, float]:
    for _ in range(3):
        session_run(tensor)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        session_run(tensor)
        times.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": float(np.percentile(times, 50)), "p95_ms": float(np.percentile(times, 95))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", default=str(DEFAULT_ROOT))
    parser.add_argument("--sizes", type=int, nargs="+", default=[320, 416, 512, 640])
    parser.add_argument("--int8", default=str(REPO / "var/runs/vehicle-det/vehicle-det.int8.onnx"),
                        help="the int8 ONNX file of the training run, timed against fp32 when present")
    parser.add_argument("--torch-weights", default=str(REPO / "var/runs/vehicle-det-ft/weights/best.pt"),
                        help="the PyTorch weights the shipped ONNX was exported from (timed side by side)")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--conf", type=float, nargs="+", default=[0.3, 0.5],
                        help="detection score thresholds to report accuracy at (the first is the stage default)")
    parser.add_argument("--out", default=str(RESULTS_DIR))
    args = parser.parse_args(argv)
    root = Path(args.root)
    load_items(root)  # fails clearly when the real-dev folder is missing
    catalog = ModelCatalog.load()
    sample = cv2.imread(str(root / "plates_full/ccpd_001.jpg"), cv2.IMREAD_COLOR)
    report: dict[str, Any] = {"model": catalog.get("vehicle-det").version, "accuracy": [], "latency": []}
    for threads in (1, 2):
        engine = Engine(catalog, EngineOptions(intra_op_threads=threads))
        detector = Detector(engine.load("vehicle-det"))
        if threads == 1:
            for conf in args.conf:
                detector.conf = conf
                report["accuracy"] += [{"conf": conf, **row} for s in args.sizes for row in accuracy(detector, root, s)]
            detector.conf = args.conf[0]
            report["synthetic_by_width"] = [r for s in args.sizes if (r := synthetic_recall(detector, s))]
        variants = {"onnx-fp32": lambda x, m=detector.model: m.run({"images": x})}
        if args.int8 and Path(args.int8).is_file():
            import onnxruntime as ort

            so = engine.session_options()
            q = ort.InferenceSession(args.int8, so, providers=["CPUExecutionProvider"])
            variants["onnx-int8"] = lambda x, s=q: s.run(None, {"images": x})
        if Path(args.torch_weights).is_file():
            try:
                import torch

                from training import ultra

                ultra.prepare(threads)
                from ultralytics import YOLO

                net = YOLO(args.torch_weights).model.float().eval()
                torch.set_num_threads(threads)

                def torch_run(x: np.ndarray, net=net) -> Any:
                    with torch.no_grad():
                        return net(torch.from_numpy(x))

                variants["pytorch"] = torch_run
            except ImportError:
                pass
        for size in args.sizes:
            x, _ = detector_input(sample, size)
            for name, fn in variants.items():
                stats = latency(fn, x, args.repeats)
                report["latency"].append({"variant": name, "threads": threads, "input_size": size,
                                          "input_wh": [x.shape[3], x.shape[2]], **stats})
    report["reads_by_input_size"] = reads_by_input_size(catalog, root, args.sizes)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "detector.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    lines = [f"# Detector: {report['model']}", "", "Real-dev accuracy (single frame; holdout = frames the fine-tune "
             "never saw):", "", "| conf | input | frames | plate recall IoU≥0.5 | precision |"
             " corner err / plate width | special frames with a plate | VIN crops with a VIN | VIN width covered |",
             "|---|---|---|---|---|---|---|---|---|"]
    for a in report["accuracy"]:
        def pct(v: float | None) -> str:
            return "–" if v is None else f"{100 * v:.1f}%"
        lines.append(f"| {a['conf']} | {a['input_size']} | {a['frames']} ({a['frames_with_box']}) | "
                     f"{pct(a['plate_recall_iou50'])} | {pct(a['plate_precision'])} | "
                     f"{pct(a['corner_error_mean_rel_width'])} | {a['special_frames_with_a_plate']} | "
                     f"{a['vin_crops_with_a_vin']} | {pct(a['vin_width_covered_mean'])} |")
    if report.get("synthetic_by_width"):
        keys = [k for k in report["synthetic_by_width"][0] if k != "input_size"]
        lines += ["", "Plate recall (IoU≥0.5) on the synthetic val scenes by plate width share (unseen seed):",
                  "", "| input | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
        for r in report["synthetic_by_width"]:
            lines.append(f"| {r['input_size']} | " + " | ".join(r[k] for k in keys) + " |")
    if report.get("reads_by_input_size"):
        keys = [k for k in report["reads_by_input_size"][0] if k != "input_size"]
        lines += ["", "Exact plate reads of the dedicated path by detector input size (real-dev, 2 threads):", "",
                  "| input | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
        for r in report["reads_by_input_size"]:
            lines.append(f"| {r['input_size']} | " + " | ".join(str(r[k]) for k in keys) + " |")
    lines += ["", "Latency of the model alone on a 720x1160 frame letterboxed (ms, same run):", "",
              "| variant | threads | input | p50 | p95 |", "|---|---|---|---|---|"]
    for r in report["latency"]:
        lines.append(f"| {r['variant']} | {r['threads']} | {r['input_wh'][0]}x{r['input_wh'][1]} | "
                     f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} |")
    (out / "detector.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
