from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks import realdev
from inference.types import Frame, PlateRead, VehicleRead, VinRead
from inference.vehicle import ImageHint

FIXTURE_FILES = ["plates_full/ccpd_001.jpg", "plates_full/ccpd_002.jpg", "plates_crop/lprnet_001.jpg",
                 "vin/vin_01.bmp"]


@pytest.fixture()
def tiny(realdev, tmp_path) -> Path:
    """A tiny labelled set: three real images, a VIN crop and one corrupt file."""
    labels = {json.loads(line)["file"]: json.loads(line)
              for line in (realdev / "labels.jsonl").read_text(encoding="utf-8").splitlines()}
    rows = []
    for rel in FIXTURE_FILES:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(realdev / rel, tmp_path / rel)
        rows.append(labels[rel])
    (tmp_path / "plates_full" / "ccpd_999.jpg").write_bytes(b"not a jpeg")
    rows.append({**labels["plates_full/ccpd_001.jpg"], "file": "plates_full/ccpd_999.jpg"})
    (tmp_path / "labels.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                                           encoding="utf-8")
    return tmp_path


class ScriptedReader:
    """Answers from a script keyed by image width, to check the harness arithmetic exactly."""

    def __init__(self, answers):
        self.answers = answers

    def read(self, frame: Frame, hint: ImageHint = ImageHint.frame) -> VehicleRead:
        plates, vins = self.answers[(frame.size_wh, hint)]
        return VehicleRead(tuple(plates), tuple(vins), frame.size_wh)


def test_harness_arithmetic(tiny, tmp_path):
    items = realdev.load_items(tiny)
    ccpd1 = items[0]
    assert ccpd1.group == "ccpd" and ccpd1.hint is ImageHint.frame and ccpd1.bbox is not None
    assert items[2].group == "crops_lprnet" and items[2].hint is ImageHint.plate_crop
    assert items[3].group == "vin_stamped" and items[3].hint is ImageHint.vin_crop
    # Both CCPD frames are 720x1160: the script answers the same for both. The box matches ccpd_001 only
    # (IoU < 0.5 with ccpd_002's), the text is ccpd_001's, and a second plate is a false alarm.
    answers = {
        ((720, 1160), ImageHint.frame): (
            [PlateRead(ccpd1.text, 0.9, ccpd1.bbox), PlateRead("皖A00000", 0.5, (0, 0, 10, 10))], []),
        ((94, 24), ImageHint.plate_crop): ([PlateRead("皖A99999", 0.9, (0, 0, 94, 24))], []),
        ((600, 90), ImageHint.vin_crop): ([], [VinRead(items[3].text, 0.9, (0, 0, 600, 90), True, True)]),
    }
    groups, results = realdev.evaluate(ScriptedReader(answers), items, tiny)
    ccpd = groups["ccpd"].summary()
    assert ccpd["images"] == 3 and ccpd["errors"] == 1
    assert ccpd["exact"] == 1 and ccpd["detection_recall"] == pytest.approx(1 / 2)
    assert ccpd["detection_precision"] == pytest.approx(1 / 4)
    assert ccpd["by_color"]["blue"]["images"] == 2
    assert groups["crops_lprnet"].summary()["exact"] == 0
    assert groups["vin_stamped"].summary()["exact_rate"] == 1.0
    assert [r.error for r in results].count("unreadable image") == 1
    # The held-out half of a split group is also reported on its own.
    holdout = [i for i in items if i.group == "ccpd" and i.split == "holdout"]
    assert groups.get("ccpd (holdout)", realdev.GroupStats()).images == len(holdout)
    assert {i.split for i in items if i.group in ("vin_stamped", "special_frames")} <= {"holdout"}


def test_harness_runs_the_general_reader_and_writes_results(tiny, tmp_path, ocr_reader):
    out = tmp_path / "results"
    report = realdev.run(ocr_reader, "tiny", tiny, out, threads=1)
    assert (out / "realdev-tiny.json").is_file() and (out / "realdev-tiny.md").is_file()
    summary = report["summary"]
    assert summary["all"]["images"] == 5
    assert summary["ccpd"]["errors"] == 1
    # ccpd_001 is an easy, sharp frame: the general reader finds and reads it.
    first = next(r for r in report["items"] if r["file"] == "plates_full/ccpd_001.jpg")
    assert first["found"] and first["exact"]
    assert summary["vin_stamped"]["exact"] == 1
    table = (out / "realdev-tiny.md").read_text(encoding="utf-8")
    assert "| ccpd | 3 |" in table and "p50 ms" in table


def test_missing_labels_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="labels.jsonl"):
        realdev.load_items(tmp_path)


def test_comparison_puts_readers_side_by_side(tiny, tmp_path):
    items = realdev.load_items(tiny)
    ccpd1 = items[0]
    right = {((720, 1160), ImageHint.frame): ([PlateRead(ccpd1.text, 0.9, ccpd1.bbox)], []),
             ((94, 24), ImageHint.plate_crop): ([], []), ((600, 90), ImageHint.vin_crop): ([], [])}
    wrong = {k: ([], []) for k in right}
    reports = {name: realdev.run(ScriptedReader(answers), name, tiny, tmp_path, threads=1)
               for name, answers in (("right", right), ("wrong", wrong))}
    table = realdev.comparison_markdown(reports)
    assert "| group | images | right | wrong |" in table
    row = next(line for line in table.splitlines() if line.startswith("| ccpd | 3 |"))
    assert "33.3% (1)" in row.split("|")[3] and "0.0% (0)" in row.split("|")[4]
    assert "| ccpd | blue | 2 | 50.0% (1) | 0.0% (0) |" in table


def test_peer_reader_reads_a_real_frame(realdev):
    pytest.importorskip("agentclpr", reason="peer not installed (make bench-peers)")
    import cv2

    from benchmarks.peers import make_peer

    image = cv2.imread(str(realdev / "plates_full/ccpd_001.jpg"), cv2.IMREAD_COLOR)
    read = make_peer("agentclpr").read(Frame(image))
    assert len(read.plates) == 1 and read.plates[0].text[1:] == "M39018"
    from benchmarks.realdev import load_items, score

    assert score(load_items(realdev)[0], read)[1]  # found at IoU >= 0.5
