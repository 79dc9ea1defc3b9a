"""Turning a flat document into a capture: a phone photo on a desk or a flatbed scan.

Planning (every random draw) is separate from applying, so a genuine document and its forged twin can go
through the very same capture: ``apply_capture`` is a pure function of the plan and the input pixels, and
works on any "object" (a flat page, a photocopy, a screen showing the page) given where the document's
corners are in it. Noise fields are drawn from seeds stored in the plan, never from shared state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from inference.documents.page import quad_size

PHOTO_WH = (1280, 960)
SCAN_LONG_SIDE = 1280


@dataclass(frozen=True, slots=True)
class CapturePlan:
    mode: str  # "photo" | "scan"
    out_wh: tuple[int, int]
    dst: tuple[tuple[float, float], ...]  # the document's TL, TR, BR, BL in the output image
    seed: int  # seeds the background texture, lighting blobs and sensor noise
    background: str  # wood | plain | cloth | scanner
    blur_sigma: float
    motion_px: int  # motion blur length, 0 = none
    motion_angle: float
    noise_sigma: float  # in 0..255 units
    gains: tuple[float, float, float]  # white balance (B, G, R)
    light_strength: float  # uneven light (gradient + vignette)
    shade_strength: float  # a soft shadow blob (hand, phone) over the scene, 0 = none
    glare_strength: float  # a specular highlight, 0 = none
    shadow_offset: tuple[int, int]  # drop shadow of the document on the desk
    gamma: float

    @property
    def blur_radius(self) -> int:
        """How far (px) the capture spreads a pixel's change: blur, motion and interpolation footprint."""
        return int(math.ceil(3 * self.blur_sigma)) + self.motion_px // 2 + 3


def plan_capture(rng: np.random.Generator, doc_wh: tuple[int, int], mode: str | None = None) -> CapturePlan:
    if mode is None:
        mode = "scan" if rng.random() < 0.3 else "photo"
    dw, dh = doc_wh
    portrait = dh > dw
    seed = int(rng.integers(0, 2**62))
    if mode == "scan":
        margin = rng.uniform(0.03, 0.12)
        scale = SCAN_LONG_SIDE / (max(dw, dh) * (1 + 2 * margin))
        ow, oh = int(round(dw * scale * (1 + 2 * margin))), int(round(dh * scale * (1 + 2 * margin)))
        angle = math.radians(rng.uniform(-1.5, 1.5))
        cx, cy = ow / 2 + rng.uniform(-0.3, 0.3) * margin * ow, oh / 2 + rng.uniform(-0.3, 0.3) * margin * oh
        dst = _rotated_rect(cx, cy, dw * scale, dh * scale, angle)
        return CapturePlan(
            "scan",
            (ow, oh),
            dst,
            seed,
            "scanner",
            float(rng.uniform(0.3, 0.7)),
            0,
            0.0,
            float(rng.uniform(0.8, 2.0)),
            (1.0, 1.0, 1.0),
            float(rng.uniform(0.0, 0.05)),
            0.0,
            0.0,
            (1, 1),
            float(rng.uniform(0.8, 1.0)),
        )
    ow, oh = (PHOTO_WH[1], PHOTO_WH[0]) if portrait else PHOTO_WH
    angle = math.radians(float(np.clip(rng.normal(0, 6), -15, 15)))
    # the largest scale at which the rotated document fits, then a random fill of the frame
    c, s = abs(math.cos(angle)), abs(math.sin(angle))
    fit = min((ow * 0.94) / (dw * c + dh * s), (oh * 0.94) / (dw * s + dh * c))
    scale = fit * rng.uniform(0.6, 0.95)
    bw, bh = (dw * c + dh * s) * scale, (dw * s + dh * c) * scale
    cx = ow / 2 + rng.uniform(-0.5, 0.5) * (ow * 0.94 - bw)
    cy = oh / 2 + rng.uniform(-0.5, 0.5) * (oh * 0.94 - bh)
    quad = np.asarray(_rotated_rect(cx, cy, dw * scale, dh * scale, angle))
    # perspective: tilt the phone by moving corners, then pull the quad back inside the frame if needed
    quad += rng.uniform(-1, 1, (4, 2)) * 0.06 * math.hypot(dw, dh) * scale
    margin = 8.0
    centre = quad.mean(axis=0)
    for _ in range(40):
        if (
            quad[:, 0].min() >= margin
            and quad[:, 1].min() >= margin
            and quad[:, 0].max() <= ow - margin
            and quad[:, 1].max() <= oh - margin
        ):
            break
        quad = centre + (quad - centre) * 0.96
        centre = np.clip(centre, [ow * 0.3, oh * 0.3], [ow * 0.7, oh * 0.7])
        quad = quad - quad.mean(axis=0) + centre
    motion = int(rng.integers(3, 9)) if rng.random() < 0.15 else 0
    return CapturePlan(
        mode="photo",
        out_wh=(ow, oh),
        dst=tuple((float(x), float(y)) for x, y in quad),
        seed=seed,
        background=str(rng.choice(["wood", "plain", "cloth"])),
        blur_sigma=float(rng.uniform(0.3, 1.3)),
        motion_px=motion,
        motion_angle=float(rng.uniform(0, 180)),
        noise_sigma=float(rng.uniform(1.5, 5.0)),
        gains=(
            float(rng.uniform(0.85, 1.08)),
            float(rng.uniform(0.95, 1.03)),
            float(rng.uniform(0.92, 1.12)),
        ),
        light_strength=float(rng.uniform(0.1, 0.4)),
        shade_strength=float(rng.uniform(0.15, 0.45)) if rng.random() < 0.35 else 0.0,
        glare_strength=float(rng.uniform(0.2, 0.6)) if rng.random() < 0.25 else 0.0,
        shadow_offset=(int(rng.integers(-12, 13)), int(rng.integers(2, 16))),
        gamma=float(rng.uniform(0.85, 1.15)),
    )


