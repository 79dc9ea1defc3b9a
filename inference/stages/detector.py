"""The vehicle-text detector: plates (with four corners), stamped VINs, VIN labels and nameplates.

A YOLO pose model trained here (``training/detector.py``) and exported to ONNX with a dynamic input:
letterbox -> session -> decode boxes, class scores and corner keypoints -> per-class NMS (OpenCV).
"""

from __future__ import annotations

import ast
import time
from dataclasses import dataclass

import cv2
import numpy as np

from ..engine import OnnxModel
from ..ops.letterbox import Letterbox, letterbox
from ..types import BoxXYXY, PointXY


@dataclass(frozen=True, slots=True)
class Detection:
    label: str
    score: float
    box_xyxy: BoxXYXY
    corners_xy: tuple[PointXY, PointXY, PointXY, PointXY]  # TL, TR, BR, BL of the object
    corner_scores: tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class DetectorResult:
    detections: tuple[Detection, ...]
    size_wh: tuple[int, int]
    input_wh: tuple[int, int]
    elapsed_ms: float

    def of(self, label: str) -> tuple[Detection, ...]:
        return tuple(d for d in self.detections if d.label == label)


def detector_input(image: np.ndarray, size: int, square: bool = False) -> tuple[np.ndarray, Letterbox]:
    """The model's input for a BGR frame: letterboxed (long side ``size``), RGB, NCHW float in [0, 1]."""
    boxed, lb = letterbox(image, size, square=square)
    return np.ascontiguousarray(boxed[:, :, ::-1].transpose(2, 0, 1))[None].astype(np.float32) / 255.0, lb


class Detector:
    def __init__(self, model: OnnxModel, input_size: int = 480, conf: float = 0.3, iou: float = 0.5) -> None:
        self.model = model
        names = model.metadata.get("names")
        if names is None:
            raise ValueError(f"model {model.entry.name!r} carries no class names in its ONNX metadata")
        parsed = ast.literal_eval(names)  # ultralytics writes a dict literal {0: 'plate', ...}
        self.labels = tuple(parsed[k] for k in sorted(parsed))
        kpt = ast.literal_eval(model.metadata.get("kpt_shape", "[4, 3]"))
        self.num_keypoints, self.kpt_dims = int(kpt[0]), int(kpt[1])
        self.input_size = input_size
        self.conf = conf
        self.iou = iou

    def __call__(self, image: np.ndarray, input_size: int | None = None) -> DetectorResult:
        start = time.perf_counter()
        h, w = image.shape[:2]
        tensor, lb = detector_input(image, input_size or self.input_size)
        (out,) = self.model.run({self.model.input_names[0]: tensor})
        pred = out[0].T  # [N, 4 + classes + keypoints * dims]
        nc = len(self.labels)
        scores_all = pred[:, 4 : 4 + nc]
        cls = scores_all.argmax(axis=1)
        scores = scores_all[np.arange(len(pred)), cls]
        keep = scores >= self.conf
        pred, cls, scores = pred[keep], cls[keep], scores[keep]
        detections: list[Detection] = []
        if len(pred):
            xywh = pred[:, :4].copy()
            xywh[:, 0] -= xywh[:, 2] / 2
            xywh[:, 1] -= xywh[:, 3] / 2
            idx = cv2.dnn.NMSBoxesBatched(xywh.tolist(), scores.tolist(), cls.tolist(), self.conf, self.iou)
            for i in np.asarray(idx, dtype=np.int64).ravel():
                x, y, bw, bh = xywh[i]
                corners_xy = lb.to_original(np.array([[x, y], [x + bw, y + bh]]))
                x1, y1 = np.clip(corners_xy[0], 0, [w, h])
                x2, y2 = np.clip(corners_xy[1], 0, [w, h])
                kpts = pred[i, 4 + nc :].reshape(self.num_keypoints, self.kpt_dims)
                pts = lb.to_original(kpts[:, :2])
                vis = kpts[:, 2] if self.kpt_dims == 3 else np.ones(self.num_keypoints, np.float32)
                detections.append(Detection(
                    label=self.labels[int(cls[i])],
                    score=float(scores[i]),
                    box_xyxy=(float(x1), float(y1), float(x2), float(y2)),
                    corners_xy=tuple((float(px), float(py)) for px, py in pts[:4]),  # type: ignore[arg-type]
                    corner_scores=tuple(float(v) for v in vis[:4]),  # type: ignore[arg-type]
                ))
        detections.sort(key=lambda d: -d.score)
        return DetectorResult(tuple(detections), (w, h), lb.input_wh, (time.perf_counter() - start) * 1000)
