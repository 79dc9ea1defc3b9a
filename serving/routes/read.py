from __future__ import annotations

import time

from fastapi import APIRouter, HTTPException, UploadFile
from starlette.concurrency import run_in_threadpool

from inference.vehicle import ImageHint

from ..deps import ReadyRuntimeDep
from ..images import UploadError, decode_image
from ..masking import mask_plate, mask_vin
from ..schemas import ErrorOut, ReadOut

router = APIRouter(prefix="/v1", tags=["read"])


@router.post(
    "/read",
    response_model=ReadOut,
    responses={400: {"model": ErrorOut}, 413: {"model": ErrorOut}, 415: {"model": ErrorOut}, 503: {"model": ErrorOut}},
)
async def read(runtime: ReadyRuntimeDep, image: UploadFile, hint: ImageHint = ImageHint.frame) -> ReadOut:
    """Read the plates and VINs in one image (multipart field ``image``)."""
    start = time.perf_counter()
    settings = runtime.settings
    data = await image.read(settings.max_upload_bytes + 1)
    try:
        frame = decode_image(data, settings.max_upload_bytes, settings.max_image_pixels)
    except UploadError as err:
        runtime.store.audit("read", err.status, (time.perf_counter() - start) * 1000, err.message)
        raise HTTPException(err.status, detail=err.message) from None
    reader = runtime.reader
    if reader is None:  # ready implies a reader; kept explicit for the type checker
        raise HTTPException(503, detail="reader not loaded")
    result = await run_in_threadpool(reader.read, frame, hint)
    out = ReadOut.of(result, image.filename)
    summary = "plates=" + ",".join(mask_plate(p.text) for p in result.plates)
    summary += " vins=" + ",".join(mask_vin(v.text) for v in result.vins)
    await run_in_threadpool(runtime.store.audit, "read", 200, (time.perf_counter() - start) * 1000, summary)
    return out
