"""Accuracy and latency of a vehicle reader on the real, labelled dev images (``../shared/data/real-dev``).

Per group of images (CCPD frames, other frames, crops, VINs) it reports plate detection recall at
IoU >= 0.5 where a box is labelled, precision of the plates reported on frames whose every plate is
labelled, exact full-plate match over all ground-truth plates (found and read exactly), the same per
plate colour, exact 17/17 VIN match, and latency p50/p95 per image.
"""

from __future__ import annotations

import json
import platform
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from datasets.realdev import in_split_group, split_of
from inference.ops.geometry import iou_xyxy
from inference.types import Frame, VehicleRead
from inference.vehicle import ImageHint, VehicleReader

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ROOT = REPO_ROOT.parent / "shared" / "data" / "real-dev"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
IOU_MATCH = 0.5


@dataclass(frozen=True, slots=True)
class Item:
    file: str
    kind: str
    text: str | None
    image_type: str
    plate_color: str | None = None
    bbox: tuple[float, float, float, float] | None = None

    @property
    def group(self) -> str:
        name = Path(self.file).stem
        if self.kind == "vin":
            return "vin_stamped"
        if self.kind == "document":
            return "document"
        if name.startswith("ccpd_hukai"):
            return "ccpd_other"
        for prefix in ("ccpd", "special", "lprnet", "hyperlpr"):
            if name.startswith(prefix):
                return {"ccpd": "ccpd", "special": "special_frames",
                        "lprnet": "crops_lprnet", "hyperlpr": "crops_hyperlpr"}[prefix]
        return "other"

    @property
    def split(self) -> str:
        """``tune`` images may have been used to fine-tune a model; ``holdout`` ones never are."""
        return split_of(self.file)

    @property
    def hint(self) -> ImageHint:
        if self.kind == "vin":
            return ImageHint.vin_crop
        return ImageHint.plate_crop if self.image_type.startswith("plate_crop") else ImageHint.frame


def load_items(root: Path, kinds: Iterable[str] = ("plate", "vin")) -> list[Item]:
    labels = root / "labels.jsonl"
    if not labels.is_file():
        raise FileNotFoundError(f"no labels.jsonl under {root}: point --root at the real-dev folder")
    wanted = set(kinds)
    items = []
    for line in labels.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        if raw["kind"] not in wanted:
            continue
        bbox = tuple(float(v) for v in raw["bbox"]) if raw.get("bbox") else None
        items.append(Item(raw["file"], raw["kind"], raw.get("text"), raw.get("image_type", ""),
                          raw.get("plate_color"), bbox))  # type: ignore[arg-type]
    return items


@dataclass(slots=True)
class ItemResult:
    file: str
    group: str
    split: str
    kind: str
    truth: str | None
    plate_color: str | None
    predicted: list[str]
    found: bool | None  # detection at IoU >= 0.5 (None: no labelled box)
    exact: bool
    false_positives: int
    latency_ms: float
    error: str | None = None


@dataclass(slots=True)
class GroupStats:
    images: int = 0
    exact: int = 0
    with_box: int = 0
    found: int = 0
    predicted: int = 0
    false_positives: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    by_color: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def summary(self) -> dict[str, Any]:
        lat = np.asarray(self.latencies_ms) if self.latencies_ms else np.zeros(1)
        return {
            "images": self.images,
            "exact": self.exact,
            "exact_rate": self.exact / self.images if self.images else None,
            "detection_recall": self.found / self.with_box if self.with_box else None,
            "detection_precision": (
                (self.predicted - self.false_positives) / self.predicted if self.with_box and self.predicted else None
            ),
            "errors": self.errors,
            "latency_ms_p50": float(np.percentile(lat, 50)),
            "latency_ms_p95": float(np.percentile(lat, 95)),
            "by_color": {c: {"images": n, "exact": k, "exact_rate": k / n}
                         for c, (k, n) in sorted(self.by_color.items())},
        }


def score(item: Item, read: VehicleRead) -> tuple[list[str], bool | None, bool, int]:
    """Predicted texts, found (IoU >= 0.5), exact (found and read exactly), false positives."""
    if item.kind == "vin":
        predicted = [v.text for v in read.vins]
        return predicted, None, item.text in predicted[:1], 0
    predicted = [p.text for p in read.plates]
    if item.bbox is None:
        return predicted, None, item.text in predicted, 0
    matched = [p for p in read.plates if iou_xyxy(p.box_xyxy, item.bbox) >= IOU_MATCH]
    found = bool(matched)
    exact = any(p.text == item.text for p in matched)
    # A frame with a labelled box has exactly one plate (CCPD): every other report is a false alarm.
    false_positives = len(read.plates) - (1 if found else 0)
    return predicted, found, exact, false_positives


