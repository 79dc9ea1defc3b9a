from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ..deps import RuntimeDep
from ..schemas import ReadyOut, ReviewQueueOut

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up (it may still be loading models)."""
    return {"status": "ok"}


@router.get("/readyz", response_model=ReadyOut, responses={503: {"model": ReadyOut}})
def readyz(runtime: RuntimeDep) -> JSONResponse:
    """Ready only once every catalog model is loaded, verified and warmed up, and the database answers; with the case
    reviews running and waiting their turn."""
    try:
        db_ok = runtime.store.ping()
    except Exception:
        db_ok = False
    models = {
        name: {"version": m.entry.version, "sha256": m.entry.sha256, "provider": m.provider,
               "load_ms": round(m.load_ms, 1), "warmup_ms": round(m.warmup_ms or 0.0, 1)}
        for name, m in runtime.engine.loaded.items()
    }
    ready = runtime.ready and db_ok
    gate = runtime.reviews
    reviews = ReviewQueueOut(slots=gate.slots, running=gate.running, waiting=gate.waiting, max_waiting=gate.max_waiting)
    body = ReadyOut(ready=ready, models=models, database=db_ok, error=runtime.error, reviews=reviews)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
