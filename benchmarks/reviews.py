"""Case reviews over HTTP: generated cases posted as phone JPEGs to a real server, one at a time and several at once.

    python -m benchmarks.reviews [--cases 8] [--concurrency 1 2 8]

Starts ``chayan serve`` twice on loopback, each with a fresh data dir: as shipped (cases reviewed one at a time on 2
cores, the others waiting their turn, ``serving/admission.py``) and with every case started as it comes
(``CHAYAN_REVIEW_WORKERS`` = the highest concurrency). Posts the same generated 4-page cases (``documents.make_case``,
the latency case's kind and business, pages encoded as JPEG q90 as a phone saves them) to ``POST /v1/reviews`` with
their application, at each concurrency on one server and then the other (that many requests in flight, the next sent
as one is answered; as many as the cases: a burst). Measured per server and concurrency: the time from sending a case
to its answer (p50, p95, max), cases and pages per minute, answers by status and decision, and the server's RSS
sampled every half second. Results: ``benchmarks/results/reviews.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from benchmarks.documents import _machine, make_case
from benchmarks.sessions import jpeg, rss_mb, serve

RESULTS_DIR = Path(__file__).resolve().parent / "results"
CASE_SEED = 4300  # cases 4300+: never looked at while the review rules were written
JPEG_QUALITY = 90
Case = tuple[list[tuple[str, bytes]], dict[str, Any]]


def phone_cases(n: int, seed: int = CASE_SEED) -> list[Case]:
    """``n`` complete 4-page change-of-record cases (the latency case's kind), pages as JPEG bytes."""
    out = []
    for i in range(n):
        files, app = make_case(seed + i, "complete", "change")
        out.append(([(name, jpeg(im, JPEG_QUALITY)) for name, im in files], app))
    return out


async def post_cases(client: httpx.AsyncClient, cases: list[Case], concurrency: int) -> dict[str, Any]:
    """Every case posted, ``concurrency`` in flight; per answer its time, status and decision."""
    gate = asyncio.Semaphore(concurrency)
    answers: list[dict[str, Any]] = []

    async def one(pages: list[tuple[str, bytes]], app: dict[str, Any]) -> None:
        async with gate:
            files = [("files", (name, data, "image/jpeg")) for name, data in pages]
            t = time.perf_counter()
            r = await client.post("/v1/reviews", files=files, data={"application": json.dumps(app)})
            ms = (time.perf_counter() - t) * 1000
            body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
            answers.append({"ms": ms, "status": r.status_code, "decision": body.get("decision"), "pages": len(pages)})

    t0 = time.perf_counter()
    await asyncio.gather(*(one(p, a) for p, a in cases))
    elapsed = time.perf_counter() - t0
    ms = sorted(a["ms"] for a in answers)
    return {
        "concurrency": concurrency,
        "cases": len(answers),
        "seconds": round(elapsed, 2),
        "cases_per_minute": round(len(answers) * 60 / elapsed, 1),
        "pages_per_minute": round(sum(a["pages"] for a in answers) * 60 / elapsed, 1),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1),
        "max_ms": round(ms[-1], 1),
        "status": dict(Counter(str(a["status"]) for a in answers)),
        "decisions": dict(Counter(str(a["decision"]) for a in answers)),
    }


async def _sample_rss(pid: int, memory: list[float]) -> None:
    """The server's RSS (MB) appended to ``memory`` every half second, until cancelled."""
    while True:
        memory.append(round(rss_mb(pid), 1))
        await asyncio.sleep(0.5)


async def run(servers: dict[str, tuple[str, int]], cases: list[Case], levels: list[int]) -> dict[str, Any]:
    """:func:`post_cases` at each concurrency of ``levels`` on each server (name -> base URL, pid) in turn, after one
    warm-up case each; every server's RSS sampled while its cases run."""
    runs: list[dict[str, Any]] = []
    idle: dict[str, float] = {}
    clients = {name: httpx.AsyncClient(base_url=base, timeout=600) for name, (base, _) in servers.items()}
    try:
        for name, client in clients.items():
            await post_cases(client, cases[:1], 1)  # warm-up: first-request costs are not the service's
            idle[name] = round(rss_mb(servers[name][1]), 1)
        for c in levels:
            for name, client in clients.items():  # side by side: the machine's drift hits both alike
                memory: list[float] = []
                sampler = asyncio.create_task(_sample_rss(servers[name][1], memory))
                result = await post_cases(client, cases, c)
                sampler.cancel()
                runs.append({"server": name, **result, "rss_mb_max": max(memory, default=idle[name])})
    finally:
        for client in clients.values():
            await client.aclose()
    return {"runs": runs, "rss_mb_after_warmup": idle}


