"""Drawing primitives for flat documents: a float page with multiply-blended ink, text that records its
box, paper and security backgrounds, table grids, seals and placeholders.

Ink is multiplied onto the paper (like real ink and toner) instead of painted over it, so a seal over text
leaves both visible and the background texture shows through the strokes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw

from datasets.fonts import font

Color = tuple[float, float, float]  # RGB in 0..1

BLACK: Color = (0.08, 0.08, 0.09)
SEAL_RED: Color = (0.86, 0.12, 0.14)


@dataclass(frozen=True, slots=True)
class FieldBox:
    """A field value as printed on the page and its axis-aligned box (x1, y1, x2, y2) in page pixels."""

    text: str
    box_xyxy: tuple[int, int, int, int]


def _pt(p: tuple[float, float], origin: tuple[int, int]) -> tuple[int, int]:
    return int(p[0]) - origin[0], int(p[1]) - origin[1]


def _union(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def text_mask(text: str, font_name: str, size: int, anchor: str = "ls") -> tuple[np.ndarray, int, int]:
    """Coverage (float 0..1) of ``text`` and the offset of its top-left relative to the anchor point."""
    f = font(font_name, size)
    left, top, right, bottom = f.getbbox(text, anchor=anchor)
    w, h = max(1, right - left), max(1, bottom - top)
    img = Image.new("L", (w, h), 0)
    ImageDraw.Draw(img).text((-left, -top), text, font=f, fill=255, anchor=anchor)
    return np.asarray(img, dtype=np.float32) / 255.0, left, top


def text_width(text: str, font_name: str, size: int) -> int:
    left, _, right, _ = font(font_name, size).getbbox(text, anchor="ls")
    return right - left


def _dot_matrix(alpha: np.ndarray, size: int) -> np.ndarray:
    # Impact printers print characters as a grid of round dots: modulate the stroke coverage by a dot lattice.
    pitch = max(2.0, size / 9.0)
    yy, xx = np.mgrid[0 : alpha.shape[0], 0 : alpha.shape[1]].astype(np.float32)
    dots = (0.5 + 0.5 * np.cos(2 * np.pi * xx / pitch)) * (0.5 + 0.5 * np.cos(2 * np.pi * yy / pitch))
    return alpha * np.clip(dots * 3.0 + 0.35, 0.0, 1.0)


class Page:
    """A page being drawn: ``px`` is float32 RGB in 0..1, ``fields`` the recorded value boxes."""

    def __init__(self, paper: np.ndarray) -> None:
        self.px = paper.astype(np.float32, copy=False)
        self.h, self.w = self.px.shape[:2]
        self.fields: dict[str, FieldBox] = {}
        self.printed: list[FieldBox] = []  # every string drawn (labels, titles, values) and its ink box
        # Where the typed values land relative to the pre-printed form (printer feed misalignment).
        self.typed_offset = (0, 0)

    # -- compositing -------------------------------------------------------------------------------------

    def ink(self, alpha: np.ndarray, x0: int, y0: int, color: Color, opacity: float = 1.0) -> None:
        """Multiply ``color`` onto the page with coverage ``alpha`` whose top-left is at (x0, y0)."""
        h, w = alpha.shape
        ax0, ay0 = max(0, -x0), max(0, -y0)
        px0, py0 = max(0, x0), max(0, y0)
        px1, py1 = min(self.w, x0 + w), min(self.h, y0 + h)
        if px1 <= px0 or py1 <= py0:
            return
        a = alpha[ay0 : ay0 + py1 - py0, ax0 : ax0 + px1 - px0, None] * opacity
        region = self.px[py0:py1, px0:px1]
        region *= 1.0 - a * (1.0 - np.asarray(color, np.float32))

    def text(
        self,
        x: float,
        y: float,
        s: str,
        font_name: str,
        size: int,
        color: Color = BLACK,
        anchor: str = "ls",
        opacity: float = 0.95,
        max_width: float | None = None,
        dot_matrix: bool = False,
    ) -> tuple[int, int, int, int]:
        """Draw ``s`` anchored at (x, y) (PIL anchors; default left-baseline); returns its ink box. Text wider
        than ``max_width`` is condensed horizontally, as form software does to fit a cell."""
        if not s:
            return int(x), int(y), int(x), int(y)
        alpha, left, top = text_mask(s, font_name, size, anchor)
        if max_width is not None and alpha.shape[1] > max_width > 4:
            scale = max_width / alpha.shape[1]
            alpha = cv2.resize(alpha, (int(max_width), alpha.shape[0]), interpolation=cv2.INTER_AREA)
            left = int(round(left * scale))
        if dot_matrix:
            alpha = _dot_matrix(alpha, size)
        x0, y0 = int(round(x)) + left, int(round(y)) + top
        self.ink(alpha, x0, y0, color, opacity)
        box = (x0, y0, x0 + alpha.shape[1], y0 + alpha.shape[0])
        self.printed.append(FieldBox(s, box))
        return box

    def field(
        self,
        name: str,
        x: float,
        y: float,
        s: str,
        font_name: str = "cjk_sans",
        size: int = 22,
        color: Color = BLACK,
        typed: bool = True,
        **kw: object,
    ) -> tuple[int, int, int, int]:
        """Draw a field value and record it; drawing the same name again (a wrapped line) extends it."""
        if typed:
            x, y = x + self.typed_offset[0], y + self.typed_offset[1]
        box = self.text(x, y, s, font_name, size, color, **kw)  # type: ignore[arg-type]
        box = (max(0, box[0] - 2), max(0, box[1] - 2), min(self.w, box[2] + 2), min(self.h, box[3] + 2))
        old = self.fields.get(name)
        if old is not None:
            self.fields[name] = FieldBox(old.text + s, _union(old.box_xyxy, box))
        else:
            self.fields[name] = FieldBox(s, box)
        return box

    def line(
        self,
        p1: tuple[float, float],
        p2: tuple[float, float],
        color: Color,
        thickness: int = 1,
        opacity: float = 0.9,
    ) -> None:
        self._stroke(
            lambda lay, o: cv2.line(lay, _pt(p1, o), _pt(p2, o), 255, thickness, cv2.LINE_AA),
            min(p1[0], p2[0]),
            min(p1[1], p2[1]),
            max(p1[0], p2[0]),
            max(p1[1], p2[1]),
            thickness,
            color,
            opacity,
        )

    def rect(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        color: Color,
        thickness: int = 1,
        opacity: float = 0.9,
    ) -> None:
        self._stroke(
            lambda lay, o: cv2.rectangle(
                lay, _pt((x1, y1), o), _pt((x2, y2), o), 255, thickness, cv2.LINE_AA
            ),
            x1,
            y1,
            x2,
            y2,
            thickness,
            color,
            opacity,
        )

    def dotted(
        self, x1: float, x2: float, y: float, color: Color, gap: int = 5, opacity: float = 0.7
    ) -> None:
        def draw(lay: np.ndarray, o: tuple[int, int]) -> None:
            for x in range(int(x1), int(x2), gap):
                cv2.circle(lay, _pt((x, y), o), 1, 255, -1, cv2.LINE_AA)

        self._stroke(draw, x1, y, x2, y, 2, color, opacity)

    def _stroke(
        self,
        draw: Callable[[np.ndarray, tuple[int, int]], object],
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        thickness: int,
        color: Color,
        opacity: float,
    ) -> None:
        # Draw into a layer just big enough for the primitive: full-page layers made tables slow.
        pad = thickness + 3
        ox, oy = int(x1) - pad, int(y1) - pad
        layer = np.zeros((int(y2) - oy + pad + 1, int(x2) - ox + pad + 1), np.uint8)
        draw(layer, (ox, oy))
        self.ink(layer.astype(np.float32) / 255.0, ox, oy, color, opacity)

    def to_bgr(self) -> np.ndarray:
        return cv2.cvtColor(np.clip(self.px * 255.0 + 0.5, 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR)


# ------------------------------------------------------------------------------------------------ backgrounds


def _smooth_noise(rng: np.random.Generator, h: int, w: int, cell: int) -> np.ndarray:
    small = rng.standard_normal((max(2, h // cell), max(2, w // cell))).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def paper(
    rng: np.random.Generator, w: int, h: int, base: Color, blotch: float = 0.015, grain: float = 0.012
) -> np.ndarray:
    """Paper: a base tint, low-frequency blotches and fine fibre grain."""
    px = np.empty((h, w, 3), np.float32)
    px[:] = np.asarray(base, np.float32)
    px *= 1.0 + blotch * _smooth_noise(rng, h, w, 48)[..., None]
    px *= 1.0 + grain * rng.standard_normal((h, w, 1)).astype(np.float32)
    return np.clip(px, 0.0, 1.0)


def tint_gradient(
    px: np.ndarray, rng: np.random.Generator, colors: tuple[Color, Color], strength: float
) -> None:
    """Blend a diagonal two-colour gradient into the page (the printed rainbow tint of cards)."""
    h, w = px.shape[:2]
    angle = rng.uniform(0, math.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (xx / w - 0.5) * math.cos(angle) + (yy / h - 0.5) * math.sin(angle)
    t = np.clip(t + 0.5, 0.0, 1.0)[..., None]
    grad = (1 - t) * np.asarray(colors[0], np.float32) + t * np.asarray(colors[1], np.float32)
    px *= 1.0 - strength * (1.0 - grad)


def guilloche(
    page: Page,
    rng: np.random.Generator,
    color: Color,
    opacity: float = 0.35,
    region: tuple[int, int, int, int] | None = None,
    families: int = 2,
) -> None:
    """Fine interlaced sine-wave families plus a rosette, the anti-copy pattern of ID cards and licences."""
    x0, y0, x1, y1 = region or (0, 0, page.w, page.h)
    layer = np.zeros((page.h, page.w), np.uint8)
    xs = np.arange(x0, x1, 2, dtype=np.float32)
    for _ in range(families):
        period = rng.uniform(80, 260)
        amp = rng.uniform(6, 22)
        spacing = rng.uniform(7, 14)
        phase_step = rng.uniform(0.1, 0.5)
        for k, y in enumerate(np.arange(y0 - amp, y1 + amp, spacing)):
            ys = y + amp * np.sin(2 * np.pi * xs / period + k * phase_step)
            pts = np.stack([xs, ys], axis=1).astype(np.int32)
            cv2.polylines(layer, [pts], False, 160, 1, cv2.LINE_AA)
    cx, cy = rng.uniform(x0 + 0.3 * (x1 - x0), x0 + 0.7 * (x1 - x0)), rng.uniform(y0, y1)
    theta = np.linspace(0, 2 * np.pi, 720, dtype=np.float32)
    lobes = int(rng.integers(8, 20))
    base_r = rng.uniform(0.12, 0.25) * (x1 - x0)
    for k in range(14):
        r = base_r * (0.45 + 0.04 * k) + base_r * 0.18 * np.sin(lobes * theta + k * 0.35)
        pts = np.stack([cx + r * np.cos(theta), cy + r * np.sin(theta)], axis=1).astype(np.int32)
        cv2.polylines(layer, [pts], True, 200, 1, cv2.LINE_AA)
    page.ink(layer.astype(np.float32) / 255.0, 0, 0, color, opacity)


# ------------------------------------------------------------------------------------------------ seals


def _ink_texture(rng: np.random.Generator, alpha: np.ndarray) -> np.ndarray:
    # Stamps print unevenly: smooth pressure variation plus speckled gaps.
    h, w = alpha.shape
    pressure = 0.8 + 0.25 * _smooth_noise(rng, h, w, 24)
    speckle = rng.random((h, w)).astype(np.float32) > 0.08
    return np.clip(alpha * pressure * speckle, 0.0, 1.0)


def _star(layer: np.ndarray, cx: float, cy: float, r: float) -> None:
    pts = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.382
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    cv2.fillPoly(layer, [np.round(np.asarray(pts)).astype(np.int32)], 255, cv2.LINE_AA)


def _put_char(
    layer: np.ndarray,
    ch: str,
    font_name: str,
    size: int,
    cx: float,
    cy: float,
    angle_deg: float,
    x_scale: float = 1.0,
) -> None:
    alpha, _, _ = text_mask(ch, font_name, size, anchor="mm")
    img = (alpha * 255).astype(np.uint8)
    if x_scale != 1.0:
        img = cv2.resize(img, (max(1, int(img.shape[1] * x_scale)), img.shape[0]))
    rot = np.asarray(Image.fromarray(img).rotate(angle_deg, resample=Image.Resampling.BILINEAR, expand=True))
    h, w = rot.shape
    x0, y0 = int(round(cx - w / 2)), int(round(cy - h / 2))
    xa, ya = max(0, x0), max(0, y0)
    xb, yb = min(layer.shape[1], x0 + w), min(layer.shape[0], y0 + h)
    if xb > xa and yb > ya:
        np.maximum(layer[ya:yb, xa:xb], rot[ya - y0 : yb - y0, xa - x0 : xb - x0], out=layer[ya:yb, xa:xb])


def seal(
    page: Page,
    rng: np.random.Generator,
    cx: float,
    cy: float,
    rx: float,
    ry: float,
    ring_text: str,
    centre_text: str = "",
    bottom_text: str = "",
    star: bool = True,
    color: Color = SEAL_RED,
) -> None:
    """A round (rx == ry) official seal or an oval 发票专用章: ring, text along the upper arc, a star or
    centre text, a horizontal bottom line of text; rotated slightly and inked unevenly."""
    pad = 6
    w, h = int(2 * rx + 2 * pad), int(2 * ry + 2 * pad)
    layer = np.zeros((h, w), np.uint8)
    ox, oy = w / 2, h / 2
    ring = max(2, int(min(rx, ry) * 0.05))
    cv2.ellipse(
        layer, (int(ox), int(oy)), (int(rx - ring / 2), int(ry - ring / 2)), 0, 0, 360, 255, ring, cv2.LINE_AA
    )
    n = len(ring_text)
    if n:
        size = int(min(rx, ry) * (0.30 if n <= 12 else 0.24 if n <= 18 else 0.2))
        span = math.radians(min(250.0, 18.0 * n + 40))
        for i, ch in enumerate(ring_text):
            a = -math.pi / 2 - span / 2 + span * (i + 0.5) / n
            x, y = ox + (rx - ring - size * 0.75) * math.cos(a), oy + (ry - ring - size * 0.75) * math.sin(a)
            _put_char(layer, ch, "cjk_sans_bold", size, x, y, -math.degrees(a) - 90, x_scale=0.8)
    if star:
        _star(layer, ox, oy, min(rx, ry) * 0.28)
    if centre_text:
        size = int(min(rx, ry) * 0.16)
        alpha, _, _ = text_mask(centre_text, "latin_condensed_bold", size, "mm")
        alpha = cv2.resize(alpha, (min(alpha.shape[1], int(rx * 1.4)), alpha.shape[0]))
        y0, x0 = int(oy - alpha.shape[0] / 2), int(ox - alpha.shape[1] / 2)
        np.maximum(
            layer[y0 : y0 + alpha.shape[0], x0 : x0 + alpha.shape[1]],
            (alpha * 255).astype(np.uint8),
            out=layer[y0 : y0 + alpha.shape[0], x0 : x0 + alpha.shape[1]],
        )
    if bottom_text:
        size = int(min(rx, ry) * 0.22)
        for i, ch in enumerate(bottom_text):
            x = ox + (i - (len(bottom_text) - 1) / 2) * size * 0.95
            _put_char(layer, ch, "cjk_sans_bold", size, x, oy + ry * 0.55, 0.0, x_scale=0.85)
    rot = cv2.getRotationMatrix2D((ox, oy), float(rng.uniform(-25, 25)), 1.0)
    layer = cv2.warpAffine(layer, rot, (w, h), flags=cv2.INTER_LINEAR)
    alpha = _ink_texture(rng, layer.astype(np.float32) / 255.0)
    page.ink(alpha, int(cx - w / 2), int(cy - h / 2), color, float(rng.uniform(0.6, 0.9)))


def square_seal(
    page: Page,
    rng: np.random.Generator,
    x: int,
    y: int,
    w: int,
    h: int,
    lines: list[str],
    color: Color = SEAL_RED,
) -> None:
    """The rectangular seal of the 行驶证: a double border with the office name in rows."""
    layer = np.zeros((h, w), np.uint8)
    cv2.rectangle(layer, (2, 2), (w - 3, h - 3), 255, 3, cv2.LINE_AA)
    rows = len(lines)
    size = int(min(h / rows * 0.62, (w - 16) / max(len(s) for s in lines) * 0.95))
    for r, s in enumerate(lines):
        cy = (r + 0.5) * h / rows + 2
        for i, ch in enumerate(s):
            cx = 8 + (i + 0.5) * (w - 16) / len(s)
            _put_char(layer, ch, "cjk_sans_bold", size, cx, cy, 0.0)
    alpha = np.maximum(_ink_texture(rng, layer.astype(np.float32) / 255.0), layer.astype(np.float32) / 400.0)
    page.ink(alpha, x, y, color, float(rng.uniform(0.85, 1.0)))


def split_office(name: str, rows: int = 3) -> list[str]:
    """Split a seal text into ``rows`` roughly equal lines (北京市公 / 安局公安 / 交通管理局)."""
    n = len(name)
    cuts = [round(n * k / rows) for k in range(rows + 1)]
    return [name[cuts[k] : cuts[k + 1]] for k in range(rows)]


# -------------------------------------------------------------------------------------------- placeholders


def silhouette(page: Page, rng: np.random.Generator, x: int, y: int, w: int, h: int) -> None:
    """The portrait area of an ID card as a drawn grey silhouette (never a face)."""
    layer = np.zeros((h, w), np.uint8)
    head_r = int(w * rng.uniform(0.2, 0.24))
    cx, cy = w // 2 + int(rng.integers(-4, 5)), int(h * 0.38)
    cv2.ellipse(layer, (cx, cy), (head_r, int(head_r * 1.25)), 0, 0, 360, 255, -1, cv2.LINE_AA)
    cv2.ellipse(
        layer, (cx, h + int(h * 0.05)), (int(w * 0.48), int(h * 0.36)), 0, 180, 360, 255, -1, cv2.LINE_AA
    )
    cv2.rectangle(layer, (cx - head_r // 2, cy), (cx + head_r // 2, int(h * 0.72)), 255, -1)
    alpha = cv2.GaussianBlur(layer.astype(np.float32) / 255.0, (0, 0), 1.2)
    page.ink(alpha, x, y, (0.55, 0.57, 0.62), 0.8)


def emblem(page: Page, cx: int, cy: int, r: int) -> None:
    """A stand-in for the national emblem on the ID card back: red disc, gold star and arcs (not the real
    emblem, which may not be reproduced)."""
    layer = np.zeros((2 * r + 4, 2 * r + 4), np.uint8)
    cv2.circle(layer, (r + 2, r + 2), r, 255, -1, cv2.LINE_AA)
    page.ink(layer.astype(np.float32) / 255.0, cx - r - 2, cy - r - 2, (0.85, 0.18, 0.15), 0.85)
    gold = np.zeros_like(layer)
    _star(gold, r + 2, r * 0.75, r * 0.32)
    for k in range(3):
        cv2.ellipse(
            gold,
            (r + 2, int(r * 1.25)),
            (int(r * (0.45 + 0.12 * k)), int(r * 0.25)),
            0,
            0,
            180,
            255,
            2,
            cv2.LINE_AA,
        )
    cv2.circle(gold, (r + 2, r + 2), r, 255, max(2, r // 12), cv2.LINE_AA)
    page.ink(gold.astype(np.float32) / 255.0, cx - r - 2, cy - r - 2, (0.98, 0.8, 0.25), 0.9)


def qr_placeholder(page: Page, rng: np.random.Generator, x: int, y: int, size: int) -> None:
    """A QR-like block (random modules, three finder squares); it encodes nothing."""
    n = 25
    grid = rng.random((n, n)) < 0.5
    for fx, fy in ((0, 0), (n - 7, 0), (0, n - 7)):
        grid[fy : fy + 7, fx : fx + 7] = False
        grid[fy : fy + 7, fx] = grid[fy : fy + 7, fx + 6] = True
        grid[fy, fx : fx + 7] = grid[fy + 6, fx : fx + 7] = True
        grid[fy + 2 : fy + 5, fx + 2 : fx + 5] = True
    img = cv2.resize(grid.astype(np.float32), (size, size), interpolation=cv2.INTER_NEAREST)
    page.ink(img, x, y, BLACK, 0.92)
