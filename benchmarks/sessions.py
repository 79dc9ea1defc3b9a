"""Remote-session throughput: concurrent sessions streaming 720p JPEG frames through a real server.

    python -m benchmarks.sessions [--seconds 60] [--sessions 2] [--send-fps 20]

Starts ``chayan serve`` on loopback with a fresh data dir, opens the sessions, and streams pre-rendered
720p frames (a generated plate on a car body, from the data factory) over the WebSocket of each session at
``--send-fps``, faster than the 15 fps target so that the server has to keep up or skip. Measured per
session: processed frames/s (frames answered with quality, guidance and state), frames skipped by the
server, reply latency (p50/p95), full reads done and after how many reads the fused plate was right; and
the server's RSS sampled every two seconds. Results: ``benchmarks/results/sessions-*.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import websockets

from datasets.plates import car_background, paste_quad, render_plate
from inference.validate.plate import PlateType

RESULTS_DIR = Path(__file__).resolve().parent / "results"
REPO = Path(__file__).resolve().parents[1]


def plate_scene(rng: np.random.Generator, text: str, size_wh: tuple[int, int] = (1280, 720),
                plate_share: float = 0.25, plate_type: PlateType = PlateType.blue_small) -> np.ndarray:
    """A car body with a plate showing ``text``, slightly off-centre and tilted (BGR uint8)."""
    w, h = size_wh
    canvas = car_background(rng, h, w)
    plate = render_plate(rng, plate_type, text)
    ph, pw = plate.image.shape[:2]
    width = w * plate_share * float(rng.uniform(0.9, 1.1))
    height = width * ph / pw
    x0 = w * float(rng.uniform(0.3, 0.45))
    y0 = h * float(rng.uniform(0.45, 0.6))
    skew = float(rng.uniform(-0.03, 0.03)) * width
    corners = np.array([[x0, y0 + skew], [x0 + width, y0 - skew], [x0 + width, y0 + height - skew],
                        [x0, y0 + height + skew]], np.float64)
    paste_quad(canvas, plate.image, plate.alpha, corners)
    return np.clip(canvas, 0, 255).astype(np.uint8)


def vin_scene(rng: np.random.Generator, vin: str, size_wh: tuple[int, int] = (1280, 720)) -> np.ndarray:
    """A printed VIN label from the data factory on a painted panel, filling most of the frame width."""
    from datasets.vins import render_vin_label

    w, h = size_wh
    label = render_vin_label(rng, vin).image
    scale = min(w * 0.85 / label.shape[1], h * 0.6 / label.shape[0])
    label = cv2.resize(label, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    out = np.empty((h, w, 3), np.uint8)
    out[:] = np.asarray(rng.uniform(60, 160, 3), np.uint8)
    y, x = (h - label.shape[0]) // 2, (w - label.shape[1]) // 2
    out[y : y + label.shape[0], x : x + label.shape[1]] = label
    return out


def shaky_frames(rng: np.random.Generator, scene: np.ndarray, n: int, shake_px: int = 4) -> list[bytes]:
    """``n`` JPEG frames of one scene as a hand-held phone films it: a few pixels of shake, sensor noise."""
    out = []
    for _ in range(n):
        dx, dy = (int(v) for v in rng.integers(-shake_px, shake_px + 1, 2))
        frame = np.roll(scene, (dy, dx), axis=(0, 1)).astype(np.int16)
        frame += rng.normal(0, 2.0, frame.shape).astype(np.int16)
        out.append(jpeg(np.clip(frame, 0, 255).astype(np.uint8)))
    return out


def jpeg(image: np.ndarray, quality: int = 85) -> bytes:
    return cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].tobytes()


def write_video(path: Path, frames: list[np.ndarray], fps: float = 15.0) -> Path:
    """MJPG in AVI (no H.264 encoder here); mp4v for a .mp4 path."""
    h, w = frames[0].shape[:2]
    fourcc = cv2.VideoWriter.fourcc(*("mp4v" if path.suffix == ".mp4" else "MJPG"))
    writer = cv2.VideoWriter(str(path), fourcc, fps, (w, h))
    if not writer.isOpened():
        raise RuntimeError(f"cannot write a video to {path}")
    for f in frames:
        writer.write(f)
    writer.release()
    return path


# ------------------------------------------------------------------------------------------------ server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(data_dir: Path, port: int | None = None, env: dict[str, str] | None = None,
          timeout: float = 180.0) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``chayan serve`` on loopback until ``/readyz`` answers 200; yields (base URL, process)."""
    port = port or free_port()
    full_env = {**os.environ, "CHAYAN_DATA_DIR": str(data_dir), "CHAYAN_LOG_LEVEL": "WARNING", **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "serving.cli", "serve", "--port", str(port)], env=full_env,
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=base, timeout=10) as client:
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited: {proc.stderr.read().decode(errors='replace')[-2000:]}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server not ready in {timeout:.0f} s")
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


# ------------------------------------------------------------------------------------------------ benchmark


