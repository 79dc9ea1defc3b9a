"""A small command-line client that streams a video file to a session over the WebSocket (demos, tests).

    chayan stream VIDEO --server http://127.0.0.1:8000 --session ID [--fps 15] [--max-frames N]

Frames are read with OpenCV, encoded as JPEG and sent at the video's frame rate (or ``--fps``; 0 sends as
fast as the socket takes them). Replies are collected concurrently; at the end the client prints one JSON
summary: frames sent, frames answered, skipped frames reported by the server, latency and the last state.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import websockets


def ws_url(server: str, session: str) -> str:
    base = server.rstrip("/")
    if base.startswith("http://"):
        base = "ws://" + base.removeprefix("http://")
    elif base.startswith("https://"):
        base = "wss://" + base.removeprefix("https://")
    return f"{base}/v1/sessions/{session}/stream"


def _frames(path: Path, max_side: int | None, quality: int) -> tuple[float, Any]:
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise SystemExit(f"chayan stream: cannot open the video {path}")
    fps = cap.get(cv2.CAP_PROP_FPS) or 15.0

    def gen():  # type: ignore[no-untyped-def]
        try:
            while True:
                ok, image = cap.read()
                if not ok:
                    return
                h, w = image.shape[:2]
                if max_side and max(h, w) > max_side:
                    f = max_side / max(h, w)
                    image = cv2.resize(image, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
                yield cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].tobytes()
        finally:
            cap.release()

    return fps, gen()


async def stream_video(path: Path, server: str, session: str, fps: float | None = None,
                       max_frames: int | None = None, max_side: int | None = None, quality: int = 85,
                       settle_seconds: float = 5.0, verbose: bool = False) -> dict[str, Any]:
    """Stream the video and return the summary. After the last frame the client waits up to
    ``settle_seconds`` for the answers and reads still in flight."""
    video_fps, frames = _frames(path, max_side, quality)
    rate = video_fps if fps is None else fps
    replies: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    reads: list[dict[str, Any]] = []
    last_state: dict[str, Any] | None = None
    sent = 0
    async with websockets.connect(ws_url(server, session), max_size=2**24) as ws:
        hello = json.loads(await ws.recv())
        if hello.get("type") == "error":
            raise SystemExit(f"chayan stream: {hello.get('detail')}")

        async def receive() -> None:
            nonlocal last_state
            async for raw in ws:
                msg = json.loads(raw)
                kind = msg.get("type")
                if kind == "frame":
                    replies.append(msg)
                elif kind == "read":
                    reads.append(msg)
                elif kind == "error":
                    errors.append(msg)
                if "state" in msg:
                    last_state = msg["state"]
                if verbose:
                    g = msg.get("guidance", {}).get("message", "")
                    print(f"{kind:<6} seq={msg.get('seq', '-')} {g}", file=sys.stderr)

        receiver = asyncio.create_task(receive())
        t0 = time.perf_counter()
        for data in frames:
            if max_frames is not None and sent >= max_frames:
                break
            await ws.send(data)
            sent += 1
            if rate and rate > 0:
                delay = t0 + sent / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
        elapsed = time.perf_counter() - t0
        deadline = time.perf_counter() + settle_seconds
        while time.perf_counter() < deadline:
            answered = replies[-1]["seq"] if replies else 0
            if answered >= sent and not (last_state and replies and replies[-1].get("reading")) and not (
                    reads and reads[-1]["seq"] < answered and replies[-1].get("read_started")):
                break
            await asyncio.sleep(0.1)
        await ws.close()
        receiver.cancel()
    latencies = sorted(r["latency_ms"] for r in replies)
    return {
        "sent": sent,
        "answered": len(replies),
        "reads": len(reads),
        "errors": len(errors),
        "skipped": replies[-1]["skipped"] if replies else 0,
        "seconds": round(elapsed, 2),
        "send_fps": round(sent / elapsed, 2) if elapsed else 0.0,
        "latency_ms_p50": latencies[len(latencies) // 2] if latencies else None,
        "latency_ms_p95": latencies[int(len(latencies) * 0.95)] if latencies else None,
        "state": last_state,
    }


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="chayan stream", description="stream a video file to an inspection session")
    p.add_argument("video")
    p.add_argument("--server", default="http://127.0.0.1:8000")
    p.add_argument("--session", required=True)
    p.add_argument("--fps", type=float, help="send rate (default: the video's; 0: as fast as possible)")
    p.add_argument("--max-frames", type=int)
    p.add_argument("--max-side", type=int, help="downscale frames whose long side is larger")
    p.add_argument("--quality", type=int, default=85, help="JPEG quality")
    p.add_argument("--verbose", action="store_true", help="print every message received")
    return p


def run(args: argparse.Namespace) -> int:
    summary = asyncio.run(stream_video(Path(args.video), args.server, args.session, args.fps, args.max_frames,
                                       args.max_side, args.quality, verbose=args.verbose))
    print(json.dumps(summary, ensure_ascii=False))
    return 0 if summary["answered"] else 1


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
