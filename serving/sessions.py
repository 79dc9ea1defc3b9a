"""Remote video inspection sessions: frames in, quality/guidance/detections/state out, evidence kept.

How a stream keeps up on two shared cores: every frame gets the cheap part (a reduced greyscale JPEG
decode, about 2 ms, and :func:`inference.quality.assess_quality`), and the expensive full read (~0.3-0.6 s
for a 720p frame with the general OCR reader) runs on the latest good frame only when the session has no
read in flight, with at most ``session_read_workers`` reads across all sessions. Frames that arrive while
the previous one is still being processed replace it in a one-frame slot: the newest frame is always the
one served and every frame dropped is counted in ``skipped``. Overlay detections come from the latest read.

All blocking work (decoding, reading, files, database) runs in worker threads; the event loop only moves
bytes and messages. The session state lives in :class:`inference.session.InspectionSession` and is saved
after every read, so a restarted service continues the session where it stopped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from starlette.concurrency import run_in_threadpool

from inference.inspection import VehicleRecord, compare_record, nameplate_fields
from inference.quality import FrameQuality, Guidance, assess_quality
from inference.replay import ReplayCue, screen_replay_cues
from inference.session import (
    ChecklistItem,
    InspectionSession,
    Observation,
    ReadUpdate,
    checklist_for,
)
from inference.types import Frame, VehicleRead

from .masking import mask_plate, mask_vin
from .runtime import Runtime
from .session_store import EvidenceRow, SessionRow, SessionStore, as_utc, utcnow

log = logging.getLogger(__name__)

Sender = Callable[[dict[str, Any]], Awaitable[None]]


class SessionError(Exception):
    """A request the session cannot take; ``status`` is the HTTP status, ``code`` a stable error code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class FrameError(ValueError):
    """A frame that cannot be used (not a JPEG, truncated, too large)."""


@dataclass
class LiveSession:
    """What the service holds in memory for an open session (rebuilt from the database on demand)."""

    id: str
    business_type: str
    record: VehicleRecord
    state: InspectionSession
    status: str
    created_at: dt.datetime
    frames_received: int = 0
    frames_processed: int = 0
    frames_skipped: int = 0
    pending: tuple[bytes, int, float] | None = None  # the latest frame not yet processed: data, seq, arrival
    pump: asyncio.Task[None] | None = None
    reading: bool = False
    last_thumb: np.ndarray | None = None
    last_quality: FrameQuality | None = None
    last_guidance: Guidance | None = None
    last_activity: float = field(default_factory=time.monotonic)
    latencies_ms: deque[float] = field(default_factory=lambda: deque(maxlen=200))
    subscribers: set[Sender] = field(default_factory=set)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


def check_jpeg(data: bytes, max_bytes: int) -> None:
    if not data:
        raise FrameError("the frame is empty")
    if len(data) > max_bytes:
        raise FrameError(f"the frame has {len(data)} bytes; the limit is {max_bytes}")
    if not data.startswith(b"\xff\xd8"):
        raise FrameError("the frame is not a JPEG image (no start-of-image marker)")
    if not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        raise FrameError("the JPEG frame is truncated (no end-of-image marker)")


def _decode_small(data: bytes) -> np.ndarray:
    """Greyscale at a quarter of the size: the JPEG decoder skips most of the work (DCT scaling)."""
    grey = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_REDUCED_GRAYSCALE_4)
    if grey is None or grey.size == 0:
        raise FrameError("the JPEG frame could not be decoded; it may be corrupt")
    return grey


def _decode_full(data: bytes) -> Frame:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise FrameError("the JPEG frame could not be decoded; it may be corrupt")
    return Frame.from_array(image)


def watermark(image: np.ndarray, session_id: str, captured_at: dt.datetime, item: str) -> np.ndarray:
    """A visible band at the bottom of the evidence image: session, capture time (UTC) and item."""
    out = image.copy()
    h, w = out.shape[:2]
    scale = max(0.5, w / 1600)
    thick = max(1, round(scale * 2))
    text = f"Chayan {session_id}  {captured_at.strftime('%Y-%m-%d %H:%M:%S UTC')}  {item}"
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
    band = th + base + 12
    out[h - band : h, : min(w, tw + 16)] //= 3
    cv2.putText(out, text, (8, h - base - 6), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), thick, cv2.LINE_AA)
    return out


def quality_dict(q: FrameQuality) -> dict[str, Any]:
    return {"score": q.score, "sharpness": q.sharpness, "brightness": q.brightness, "glare": q.glare_fraction,
            "motion": q.motion, "issues": [str(i) for i in q.issues]}


def guidance_dict(g: Guidance) -> dict[str, Any]:
    return {"code": str(g.code), "message": g.message, "item": g.item}


