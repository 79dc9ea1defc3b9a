"""The detector stage on odd inputs (with the smoke-trained detector) and, when the catalog ships one,
the shipped detector on a real frame."""

from __future__ import annotations

import shutil

import cv2
import numpy as np
import pytest
import yaml

from inference.engine import Engine
from inference.ops.geometry import iou_xyxy
from inference.stages.detector import Detector
from inference.types import Frame
from models import ModelCatalog, sha256_of


@pytest.fixture(scope="module")
def smoke_stage(smoke_detector, tmp_path_factory):
    _, _, onnx_path = smoke_detector
    root = tmp_path_factory.mktemp("catalog")
    shutil.copyfile(onnx_path, root / "det.onnx")
    entry = {"name": "vehicle-det", "version": "smoke", "task": "detection_with_corners", "file": "det.onnx",
             "sha256": sha256_of(root / "det.onnx"), "input": {"warmup_shape": [1, 3, 160, 160]},
             "normalization": {}, "origin": {"kind": "trained", "training_command": "test", "data_seed": 21}}
    (root / "catalog.yaml").write_text(yaml.safe_dump({"models": [entry]}), encoding="utf-8")
    engine = Engine(ModelCatalog.load(root / "catalog.yaml"))
    return Detector(engine.load("vehicle-det"), input_size=160, conf=0.5)


def test_labels_and_keypoints_come_from_the_model_metadata(smoke_stage):
    assert smoke_stage.labels == ("plate", "vin_stamp", "vin_label", "nameplate")
    assert (smoke_stage.num_keypoints, smoke_stage.kpt_dims) == (4, 3)


@pytest.mark.parametrize("shape", [(480, 640), (1, 1), (37, 2000), (3000, 41), (720, 1280)])
@pytest.mark.parametrize("channels", [None, 1, 3, 4])
def test_any_frame_size_and_channel_count(smoke_stage, shape, channels):
    rng = np.random.default_rng(sum(shape))
    image = rng.integers(0, 255, shape if channels is None else (*shape, channels), dtype=np.uint8)
    frame = Frame.from_array(image)
    result = smoke_stage(frame.image, 160)
    assert result.size_wh == (shape[1], shape[0])
    assert result.input_wh[0] % 32 == 0 and result.input_wh[1] % 32 == 0 and max(result.input_wh) == 160
    for det in result.detections:
        x1, y1, x2, y2 = det.box_xyxy
        assert 0 <= x1 <= x2 <= shape[1] and 0 <= y1 <= y2 <= shape[0]
        assert np.isfinite(np.asarray(det.corners_xy)).all()


def test_flat_frame_gives_an_empty_result(smoke_stage):
    assert smoke_stage(np.full((480, 640, 3), 90, np.uint8)).detections == ()


def test_shipped_detector_finds_a_real_plate(realdev):
    catalog = ModelCatalog.load()
    if "vehicle-det" not in catalog:
        pytest.skip("no vehicle-text detector is shipped in the catalog yet")
    detector = Detector(Engine(catalog).load("vehicle-det"))
    image = cv2.imread(str(realdev / "plates_full/ccpd_001.jpg"), cv2.IMREAD_COLOR)
    plates = detector(image).of("plate")
    assert plates and iou_xyxy(plates[0].box_xyxy, (258, 482, 548, 573)) >= 0.5
