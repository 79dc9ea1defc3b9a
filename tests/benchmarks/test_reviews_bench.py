"""The HTTP review benchmark's committed table (benchmarks/reviews.py)."""

from __future__ import annotations

import json

from benchmarks.reviews import RESULTS_DIR, markdown


def test_committed_table_is_rendered_from_the_committed_results():
    report = json.loads((RESULTS_DIR / "reviews.json").read_text(encoding="utf-8"))
    assert (RESULTS_DIR / "reviews.md").read_text(encoding="utf-8") == markdown(report)


def test_every_case_of_the_committed_run_was_answered():
    report = json.loads((RESULTS_DIR / "reviews.json").read_text(encoding="utf-8"))
    assert {r["server"] for r in report["runs"]} == {"shipped", "all at once"}
    for run in report["runs"]:
        assert run["status"] == {"200": report["setup"]["cases"]}, run
