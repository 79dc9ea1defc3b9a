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
    reader: Literal["auto", "dedicated", "general-ocr"] = "auto"
    # Blocking inference runs in worker threads; more than the cores only queues work inside ORT.
    inference_workers: int = Field(2, ge=1, le=32)

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'chayan.db').as_posix()}"
        return self

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
