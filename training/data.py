"""Synthetic training data for the trainers: a split is one size and seed of a kind."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Split:
    n: int
    seed: int
