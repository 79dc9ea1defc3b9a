"""Handheld / AR inspection: one photo plus the application's vehicle record -> per-field verdicts."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Form, HTTPException, UploadFile
from starlette.concurrency import run_in_threadpool

from inference.inspection import RecordComparison, VehicleRecord, compare_record, nameplate_fields, readings_of
from inference.quality import assess_quality, guidance_for
from inference.types import Frame, VehicleRead
from inference.vehicle import VehicleReader

from .. import client_json
from ..deps import ReadyRuntimeDep
from ..images import UploadError, decode_image
from ..masking import mask_plate, mask_vin
from ..schemas import ErrorOut, ReadOut
from ..sessions import guidance_dict, quality_dict

router = APIRouter(prefix="/v1", tags=["inspections"])

NAMEPLATE_FIELDS = ("model", "engine_model", "production_date")


def parse_record(text: str) -> VehicleRecord:
    try:
        data = client_json.loads(text)
    except client_json.ClientJSONError as err:
        raise ValueError(f"the record is not JSON: {err}") from None
    if not isinstance(data, dict):
        raise ValueError("the record must be a JSON object such as {\"plate\": ..., \"vin\": ...}")
    record = VehicleRecord.from_mapping(data)
    if not record.expected():
        raise ValueError("the record has no field to compare (plate, vin, model, engine_model, production_date)")
    return record


def inspect_frame(reader: VehicleReader, frame: Frame, record: VehicleRecord
                  ) -> tuple[VehicleRead, RecordComparison, dict[str, Any]]:
    """Blocking: read the frame, compare with the record, measure quality. Nameplate fields are read from
    every text line only when the record has some."""
    read = reader.read(frame)
    readings: dict[str, Any] = readings_of(read)
    if any(getattr(record, f) for f in NAMEPLATE_FIELDS):
        readings.update(nameplate_fields(reader.text.read(frame).lines))
    comparison = compare_record(record, readings)
    quality = assess_quality(frame)
    extra = {"quality": quality_dict(quality), "guidance": guidance_dict(guidance_for(quality, None))}
    return read, comparison, extra


def inspection_json(read: VehicleRead, comparison: RecordComparison, extra: dict[str, Any], file: str | None
                    ) -> dict[str, Any]:
    checks = [{"field": c.field, "expected": c.expected, "read": c.read, "verdict": str(c.verdict),
               "reasons": list(c.reasons), "confidence": round(c.confidence, 4),
               "differing_positions": list(c.differing_positions)} for c in comparison.checks]
    overlay = [{"field": c.field, "verdict": str(c.verdict), "color": c.overlay_color, "label": c.read or c.field,
                "box_xyxy": [round(v, 1) for v in c.box_xyxy],
                "corners": [[round(x, 1), round(y, 1)] for x, y in c.corners_xy]}
               for c in comparison.checks if c.box_xyxy is not None]
    return {"verdict": str(comparison.verdict), "checks": checks, "overlay": overlay,
            "read": ReadOut.of(read, file).model_dump(), **extra}


@router.post("/inspections", responses={400: {"model": ErrorOut}, 413: {"model": ErrorOut},
                                        415: {"model": ErrorOut}, 422: {"model": ErrorOut}})
async def inspect(runtime: ReadyRuntimeDep, image: UploadFile, record: str = Form(...)) -> dict[str, Any]:
    """Multipart ``image`` + ``record`` (JSON of the vehicle record): what was read, a verdict per field
    (match / mismatch / unreadable / needs_review, with reasons) and overlay geometry for AR."""
    start = time.perf_counter()
    settings = runtime.settings
    try:
        rec = parse_record(record)
    except ValueError as err:
        raise HTTPException(422, detail=str(err)) from None
    data = await image.read(settings.max_upload_bytes + 1)
    try:
        frame = decode_image(data, settings.max_upload_bytes, settings.max_image_pixels)
    except UploadError as err:
        runtime.store.audit("inspect", err.status, (time.perf_counter() - start) * 1000, err.message)
        raise HTTPException(err.status, detail=err.message) from None
    reader = runtime.reader
    if reader is None:
        raise HTTPException(503, detail="reader not loaded")
    read, comparison, extra = await run_in_threadpool(inspect_frame, reader, frame, rec)
    out = inspection_json(read, comparison, extra, image.filename)
    summary = f"verdict={comparison.verdict} plate={mask_plate(rec.plate or '')} vin={mask_vin(rec.vin or '')} " + \
        " ".join(f"{c.field}:{c.verdict}" for c in comparison.checks)
    await run_in_threadpool(runtime.store.audit, "inspect", 200, (time.perf_counter() - start) * 1000, summary)
    return out
