"""What the service holds while it runs: settings, store, engine and the readers built on it.

Models load in a background thread at start-up, so ``/healthz`` answers at once while ``/readyz`` stays
503 until every catalog model is loaded, verified and warmed up.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from inference.documents.reader import DocumentReader
from inference.engine import Engine
from inference.vehicle import VehicleReader, make_reader
from models import ModelCatalog

from .admission import Gate
from .settings import Settings
from .storage import Store

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    store: Store
    engine: Engine
    reader: VehicleReader | None = None
    documents: DocumentReader | None = None
    error: str | None = None
    reviews: Gate = field(default_factory=lambda: Gate(1, 16))  # cases reviewed at once, the others in turn
    _ready: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        store = Store(settings.database_url)
        engine = Engine(ModelCatalog.load(), settings.engine_options())
        return cls(settings, store, engine, reviews=Gate(settings.review_slots(), settings.max_review_queue))

    def load_models(self) -> None:
        try:
            self.engine.load_all()
            self.reader = make_reader(self.engine, self.settings.reader)
            self.documents = DocumentReader(self.engine, authenticity_thresholds=self.settings.document_thresholds())
            self.documents.warm_up()  # the first review does not pay for the lexicon
            self._ready.set()
            log.info("ready: %d models loaded", len(self.engine.loaded))
        except Exception as exc:  # the service keeps answering /readyz with the reason
            self.error = f"{type(exc).__name__}: {exc}"
            log.exception("model loading failed")

    def start_loading(self) -> threading.Thread:
        thread = threading.Thread(target=self.load_models, name="model-loader", daemon=True)
        thread.start()
        return thread

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def wait_ready(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout)
