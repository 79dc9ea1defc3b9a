from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from .runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_ready_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    if not runtime.ready:
        raise HTTPException(503, detail=runtime.error or "models are still loading; retry shortly",
                            headers={"Retry-After": "2"})
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
ReadyRuntimeDep = Annotated[Runtime, Depends(get_ready_runtime)]