def evaluate(
    reader: VehicleReader,
    items: Sequence[Item],
    root: Path,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict[str, GroupStats], list[ItemResult]]:
    groups: dict[str, GroupStats] = defaultdict(GroupStats)
    results: list[ItemResult] = []
    for k, item in enumerate(items):
        # Groups that are split report their held-out half on its own as well.
        held_out = item.split == "holdout" and in_split_group(item.file)
        names = [item.group] + ([f"{item.group} (holdout)"] if held_out else [])
        all_stats = [groups[name] for name in names]
        for stats in all_stats:
            stats.images += 1
        image = cv2.imread(str(root / item.file), cv2.IMREAD_COLOR)
        if image is None:
            for stats in all_stats:
                stats.errors += 1
            results.append(ItemResult(item.file, item.group, item.split, item.kind, item.text, item.plate_color, [],
                                      None, False, 0, 0.0, "unreadable image"))
            continue
        start = time.perf_counter()
        read = reader.read(Frame.from_array(image), item.hint)
        latency = (time.perf_counter() - start) * 1000
        predicted, found, exact, fps = score(item, read)
        for stats in all_stats:
            stats.latencies_ms.append(latency)
            stats.exact += exact
            stats.predicted += len(predicted) if item.bbox is not None else 0
            if found is not None:
                stats.with_box += 1
                stats.found += found
                stats.false_positives += fps
            if item.plate_color:
                stats.by_color[item.plate_color][0] += exact
                stats.by_color[item.plate_color][1] += 1
        results.append(ItemResult(item.file, item.group, item.split, item.kind, item.text, item.plate_color,
                                  predicted, found, exact, fps, latency))
        if progress:
            progress(k + 1, len(items))
    return dict(groups), results


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.1f}%"


def markdown(name: str, summary: dict[str, dict[str, Any]], setup: dict[str, Any]) -> str:
    lines = [
        f"# real-dev: {name}",
        "",
        f"Setup: {setup['reader']} · {setup['threads']} thread(s) · {setup['machine']} · {setup['date']}",
        "",
        "| group | images | exact match | detection recall (IoU≥0.5) | precision | p50 ms | p95 ms | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for group, s in summary.items():
        lines.append(
            f"| {group} | {s['images']} | {_pct(s['exact_rate'])} ({s['exact']}) | {_pct(s['detection_recall'])} | "
            f"{_pct(s['detection_precision'])} | {s['latency_ms_p50']:.0f} | {s['latency_ms_p95']:.0f} | "
            f"{s['errors']} |"
        )
    lines += ["", "Exact match per plate colour (over all ground-truth plates of that colour):", "",
              "| group | colour | images | exact match |", "|---|---|---|---|"]
    for group, s in summary.items():
        for color, c in s["by_color"].items():
            lines.append(f"| {group} | {color} | {c['images']} | {_pct(c['exact_rate'])} ({c['exact']}) |")
    return "\n".join(lines) + "\n"


def comparison_markdown(reports: dict[str, dict[str, Any]]) -> str:
    """Readers side by side from one run: exact match and p50 latency per group and per plate colour."""
    names = list(reports)
    first = reports[names[0]]["setup"]
    groups = list(dict.fromkeys(g for r in reports.values() for g in r["summary"]))
    lines = [f"# real-dev: readers side by side ({first['date']}, {first['threads']} thread(s), {first['machine']})",
             "", "Exact full-plate / 17-char VIN match, with p50 latency per image (ms).", "",
             "| group | images | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for g in groups:
        cells = []
        for n in names:
            s = reports[n]["summary"].get(g)
            cells.append("–" if s is None else f"{_pct(s['exact_rate'])} ({s['exact']}) · {s['latency_ms_p50']:.0f}")
        images = next(r["summary"][g]["images"] for r in reports.values() if g in r["summary"])
        lines.append(f"| {g} | {images} | " + " | ".join(cells) + " |")
    lines += ["", "Per plate colour:", "", "| group | colour | images | " + " | ".join(names) + " |",
              "|---|---|---|" + "---|" * len(names)]
    for g in groups:
        colours = dict.fromkeys(c for r in reports.values() for c in r["summary"].get(g, {}).get("by_color", {}))
        for c in colours:
            cells, images = [], 0
            for n in names:
                s = reports[n]["summary"].get(g, {}).get("by_color", {}).get(c)
                images = s["images"] if s else images
                cells.append("–" if s is None else f"{_pct(s['exact_rate'])} ({s['exact']})")
            lines.append(f"| {g} | {c} | {images} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def run(
    reader: VehicleReader,
    name: str,
    root: Path = DEFAULT_ROOT,
    out_dir: Path = RESULTS_DIR,
    threads: int = 1,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    items = load_items(root)
    if limit is not None:
        items = items[:limit]
    groups, results = evaluate(reader, items, root, progress)
    summary = {g: groups[g].summary() for g in sorted(groups)}
    overall = GroupStats()
    for group_name, g in groups.items():
        if group_name.endswith("(holdout)"):
            continue
        overall.images += g.images
        overall.exact += g.exact
        overall.latencies_ms += g.latencies_ms
        overall.errors += g.errors
    summary["all"] = overall.summary()
    machine = f"{platform.machine()} {platform.processor() or ''}".strip()
    setup = {"reader": name, "threads": threads, "machine": machine,
             "python": platform.python_version(), "date": time.strftime("%Y-%m-%d"), "images": len(items),
             "root": str(root)}
    report = {"setup": setup, "summary": summary, "items": [asdict(r) for r in results]}
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"realdev-{name}"
    (out_dir / f"{stem}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out_dir / f"{stem}.md").write_text(markdown(name, summary, setup), encoding="utf-8")
    return report
