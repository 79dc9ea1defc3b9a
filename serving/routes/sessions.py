"""Remote video inspection sessions: REST for the inspector, a WebSocket for the owner's phone stream."""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any, Literal

import cv2
from fastapi import APIRouter, Depends, HTTPException, Request, UploadFile, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from .. import client_json
from ..report import build_report, render_html
from ..sessions import FrameError, LiveSession, SessionError, SessionManager

router = APIRouter(prefix="/v1", tags=["sessions"])


def get_sessions(request: Request) -> SessionManager:
    return request.app.state.sessions


SessionsDep = Annotated[SessionManager, Depends(get_sessions)]


class SessionIn(BaseModel):
    record: dict[str, str] = Field(description="the vehicle record of the application (plate, vin, model, ...)")
    business_type: str = "registration"
    checklist: list[str] | None = Field(None, description="required items; default: the business type's list")


class FocusIn(BaseModel):
    item: str | None


class CloseIn(BaseModel):
    inspector: str = Field(min_length=1, max_length=128)
    decision: Literal["approved", "rejected", "follow_up"] | None = None
    notes: str | None = Field(None, max_length=2000)


def _http(err: SessionError) -> HTTPException:
    return HTTPException(err.status, detail=err.message)


async def _live(manager: SessionManager, session_id: str, open_only: bool = False) -> LiveSession:
    try:
        return await (manager.get_open(session_id) if open_only else manager.get(session_id))
    except SessionError as err:
        raise _http(err) from None


@router.post("/sessions", status_code=201)
async def create_session(body: SessionIn, manager: SessionsDep) -> dict[str, Any]:
    """Open a session for a vehicle record and a checklist; stream frames to ``stream_url``."""
    try:
        live = await run_in_threadpool(manager.create, body.record, body.business_type, body.checklist)
    except ValueError as err:
        raise HTTPException(422, detail=str(err)) from None
    return {"id": live.id, "status": live.status, "checklist": [str(i) for i in live.state.checklist],
            "stream_url": f"/v1/sessions/{live.id}/stream", "state": manager.state_summary(live)}


@router.get("/sessions/{session_id}")
async def get_session(session_id: str, manager: SessionsDep) -> dict[str, Any]:
    live = await _live(manager, session_id)
    return {"id": live.id, "business_type": live.business_type, "record": live.record.to_dict(),
            "created_at": live.created_at.isoformat(), "state": manager.state_summary(live),
            "guidance": None if live.last_guidance is None else
            {"code": str(live.last_guidance.code), "message": live.last_guidance.message}}


@router.post("/sessions/{session_id}/frames")
async def post_frame(session_id: str, request: Request, manager: SessionsDep) -> dict[str, Any]:
    """One JPEG frame as the raw request body: quality, guidance and (when the reader is free) a read."""
    live = await _live(manager, session_id, open_only=True)
    data = await request.body()
    try:
        return await manager.process_one(live, data)
    except FrameError as err:
        raise HTTPException(400, detail=str(err)) from None


@router.post("/sessions/{session_id}/video", status_code=202)
async def post_video(session_id: str, video: UploadFile, manager: SessionsDep) -> dict[str, Any]:
    """A recorded video, processed at its own pace in the background (no frame is skipped; a full read
    every ``video_read_every``-th good frame). Progress shows in the session state."""
    live = await _live(manager, session_id, open_only=True)
    suffix = Path(video.filename or "video.mp4").suffix or ".mp4"
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as tmp:
        while chunk := await video.read(1 << 20):
            tmp.write(chunk)
    path = Path(tmp.name)
    cap = await run_in_threadpool(cv2.VideoCapture, str(path))
    if not cap.isOpened():
        path.unlink(missing_ok=True)
        raise HTTPException(415, detail="the upload is not a video this service can decode (mp4v, MJPG, ...)")
    frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    cap.release()
    task = asyncio.get_running_loop().create_task(_process_video(manager, live, path))
    live.tasks.add(task)
    task.add_done_callback(live.tasks.discard)
    return {"session": live.id, "frames": frames, "status": "processing"}


async def _process_video(manager: SessionManager, live: LiveSession, path: Path) -> None:
    cap = cv2.VideoCapture(str(path))
    try:
        index = 0
        while live.status == "open":
            ok, image = await run_in_threadpool(cap.read)
            if not ok:
                break
            index += 1
            ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
            if not ok:
                continue
            read = index % manager.settings.video_read_every == 0
            while read and live.reading:  # at its own pace: wait for the previous read instead of skipping
                await asyncio.sleep(0.02)
            await manager.process_one(live, buf.tobytes(), allow_read=read)
    finally:
        cap.release()
        path.unlink(missing_ok=True)


@router.post("/sessions/{session_id}/focus")
async def set_focus(session_id: str, body: FocusIn, manager: SessionsDep) -> dict[str, Any]:
    """The inspector names the item being captured now (front and rear look alike to the reader)."""
    live = await _live(manager, session_id, open_only=True)
    try:
        await manager.set_focus(live, body.item)
    except SessionError as err:
        raise _http(err) from None
    return manager.state_summary(live)


