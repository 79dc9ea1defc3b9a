"""Service settings, read from the environment (prefix ``CHAYAN_``) or a ``.env`` file and validated at
start-up: a wrong value stops the service with a message naming the setting, before any model loads."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from inference.engine import EngineOptions


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHAYAN_", env_file=".env", extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    data_dir: Path = Path("var")
    database_url: str = ""  # empty: SQLite file under data_dir
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    intra_op_threads: int = Field(1, ge=1, le=64)
    inter_op_threads: int = Field(1, ge=1, le=64)
    ort_allow_spinning: bool = False
    graph_optimization: Literal["disable", "basic", "extended", "all"] = "all"

    max_upload_bytes: int = Field(20 * 1024 * 1024, ge=1024)
    max_image_pixels: int = Field(50_000_000, ge=10_000)
    reader: Literal["auto", "dedicated", "text-lines", "general-ocr"] = "auto"
    # Blocking inference runs in worker threads; more than the cores only queues work inside ORT.
    inference_workers: int = Field(2, ge=1, le=32)

    # Remote inspection sessions: idle expiry, full reads in flight across all sessions, evidence limits.
    session_idle_minutes: float = Field(30.0, gt=0)
    session_sweep_seconds: float = Field(30.0, gt=0)
    session_read_workers: int = Field(2, ge=1, le=16)
    max_frame_bytes: int = Field(4 * 1024 * 1024, ge=1024)
    evidence_max_per_session: int = Field(200, ge=1)
    evidence_jpeg_quality: int = Field(90, ge=50, le=100)
    video_read_every: int = Field(5, ge=1, le=100)  # uploaded videos: a full read every n-th good frame
    max_video_bytes: int = Field(512 * 1024 * 1024, ge=1024)  # a recorded video's upload (about 3 min of 4K)

    # Document pre-review. Per-office authenticity thresholds override the catalog's: inline as JSON
    # (CHAYAN_AUTHENTICITY_THRESHOLDS='{"tampered": 0.6}') or in the file `chayan calibrate-authenticity` writes
    # (default: <data_dir>/authenticity_thresholds.json); inline values win.
    authenticity_thresholds: dict[str, float] = Field(default_factory=dict)
    authenticity_calibration_file: Path | None = None
    max_review_files: int = Field(8, ge=1, le=50)
    # Cases reviewed at once (0: one per two inference workers, at least one). A review keeps two cores busy on its
    # own; reviews started together share them, each as slow as all of them and each holding its decoded pages. The
    # others wait their turn (first come, first served); past max_review_queue waiting, 503 with Retry-After.
    review_workers: int = Field(0, ge=0, le=16)
    max_review_queue: int = Field(16, ge=0, le=1000)
    max_pdf_pages: int = Field(10, ge=1, le=100)  # also a multi-page TIFF's (a scanner's batch)
    max_pdf_page_inches: float = Field(20.0, gt=1.0)

    @model_validator(mode="after")
    def _check_authenticity(self) -> Settings:
        self.document_thresholds()  # a bad calibration file or value stops the service here
        return self

    def calibration_path(self) -> Path:
        return self.authenticity_calibration_file or self.data_dir / "authenticity_thresholds.json"

    def document_thresholds(self) -> dict[str, float]:
        import json

        from inference.documents.authenticity import validate_thresholds

        merged: dict[str, float] = {}
        path = self.calibration_path()
        if path.is_file():
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                merged.update(validate_thresholds(raw.get("thresholds", raw)))
            except (ValueError, AttributeError) as err:
                raise ValueError(f"authenticity calibration file {path} is not valid: {err}") from None
        merged.update(validate_thresholds(self.authenticity_thresholds))
        return merged

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'chayan.db').as_posix()}"
        return self

    def review_slots(self) -> int:
        """Cases reviewed at once (``review_workers``, or one per two inference workers)."""
        return self.review_workers or max(1, self.inference_workers // 2)

    def engine_options(self) -> EngineOptions:
        return EngineOptions(
            intra_op_threads=self.intra_op_threads,
            inter_op_threads=self.inter_op_threads,
            allow_spinning=self.ort_allow_spinning,
            graph_optimization=self.graph_optimization,
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
