"""Shared machinery of the synthetic data factory: samples, the kind registry, deterministic building,
contact sheets.

Determinism: every sample draws from its own generator seeded by ``(seed, index)``, so a sample does not
depend on how many came before it or on how the work is split between processes; files are encoded with
fixed parameters and labels are written with sorted keys, so the same command writes the same bytes.
"""

from __future__ import annotations

import importlib
import json
import math
import multiprocessing as mp
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np
from tqdm import tqdm

JPEG_QUALITY = 92


@dataclass(frozen=True, slots=True)
class Sample:
    """One generated sample: the image (BGR uint8), its JSON label and optional companions.

    ``mask`` is a uint8 single-channel image (tampering masks); ``yolo_lines`` are YOLO-format label lines
    (scenes). ``ext`` is the image file type: ``jpg`` for photos, ``png`` where lossless pixels matter.
    """

    image: np.ndarray
    label: Mapping[str, Any]
    mask: np.ndarray | None = None
    yolo_lines: Sequence[str] | None = None
    ext: str = "jpg"


class Generator(Protocol):
    """What a kind implements. ``sample`` must draw every random choice from ``rng``."""

    kind: str

    def sample(self, rng: np.random.Generator, index: int) -> Sample: ...


# kind -> "module:factory"; imported lazily so one kind's dependencies never slow another down.
REGISTRY: dict[str, str] = {
    "plates": "datasets.plates:PlateGenerator",
    "vins": "datasets.vins:VinGenerator",
    "nameplates": "datasets.nameplates:NameplateGenerator",
    "documents": "datasets.documents:DocumentGenerator",
    "forgeries": "datasets.forgeries:ForgeryGenerator",
    "scenes": "datasets.scenes:SceneGenerator",
}


class UnknownKindError(ValueError):
    pass


def get_generator(kind: str, **options: Any) -> Generator:
    try:
        target = REGISTRY[kind]
    except KeyError:
        raise UnknownKindError(f"unknown dataset kind {kind!r}; expected one of {sorted(REGISTRY)}") from None
    module_name, factory_name = target.split(":")
    factory = getattr(importlib.import_module(module_name), factory_name)
    return factory(**options)


def sample_rng(seed: int, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, index])


def encode_image(image: np.ndarray, ext: str) -> bytes:
    params = [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY] if ext == "jpg" else [cv2.IMWRITE_PNG_COMPRESSION, 6]
    ok, buf = cv2.imencode(f".{ext}", image, params)
    if not ok:
        raise RuntimeError(f"could not encode a {image.shape} image as {ext}")
    return buf.tobytes()


@dataclass(frozen=True, slots=True)
class BuildReport:
    kind: str
    n: int
    seed: int
    out: Path
    seconds: float
    contact_sheet: Path

    @property
    def samples_per_second(self) -> float:
        return self.n / self.seconds if self.seconds > 0 else math.inf


@dataclass(slots=True)
class _Job:
    kind: str
    seed: int
    options: dict[str, Any] = field(default_factory=dict)


_worker_generator: Generator | None = None
_worker_job: _Job | None = None


def _init_worker(job: _Job) -> None:
    global _worker_generator, _worker_job
    cv2.setNumThreads(1)
    _worker_job = job
    _worker_generator = get_generator(job.kind, **job.options)


def _make(index: int) -> tuple[int, Sample]:
    if _worker_generator is None or _worker_job is None:
        raise RuntimeError("worker used before initialisation")
    return index, _worker_generator.sample(sample_rng(_worker_job.seed, index), index)


def iter_samples(kind: str, n: int, seed: int, workers: int = 1, **options: Any) -> Iterator[tuple[int, Sample]]:
    """Samples in index order, made in ``workers`` processes (the order and bytes do not depend on it)."""
    job = _Job(kind, seed, dict(options))
    if workers <= 1:
        _init_worker(job)
        for i in range(n):
            yield _make(i)
        return
    with mp.get_context("fork").Pool(workers, initializer=_init_worker, initargs=(job,)) as pool:
        yield from pool.imap(_make, range(n), chunksize=8)