@router.post("/sessions/{session_id}/close")
async def close_session(session_id: str, body: CloseIn, manager: SessionsDep) -> dict[str, Any]:
    """Close the session: the report becomes final and is stored with it."""
    live = await _live(manager, session_id)
    try:
        return await manager.close(live, body.inspector, body.decision, body.notes)
    except SessionError as err:
        raise _http(err) from None


async def _report(manager: SessionManager, session_id: str) -> dict[str, Any]:
    row = await run_in_threadpool(_row, manager, session_id)
    if row.report_json:
        return json.loads(row.report_json)
    live = await _live(manager, session_id)
    return await run_in_threadpool(build_report, manager, session_id, live, None, None, None, None)


def _row(manager: SessionManager, session_id: str):  # type: ignore[no-untyped-def]
    try:
        return manager.row(session_id)
    except SessionError as err:
        raise _http(err) from None


@router.get("/sessions/{session_id}/report")
async def report_json(session_id: str, manager: SessionsDep) -> dict[str, Any]:
    """The report: final once the session is closed, a draft (``final: false``) before."""
    return await _report(manager, session_id)


@router.get("/sessions/{session_id}/report.html", response_class=HTMLResponse)
async def report_html(session_id: str, manager: SessionsDep) -> HTMLResponse:
    report = await _report(manager, session_id)
    page = await run_in_threadpool(render_html, report, manager.settings.data_dir)
    return HTMLResponse(page)


@router.get("/sessions/{session_id}/evidence")
async def list_evidence(session_id: str, manager: SessionsDep) -> dict[str, Any]:
    """Every evidence record of the session (the chain) and whether the chain verifies."""
    await run_in_threadpool(_row, manager, session_id)
    rows = await run_in_threadpool(manager.store.evidence, session_id)
    check = await run_in_threadpool(manager.store.verify, session_id)
    return {"session": session_id, "evidence": [manager.evidence_dict(r) for r in rows],
            "chain": {"ok": check.ok, "records": check.records, "problems": list(check.problems)}}


@router.get("/sessions/{session_id}/evidence/{seq}")
async def evidence_file(session_id: str, seq: int, manager: SessionsDep) -> FileResponse:
    rows = await run_in_threadpool(manager.store.evidence, session_id)
    row = next((r for r in rows if r.seq == seq), None)
    if row is None:
        raise HTTPException(404, detail=f"session {session_id} has no evidence record {seq}")
    return FileResponse(manager.settings.data_dir / row.path, media_type="image/jpeg")


@router.websocket("/sessions/{session_id}/stream")
async def stream(websocket: WebSocket, session_id: str) -> None:
    """Binary messages are JPEG frames; text messages are JSON controls (``{"type": "focus", "item": ...}``,
    ``{"type": "state"}``, ``{"type": "ping"}``). Every processed frame is answered with a ``frame``
    message, every finished read with a ``read`` message; a bad frame or message gets an ``error``
    message and the stream goes on."""
    manager: SessionManager = websocket.app.state.sessions
    await websocket.accept()
    try:
        live = await manager.get_open(session_id)
    except SessionError as err:
        await websocket.send_json({"type": "error", "code": err.code, "detail": err.message})
        await websocket.close(code=4404 if err.status == 404 else 4409)
        return
    lock = asyncio.Lock()

    async def send(message: dict[str, Any]) -> None:
        async with lock:
            await websocket.send_text(json.dumps(message, ensure_ascii=False))

    manager.subscribe(live, send)
    try:
        await send({"type": "hello", "session": live.id, "state": manager.state_summary(live)})
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            if message.get("bytes") is not None:
                if live.status != "open":
                    await send({"type": "error", "code": "not_open", "detail": f"the session is {live.status}"})
                else:
                    manager.submit(live, message["bytes"])
            elif message.get("text") is not None:
                await _control(manager, live, message["text"], send)
    except WebSocketDisconnect:
        pass
    finally:
        manager.unsubscribe(live, send)


async def _control(manager: SessionManager, live: LiveSession, text: str, send: Any) -> None:
    try:
        msg = client_json.loads(text)
        kind = msg["type"] if isinstance(msg, dict) else None
    except (client_json.ClientJSONError, KeyError):
        await send({"type": "error", "code": "bad_message", "detail": "expected a JSON object with a 'type'"})
        return
    if kind == "ping":
        await send({"type": "pong", "time": time.time()})
    elif kind == "state":
        await send({"type": "state", "state": manager.state_summary(live)})
    elif kind == "focus":
        try:
            await manager.set_focus(live, msg.get("item"))
            await send({"type": "state", "state": manager.state_summary(live)})
        except SessionError as err:
            await send({"type": "error", "code": err.code, "detail": err.message})
    else:
        await send({"type": "error", "code": "bad_message",
                    "detail": f"unknown message type {kind!r}; expected ping, state or focus"})
