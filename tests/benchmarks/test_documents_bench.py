"""The document benchmark's table: the committed one is what its committed results render to, and the intervals
it gives the target rows are the Wilson score intervals."""

from __future__ import annotations

import json

import pytest

from benchmarks.documents import RESULTS_DIR, _interval, markdown


@pytest.mark.parametrize(
    ("rate", "n", "expected"),
    [
        (3 / 180, 180, " (3/180; 95% interval 0.6% to 4.8%)"),  # Wilson: 0.57% to 4.79%
        (0.0, 150, " (0/150; 95% interval 0.0% to 2.5%)"),  # the rule of three would say 2.0%; Wilson 2.50%
        (83 / 89, 89, " (83/89; 95% interval 86.1% to 96.9%)"),
        (1.0, 43, " (43/43; 95% interval 91.8% to 100.0%)"),
        (0.5, 0, ""),
    ],
)
def test_wilson_intervals(rate, n, expected):
    assert _interval(rate, n) == expected


def test_committed_table_is_rendered_from_the_committed_results():
    report = json.loads((RESULTS_DIR / "documents.json").read_text(encoding="utf-8"))
    assert (RESULTS_DIR / "documents.md").read_text(encoding="utf-8") == markdown(report)