class SessionManager:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.store = SessionStore(runtime.store, self.settings.data_dir)
        self.live: dict[str, LiveSession] = {}
        self._reads = asyncio.Semaphore(self.settings.session_read_workers)
        self._sweeper: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep_forever(), name="session-sweeper")

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        for live in list(self.live.values()):
            for task in list(live.tasks) + ([live.pump] if live.pump else []):
                task.cancel()
            await run_in_threadpool(self._persist, live)
        self.live.clear()

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.session_sweep_seconds)
            try:
                await self.expire_idle()
            except Exception:  # the sweeper must outlive a database hiccup
                log.exception("session expiry sweep failed")

    async def expire_idle(self, now: dt.datetime | None = None) -> list[str]:
        """Mark open sessions idle for longer than ``session_idle_minutes`` as expired."""
        now = now or utcnow()
        # Sessions active in memory have fresher activity than their last save.
        for live in self.live.values():
            if live.status == "open" and time.monotonic() - live.last_activity < 5:
                await run_in_threadpool(self.store.save, live.id, updated_at=utcnow())
        cutoff = now - dt.timedelta(minutes=self.settings.session_idle_minutes)
        expired = await run_in_threadpool(self.store.idle_open, cutoff)
        for sid in expired:
            await run_in_threadpool(self.store.save, sid, status="expired")
            live = self.live.pop(sid, None)
            if live is not None:
                live.status = "expired"
                await self._broadcast(live, {"type": "expired", "session": sid,
                                             "detail": "the session expired after being idle"})
            log.info("session %s expired", sid)
        return expired

    # ------------------------------------------------------------------------------------------ sessions

    def create(self, record: Mapping[str, Any], business_type: str, items: Sequence[str] | None) -> LiveSession:
        """Blocking (database): call from a worker thread."""
        rec = VehicleRecord.from_mapping(record)
        checklist = checklist_for(business_type, items)
        sid = uuid.uuid4().hex
        now = utcnow()
        state = InspectionSession(checklist)
        self.store.create(SessionRow(id=sid, created_at=now, updated_at=now, status="open",
                                     business_type=business_type, record_json=json.dumps(rec.to_dict()),
                                     state_json=json.dumps(state.to_dict()), frames_received=0, frames_processed=0,
                                     frames_skipped=0))
        live = LiveSession(sid, business_type, rec, state, "open", now)
        self.live[sid] = live
        log.info("session %s created: %s, plate %s, vin %s", sid, business_type, mask_plate(rec.plate or ""),
                 mask_vin(rec.vin or ""))
        return live

    def load(self, session_id: str) -> LiveSession:
        """The live session, rebuilt from the database after a restart. Blocking on first load."""
        live = self.live.get(session_id)
        if live is not None:
            return live
        row = self.store.get(session_id)
        if row is None:
            raise SessionError(404, "not_found", f"no session {session_id}")
        state = InspectionSession.from_dict(json.loads(row.state_json))
        live = LiveSession(row.id, row.business_type, VehicleRecord(**json.loads(row.record_json)), state, row.status,
                           as_utc(row.created_at), row.frames_received, row.frames_processed, row.frames_skipped)
        if row.status == "open":
            self.live[session_id] = live
        return live

    async def get(self, session_id: str) -> LiveSession:
        live = self.live.get(session_id)
        return live if live is not None else await run_in_threadpool(self.load, session_id)

    async def get_open(self, session_id: str) -> LiveSession:
        live = await self.get(session_id)
        if live.status != "open":
            raise SessionError(409, "not_open", f"session {session_id} is {live.status}; it takes no more frames")
        return live

    def _persist(self, live: LiveSession) -> None:
        self.store.save(live.id, state_json=json.dumps(live.state.to_dict()), updated_at=utcnow(),
                        frames_received=live.frames_received, frames_processed=live.frames_processed,
                        frames_skipped=live.frames_skipped)

    def row(self, session_id: str) -> SessionRow:
        row = self.store.get(session_id)
        if row is None:
            raise SessionError(404, "not_found", f"no session {session_id}")
        return row

    # ------------------------------------------------------------------------------------------ streaming

    def subscribe(self, live: LiveSession, sender: Sender) -> None:
        live.subscribers.add(sender)

    def unsubscribe(self, live: LiveSession, sender: Sender) -> None:
        live.subscribers.discard(sender)
        if not live.subscribers and live.status == "open":
            task = asyncio.get_running_loop().create_task(run_in_threadpool(self._persist, live))
            live.tasks.add(task)
            task.add_done_callback(live.tasks.discard)

    def submit(self, live: LiveSession, data: bytes) -> None:
        """A streamed frame: it takes the one-frame slot (a frame still waiting there is skipped)."""
        live.frames_received += 1
        live.last_activity = time.monotonic()
        if live.pending is not None:
            live.frames_skipped += 1
        live.pending = (data, live.frames_received, time.perf_counter())
        if live.pump is None or live.pump.done():
            live.pump = asyncio.get_running_loop().create_task(self._pump(live), name=f"pump-{live.id[:8]}")

    async def _pump(self, live: LiveSession) -> None:
        while live.pending is not None and live.status == "open":
            data, seq, arrived = live.pending
            live.pending = None
            try:
                message = await self._process(live, data, seq, arrived, wait_read=False)
            except FrameError as err:
                message = {"type": "error", "code": "bad_frame", "seq": seq, "detail": str(err)}
            except Exception as err:  # one frame must never end the stream
                log.exception("frame %d of session %s failed", seq, live.id)
                message = {"type": "error", "code": "frame_failed", "seq": seq, "detail": type(err).__name__}
            await self._broadcast(live, message)

    async def process_one(self, live: LiveSession, data: bytes, allow_read: bool = True) -> dict[str, Any]:
        """A posted frame (HTTP, uploaded video): quality and, when the reader is free, a full read awaited."""
        live.frames_received += 1
        live.last_activity = time.monotonic()
        return await self._process(live, data, live.frames_received, time.perf_counter(), wait_read=True,
                                   allow_read=allow_read)

    async def _process(self, live: LiveSession, data: bytes, seq: int, arrived: float, wait_read: bool,
                       allow_read: bool = True) -> dict[str, Any]:
        check_jpeg(data, self.settings.max_frame_bytes)
        small = await run_in_threadpool(_decode_small, data)
        quality = await run_in_threadpool(assess_quality, small, live.last_thumb)
        live.last_thumb = quality.motion_thumb
        live.last_quality = quality
        live.frames_processed += 1
        read_started = False
        reader = self.runtime.reader
        if allow_read and reader is not None and quality.good and not live.reading:
            live.reading = True
            read_started = True
            task = asyncio.get_running_loop().create_task(self._read(live, data, seq, quality))
            live.tasks.add(task)
            task.add_done_callback(live.tasks.discard)
            if wait_read:
                await task
        guidance = live.state.observe_frame(quality)
        live.last_guidance = guidance
        latency = (time.perf_counter() - arrived) * 1000
        live.latencies_ms.append(latency)
        return {"type": "frame", "seq": seq, "received": live.frames_received, "processed": live.frames_processed,
                "skipped": live.frames_skipped, "latency_ms": round(latency, 1), "read_started": read_started,
                "reading": live.reading, "quality": quality_dict(quality), "guidance": guidance_dict(guidance),
                "detections": self.detections(live), "state": self.state_summary(live)}

    async def _read(self, live: LiveSession, data: bytes, seq: int, quality: FrameQuality) -> None:
        try:
            async with self._reads:
                frame = await run_in_threadpool(_decode_full, data)
                read, cue, extra = await run_in_threadpool(self._read_frame, live, frame, quality.score, seq)
            async with live.lock:
                update = live.state.observe_read(read, quality.score, seq, extra)
                live.state.observe_replay(cue)
                stored = await run_in_threadpool(self._store_evidence, live, frame, update)
                await run_in_threadpool(self._persist, live)
            read_ms = round(read.timings_ms["total"], 1)
            await self._broadcast(live, {"type": "read", "seq": seq, "read_ms": read_ms,
                                         "evidence": [self.evidence_dict(r) for r in stored],
                                         "completed": [str(i) for i in update.completed],
                                         "detections": self.detections(live), "state": self.state_summary(live)})
        except FrameError as err:
            await self._broadcast(live, {"type": "error", "code": "bad_frame", "seq": seq, "detail": str(err)})
        except Exception:
            log.exception("read of frame %d of session %s failed", seq, live.id)
            await self._broadcast(live, {"type": "error", "code": "read_failed", "seq": seq,
                                         "detail": "the frame could not be read"})
        finally:
            live.reading = False

    def _read_frame(self, live: LiveSession, frame: Frame, quality: float, seq: int
                    ) -> tuple[VehicleRead, ReplayCue, list[Observation]]:
        reader = self.runtime.reader
        if reader is None:
            raise RuntimeError("reader not loaded")
        read = reader.read(frame)
        cue = screen_replay_cues(frame)
        extra: list[Observation] = []
        # Nameplate fields need every text line: read them only while the nameplate is being captured.
        wants_nameplate = any(getattr(live.record, f) for f in ("model", "engine_model", "production_date"))
        if wants_nameplate and live.state.active_item is ChecklistItem.nameplate:
            lines = reader.text.read(frame).lines
            for name, readings in nameplate_fields(lines).items():
                extra += [Observation(name, r.text, r.confidence, quality, seq, (), r.box_xyxy) for r in readings]
        return read, cue, extra

    def _store_evidence(self, live: LiveSession, frame: Frame, update: ReadUpdate) -> list[EvidenceRow]:
        rows = []
        for choice in update.evidence:
            if len(self.store.evidence(live.id)) >= self.settings.evidence_max_per_session:
                log.warning("session %s reached the evidence limit; keeping the current evidence", live.id)
                break
            captured = utcnow()
            marked = watermark(frame.image, live.id, captured, str(choice.item))
            ok, buf = cv2.imencode(".jpg", marked, [cv2.IMWRITE_JPEG_QUALITY, self.settings.evidence_jpeg_quality])
            if not ok:
                raise RuntimeError("evidence JPEG encoding failed")
            rows.append(self.store.add_evidence(live.id, str(choice.item), choice.frame_seq, buf.tobytes(),
                                                choice.quality, choice.text, captured))
        return rows

    async def _broadcast(self, live: LiveSession, message: dict[str, Any]) -> None:
        for send in list(live.subscribers):
            try:
                await send(message)
            except Exception:  # a closed socket drops out; the others keep receiving
                live.subscribers.discard(send)

    # ------------------------------------------------------------------------------------------ controls

    async def set_focus(self, live: LiveSession, item: str | None) -> None:
        try:
            live.state.set_focus(item)
        except ValueError as err:
            raise SessionError(422, "bad_item", str(err)) from None
        await run_in_threadpool(self._persist, live)

    async def close(self, live: LiveSession, inspector: str, decision: str | None, notes: str | None
                    ) -> dict[str, Any]:
        from .report import build_report

        if live.status != "open":
            raise SessionError(409, "not_open", f"session {live.id} is already {live.status}")
        async with live.lock:
            for task in list(live.tasks):
                if not task.done():
                    await asyncio.wait([task], timeout=30)
            live.status = "closed"
            closed_at = utcnow()
            await run_in_threadpool(self._persist, live)
            report = await run_in_threadpool(build_report, self, live.id, live, inspector, closed_at, decision, notes)
            await run_in_threadpool(self.store.save, live.id, status="closed", closed_at=closed_at,
                                    closed_by=inspector, report_json=json.dumps(report, ensure_ascii=False))
        await self._broadcast(live, {"type": "closed", "session": live.id})
        self.live.pop(live.id, None)
        return report

    # ------------------------------------------------------------------------------------------ views

    def detections(self, live: LiveSession) -> list[dict[str, Any]]:
        return [{"field": d.field, "text": d.text, "confidence": round(d.confidence, 4),
                 "box_xyxy": [round(v, 1) for v in d.box_xyxy], "agrees": d.agrees}
                for d in live.state.last_detections]

    def comparison(self, live: LiveSession) -> list[dict[str, Any]]:
        readings = {name: [f.reading()] for name, f in live.state.fused.items()}
        checks = compare_record(live.record, readings).checks
        return [{"field": c.field, "expected": c.expected, "read": c.read, "verdict": str(c.verdict),
                 "reasons": list(c.reasons), "confidence": round(c.confidence, 4)} for c in checks]

    def state_summary(self, live: LiveSession) -> dict[str, Any]:
        s = live.state
        active = s.active_item
        return {
            "status": live.status,
            "active_item": str(active) if active else None,
            "complete": s.complete,
            "checklist": [{"item": str(i.item), "field": i.field, "complete": i.complete, "reads": i.reads,
                           "evidence_frame": i.evidence.frame_seq if i.evidence else None,
                           "evidence_quality": i.evidence.quality if i.evidence else None}
                          for i in s.item_status()],
            "fused": {name: {"text": f.text, "confidence": f.confidence, "reads": f.reads, "agreeing": f.agreeing,
                             "stable": f.stable, "valid": f.valid, "corrected": [p + 1 for p in f.corrected]}
                      for name, f in s.fused.items()},
            "comparison": self.comparison(live),
            "replay": {"score": s.replay_score, "frames": s.replay_frames, "suspected": s.replay_suspected},
            "frames": {"received": live.frames_received, "processed": live.frames_processed,
                       "skipped": live.frames_skipped, "read": s.frames_read},
        }

    def evidence_dict(self, row: EvidenceRow) -> dict[str, Any]:
        return {"seq": row.seq, "item": row.item, "frame_seq": row.frame_seq,
                "captured_at": as_utc(row.captured_at).isoformat(), "sha256": row.sha256,
                "prev_hash": row.prev_hash, "chain_hash": row.chain_hash, "quality": row.quality,
                "url": f"/v1/sessions/{row.session_id}/evidence/{row.seq}"}

