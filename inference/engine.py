"""The one place that creates ONNX Runtime sessions.

Thread counts and graph optimisation come from :class:`EngineOptions` (filled from the service settings);
every session is warmed up once so that the first request does not pay for lazy initialisation, and the
execution provider actually obtained is recorded (ORT falls back silently when a provider is missing).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# ORT 1.31 writes usage telemetry under ~/.cache: nothing leaves or litters the machine.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402

from models import ModelCatalog, ModelEntry  # noqa: E402

from .types import ModelVersion  # noqa: E402

log = logging.getLogger(__name__)

_OPT_LEVELS = {
    "disable": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
    "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
    "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
    "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
}


@dataclass(frozen=True, slots=True)
class EngineOptions:
    intra_op_threads: int = 1
    inter_op_threads: int = 1
    # Spinning threads burn a core while waiting; on a 2-core machine under load they halve throughput.
    allow_spinning: bool = False
    graph_optimization: str = "all"
    providers: tuple[str, ...] = ("CPUExecutionProvider",)

    def __post_init__(self) -> None:
        if self.intra_op_threads < 1 or self.inter_op_threads < 1:
            raise ValueError(
                f"thread counts must be >= 1, got intra={self.intra_op_threads} inter={self.inter_op_threads}"
            )
        if self.graph_optimization not in _OPT_LEVELS:
            raise ValueError(
                f"graph_optimization must be one of {sorted(_OPT_LEVELS)}, got {self.graph_optimization!r}"
            )


class ProviderUnavailableError(RuntimeError):
    pass


class OnnxModel:
    """An ONNX Runtime session with the catalog entry it was made from."""

    def __init__(self, entry: ModelEntry, path: Path, session: ort.InferenceSession, load_ms: float) -> None:
        self.entry = entry
        self.path = path
        self.session = session
        self.load_ms = load_ms
        self.warmup_ms: float | None = None
        self.input_names = tuple(i.name for i in session.get_inputs())
        self.output_names = tuple(o.name for o in session.get_outputs())
        self.provider = session.get_providers()[0]
        self.metadata: Mapping[str, str] = dict(session.get_modelmeta().custom_metadata_map)

    @property
    def version(self) -> ModelVersion:
        return ModelVersion(self.entry.name, self.entry.version, self.entry.sha256)

    def run(self, feeds: Mapping[str, np.ndarray]) -> list[np.ndarray]:
        return self.session.run(None, dict(feeds))

    def warm_up(self, runs: int = 2) -> float:
        """Run the model on zeros of its declared warm-up shape; returns the last run's milliseconds."""
        shape = self.entry.input.get("warmup_shape")
        if not shape:
            raise ValueError(f"model {self.entry.name!r} declares no input.warmup_shape in the catalog")
        dummy = np.zeros(shape, dtype=np.float32)
        elapsed = 0.0
        for _ in range(runs):
            start = time.perf_counter()
            self.run({self.input_names[0]: dummy})
            elapsed = (time.perf_counter() - start) * 1000
        self.warmup_ms = elapsed
        return elapsed


class Engine:
    """Creates and caches one session per catalog model."""

    def __init__(self, catalog: ModelCatalog | None = None, options: EngineOptions | None = None) -> None:
        self.catalog = catalog or ModelCatalog.load()
        self.options = options or EngineOptions()
        self._models: dict[str, OnnxModel] = {}
        self._lock = threading.Lock()

    def session_options(self) -> ort.SessionOptions:
        so = ort.SessionOptions()
        so.intra_op_num_threads = self.options.intra_op_threads
        so.inter_op_num_threads = self.options.inter_op_threads
        so.graph_optimization_level = _OPT_LEVELS[self.options.graph_optimization]
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        spin = "1" if self.options.allow_spinning else "0"
        so.add_session_config_entry("session.intra_op.allow_spinning", spin)
        so.add_session_config_entry("session.inter_op.allow_spinning", spin)
        so.log_severity_level = 3
        return so

    def load(self, name: str, warm_up: bool = True) -> OnnxModel:
        with self._lock:
            if name in self._models:
                return self._models[name]
            entry = self.catalog.get(name)
            path = self.catalog.resolve(name)
            available = set(ort.get_available_providers())
            providers = [p for p in self.options.providers if p in available]
            if not providers:
                raise ProviderUnavailableError(
                    f"none of the requested providers {self.options.providers} is available; have {sorted(available)}"
                )
            start = time.perf_counter()
            session = ort.InferenceSession(str(path), sess_options=self.session_options(), providers=providers)
            model = OnnxModel(entry, path, session, (time.perf_counter() - start) * 1000)
            if model.provider != providers[0]:
                log.warning("model %s asked for %s but runs on %s", name, providers[0], model.provider)
            if warm_up:
                model.warm_up()
            log.info(
                "loaded model %s (%s, sha256 %s) on %s in %.0f ms, warm-up %.0f ms",
                name, entry.version, entry.short_sha, model.provider, model.load_ms, model.warmup_ms or 0.0,
            )
            self._models[name] = model
            return model

    def load_all(self, names: Sequence[str] | None = None) -> list[OnnxModel]:
        return [self.load(n) for n in (names if names is not None else [e.name for e in self.catalog])]

    @property
    def loaded(self) -> Mapping[str, OnnxModel]:
        return dict(self._models)