def _rotated_rect(cx: float, cy: float, w: float, h: float, angle: float) -> tuple[tuple[float, float], ...]:
    c, s = math.cos(angle), math.sin(angle)
    pts = []
    for x, y in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)):
        pts.append((cx + x * c - y * s, cy + x * s + y * c))
    return tuple(pts)


def _smooth(rng: np.random.Generator, h: int, w: int, cell: int) -> np.ndarray:
    small = rng.standard_normal((max(2, h // cell), max(2, w // cell))).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def background(rng: np.random.Generator, kind: str, w: int, h: int) -> np.ndarray:
    """A desk (wood, plain, cloth) or a scanner lid, float32 BGR 0..1."""
    hw, hh = w // 2, h // 2
    if kind == "scanner":
        bg = np.full((hh, hw, 3), rng.uniform(0.9, 0.99), np.float32)
        bg *= 1 + 0.01 * _smooth(rng, hh, hw, 64)[..., None]
    elif kind == "wood":
        base = np.asarray(
            [rng.uniform(0.35, 0.6), rng.uniform(0.5, 0.7), rng.uniform(0.65, 0.85)], np.float32
        )
        yy, xx = np.mgrid[0:hh, 0:hw].astype(np.float32)
        a = rng.uniform(0, math.pi)
        # grain runs along one direction: wobbling thin lines plus broader growth bands
        along = -xx * math.sin(a) + yy * math.cos(a)
        t = (
            xx * math.cos(a)
            + yy * math.sin(a)
            + 6 * np.sin(along / rng.uniform(80, 200))
            + 4 * _smooth(rng, hh, hw, 60)
        )
        grain = 0.6 * (0.5 + 0.5 * np.sin(t / rng.uniform(1.0, 2.5))) + 0.4 * (
            0.5 + 0.5 * np.sin(t / rng.uniform(12, 30))
        )
        bg = base * (0.88 + 0.14 * grain[..., None])
    elif kind == "cloth":
        base = (rng.uniform(0.2, 0.8) * rng.uniform(0.75, 1.0, 3)).astype(np.float32)
        yy, xx = np.mgrid[0:hh, 0:hw].astype(np.float32)
        weave = np.sin(xx * rng.uniform(1.0, 2.5)) * np.sin(yy * rng.uniform(1.0, 2.5))
        bg = base * (0.92 + 0.06 * weave[..., None])
    else:
        bg = np.empty((hh, hw, 3), np.float32)
        bg[:] = rng.uniform(0.25, 0.9) * np.asarray(rng.uniform(0.9, 1.0, 3), np.float32)
    bg *= 1 + 0.04 * _smooth(rng, hh, hw, 40)[..., None]
    bg = cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.clip(bg, 0, 1)


def homography(plan: CapturePlan, obj_corners: np.ndarray) -> np.ndarray:
    return cv2.getPerspectiveTransform(np.asarray(obj_corners, np.float32), np.asarray(plan.dst, np.float32))


def _warp(obj: np.ndarray, h_mat: np.ndarray, out_wh: tuple[int, int], interp: int) -> np.ndarray:
    return cv2.warpPerspective(
        obj, h_mat, out_wh, flags=interp, borderMode=cv2.BORDER_CONSTANT, borderValue=0
    )


def _prefilter(obj: np.ndarray, h_mat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shrink large objects with area averaging first (a lens does not alias as badly as bilinear sampling),
    keeping 1.3x headroom so fine periodic patterns (screens) still alias into moiré as real cameras do."""
    h, w = obj.shape[:2]
    pts = cv2.perspectiveTransform(np.asarray([[[0, 0], [w, 0], [w, h], [0, h]]], np.float32), h_mat)[0]
    scale = math.sqrt(cv2.contourArea(pts) / (w * h))
    f = scale * 1.3
    if f >= 0.95:
        return obj, h_mat
    small = cv2.resize(obj, (max(2, int(w * f)), max(2, int(h * f))), interpolation=cv2.INTER_AREA)
    sx, sy = small.shape[1] / w, small.shape[0] / h
    return small, h_mat @ np.diag([1 / sx, 1 / sy, 1.0])


def on_mat(
    rng: np.random.Generator,
    page: np.ndarray,
    margin: tuple[float, float] = (0.03, 0.08),
    level: tuple[int, int] = (12, 60),
) -> tuple[np.ndarray, np.ndarray]:
    """``page`` lying on a dark mat (a folder, a clipboard, a desk pad) with an even margin round it, a share
    ``margin`` of the page's width, of a grey ``level``: the object to capture and the page's corners in it (for
    :func:`apply_capture`). People photograph papers so; a screen's bezel frames a page the same way."""
    h, w = page.shape[:2]
    m = max(1, int(round(w * rng.uniform(*margin))))
    tint = int(rng.integers(*level)) + rng.integers(-6, 7, 3)
    mat = np.empty((h + 2 * m, w + 2 * m, 3), np.uint8)
    mat[:] = np.clip(tint, 0, 255).astype(np.uint8)
    mat[m : m + h, m : m + w] = page
    return mat, np.asarray([[m, m], [m + w, m], [m + w, m + h], [m, m + h]], np.float32)


def apply_capture(
    plan: CapturePlan, obj: np.ndarray, obj_corners: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Capture ``obj`` (BGR uint8) whose document corners are ``obj_corners`` (default: the whole object).
    Returns the BGR uint8 capture and the homography object -> capture."""
    oh_, ow_ = obj.shape[:2]
    if obj_corners is None:
        obj_corners = np.asarray([[0, 0], [ow_, 0], [ow_, oh_], [0, oh_]], np.float32)
    h_mat = homography(plan, obj_corners)
    rng = np.random.default_rng(plan.seed)
    w, h = plan.out_wh
    bg = background(rng, plan.background, w, h)
    src, h_src = _prefilter(obj, h_mat)
    fg = _warp(src.astype(np.float32) / 255.0, h_src, (w, h), cv2.INTER_LINEAR)
    alpha = _warp(np.ones(src.shape[:2], np.float32), h_src, (w, h), cv2.INTER_LINEAR)[..., None]
    # drop shadow of the page on the desk (scanner: a thin dark rim where the lid does not close)
    dx, dy = plan.shadow_offset
    shadow = np.roll(alpha[..., 0], (dy, dx), axis=(0, 1))
    shadow = cv2.GaussianBlur(shadow, (0, 0), 6 if plan.mode == "photo" else 1.5)[..., None]
    bg *= 1 - (0.45 if plan.mode == "photo" else 0.25) * shadow
    img = fg * alpha + bg * (1 - alpha)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if plan.light_strength > 0:
        a = rng.uniform(0, 2 * math.pi)
        grad = ((xx / w - 0.5) * math.cos(a) + (yy / h - 0.5) * math.sin(a)) * plan.light_strength
        vign = ((xx / w - 0.5) ** 2 + (yy / h - 0.5) ** 2) * plan.light_strength
        img *= (1 + grad - vign)[..., None]
    if plan.shade_strength > 0:
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.uniform(0.25, 0.6) * max(w, h)
        blob = np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r)))
        img *= (1 - plan.shade_strength * blob)[..., None]
    if plan.glare_strength > 0:
        cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
        rx, ry = rng.uniform(0.05, 0.2) * w, rng.uniform(0.03, 0.12) * h
        blob = np.exp(-(((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2))
        img += (plan.glare_strength * blob)[..., None] * alpha
    img *= np.asarray(plan.gains, np.float32)
    img = np.clip(img, 0, 1) ** plan.gamma
    if plan.blur_sigma > 0:
        img = cv2.GaussianBlur(img, (0, 0), plan.blur_sigma)
    if plan.motion_px:
        k = np.zeros((plan.motion_px, plan.motion_px), np.float32)
        k[plan.motion_px // 2, :] = 1.0 / plan.motion_px
        rot = cv2.getRotationMatrix2D(
            ((plan.motion_px - 1) / 2, (plan.motion_px - 1) / 2), plan.motion_angle, 1
        )
        k = cv2.warpAffine(k, rot, k.shape[::-1])
        img = cv2.filter2D(img, -1, k / max(k.sum(), 1e-6))
    img = img * 255.0 + rng.normal(0, plan.noise_sigma, (h, w, 1)).astype(np.float32)
    return np.clip(img + 0.5, 0, 255).astype(np.uint8), h_mat


def transform_box(
    box: tuple[int, int, int, int] | list[int], h_mat: np.ndarray, wh: tuple[int, int]
) -> list[int]:
    """The axis-aligned box of a page box after the homography, clipped to the image."""
    x1, y1, x2, y2 = box
    pts = cv2.perspectiveTransform(np.asarray([[[x1, y1], [x2, y1], [x2, y2], [x1, y2]]], np.float32), h_mat)[
        0
    ]
    w, h = wh
    return [
        int(np.clip(math.floor(pts[:, 0].min()), 0, w - 1)),
        int(np.clip(math.floor(pts[:, 1].min()), 0, h - 1)),
        int(np.clip(math.ceil(pts[:, 0].max()), 0, w - 1)),
        int(np.clip(math.ceil(pts[:, 1].max()), 0, h - 1)),
    ]


def transform_fields(
    fields: dict[str, object], h_mat: np.ndarray, wh: tuple[int, int]
) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for name, fb in fields.items():
        out[name] = {"text": fb.text, "box_xyxy": transform_box(fb.box_xyxy, h_mat, wh)}  # type: ignore[attr-defined]
    return out


def corners(plan: CapturePlan) -> list[list[float]]:
    return [[round(x, 2), round(y, 2)] for x, y in plan.dst]


def scanner_flatten(image: np.ndarray, page_corners: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A photographed page as a scanner app cuts it out along its corners (TL, TR, BR, BL) and warps it flat to
    ``size`` (w, h): its pixels are no longer the camera's."""
    w, h = size
    flat = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    return cv2.warpPerspective(image, cv2.getPerspectiveTransform(np.float32(page_corners), flat), (w, h))


def scanner_enhance(flat: np.ndarray) -> np.ndarray:
    """A scanner app's colour enhancement of a flattened page: the page divided by its lit paper (the print closed
    away by a dilation, then a wide median), lifted so the paper is pure white, contrast stretched and sharpened."""
    page = flat.astype(np.float32)
    k = max(15, (min(flat.shape[:2]) // 20) | 1)
    paper = cv2.medianBlur(cv2.dilate(flat, np.ones((7, 7), np.uint8)), k).astype(np.float32) + 1.0
    out = np.clip(page / paper * 255.0 * 1.05, 0, 255)
    out = np.clip((out - 30.0) * 255.0 / 215.0, 0, 255)
    return np.clip(out * 1.6 - cv2.GaussianBlur(out, (0, 0), 1.2) * 0.6, 0, 255).astype(np.uint8)


def scanner_upload(
    image: np.ndarray, page_corners: np.ndarray, scale: float = 1.4, jpeg_quality: int = 85, enhanced: bool = True
) -> np.ndarray:
    """A photographed page as a scanner app uploads it: cut out and warped flat (:func:`scanner_flatten`) at ``scale``
    times its size in the photo (an app's own resolution), enhanced (:func:`scanner_enhance`) when ``enhanced``, and
    saved as JPEG at ``jpeg_quality`` (0: kept lossless, as PNG)."""
    w, h = quad_size(np.float32(page_corners))
    out = scanner_flatten(image, page_corners, (round(w * scale), round(h * scale)))
    if enhanced:
        out = scanner_enhance(out)
    if jpeg_quality:
        out = cv2.imdecode(cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])[1], cv2.IMREAD_COLOR)
    return out