def markdown(report: dict[str, Any]) -> str:
    s = report["setup"]
    slots = s["review_workers"]
    idle = ", ".join(f"{k} {v} MB" for k, v in report["rss_mb_after_warmup"].items())
    lines = [
        f"# Case reviews over HTTP: {s['cases']} cases of {s['pages_per_case']} phone JPEGs",
        "",
        f"Setup: {s['machine']}, {s['cpus']} CPUs (shared: a noisy machine), `chayan serve` on loopback "
        f"(`inference_workers` {s['inference_workers']}, ONNX Runtime {s['intra_op_threads']} thread per session); "
        f"complete change-of-record cases of seeds {s['case_seed']}+ (ID card, registration certificate, vehicle "
        f"licence, insurance policy), pages as JPEG q{s['jpeg_quality']} (mean {s['page_kib']} KiB), each posted "
        f"with its application. Two servers side by side, each level run on one then the other: *shipped* reviews "
        f"{slots['shipped']} case at a time (`review_workers` 0: one per two inference workers), the others waiting "
        f"their turn (at most {s['max_review_queue']}); *all at once* starts every case as it comes "
        f"(`CHAYAN_REVIEW_WORKERS={slots['all at once']}`). Server RSS after a warm-up case: {idle}.",
        "",
        "| server | cases in flight | p50 ms | p95 ms | max ms | cases/min | pages/min | server RSS max MB | "
        "answers | decisions |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["runs"]:
        status = ", ".join(f"{k}: {v}" for k, v in sorted(r["status"].items()))
        decisions = ", ".join(f"{k}: {v}" for k, v in sorted(r["decisions"].items()))
        lines.append(
            f"| {r['server']} | {r['concurrency']} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['max_ms']:.0f} | "
            f"{r['cases_per_minute']} | {r['pages_per_minute']} | {r['rss_mb_max']} | {status} | {decisions} |"
        )
    lines += [
        "",
        "Time per case is from sending the request to its answer: upload, decoding, the review and the answer's JSON. "
        "Cases in flight: that many requests open at once, the next sent as one is answered; as many as the cases: "
        "all sent at once, a burst. A review keeps both cores busy on its own, so the cases per minute hardly change "
        "with more in flight. What changes is the memory the cases being reviewed hold, and in a burst how long "
        "each waits: in turn the first are answered as soon as they alone would be, all at once none is answered "
        "before nearly all are done.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.reviews", description=__doc__.split("\n")[0])
    p.add_argument("--cases", type=int, default=8)
    p.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 8])  # 8 of 8: a burst
    p.add_argument("--out", default=str(RESULTS_DIR))
    args = p.parse_args(argv)
    from serving.settings import Settings

    settings = Settings(data_dir=Path(tempfile.gettempdir()))
    cases = phone_cases(args.cases)
    every = str(max(args.concurrency))
    with contextlib.ExitStack() as stack:
        servers = {}
        for name, env in (("shipped", {}), ("all at once", {"CHAYAN_REVIEW_WORKERS": every})):
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            base, proc = stack.enter_context(serve(tmp, env=env))
            servers[name] = (base, proc.pid)
        report = asyncio.run(run(servers, cases, args.concurrency))
    report["setup"] = {
        "cases": len(cases),
        "pages_per_case": len(cases[0][0]),
        "case_seed": CASE_SEED,
        "jpeg_quality": JPEG_QUALITY,
        "page_kib": round(statistics.mean(len(d) for c in cases for _, d in c[0]) / 1024),
        "machine": _machine(),
        "cpus": os.cpu_count(),
        "inference_workers": settings.inference_workers,
        "intra_op_threads": settings.intra_op_threads,
        "review_workers": {"shipped": settings.review_slots(), "all at once": int(every)},
        "max_review_queue": settings.max_review_queue,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "reviews.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "reviews.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
