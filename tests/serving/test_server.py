"""The service started for real (uvicorn subprocess on loopback) and driven over HTTP."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

from benchmarks.sessions import free_port, serve
from tests.serving.test_images import saved_as


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("var")
    # The general reader reads ccpd_001 exactly; the trained readers' accuracy is measured by the benchmarks.
    # uploads up to 2 MiB and videos up to 3 MiB: the body limits are reached with a few megabytes
    env = {"CHAYAN_READER": "general-ocr", "CHAYAN_MAX_UPLOAD_BYTES": str(2 << 20),
           "CHAYAN_MAX_VIDEO_BYTES": str(3 << 20)}
    with serve(data_dir, env=env) as (base, _proc), \
            httpx.Client(base_url=base, timeout=30) as client:
        yield client, data_dir


def _jpeg(image: np.ndarray) -> bytes:
    return cv2.imencode(".jpg", image)[1].tobytes()


def test_health_and_readiness(server):
    client, _ = server
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["ready"] is True and ready["database"] is True
    assert set(ready["models"]) >= {"text-det", "text-rec"}
    assert all(m["provider"] == "CPUExecutionProvider" and m["warmup_ms"] > 0 for m in ready["models"].values())


def test_read_a_real_frame(server, realdev):
    client, _ = server
    data = (realdev / "plates_full/ccpd_001.jpg").read_bytes()
    r = client.post("/v1/read", files={"image": ("ccpd_001.jpg", data, "image/jpeg")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["width"] == 720 and body["height"] == 1160
    assert [p["text"] for p in body["plates"]] == ["沪M39018"]
    plate = body["plates"][0]
    assert plate["color"] == "blue" and plate["valid"] is True
    x1, y1, x2, y2 = plate["box_xyxy"]
    assert x1 < 300 < x2 and y1 < 520 < y2  # the labelled plate box is 258,482-548,573
    assert len(plate["chars"]) == 7
    assert body["vins"] == [] and body["nameplates"] == []
    assert body["timings_ms"]["total"] >= body["timings_ms"]["ocr"] > 0
    assert {m["name"] for m in body["models"]} == {"text-det", "text-rec"}


def test_read_a_real_frame_sent_as_heic(server, realdev):
    """The same real photo as an iPhone would send it (HEIC): decoded and read the same."""
    client, _ = server
    heic = saved_as(cv2.imread(str(realdev / "plates_full/ccpd_001.jpg")), "HEIF", quality=90)
    r = client.post("/v1/read", files={"image": ("ccpd_001.heic", heic, "image/heic")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["width"], body["height"]) == (720, 1160)
    assert [p["text"] for p in body["plates"]] == ["沪M39018"]


def _huge_png() -> bytes:
    buf = io.BytesIO()
    from PIL import Image

    Image.new("L", (8000, 8000)).save(buf, format="PNG")  # 64 Mpx in a few hundred kB
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "payload", "status", "needle"),
    [
        ("notes.txt", b"hello, this is not an image", 415, "not an image"),
        ("empty.jpg", b"", 400, "empty"),
        ("cut.jpg", _jpeg(np.random.default_rng(0).integers(0, 255, (256, 256, 3), np.uint8))[:30000], 400,
         "truncated"),
        ("huge.png", _huge_png(), 413, "pixels"),
    ],
)
def test_bad_uploads_get_clear_4xx_and_service_keeps_serving(server, realdev, name, payload, status, needle):
    client, _ = server
    r = client.post("/v1/read", files={"image": (name, payload, "application/octet-stream")})
    assert r.status_code == status, r.text
    assert needle in r.json()["detail"]
    ok = client.post("/v1/read", files={"image": ("a.jpg", (realdev / "plates_full/ccpd_002.jpg").read_bytes())})
    assert ok.status_code == 200


def _multipart(name: str, payload_chunks: list[bytes]) -> tuple[str, list[bytes]]:
    """A multipart body with one file field ``name``, as chunks (sent chunked: no Content-Length)."""
    boundary = "chayan-test-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"big.bin\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    return f"multipart/form-data; boundary={boundary}", [head, *payload_chunks, f"\r\n--{boundary}--\r\n".encode()]


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_body_over_the_limit_is_a_413_and_the_service_keeps_serving(server, realdev, declared):
    """A body past the route's limit (2 MiB uploads + 1 MiB of form here: 8 MiB sent) is refused, whether its size
    is declared or it streams: nothing of any size is spooled to disk in full."""
    client, _ = server
    content_type, chunks = _multipart("image", [bytes(1 << 20)] * 8)
    if declared:
        body = b"".join(chunks)
        r = client.post("/v1/read", content=body, headers={"content-type": content_type})
    else:
        r = client.post("/v1/read", content=iter(chunks), headers={"content-type": content_type})
    assert r.status_code == 413, r.text
    assert str(3 << 20) in r.json()["detail"]
    ok = client.post("/v1/read", files={"image": ("a.jpg", (realdev / "plates_full/ccpd_002.jpg").read_bytes())})
    assert ok.status_code == 200


def test_a_video_over_its_limit_is_a_413(server):
    client, _ = server
    sid = client.post("/v1/sessions", json={"record": {"plate": "皖A12345"}}).json()["id"]
    content_type, chunks = _multipart("video", [bytes(1 << 20)] * 5)
    r = client.post(f"/v1/sessions/{sid}/video", content=iter(chunks), headers={"content-type": content_type})
    assert r.status_code == 413, r.text
    assert str((3 << 20) + (1 << 20)) in r.json()["detail"]
    assert client.get(f"/v1/sessions/{sid}").json()["state"]["status"] == "open"


def test_wrong_fields_are_422(server):
    client, _ = server
    assert client.post("/v1/read", files={"picture": ("a.jpg", b"x")}).status_code == 422
    r = client.post("/v1/read?hint=sideways", files={"image": ("a.jpg", _jpeg(np.zeros((8, 8, 3), np.uint8)))})
    assert r.status_code == 422


def test_audit_trail_in_sqlite_is_masked(server, realdev):
    client, data_dir = server
    client.post("/v1/read", files={"image": ("a.jpg", (realdev / "plates_full/ccpd_001.jpg").read_bytes())})
    db = Path(data_dir) / "chayan.db"
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT action, status, summary FROM audit_events").fetchall()
    assert any(status == 200 and "沪M***18" in summary for _, status, summary in rows)
    assert not any("沪M39018" in summary for _, _, summary in rows)
    assert any(status in (400, 413, 415) for _, status, _ in rows)


def test_invalid_settings_stop_the_service_with_a_message(tmp_path):
    env = {**os.environ, "CHAYAN_DATA_DIR": str(tmp_path), "CHAYAN_INTRA_OP_THREADS": "0"}
    proc = subprocess.run([sys.executable, "-m", "serving.cli", "serve", "--port", str(free_port())], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "intra_op_threads" in proc.stderr