async def _stream(base: str, session: str, frames: list[bytes], seconds: float, send_fps: float,
                  truth: str) -> dict[str, Any]:
    url = base.replace("http://", "ws://") + f"/v1/sessions/{session}/stream"
    replies: list[dict[str, Any]] = []
    reads: list[dict[str, Any]] = []
    sent = 0
    async with websockets.connect(url, max_size=2**24) as ws:
        await ws.recv()  # hello

        async def receive() -> None:
            async for raw in ws:
                msg = json.loads(raw)
                if msg["type"] == "frame":
                    replies.append({"t": time.perf_counter(), "latency_ms": msg["latency_ms"],
                                    "skipped": msg["skipped"], "seq": msg["seq"]})
                elif msg["type"] == "read":
                    plate = msg["state"]["fused"].get("plate", {}).get("text")
                    reads.append({"seq": msg["seq"], "plate": plate, "read_ms": msg["read_ms"]})

        receiver = asyncio.create_task(receive())
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            await ws.send(frames[sent % len(frames)])
            sent += 1
            delay = t0 + sent / send_fps - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        elapsed = time.perf_counter() - t0
        await asyncio.sleep(1.0)
        receiver.cancel()
    answered = [r for r in replies if r["t"] - t0 <= elapsed + 0.5]
    lat = sorted(r["latency_ms"] for r in answered)
    first_right = next((i + 1 for i, r in enumerate(reads) if r["plate"] == truth), None)
    return {
        "session": session, "seconds": round(elapsed, 1), "sent": sent, "sent_fps": round(sent / elapsed, 2),
        "processed": len(answered), "processed_fps": round(len(answered) / elapsed, 2),
        "skipped": answered[-1]["skipped"] if answered else 0,
        "latency_ms_p50": lat[len(lat) // 2] if lat else None,
        "latency_ms_p95": lat[int(len(lat) * 0.95)] if lat else None,
        "reads": len(reads), "reads_per_s": round(len(reads) / elapsed, 2),
        "read_ms_p50": sorted(r["read_ms"] for r in reads)[len(reads) // 2] if reads else None,
        "fused_plate": reads[-1]["plate"] if reads else None, "reads_until_right": first_right,
    }


async def _run(base: str, pid: int, sessions: int, seconds: float, send_fps: float) -> dict[str, Any]:
    rng = np.random.default_rng(2024)
    truths = ["皖A12345", "苏E7K2Q8", "粤B3M9A1", "浙C58D26"][:sessions]
    frame_sets = [shaky_frames(rng, plate_scene(rng, t), 12) for t in truths]
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        ids = []
        for t in truths:
            r = await client.post("/v1/sessions", json={"record": {"plate": t}, "business_type": "plate_replacement"})
            r.raise_for_status()
            ids.append(r.json()["id"])
    memory: list[tuple[float, float]] = []

    async def sample() -> None:
        t0 = time.perf_counter()
        while True:
            memory.append((round(time.perf_counter() - t0, 1), round(rss_mb(pid), 1)))
            await asyncio.sleep(2.0)

    sampler = asyncio.create_task(sample())
    results = await asyncio.gather(*(_stream(base, sid, fs, seconds, send_fps, t)
                                     for sid, fs, t in zip(ids, frame_sets, truths, strict=True)))
    sampler.cancel()
    mean_bytes = int(np.mean([len(f) for f in frame_sets[0]]))
    return {"sessions": list(results), "rss_mb": memory, "frame_bytes_mean": mean_bytes}


def markdown(report: dict[str, Any]) -> str:
    setup = report["setup"]
    lines = [f"# Remote sessions: {setup['sessions']} concurrent 720p streams for {setup['seconds']} s",
             "", f"Setup: {setup['machine']}, {setup['cpus']} CPUs (shared with background jobs), send rate "
             f"{setup['send_fps']} fps per session, mean frame {report['frame_bytes_mean'] // 1024} KiB JPEG, "
             f"reader {setup['reader']}, `session_read_workers` {setup['read_workers']}.", "",
             "| session | sent fps | processed fps | skipped | latency p50 / p95 ms | reads/s | read p50 ms | "
             "reads until right | fused plate |", "|---|---|---|---|---|---|---|---|---|"]
    for s in report["sessions"]:
        lines.append(f"| {s['session'][:8]} | {s['sent_fps']} | **{s['processed_fps']}** | {s['skipped']} | "
                     f"{s['latency_ms_p50']} / {s['latency_ms_p95']} | {s['reads_per_s']} | {s['read_ms_p50']} | "
                     f"{s['reads_until_right']} | {s['fused_plate']} |")
    rss = [m for _, m in report["rss_mb"]]
    lines += ["", f"Server RSS: start {rss[0]} MB, max {max(rss)} MB, end {rss[-1]} MB "
              f"(second half {min(rss[len(rss) // 2:])}-{max(rss[len(rss) // 2:])} MB).", "",
              "Processed = frames answered with quality, guidance, overlay detections and session state. Frames that "
              "arrive while the previous one is being processed replace it (one-frame slot), so the newest is always "
              "served; `skipped` counts the replaced ones. Full reads run on the latest good frame whenever the "
              "session has none in flight."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.sessions", description=__doc__.split("\n")[0])
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--sessions", type=int, default=2)
    p.add_argument("--send-fps", type=float, default=20.0)
    p.add_argument("--out", default=str(RESULTS_DIR))
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp)) as (base, proc):
        report = asyncio.run(_run(base, proc.pid, args.sessions, args.seconds, args.send_fps))
    report["setup"] = {"sessions": args.sessions, "seconds": args.seconds, "send_fps": args.send_fps,
                       "machine": platform.machine(), "cpus": os.cpu_count(),
                       "reader": os.environ.get("CHAYAN_READER", "auto"),
                       "read_workers": 2, "python": platform.python_version()}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = f"sessions-{args.sessions}x720p-{int(args.seconds)}s"
    (out / f"{name}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (out / f"{name}.md").write_text(markdown(report))
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
