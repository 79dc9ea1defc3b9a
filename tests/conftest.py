from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

REPO = Path(__file__).resolve().parents[1]
REALDEV = REPO.parent / "shared" / "data" / "real-dev"


@pytest.fixture(scope="session")
def realdev() -> Path:
    if not (REALDEV / "labels.jsonl").is_file():
        pytest.skip(f"real-dev data not found at {REALDEV}")
    return REALDEV


@pytest.fixture(scope="session")
def engine():
    from inference.engine import Engine, EngineOptions

    return Engine(options=EngineOptions(intra_op_threads=1))


@pytest.fixture(scope="session")
def ocr_reader(engine):
    from inference.vehicle import OcrVehicleReader

    return OcrVehicleReader(engine)
