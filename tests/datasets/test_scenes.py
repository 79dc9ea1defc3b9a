"""datasets.scenes: YOLO pose labels that parse, match the JSON and stay normalised; determinism."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from datasets.core import build
from datasets.scenes import CLASS_NAMES, SceneGenerator
from inference.validate.plate import validate_plate


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_samples_labels_consistent() -> None:
    gen = SceneGenerator()
    n_objects = 0
    for i in range(10):
        s = gen.sample(np.random.default_rng([4, i]), i)
        h, w = s.image.shape[:2]
        assert (s.label["width"], s.label["height"]) == (w, h)
        assert s.yolo_lines is not None and len(s.yolo_lines) == len(s.label["objects"])
        for line, obj in zip(s.yolo_lines, s.label["objects"], strict=True):
            n_objects += 1
            parts = line.split()
            assert len(parts) == 5 + 12
            cls = int(parts[0])
            assert CLASS_NAMES[cls] == obj["class"]
            values = [float(v) for v in parts[1:]]
            coords = values[:4] + [v for k, v in enumerate(values[4:]) if k % 3 != 2]
            assert all(0.0 <= v <= 1.0 for v in coords)
            assert all(v in (0.0, 2.0) for v in values[6::3])
            x1, y1, x2, y2 = obj["box_xyxy"]
            assert 0 <= x1 < x2 <= w and 0 <= y1 < y2 <= h
            cx, cy, bw, bh = values[:4]
            assert abs(cx * w - (x1 + x2) / 2) < 1 and abs(bw * w - (x2 - x1)) < 1
            assert abs(cy * h - (y1 + y2) / 2) < 1 and abs(bh * h - (y2 - y1)) < 1
            corners = np.asarray(obj["corners"])
            # Box = bounding rect of the corners, clipped to the frame.
            ex = [max(0, corners[:, 0].min()), max(0, corners[:, 1].min()), min(w, corners[:, 0].max()),
                  min(h, corners[:, 1].max())]
            assert np.allclose([x1, y1, x2, y2], ex, atol=1.0)
            for k in range(4):
                kx, ky, v = values[4 + 3 * k : 7 + 3 * k]
                inside = 0 <= corners[k, 0] <= w and 0 <= corners[k, 1] <= h
                assert v == (2 if inside else 0)
                if inside:
                    assert abs(kx * w - corners[k, 0]) < 1 and abs(ky * h - corners[k, 1]) < 1
            if obj["class"] == "plate":
                assert validate_plate(obj["text"]).valid
    assert n_objects > 0


def test_build_deterministic_yaml_and_sheet(tmp_path: Path) -> None:
    build("scenes", 4, 1, tmp_path / "a", progress=False)
    build("scenes", 4, 1, tmp_path / "b", progress=False)
    build("scenes", 4, 2, tmp_path / "c", progress=False)
    skip = {"dataset.yaml", "build.json"}  # dataset.yaml names its own folder; build.json may carry timings
    fa = {k: v for k, v in _files(tmp_path / "a").items() if k not in skip}
    fb = {k: v for k, v in _files(tmp_path / "b").items() if k not in skip}
    fc = _files(tmp_path / "c")
    assert fa == fb
    assert fa["labels.jsonl"] != fc["labels.jsonl"]
    assert (tmp_path / "a" / "contact_sheet.png").is_file()
    assert len(list((tmp_path / "a" / "labels").glob("*.txt"))) == 4
    yaml_text = (tmp_path / "a" / "dataset.yaml").read_text(encoding="utf-8")
    assert "kpt_shape: [4, 3]" in yaml_text and "flip_idx: [1, 0, 3, 2]" in yaml_text
    assert f"path: {(tmp_path / 'a').resolve().as_posix()}" in yaml_text
    for name in CLASS_NAMES:
        assert name in yaml_text
    for line in (tmp_path / "a" / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        assert "objects" in json.loads(line)
