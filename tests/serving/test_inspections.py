"""Handheld inspection against a real server on loopback, and the ``chayan inspect`` command."""

from __future__ import annotations

import json
import subprocess
import sys

import cv2
import httpx
import numpy as np
import pytest

from benchmarks.sessions import jpeg, plate_scene, serve
from tests.serving.test_images import saved_as

PLATE = "皖A12345"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("var")) as (base, _), httpx.Client(base_url=base, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def photo() -> bytes:
    return jpeg(plate_scene(np.random.default_rng(21), PLATE))


@pytest.mark.parametrize(
    ("record", "verdict", "plate_verdict"),
    [
        ({"plate": PLATE}, "match", "match"),
        ({"号牌号码": "皖A·12345"}, "match", "match"),
        ({"plate": "苏E7K2Q8"}, "mismatch", "mismatch"),
        ({"plate": PLATE, "vin": "LSVAM4186C2104855"}, "needs_review", "match"),  # no VIN in the photo
    ],
)
def test_inspection_verdicts_and_overlay(server, photo, record, verdict, plate_verdict):
    r = server.post("/v1/inspections", files={"image": ("car.jpg", photo, "image/jpeg")},
                    data={"record": json.dumps(record, ensure_ascii=False)})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verdict"] == verdict
    checks = {c["field"]: c for c in body["checks"]}
    assert checks["plate"]["verdict"] == plate_verdict and checks["plate"]["reasons"]
    if "vin" in checks:
        assert checks["vin"]["verdict"] == "unreadable"
    overlay = {o["field"]: o for o in body["overlay"]}
    assert len(overlay["plate"]["box_xyxy"]) == 4
    assert overlay["plate"]["color"] == {"match": "green", "mismatch": "red"}[plate_verdict]
    assert body["read"]["plates"][0]["text"] == PLATE and "score" in body["quality"]


@pytest.mark.parametrize(
    ("files", "record", "status", "needle"),
    [
        ({"image": ("a.jpg", b"hello", "image/jpeg")}, '{"plate": "皖A12345"}', 415, "not an image"),
        (None, "{plate", 422, "not JSON"),
        (None, "[" * 100_000 + "]" * 100_000, 422, "nested too deeply"),  # a RecursionError: was a 500
        (None, '{"vin": ["LSVAB2BJ9KN123456"]}', 422, "must be text: vin (list)"),  # was compared as "['LSV...']"
        (None, '{"colour": "red"}', 422, "unknown vehicle record fields"),
        (None, "{}", 422, "no field to compare"),
    ],
)
def test_bad_inspection_requests(server, photo, files, record, status, needle):
    r = server.post("/v1/inspections", files=files or {"image": ("car.jpg", photo, "image/jpeg")},
                    data={"record": record})
    assert r.status_code == status, r.text
    assert needle in r.json()["detail"]


@pytest.mark.parametrize("name", ["car.jpg", "car.heic"])
def test_inspect_command(tmp_path, photo, name):
    """The command decodes a file as the service decodes an upload: a phone's HEIC photo reads the same."""
    heic = saved_as(cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_COLOR), "HEIF", quality=92)
    (tmp_path / name).write_bytes(photo if name.endswith(".jpg") else heic)
    (tmp_path / "record.json").write_text(json.dumps({"plate": PLATE}, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "serving.cli", "inspect", str(tmp_path / name), "--record",
                           str(tmp_path / "record.json"), "--json"], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["verdict"] == "match" and out["checks"][0]["read"] == PLATE


def test_inspect_command_names_what_is_wrong_with_the_file(tmp_path):
    (tmp_path / "record.json").write_text(json.dumps({"plate": PLATE}, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "notes.jpg").write_text("not a photo", encoding="utf-8")
    for name, reason in (("notes.jpg", "not an image"), ("missing.jpg", "No such file")):
        proc = subprocess.run([sys.executable, "-m", "serving.cli", "inspect", str(tmp_path / name), "--record",
                               str(tmp_path / "record.json")], capture_output=True, text=True, timeout=180)
        assert proc.returncode == 1 and name in proc.stderr and reason in proc.stderr, proc.stderr


def test_inspect_command_names_what_is_wrong_with_the_record(tmp_path, photo):
    """A record that cannot be used is a message and exit 1 (it was a traceback); one saved by a Windows editor,
    with a byte-order mark, is read."""
    (tmp_path / "car.jpg").write_bytes(photo)
    record = json.dumps({"plate": PLATE}, ensure_ascii=False)
    files = {
        "cut.json": record[:-1].encode(),
        "gbk.json": record.encode("gbk"),
        "empty.json": b"{}",
        "bom.json": b"\xef\xbb\xbf" + record.encode(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    cases = [
        ("cut.json", 1, "not JSON"),
        ("gbk.json", 1, "not UTF-8 text"),
        ("missing.json", 1, "No such file"),
        ("empty.json", 1, "no field to compare"),
        ("bom.json", 0, ""),
    ]
    for name, code, reason in cases:
        proc = subprocess.run([sys.executable, "-m", "serving.cli", "inspect", str(tmp_path / "car.jpg"), "--record",
                               str(tmp_path / name)], capture_output=True, text=True, timeout=180)
        assert proc.returncode == code and reason in proc.stderr, (name, proc.returncode, proc.stderr[-500:])
