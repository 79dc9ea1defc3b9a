"""The FastAPI application: thin routes over the engine, models loaded once per process."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from .body_limit import BodyLimit
from .routes import health, inspections, read, reviews, sessions
from .runtime import Runtime
from .sessions import SessionManager
from .settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = max(4, settings.inference_workers * 2)
        runtime = Runtime.create(settings)
        app.state.runtime = runtime
        runtime.start_loading()
        app.state.sessions = SessionManager(runtime)
        app.state.sessions.start()
        try:
            yield
        finally:
            await app.state.sessions.stop()
            runtime.store.close()

    app = FastAPI(title="Chayan", version="0.1.0", lifespan=lifespan,
                  description="Vehicle inspection and document verification engine")
    app.include_router(health.router)
    app.include_router(read.router)
    app.include_router(reviews.router)
    app.include_router(inspections.router)
    app.include_router(sessions.router)
    app.add_middleware(BodyLimit, limit=lambda path: body_limit(settings, path))
    return app


# room in a request's body for what a multipart form holds besides the files (boundaries, headers, an application)
FORM_ROOM = 1024 * 1024


def body_limit(settings: Settings, path: str) -> int:
    """The most bytes of body a request to ``path`` may send: what its route accepts, and room for the form."""
    if path.endswith("/video"):
        return settings.max_video_bytes + FORM_ROOM
    if path.endswith("/frames"):
        return settings.max_frame_bytes + FORM_ROOM
    if path.startswith("/v1/reviews"):
        return settings.max_review_files * settings.max_upload_bytes + FORM_ROOM
    return settings.max_upload_bytes + FORM_ROOM