def build(
    kind: str,
    n: int,
    seed: int,
    out: Path,
    workers: int = 1,
    progress: bool = True,
    sheet_samples: int = 24,
    **options: Any,
) -> BuildReport:
    """Write ``n`` samples of ``kind`` under ``out``: ``images/``, ``labels.jsonl`` and, where the kind
    has them, ``masks/`` and YOLO ``labels/``; plus ``contact_sheet.png``."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    generator = get_generator(kind, **options)  # fail fast on an unknown kind before creating folders
    out = Path(out)
    (out / "images").mkdir(parents=True, exist_ok=True)
    sheet: list[tuple[np.ndarray, Mapping[str, Any]]] = []
    start = time.perf_counter()
    with open(out / "labels.jsonl", "w", encoding="utf-8") as labels:
        bar = tqdm(total=n, desc=f"{kind}", unit="sample", disable=not progress)
        for index, sample in iter_samples(kind, n, seed, workers, **options):
            stem = f"{kind}_{index:06d}"
            image_rel = f"images/{stem}.{sample.ext}"
            (out / image_rel).write_bytes(encode_image(sample.image, sample.ext))
            record: dict[str, Any] = {"file": image_rel, "kind": kind, "index": index, **sample.label}
            if sample.mask is not None:
                (out / "masks").mkdir(exist_ok=True)
                record["mask"] = f"masks/{stem}.png"
                (out / record["mask"]).write_bytes(encode_image(sample.mask, "png"))
            if sample.yolo_lines is not None:
                (out / "labels").mkdir(exist_ok=True)
                (out / "labels" / f"{stem}.txt").write_text("".join(f"{line}\n" for line in sample.yolo_lines))
            labels.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            if len(sheet) < sheet_samples:
                sheet.append((sample.image, record))
            bar.update(1)
        bar.close()
    finalize: Callable[[Path, int], None] | None = getattr(generator, "finalize", None)
    if finalize is not None:
        finalize(out, n)
    seconds = time.perf_counter() - start
    manifest = {
        "kind": kind,
        "n": n,
        "seed": seed,
        "version": generator_version(kind),
        "options": _options_key(options),
    }
    (out / "build.json").write_text(json.dumps(manifest, sort_keys=True) + "\n", encoding="utf-8")
    sheet_path = out / "contact_sheet.png"
    sheet_path.write_bytes(encode_image(contact_sheet(sheet), "png"))
    return BuildReport(kind, n, seed, out, seconds, sheet_path)


def generator_version(kind: str) -> int:
    """The generator's ``version`` (raised when what it draws changes): a build of an older one is stale."""
    if kind not in REGISTRY:
        raise UnknownKindError(f"unknown dataset kind {kind!r}; expected one of {sorted(REGISTRY)}")
    module, _, name = REGISTRY[kind].partition(":")
    return int(getattr(getattr(importlib.import_module(module), name), "version", 1))


def _options_key(options: Mapping[str, Any]) -> dict[str, str]:
    return {k: repr(v) for k, v in sorted(options.items())}


def is_built(out: Path, kind: str, n: int, seed: int, **options: Any) -> bool:
    """True if ``out`` holds a complete build of exactly this kind, size, seed, options and generator version."""
    try:
        manifest = json.loads((Path(out) / "build.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return False
    got = (manifest.get("kind"), manifest.get("n"), manifest.get("seed"), manifest.get("version", 1))
    return got == (kind, n, seed, generator_version(kind)) and manifest.get("options", {}) == _options_key(options)


def ensure_built(
    kind: str, n: int, seed: int, out: Path, workers: int = 1, progress: bool = True, **options: Any
) -> Path:
    """Build into ``out`` unless a complete build of exactly this kind, size, seed and options is there."""
    out = Path(out)
    if not is_built(out, kind, n, seed, **options):
        if out.exists():
            shutil.rmtree(out)
        report = build(kind, n, seed, out, workers=workers, progress=progress, **options)
        print(f"built {report.n} {kind} at {report.samples_per_second:.1f}/s -> {out}", flush=True)
    return out


# ---------------------------------------------------------------------------------------------- contact sheet


def _geometry(label: Any) -> Iterator[tuple[str, list[Any]]]:
    """Every ``box_xyxy``/``corners``/``polygon`` found anywhere in a label, for drawing."""
    if isinstance(label, Mapping):
        for key, value in label.items():
            if key in ("box_xyxy", "corners", "polygon") and isinstance(value, list) and value:
                yield key, value
            else:
                yield from _geometry(value)
    elif isinstance(label, list):
        for item in label:
            yield from _geometry(item)


def annotate(image: np.ndarray, label: Mapping[str, Any]) -> np.ndarray:
    canvas = image.copy() if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    thickness = max(1, round(max(canvas.shape[:2]) / 400))
    for key, value in _geometry(label):
        if key == "box_xyxy" and len(value) == 4 and all(isinstance(v, int | float) for v in value):
            x1, y1, x2, y2 = (round(v) for v in value)
            cv2.rectangle(canvas, (x1, y1), (x2, y2), (0, 255, 0), thickness)
        elif all(isinstance(p, list | tuple) and len(p) == 2 for p in value):
            pts = np.round(np.asarray(value, dtype=np.float64)).astype(np.int32)
            cv2.polylines(canvas, [pts], True, (0, 0, 255), thickness)
            cv2.circle(canvas, tuple(int(v) for v in pts[0]), thickness * 2, (255, 0, 0), -1)
    return canvas


def contact_sheet(
    items: Sequence[tuple[np.ndarray, Mapping[str, Any]]], tile_wh: tuple[int, int] = (320, 240), cols: int = 6
) -> np.ndarray:
    """Tiles of annotated samples (boxes green, corners red with the first corner blue) with their index."""
    if not items:
        raise ValueError("a contact sheet needs at least one sample")
    tw, th = tile_wh
    rows = math.ceil(len(items) / cols)
    sheet = np.full((rows * (th + 18), cols * tw, 3), 255, np.uint8)
    for k, (image, label) in enumerate(items):
        tile = annotate(image, label)
        scale = min(tw / tile.shape[1], th / tile.shape[0])
        tile = cv2.resize(tile, (max(1, int(tile.shape[1] * scale)), max(1, int(tile.shape[0] * scale))),
                          interpolation=cv2.INTER_AREA)
        r, c = divmod(k, cols)
        y0, x0 = r * (th + 18), c * tw
        sheet[y0 : y0 + tile.shape[0], x0 : x0 + tile.shape[1]] = tile
        caption = str(label.get("index", k))
        cv2.putText(sheet, caption, (x0 + 4, y0 + th + 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1)
    return sheet
