"""Remote video sessions end to end: a real server on loopback, the WebSocket driven with JPEG frames of
plates rendered by the data factory, a restart mid-session, the evidence chain and malformed input."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import websockets

from benchmarks.sessions import jpeg, plate_scene, serve, shaky_frames, write_video

PLATE = "皖A12345"


@pytest.fixture(scope="module")
def frames() -> list[bytes]:
    rng = np.random.default_rng(11)
    return shaky_frames(rng, plate_scene(rng, PLATE), 6)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("var")
    with serve(data_dir) as (base, _proc), httpx.Client(base_url=base, timeout=60) as client:
        yield client, base, data_dir


def _ws(base: str, sid: str) -> str:
    return base.replace("http://", "ws://") + f"/v1/sessions/{sid}/stream"


def _create(client: httpx.Client, business_type: str = "plate_replacement", **record: str) -> str:
    r = client.post("/v1/sessions", json={"record": record or {"plate": PLATE}, "business_type": business_type})
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def _drive(url: str, frames: list[bytes], until: Callable[[dict[str, Any]], bool], timeout: float = 90.0,
                 fps: float = 8.0) -> list[dict[str, Any]]:
    """Stream ``frames`` in a loop until the state after a finished read (evidence stored, state saved)
    satisfies ``until``; return every message."""
    got: list[dict[str, Any]] = []
    async with websockets.connect(url, max_size=2**24) as ws:
        got.append(json.loads(await ws.recv()))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        i = 0
        while loop.time() < deadline:
            await ws.send(frames[i % len(frames)])
            i += 1
            end = loop.time() + 1 / fps
            while (left := end - loop.time()) > 0:
                try:
                    msg = json.loads(await asyncio.wait_for(ws.recv(), left))
                except TimeoutError:
                    break
                got.append(msg)
                if msg["type"] == "read" and until(msg["state"]):
                    return got
    raise AssertionError(f"condition not reached in {timeout} s; last state {got[-1].get('state')}")


def test_stream_fuses_completes_checklist_and_reports(server, frames):
    client, base, data_dir = server
    sid = _create(client)
    msgs = asyncio.run(_drive(_ws(base, sid), frames, lambda s: s["complete"]))
    frame_msgs = [m for m in msgs if m["type"] == "frame"]
    assert frame_msgs and all({"quality", "guidance", "detections", "state", "skipped"} <= set(m) for m in frame_msgs)
    reads = [m for m in msgs if m["type"] == "read"]
    assert reads[-1]["detections"][0]["field"] == "plate" and len(reads[-1]["detections"][0]["box_xyxy"]) == 4
    state = client.get(f"/v1/sessions/{sid}").json()["state"]
    assert state["fused"]["plate"]["text"] == PLATE and state["fused"]["plate"]["stable"]
    assert [c["verdict"] for c in state["comparison"]] == ["match"]
    assert all(i["complete"] for i in state["checklist"])
    assert state["fused"]["plate"]["reads"] <= 10  # the right answer within 10 read frames

    ev = client.get(f"/v1/sessions/{sid}/evidence").json()
    assert ev["chain"]["ok"] and len(ev["evidence"]) >= 2
    first = ev["evidence"][0]
    assert first["prev_hash"] == "0" * 64 and ev["evidence"][1]["prev_hash"] == first["chain_hash"]
    image = client.get(first["url"])
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    import hashlib

    assert hashlib.sha256(image.content).hexdigest() == first["sha256"]

    draft = client.get(f"/v1/sessions/{sid}/report").json()
    assert draft["final"] is False
    closed = client.post(f"/v1/sessions/{sid}/close", json={"inspector": "张警官", "decision": "approved"})
    assert closed.status_code == 200, closed.text
    report = client.get(f"/v1/sessions/{sid}/report").json()
    assert report["final"] and report["inspector"] == "张警官" and report["evidence_chain"]["ok"]
    assert report == closed.json()  # the final report is stored and served unchanged
    page = client.get(f"/v1/sessions/{sid}/report.html").text
    assert "FINAL" in page and "data:image/jpeg;base64," in page and PLATE in page and "张警官" in page
    assert client.post(f"/v1/sessions/{sid}/frames", content=frames[0]).status_code == 409


def test_modified_evidence_file_breaks_the_chain(server, frames):
    client, base, data_dir = server
    sid = _create(client)
    asyncio.run(_drive(_ws(base, sid), frames, lambda s: s["checklist"][0]["evidence_frame"] is not None))
    ev = client.get(f"/v1/sessions/{sid}/evidence").json()
    assert ev["chain"]["ok"]
    path = Path(data_dir) / "evidence" / sid / f"{1:04d}-{ev['evidence'][0]['item']}.jpg"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    broken = client.get(f"/v1/sessions/{sid}/evidence").json()["chain"]
    assert not broken["ok"] and any("modified" in p for p in broken["problems"])


async def _malformed_and_neighbour(base: str, bad_sid: str, good_sid: str, frames: list[bytes]) -> tuple[list, list]:
    bad_msgs: list[dict[str, Any]] = []
    good_msgs: list[dict[str, Any]] = []
    async with websockets.connect(_ws(base, bad_sid), max_size=2**24) as bad, \
            websockets.connect(_ws(base, good_sid), max_size=2**24) as good:
        await bad.recv()
        await good.recv()
        payloads: list[str | bytes] = [b"not a jpeg at all", frames[0][: len(frames[0]) // 2],
                                       b"\xff\xd8garbage\xff\xd9", "{not json", json.dumps({"type": "dance"}),
                                       json.dumps([1, 2]), "[" * 100_000 + "]" * 100_000,  # it closed the socket
                                       json.dumps({"type": "focus", "item": "nameplate"})]
        for p in payloads:
            await bad.send(p)
            await good.send(frames[0])
            bad_msgs.append(json.loads(await asyncio.wait_for(bad.recv(), 30)))
        await bad.send(frames[1])  # the socket is still open and the session still works
        while True:
            msg = json.loads(await asyncio.wait_for(bad.recv(), 30))
            if msg["type"] == "frame":
                bad_msgs.append(msg)
                break
        await asyncio.sleep(1.0)
        while True:
            try:
                good_msgs.append(json.loads(await asyncio.wait_for(good.recv(), 0.5)))
            except TimeoutError:
                break
    return bad_msgs, good_msgs


def test_malformed_frames_and_messages_get_errors_and_other_sessions_go_on(server, frames):
    client, base, _ = server
    bad_sid, good_sid = _create(client), _create(client)
    bad_msgs, good_msgs = asyncio.run(_malformed_and_neighbour(base, bad_sid, good_sid, frames))
    errors = bad_msgs[:8]
    assert [m["type"] for m in errors] == ["error"] * 8, errors
    assert [m["code"] for m in errors] == ["bad_frame"] * 3 + ["bad_message"] * 4 + ["bad_item"]
    assert "not a JPEG" in errors[0]["detail"] and "truncated" in errors[1]["detail"]
    assert bad_msgs[-1]["type"] == "frame" and "quality" in bad_msgs[-1]
    assert sum(m["type"] == "frame" for m in good_msgs) >= 3
    assert client.get("/healthz").status_code == 200
    assert client.get(f"/v1/sessions/{bad_sid}").json()["state"]["status"] == "open"


def test_unknown_session_on_the_socket_and_over_http(server):
    client, base, _ = server

    async def go() -> tuple[dict[str, Any], int | None]:
        async with websockets.connect(_ws(base, "f" * 32)) as ws:
            msg = json.loads(await ws.recv())
            try:
                await ws.recv()
            except websockets.ConnectionClosed as closed:
                return msg, closed.rcvd.code if closed.rcvd else None
        return msg, None

    msg, code = asyncio.run(go())
    assert msg["code"] == "not_found" and code == 4404
    assert client.get(f"/v1/sessions/{'f' * 32}").status_code == 404
    assert client.post("/v1/sessions", json={"record": {"plate": PLATE}, "business_type": "scrap"}).status_code == 422
    r = client.post("/v1/sessions", json={"record": {"colour": "red"}})
    assert r.status_code == 422 and "unknown vehicle record fields" in r.text


def test_http_frames_and_uploaded_video(server, frames, tmp_path):
    client, _, _ = server
    sid = _create(client)
    r = client.post(f"/v1/sessions/{sid}/frames", content=frames[0], headers={"content-type": "image/jpeg"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["read_started"] and body["state"]["fused"]["plate"]["text"] == PLATE
    assert client.post(f"/v1/sessions/{sid}/frames", content=b"junk").status_code == 400

    rng = np.random.default_rng(3)
    import cv2

    scene = plate_scene(rng, PLATE)
    video = write_video(tmp_path / "walk.avi", [np.roll(scene, k, axis=1) for k in range(0, 30, 2)], fps=15)
    with video.open("rb") as f:
        r = client.post(f"/v1/sessions/{sid}/video", files={"video": ("walk.avi", f, "video/x-msvideo")})
    assert r.status_code == 202 and r.json()["frames"] == 15
    for _ in range(200):
        state = client.get(f"/v1/sessions/{sid}").json()["state"]
        if state["frames"]["processed"] >= 16:
            break
        import time

        time.sleep(0.3)
    assert state["frames"]["processed"] >= 16 and state["frames"]["skipped"] == 0
    assert state["fused"]["plate"]["reads"] >= 2
    bad = client.post(f"/v1/sessions/{sid}/video", files={"video": ("x.mp4", b"not a video", "video/mp4")})
    assert bad.status_code == 415
    del cv2


def test_stream_client_streams_a_generated_video(server, tmp_path):
    client, base, _ = server
    sid = _create(client)
    rng = np.random.default_rng(5)
    scene = plate_scene(rng, PLATE)
    video = write_video(tmp_path / "demo.mp4", [np.roll(scene, (k % 3, k % 5), axis=(0, 1)) for k in range(45)],
                        fps=15)
    proc = subprocess.run([sys.executable, "-m", "serving.cli", "stream", str(video), "--server", base, "--session",
                           sid], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["sent"] == 45 and summary["answered"] >= 30 and summary["errors"] == 0
    assert summary["answered"] + summary["skipped"] >= 44
    assert summary["state"]["fused"]["plate"]["text"] == PLATE


def _settled(client: httpx.Client, sid: str, timeout: float = 20.0) -> dict[str, Any]:
    """The session's state once a read that was under way when the stream closed has been fused and saved: the
    same fused reads, checklist and frame counts twice, half a second apart."""

    def progress(state: dict[str, Any]) -> tuple[Any, ...]:
        return state["fused"], state["checklist"], state["frames"]

    state = client.get(f"/v1/sessions/{sid}").json()["state"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.5)
        again = client.get(f"/v1/sessions/{sid}").json()["state"]
        if progress(again) == progress(state):
            return again
        state = again
    raise AssertionError(f"session {sid} still changing after {timeout} s")


def test_restart_mid_session_keeps_session_and_evidence(tmp_path, frames):
    data_dir = tmp_path / "var"
    with serve(data_dir) as (base, _), httpx.Client(base_url=base, timeout=60) as client:
        sid = _create(client)
        asyncio.run(_drive(_ws(base, sid), frames, lambda s: s["checklist"][0]["complete"]))
        before = _settled(client, sid)
        evidence_before = client.get(f"/v1/sessions/{sid}/evidence").json()["evidence"]
        assert evidence_before
    with serve(data_dir) as (base, _), httpx.Client(base_url=base, timeout=60) as client:
        after = client.get(f"/v1/sessions/{sid}").json()["state"]
        assert after["fused"] == before["fused"] and after["checklist"] == before["checklist"]
        assert after["frames"]["received"] == before["frames"]["received"]
        ev = client.get(f"/v1/sessions/{sid}/evidence").json()
        assert ev["evidence"][: len(evidence_before)] == evidence_before and ev["chain"]["ok"]
        received = before["frames"]["received"]

        def continued(state: dict[str, Any]) -> bool:
            return state["complete"] and state["frames"]["received"] > received

        asyncio.run(_drive(_ws(base, sid), frames, continued))  # the stream continues
        final = client.get(f"/v1/sessions/{sid}/evidence").json()
        assert final["chain"]["ok"] and final["evidence"][: len(evidence_before)] == evidence_before
        # the rear item's evidence is stored after the restart, unless a read under way when the first stream closed
        # completed it before (seen under load)
        assert len(final["evidence"]) > len(evidence_before) or before["complete"]


def test_idle_sessions_expire(tmp_path):
    from serving.runtime import Runtime
    from serving.sessions import SessionError, SessionManager
    from serving.settings import Settings

    async def go() -> None:
        runtime = Runtime.create(Settings(data_dir=tmp_path, session_idle_minutes=5))
        manager = SessionManager(runtime)
        live = manager.create({"plate": PLATE}, "change", None)
        assert await manager.expire_idle() == []
        later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=6)
        live.last_activity -= 3600
        assert await manager.expire_idle(later) == [live.id]
        with pytest.raises(SessionError, match="expired"):
            await manager.get_open(live.id)
        runtime.store.close()

    asyncio.run(go())


def test_frame_factory_renders_what_the_reader_reads(ocr_reader):
    from inference.types import Frame

    rng = np.random.default_rng(11)
    import cv2

    image = cv2.imdecode(np.frombuffer(jpeg(plate_scene(rng, PLATE)), np.uint8), cv2.IMREAD_COLOR)
    assert [p.text for p in ocr_reader.read(Frame(image)).plates] == [PLATE]
