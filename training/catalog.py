"""Writing a trained model into the catalog: file, sha256, command, seed and metrics in one entry."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from models import CATALOG_PATH, sha256_of


def upsert_entry(entry: Mapping[str, Any], catalog_path: Path = CATALOG_PATH) -> dict[str, Any]:
    """Insert or replace the entry named ``entry['name']``; the sha256 is computed from the file here."""
    raw = yaml.safe_load(catalog_path.read_text(encoding="utf-8")) or {}
    models = list(raw.get("models") or [])
    new = dict(entry)
    new["sha256"] = sha256_of(catalog_path.parent / new["file"])
    for i, old in enumerate(models):
        if old["name"] == new["name"]:
            models[i] = new
            break
    else:
        models.append(new)
    header = "".join(line + "\n" for line in catalog_path.read_text(encoding="utf-8").splitlines()
                     if line.startswith("#"))
    body = yaml.safe_dump({"models": models}, allow_unicode=True, sort_keys=False, width=110)
    catalog_path.write_text(header + body, encoding="utf-8")
    return new


def update_metrics(name: str, metrics: Mapping[str, Any], catalog_path: Path = CATALOG_PATH) -> None:
    raw = yaml.safe_load(catalog_path.read_text(encoding="utf-8"))
    entry = next((m for m in raw["models"] if m["name"] == name), None)
    if entry is None:
        raise KeyError(f"no model named {name!r} in {catalog_path}")
    entry["metrics"] = {**(entry.get("metrics") or {}), **metrics}
    upsert_entry(entry, catalog_path)
