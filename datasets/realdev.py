"""The real dev set (``../shared/data/real-dev``): a fixed split into a part that may be used to tune models
and a part kept apart for measuring, and conversion of the tune part into training formats.

Only the two large groups are split (CCPD frames ``ccpd_###`` and the 94x24 ``lprnet`` crops); every other
image (special plate types, other cameras, VINs, the document) is always held out. The split depends on
the file name alone, so it never changes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

SPLIT_GROUPS = ("plates_full/ccpd_", "plates_crop/lprnet_")


def in_split_group(file: str) -> bool:
    """Whether the file belongs to a group that is split into tune and holdout halves."""
    return any(file.startswith(prefix) for prefix in SPLIT_GROUPS) and not file.startswith("plates_full/ccpd_hukai")


def split_of(file: str) -> str:
    """``tune`` or ``holdout`` for a real-dev file path such as ``plates_full/ccpd_001.jpg``."""
    if not in_split_group(file):
        return "holdout"
    return "tune" if int(hashlib.sha256(file.encode("utf-8")).hexdigest()[:8], 16) % 2 == 0 else "holdout"


def load_labels(root: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (root / "labels.jsonl").read_text(encoding="utf-8").splitlines() if line]


def ccpd_corners(vertices: list[list[float]]) -> list[list[float]]:
    """CCPD lists the corners from bottom-right round (BR, BL, TL, TR); ours are TL, TR, BR, BL."""
    br, bl, tl, tr = vertices
    return [tl, tr, br, bl]


def export_tune_frames_yolo(root: Path, out: Path) -> int:
    """Write the tune-split CCPD frames as YOLO pose data (class 0 plate, 4 corner keypoints)."""
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "labels").mkdir(parents=True, exist_ok=True)
    n = 0
    for row in load_labels(root):
        if row["kind"] != "plate" or not row.get("vertices") or split_of(row["file"]) != "tune":
            continue
        w, h = row["width"], row["height"]
        x1, y1, x2, y2 = row["bbox"]
        corners = ccpd_corners(row["vertices"])
        kpts = " ".join(f"{x / w:.6f} {y / h:.6f} 2" for x, y in corners)
        line = f"0 {(x1 + x2) / 2 / w:.6f} {(y1 + y2) / 2 / h:.6f} {(x2 - x1) / w:.6f} {(y2 - y1) / h:.6f} {kpts}\n"
        stem = Path(row["file"]).stem
        shutil.copyfile(root / row["file"], out / "images" / f"real_{stem}.jpg")
        (out / "labels" / f"real_{stem}.txt").write_text(line, encoding="utf-8")
        n += 1
    return n
