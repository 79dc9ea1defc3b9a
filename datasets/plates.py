"""Synthetic Chinese licence plates laid out after GA 36-2018, and plate photographs in a small context.

``render_plate`` draws the flat, frontal plate (frame, rivets, raised characters) at a chosen resolution;
``PlateGenerator`` (kind ``plates``) puts it in perspective on a procedural car-body patch and degrades the
photograph the way handheld phone frames are degraded (blur, exposure, glare, dirt, noise, JPEG).

The official plate typeface is not available: glyphs come from a bold condensed sans and are stretched to
the tall, narrow GA 36 character cell, which is what a reader trained on them has to cope with anyway.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw

from datasets.core import Sample
from datasets.fonts import font
from inference.validate.plate import (
    PLATE_LETTERS,
    PROVINCES,
    PlateColor,
    PlateType,
    is_double_row,
    plate_color,
)

# ------------------------------------------------------------------------------------------------ constants

DIGITS = "0123456789"
LETTERS = "".join(PLATE_LETTERS)
SERIAL_CHARS = DIGITS + LETTERS

LATIN_FONT = "latin_condensed_bold"
CJK_FONT = "cjk_sans_bold"

# Relative registration volume by province (roughly vehicles per province); 皖 is boosted because the
# real handheld frames this project is judged on come mostly from Anhui. Every province keeps a weight.
PROVINCE_WEIGHTS: dict[str, float] = {
    "粤": 30, "鲁": 27, "苏": 25, "浙": 22, "冀": 20, "豫": 20, "皖": 24, "川": 16, "湘": 11, "鄂": 11,
    "辽": 9, "晋": 8, "陕": 9, "云": 9, "闽": 9, "桂": 8, "赣": 7, "京": 7, "黑": 6, "吉": 5, "蒙": 6,
    "贵": 6, "渝": 6, "新": 5, "沪": 5, "甘": 4, "津": 4, "宁": 2, "琼": 2, "青": 1.5, "藏": 0.6,
}

# Plate type mix of PlateGenerator: ~55 % blue, 20 % green, 12 % yellow, 5 % white, 8 % black.
TYPE_WEIGHTS: dict[PlateType, float] = {
    PlateType.blue_small: 55,
    PlateType.green_small: 15,
    PlateType.green_large: 5,
    PlateType.yellow_large: 5,
    PlateType.yellow_double: 4,
    PlateType.yellow_trailer: 1.5,
    PlateType.yellow_learner: 1.5,
    PlateType.white_police: 3.5,
    PlateType.white_armed_police: 1.5,
    PlateType.black_embassy: 2,
    PlateType.black_consulate: 2,
    PlateType.black_hk_macao: 4,
}

DOUBLE_ROW_TYPES = frozenset(t for t in PlateType if is_double_row(t))

# Resolutions the flat plate is drawn at; few levels so glyph renders are cached and reused.
PX_PER_MM_LEVELS = (1.0, 2.0, 3.0)

# Colours, BGR. Real plates drift around these (fading, retro-reflective film), see _plate_colours.
_BLUE = (190, 72, 14)
_YELLOW = (10, 190, 240)
_WHITE = (236, 238, 238)
_BLACK = (28, 26, 24)
_RED = (30, 25, 205)
_GREEN_TOP = (205, 240, 212)
_GREEN_BOTTOM = (105, 196, 70)
_GREEN_SOLID = (95, 190, 80)
_INK_DARK = (22, 22, 22)
_INK_WHITE = (245, 245, 245)


# ------------------------------------------------------------------------------------------------ results


@dataclass(frozen=True, slots=True)
class RenderedPlate:
    """A flat, frontal plate. ``image`` covers the plate's outer frame exactly (BGR uint8); ``alpha`` is 255
    on the plate and 0 in the cut-off rounded corners. ``char_boxes`` are (x1, y1, x2, y2) pixel boxes of the
    character cells, in the order of ``text``."""

    image: np.ndarray
    text: str
    plate_type: PlateType
    color: PlateColor
    double_row: bool
    char_boxes: tuple[tuple[int, int, int, int], ...] | None = None
    alpha: np.ndarray | None = None
    px_per_mm: float = 2.0
    char_height_mm: float = 90.0


@dataclass(frozen=True, slots=True)
class _Cell:
    char: str
    x: float  # mm from the plate's left edge
    y: float
    w: float
    h: float
    red: bool = False


@dataclass(frozen=True, slots=True)
class _Layout:
    width: float  # mm
    height: float
    cells: tuple[_Cell, ...]
    dots: tuple[tuple[float, float, float], ...]  # (x, y, radius) in mm
    rivets: tuple[tuple[float, float], ...]
    main_row_y: float  # centre line of the tallest row, for measuring the character height in a photo
    main_char_h: float


# ------------------------------------------------------------------------------------------------ text


def _weighted(rng: np.random.Generator, weights: dict[Any, float]) -> Any:
    keys = list(weights)
    p = np.asarray([weights[k] for k in keys], dtype=np.float64)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _province(rng: np.random.Generator) -> str:
    return _weighted(rng, {p: PROVINCE_WEIGHTS.get(p, 1.0) for p in PROVINCES})


def _authority(rng: np.random.Generator, province: str) -> str:
    # A (the provincial capital) dominates; later letters get rarer. 粤Z is reserved for HK/Macao plates.
    letters = [c for c in LETTERS if not (province == "粤" and c == "Z")]
    w = np.asarray([0.85 ** k for k in range(len(letters))])
    w[0] *= 3.0
    return letters[int(rng.choice(len(letters), p=w / w.sum()))]


def _digits(rng: np.random.Generator, n: int) -> str:
    return "".join(DIGITS[int(d)] for d in rng.integers(0, 10, n))


def _letter(rng: np.random.Generator) -> str:
    return LETTERS[int(rng.integers(0, len(LETTERS)))]


def _serial(rng: np.random.Generator, n: int = 5, max_letters: int = 2) -> str:
    """n characters from digits and letters without I/O, at most ``max_letters`` letters."""
    probs = np.asarray([0.35, 0.45, 0.20][: max_letters + 1])  # share of serials with 0, 1, 2 letters
    k = int(rng.choice(len(probs), p=probs / probs.sum()))
    chars = list(_digits(rng, n))
    for pos in rng.choice(n, size=k, replace=False):
        chars[int(pos)] = _letter(rng)
    return "".join(chars)


def plate_text(rng: np.random.Generator, plate_type: PlateType) -> str:
    """A plate number that is valid for ``plate_type`` (no separators)."""
    t = PlateType(plate_type)
    if t is PlateType.black_embassy:
        # 使 + 3-digit country code + 3-digit serial.
        return "使" + f"{int(rng.integers(100, 300)):03d}" + _digits(rng, 3)
    if t is PlateType.white_armed_police:
        # Current plates: WJ + province (printed small) + 5 characters, the last often a service letter;
        # older ones: WJ + 2-digit province code (printed small) + 5 digits.
        if rng.random() < 0.5:
            last = _letter(rng) if rng.random() < 0.3 else _digits(rng, 1)
            return "WJ" + _province(rng) + _digits(rng, 4) + last
        return "WJ" + f"{int(rng.integers(1, 33)):02d}" + _digits(rng, 5)
    if t is PlateType.black_hk_macao:
        return "粤Z" + _serial(rng, 4, 1) + ("港" if rng.random() < 0.7 else "澳")
    province = _province(rng)
    if t is PlateType.black_consulate:
        province = str(rng.choice([p for p in "沪粤川辽鄂云黑桂新京" if p in PROVINCES]))
        return province + "A" + _digits(rng, 4) + "领"
    head = province + _authority(rng, province)
    if t is PlateType.green_small:
        second = _letter(rng) if rng.random() < 0.4 else _digits(rng, 1)
        # D (pure electric) and F (other) dominate; A/B/C/E and G/H/J/K were opened later.
        power = "D" if rng.random() < 0.6 else "F"
        if rng.random() < 0.1:
            power = str(rng.choice(list("ABCEGHJK")))
        return head + power + second + _digits(rng, 4)
    if t is PlateType.green_large:
        return head + _digits(rng, 5) + ("D" if rng.random() < 0.65 else "F")
    if t is PlateType.white_police:
        return head + _digits(rng, 4) + "警"
    if t is PlateType.yellow_learner:
        return head + _digits(rng, 4) + "学"
    if t is PlateType.yellow_trailer:
        return head + _serial(rng, 4, 1) + "挂"
    return head + _serial(rng, 5, 2)


def random_plate_type(rng: np.random.Generator) -> PlateType:
    return _weighted(rng, TYPE_WEIGHTS)


# ------------------------------------------------------------------------------------------------ layout


def _row(chars: str, x0: float, y: float, w: float, h: float, gap: float, dot_after: int | None,
         dot_gap: float, red: set[int] | None = None) -> list[_Cell]:
    cells, x = [], x0
    for k, c in enumerate(chars):
        cells.append(_Cell(c, x, y, w, h, red is not None and k in red))
        x += w + (dot_gap if dot_after is not None and k == dot_after else gap)
    return cells


def _layout(plate_type: PlateType, text: str) -> _Layout:
    t = plate_type
    if t in DOUBLE_ROW_TYPES:
        # 440 x 220: top row province + authority (80 x 60 mm cells), bottom row 65 x 110 mm cells.
        top = [_Cell(text[0], 110, 15, 80, 60), _Cell(text[1], 250, 15, 80, 60)]
        rest = text[2:]
        bottom = _row(rest, 27.5, 90, 65, 110, 15.0, None, 0.0)
        return _Layout(440, 220, tuple(top + bottom), ((220, 45, 5),), ((45, 40), (395, 40)), 145, 110)
    if t in (PlateType.green_small, PlateType.green_large):
        # 480 x 140: 8 cells of 43 x 90 mm, 9 mm spacing, 49 mm gap (with the dot) after the 2nd.
        cells = _row(text, 16.5, 25, 43, 90, 9.0, 1, 49.0)
        dot_x = cells[1].x + cells[1].w + 24.5
        return _Layout(480, 140, tuple(cells), ((dot_x, 70, 4),), ((125, 13), (355, 13)), 70, 90)
    if t is PlateType.white_armed_police:
        # WJ (red) + small 2-digit province code at the baseline + 5 slightly narrower cells.
        cells = _row(text[:2], 15.5, 25, 45, 90, 12.0, None, 0.0, red={0, 1})
        if _is_latin(text[2]):
            cells += _row(text[2:4], 124, 70, 20, 45, 2.0, None, 0.0)
            cells += _row(text[4:], 174.5, 25, 42, 90, 10.0, None, 0.0)
        else:
            cells += [_Cell(text[2], 126, 70, 38, 45)]
            cells += _row(text[3:], 174.5, 25, 42, 90, 10.0, None, 0.0)
        return _Layout(440, 140, tuple(cells), (), ((120, 13), (320, 13)), 70, 90)
    red: set[int] = set()
    dot_after = 1
    if t is PlateType.white_police or t is PlateType.black_consulate:
        red = {6}
    elif t is PlateType.black_embassy:
        red, dot_after = {0}, 3
    cells = _row(text, 15.5, 25, 45, 90, 12.0, dot_after, 34.0, red)
    dot_x = cells[dot_after].x + 45 + 17
    return _Layout(440, 140, tuple(cells), ((dot_x, 70, 5),), ((118, 13), (322, 13)), 70, 90)


# ------------------------------------------------------------------------------------------------ glyphs


def _is_latin(c: str) -> bool:
    return c.isascii()


@lru_cache(maxsize=64)
def _latin_aspect(c: str) -> float:
    """Ink width/height of a Latin glyph relative to that of '0', which fills the cell."""
    a = _ink(c, LATIN_FONT, 160)
    z = _ink("0", LATIN_FONT, 160)
    return (a.shape[1] / a.shape[0]) / (z.shape[1] / z.shape[0])


@lru_cache(maxsize=512)
def _ink(c: str, font_name: str, size: int) -> np.ndarray:
    f = font(font_name, size)
    img = Image.new("L", (size * 2, size * 2), 0)
    ImageDraw.Draw(img).text((size // 2, size // 2), c, font=f, fill=255)
    a = np.asarray(img)
    ys, xs = np.nonzero(a > 8)
    if len(xs) == 0:
        return np.zeros((1, 1), np.uint8)
    return np.ascontiguousarray(a[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1])


@lru_cache(maxsize=4096)
def _glyph(c: str, w: int, h: int, shift: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Coverage mask (float32 0..1) of ``c`` fitted to a w x h px cell, its emboss relief (+ on upper-left
    edges, - on lower-right ones; both arrays padded by ``shift`` px right and below) and its x offset.

    Chinese glyphs fill the cell; Latin glyphs keep their width relative to '0' (so '1' stays narrow) and are
    thickened a little because stretching a sans to 1:2 thins its vertical strokes.
    """
    size = int(min(256, max(48, h * 1.6)))
    if _is_latin(c):
        ink = _ink(c, LATIN_FONT, size)
        gw = min(w, max(1, round(w * _latin_aspect(c) * (0.5 * h / w))))
        m = cv2.resize(ink, (gw, h), interpolation=cv2.INTER_AREA)
        k = max(1, round(h / 40))
        if k > 1:
            m = cv2.dilate(m, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, 1)))
        dx = (w - gw) // 2
    else:
        m = cv2.resize(_ink(c, CJK_FONT, size), (w, h), interpolation=cv2.INTER_AREA)
        dx = 0
    mask = np.zeros((h + shift, m.shape[1] + shift), np.float32)
    mask[:h, : m.shape[1]] = m.astype(np.float32) / 255.0
    shifted = np.zeros_like(mask)
    shifted[shift:, shift:] = mask[:-shift, :-shift]
    relief = mask - shifted
    mask.flags.writeable = False
    relief.flags.writeable = False
    return mask, relief, dx


# ------------------------------------------------------------------------------------------------ render


def _jitter(rng: np.random.Generator, bgr: tuple[int, int, int], amount: float) -> np.ndarray:
    return np.clip(np.asarray(bgr, np.float32) + rng.normal(0, amount, 3), 0, 255).astype(np.float32)


def _plate_colours(rng: np.random.Generator, t: PlateType) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(background top or left, background bottom or right, ink) with per-plate drift (fading, film)."""
    if t is PlateType.blue_small:
        bg = _jitter(rng, _BLUE, 10)
        return bg, bg, _jitter(rng, _INK_WHITE, 4)
    if plate_color(t) is PlateColor.yellow:
        bg = _jitter(rng, _YELLOW, 8)
        return bg, bg, _jitter(rng, _INK_DARK, 4)
    if t is PlateType.green_small:
        return _jitter(rng, _GREEN_TOP, 5), _jitter(rng, _GREEN_BOTTOM, 8), _jitter(rng, _INK_DARK, 4)
    if t is PlateType.green_large:
        return _jitter(rng, _YELLOW, 8), _jitter(rng, _GREEN_SOLID, 8), _jitter(rng, _INK_DARK, 4)
    if t in (PlateType.white_police, PlateType.white_armed_police):
        bg = _jitter(rng, _WHITE, 4)
        return bg, bg, _jitter(rng, _INK_DARK, 4)
    bg = _jitter(rng, _BLACK, 4)
    return bg, bg, _jitter(rng, _INK_WHITE, 4)


def _paste(canvas: np.ndarray, mask: np.ndarray, x: int, y: int, colour: np.ndarray) -> None:
    h, w = mask.shape
    region = canvas[y : y + h, x : x + w]
    m = mask[: region.shape[0], : region.shape[1], None]
    region *= 1.0 - m
    region += m * colour


def render_plate(
    rng: np.random.Generator,
    plate_type: PlateType | None = None,
    text: str | None = None,
    px_per_mm: float = 2.0,
) -> RenderedPlate:
    """Draw a flat frontal plate of ``plate_type`` (random by the generator's mix if None) showing ``text``
    (a random valid number if None) at ``px_per_mm`` resolution."""
    t = PlateType(plate_type) if plate_type is not None else random_plate_type(rng)
    if text is None:
        text = plate_text(rng, t)
    lay = _layout(t, text)
    s = float(px_per_mm)
    W, H = round(lay.width * s), round(lay.height * s)
    top, bottom, ink = _plate_colours(rng, t)

    # Background: flat, vertical white->green gradient (small NEV) or yellow|green split (large NEV), with
    # the uneven brightness of retro-reflective film across the plate.
    film = 1.0 + np.linspace(rng.normal(0, 0.04), rng.normal(0, 0.04), W, dtype=np.float32)[None, :, None]
    if t is PlateType.green_small:
        ramp = np.linspace(0.0, 1.0, H, dtype=np.float32)[:, None, None] ** 0.8
        img = (top * (1 - ramp) + bottom * ramp) * film
    elif t is PlateType.green_large:
        split = round((lay.cells[1].x + lay.cells[1].w + 24.5) * s)
        cols = np.empty((1, W, 3), np.float32)
        cols[:, :split], cols[:, split:] = top, bottom
        img = np.repeat(cols * film, H, axis=0)
    else:
        img = np.repeat(top * film, H, axis=0)
    img = np.ascontiguousarray(img, dtype=np.float32)

    # Raised parts are embossed: light from the top-left brightens their upper-left edges and a thin shadow
    # follows their lower-right edges.
    sh = max(1, round(0.8 * s))
    amp = float(rng.uniform(18, 40))
    inset, line = round(3.0 * s), max(1, round(rng.uniform(1.2, 2.0) * s))
    radius = max(2, round(6 * s))
    x2, y2, r_in = W - 1 - inset, H - 1 - inset, max(1, radius - inset)
    lit = tuple(min(255.0, float(v) + amp) for v in ink)
    _rounded_rect(img, inset - sh, inset - sh, x2 - sh, y2 - sh, r_in, lit, line)
    _rounded_rect(img, inset, inset, x2, y2, r_in, tuple(float(v) for v in ink), line)

    red = ink if t is PlateType.black_hk_macao else _jitter(rng, _RED, 8)  # 港/澳 are white like the rest
    boxes: list[tuple[int, int, int, int]] = []
    for cell in lay.cells:
        x, y = round(cell.x * s), round(cell.y * s)
        w, h = max(1, round(cell.w * s)), max(1, round(cell.h * s))
        m, relief, dx = _glyph(cell.char, w, h, sh)
        region = img[y : y + m.shape[0], x + dx : x + dx + m.shape[1]]
        rh, rw = region.shape[:2]
        mm, rr = m[:rh, :rw, None], relief[:rh, :rw, None]
        region += mm * ((red if cell.red else ink) - region)
        region += rr * amp
        boxes.append((x, y, x + w, y + h))
    for dx_, dy_, r in lay.dots:
        centre, rad = (round(dx_ * s), round(dy_ * s)), max(1, round(r * s))
        cv2.circle(img, (centre[0] - sh, centre[1] - sh), rad, lit, -1, cv2.LINE_AA)
        cv2.circle(img, centre, rad, tuple(float(v) for v in ink), -1, cv2.LINE_AA)

    for rx, ry in lay.rivets:
        _rivet(img, rng, round(rx * s), round(ry * s), max(2, round(rng.uniform(4, 5.5) * s)))

    np.clip(img, 0, 255, out=img)
    return RenderedPlate(img.astype(np.uint8), text, t, plate_color(t), t in DOUBLE_ROW_TYPES, tuple(boxes),
                         _plate_alpha(W, H, radius), s, lay.main_char_h)


@lru_cache(maxsize=64)
def _plate_alpha(w: int, h: int, radius: int) -> np.ndarray:
    alpha = np.zeros((h, w), np.uint8)
    _rounded_rect(alpha, 0, 0, w - 1, h - 1, radius, 255, -1)
    alpha.flags.writeable = False  # shared between plates through the cache
    return alpha


def _rounded_rect(img: np.ndarray, x1: int, y1: int, x2: int, y2: int, r: int, colour: Any,
                  thickness: int) -> None:
    r = max(0, min(r, (x2 - x1) // 2, (y2 - y1) // 2))
    if thickness < 0:
        cv2.rectangle(img, (x1 + r, y1), (x2 - r, y2), colour, -1)
        cv2.rectangle(img, (x1, y1 + r), (x2, y2 - r), colour, -1)
        for cx, cy in ((x1 + r, y1 + r), (x2 - r, y1 + r), (x2 - r, y2 - r), (x1 + r, y2 - r)):
            cv2.circle(img, (cx, cy), r, colour, -1, cv2.LINE_AA)
        return
    half = thickness // 2
    cv2.line(img, (x1 + r, y1 + half), (x2 - r, y1 + half), colour, thickness)
    cv2.line(img, (x1 + r, y2 - half), (x2 - r, y2 - half), colour, thickness)
    cv2.line(img, (x1 + half, y1 + r), (x1 + half, y2 - r), colour, thickness)
    cv2.line(img, (x2 - half, y1 + r), (x2 - half, y2 - r), colour, thickness)
    for (cx, cy), a in (((x1 + r, y1 + r), 180), ((x2 - r, y1 + r), 270), ((x2 - r, y2 - r), 0),
                        ((x1 + r, y2 - r), 90)):
        cv2.ellipse(img, (cx, cy), (max(1, r - half), max(1, r - half)), a, 0, 90, colour, thickness,
                    cv2.LINE_AA)


def _rivet(img: np.ndarray, rng: np.random.Generator, x: int, y: int, r: int) -> None:
    """A bolt head: metallic (or plate-coloured cap) disc with a highlight and a dark rim."""
    if rng.random() < 0.7:
        base = np.full(3, rng.uniform(120, 200), np.float32)
    else:
        base = img[min(y, img.shape[0] - 1), min(x, img.shape[1] - 1)] * rng.uniform(0.8, 1.1)
    cv2.circle(img, (x, y), r + 1, tuple(float(v) * 0.45 for v in base), -1, cv2.LINE_AA)
    cv2.circle(img, (x, y), r, tuple(float(v) for v in base), -1, cv2.LINE_AA)
    hl = max(1, r // 3)
    cv2.circle(img, (x - hl, y - hl), hl, tuple(min(255.0, float(v) * 1.35 + 30) for v in base), -1,
               cv2.LINE_AA)
    if r >= 4:  # cross / slot of the screw head
        cv2.line(img, (x - r // 2, y), (x + r // 2, y), tuple(float(v) * 0.5 for v in base), max(1, r // 5))


# ------------------------------------------------------------------------------------------------ photo


def perspective_quad(
    rng: np.random.Generator, w_mm: float, h_mm: float, max_yaw: float = 35, max_pitch: float = 25,
    max_roll: float = 15,
) -> tuple[np.ndarray, np.ndarray]:
    """Project a w x h mm rectangle seen by a pinhole camera at a random pose.

    Returns (corners TL, TR, BR, BL as a 4x2 array in camera units, 3x3 homography from plate mm to the same
    units). Angles are drawn mostly small, with tails reaching the maxima, as handheld photos do.
    """
    yaw = math.radians(float(np.clip(rng.normal(0, max_yaw / 2.6), -max_yaw, max_yaw)))
    pitch = math.radians(float(np.clip(rng.normal(0, max_pitch / 2.6), -max_pitch, max_pitch)))
    roll = math.radians(float(np.clip(rng.normal(0, max_roll / 2.8), -max_roll, max_roll)))
    cy, sy, cp, sp, cr, sr = math.cos(yaw), math.sin(yaw), math.cos(pitch), math.sin(pitch), math.cos(roll), \
        math.sin(roll)
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rx = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    rz = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    rot = rz @ rx @ ry
    # Distance in plate widths: close phone shots (strong perspective) to far (nearly affine).
    dist = w_mm * float(np.exp(rng.uniform(math.log(1.2), math.log(8.0))))
    # Plate point (u, v) in mm -> camera: rot @ [u - w/2, v - h/2, 0] + [0, 0, dist]; projection x/z, y/z.
    m = np.column_stack([rot[:, 0], rot[:, 1], rot @ np.array([-w_mm / 2, -h_mm / 2, 0]) + [0, 0, dist]])
    homography = m / m[2, 2]
    src = np.array([[0, 0], [w_mm, 0], [w_mm, h_mm], [0, h_mm]], np.float64)
    return _apply_h(homography, src), homography


def _apply_h(h: np.ndarray, pts: np.ndarray) -> np.ndarray:
    p = np.column_stack([pts, np.ones(len(pts))]) @ h.T
    return p[:, :2] / p[:, 2:3]


def _char_height_h(h: np.ndarray, lay_w: float, row_y: float, char_h: float) -> float:
    top, bottom = _apply_h(h, np.array([[lay_w / 2, row_y - char_h / 2], [lay_w / 2, row_y + char_h / 2]]))
    return float(np.hypot(*(bottom - top)))


def _char_size_px(rng: np.random.Generator) -> float:
    """Character height in the photo: log-uniform over 12-200 px, with most mass on 15-60 px (handheld)."""
    if rng.random() < 0.7:
        return float(np.exp(rng.uniform(math.log(15), math.log(60))))
    return float(np.exp(rng.uniform(math.log(12), math.log(200))))


PAINT_COLOURS = (  # BGR car paints: white, silvers, black, greys, red, blue, dark blue, brown, green, yellow
    (238, 238, 236), (200, 200, 198), (170, 172, 175), (30, 30, 32), (70, 70, 72), (40, 40, 170),
    (150, 90, 30), (90, 40, 20), (50, 70, 100), (60, 100, 60), (40, 170, 220), (120, 120, 110),
)


def car_background(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A procedural car-body patch (float32 BGR): paint with a lighting gradient, often a bumper band,
    grille slats or a dark plate recess, and fine noise. Drawn small and upscaled, so it costs little."""
    sh, sw = max(8, h // 4), max(8, w // 4)
    paint = np.asarray(PAINT_COLOURS[int(rng.integers(len(PAINT_COLOURS)))], np.float32) + rng.normal(0, 8, 3)
    yy = np.linspace(-1, 1, sh, dtype=np.float32)[:, None, None]
    xx = np.linspace(-1, 1, sw, dtype=np.float32)[None, :, None]
    light = 1.0 + rng.normal(0, 0.15) * yy + rng.normal(0, 0.1) * xx + rng.normal(0, 0.08) * yy * yy
    small = np.broadcast_to(paint, (sh, sw, 3)) * light
    small = np.ascontiguousarray(small, dtype=np.float32)
    kind = rng.random()
    if kind < 0.45:  # bumper band of black plastic or paint, with horizontal edges
        y1 = int(rng.uniform(0.0, 0.45) * sh)
        y2 = int(rng.uniform(0.6, 1.0) * sh)
        band = (np.full(3, rng.uniform(20, 60), np.float32) if rng.random() < 0.6 else paint * 0.8)
        small[y1:y2] = band * (1.0 + 0.1 * yy[y1:y2])
        cv2.line(small, (0, y1), (sw, y1), tuple(float(v) for v in np.minimum(255, paint * 1.3)), 1)
    elif kind < 0.7:  # grille slats
        step = int(rng.integers(3, 9))
        dark = float(rng.uniform(10, 50))
        for y in range(int(rng.integers(0, step)), sh, step):
            cv2.line(small, (0, y), (sw, y), (dark, dark, dark), max(1, step // 2))
    # Clutter a detector has to ignore: chrome strips, lamp and badge shapes, panel seams.
    for _ in range(int(rng.integers(0, 5))):
        what = rng.random()
        tone = tuple(float(v) for v in rng.uniform(0, 255, 3)) if rng.random() < 0.4 else \
            (float(rng.uniform(170, 250)),) * 3
        if what < 0.35:
            y = int(rng.integers(0, sh))
            cv2.line(small, (0, y), (sw, y + int(rng.integers(-2, 3))), tone, int(rng.integers(1, 3)))
        elif what < 0.7:
            c = (int(rng.integers(0, sw)), int(rng.integers(0, sh)))
            axes = (int(rng.integers(2, max(3, sw // 4))), int(rng.integers(2, max(3, sh // 4))))
            cv2.ellipse(small, c, axes, 0, 0, 360, tone, -1 if rng.random() < 0.6 else 1, cv2.LINE_AA)
        else:
            x1, y1 = int(rng.integers(0, sw)), int(rng.integers(0, sh))
            x2, y2 = x1 + int(rng.integers(2, max(3, sw // 3))), y1 + int(rng.integers(2, max(3, sh // 3)))
            cv2.rectangle(small, (x1, y1), (x2, y2), tone, -1 if rng.random() < 0.5 else 1)
    small += rng.normal(0, 3, small.shape).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def _dirt(rng: np.random.Generator, plate: np.ndarray, amount: float) -> np.ndarray:
    """Mud and dust blotches: low-frequency noise thresholded into stains of brownish grey."""
    h, w = plate.shape[:2]
    noise = rng.random((max(2, h // 16), max(2, w // 16))).astype(np.float32)
    noise = cv2.resize(noise, (w, h), interpolation=cv2.INTER_CUBIC)
    mask = np.clip((noise - (1.0 - amount)) / max(amount, 1e-3), 0, 1)
    speck = (rng.random((h, w)) < amount * 0.02).astype(np.float32)
    mask = np.clip(mask * rng.uniform(0.3, 0.8) + speck * 0.6, 0, 1)[..., None]
    mud = np.asarray([rng.uniform(40, 90), rng.uniform(70, 120), rng.uniform(90, 140)], np.float32)
    out = plate.astype(np.float32) * (1 - mask) + mud * mask
    return out


def degrade(rng: np.random.Generator, img: np.ndarray, strength: float = 1.0) -> np.ndarray:
    """Photographic degradations on a float32 BGR image (modified in place); returns uint8. Each one has its
    own probability so most images get a few of them. Written with separable/low-res maps and LUTs because
    this runs on every sample."""
    h, w = img.shape[:2]
    p = min(1.0, strength)
    if rng.random() < 0.35 * p:  # cast shadow with a soft straight edge, drawn at quarter resolution
        sw, shh = max(4, w // 4), max(4, h // 4)
        a, b = rng.uniform(0, sw), rng.uniform(0, sw)
        far = sw if rng.random() < 0.5 else 0
        poly = np.array([[a, 0], [b, shh], [far, shh], [far, 0]], np.int32)
        sm = np.zeros((shh, sw), np.float32)
        cv2.fillPoly(sm, [poly], float(rng.uniform(0.3, 0.65)))
        k = int(max(3, min(shh, sw) * rng.uniform(0.02, 0.15))) | 1
        sm = cv2.resize(cv2.GaussianBlur(sm, (k, k), 0), (w, h), interpolation=cv2.INTER_LINEAR)
        img *= (1.0 - sm)[..., None]
    if rng.random() < 0.25 * p:  # glare / specular spot: a separable Gaussian
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        sigma = max(2.0, min(h, w) * float(rng.uniform(0.05, 0.35)))
        gx = np.exp(-((np.arange(w, dtype=np.float32) - cx) ** 2) / (2 * sigma * sigma))
        gy = np.exp(-((np.arange(h, dtype=np.float32) - cy) ** 2) / (2 * sigma * sigma))
        img += (np.outer(gy, gx) * float(rng.uniform(80, 255)))[..., None]
    # exposure (low light .. over exposure) and colour cast (white balance), one multiply
    gain = float(np.exp(rng.normal(0, 0.35 * p)))
    img *= (gain * np.exp(rng.normal(0, 0.07 * p, 3))).astype(np.float32)
    r = rng.random()
    if r < 0.3 * p:  # motion blur: a line kernel at a random angle
        n = int(rng.integers(3, max(4, min(25, int(min(h, w) * 0.06)) + 1)))
        k = np.zeros((n, n), np.float32)
        k[n // 2, :] = 1.0
        rot = cv2.getRotationMatrix2D((n / 2 - 0.5, n / 2 - 0.5), float(rng.uniform(0, 180)), 1.0)
        k = cv2.warpAffine(k, rot, (n, n))
        img = cv2.filter2D(img, -1, k / max(float(k.sum()), 1e-6))
    elif r < 0.55 * p:  # defocus
        sigma = float(rng.uniform(0.5, 2.5)) * max(1.0, min(h, w) / 300)
        img = cv2.GaussianBlur(img, (0, 0), sigma)
    if rng.random() < 0.3 * p:  # downscale-upscale (digital zoom, video frames)
        f = float(rng.uniform(0.3, 0.8))
        small = cv2.resize(img, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
        img = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    sigma_n = float(rng.uniform(0, 9)) * p
    if sigma_n > 0.5:  # sensor noise: full-resolution luminance grain plus blotchy low-resolution chroma
        grain = rng.standard_normal((h, w), dtype=np.float32) * np.float32(sigma_n)
        chroma = rng.standard_normal((max(1, h // 4), max(1, w // 4), 3), dtype=np.float32) * np.float32(
            sigma_n * 0.6)
        img += grain[..., None]
        img += cv2.resize(chroma, (w, h), interpolation=cv2.INTER_LINEAR)
    out = np.clip(img, 0, 255, out=img).astype(np.uint8)
    if rng.random() < 0.3 * p:  # tone curve (gamma) as a lookup table
        gamma = float(np.exp(rng.normal(0, 0.3)))
        lut = np.clip(255.0 * (np.arange(256) / 255.0) ** gamma + 0.5, 0, 255).astype(np.uint8)
        out = cv2.LUT(out, lut)
    if rng.random() < 0.7:
        q = int(rng.integers(20, 96))
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, q])
        if ok:
            out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return out


def place_plate(plate: RenderedPlate, canvas: np.ndarray, corners: np.ndarray) -> None:
    """Warp ``plate`` so that its outer frame lands on ``corners`` (continuous pixel coordinates, TL TR BR BL)
    and alpha-composite it onto the float32 ``canvas`` in place. Parts outside the canvas are dropped."""
    paste_quad(canvas, plate.image, plate.alpha, corners)


def paste_quad(canvas: np.ndarray, image: np.ndarray, alpha: np.ndarray | None, corners: np.ndarray) -> None:
    """Warp ``image`` (with optional uint8 ``alpha``) so that its outer edges land on ``corners`` (continuous
    pixel coordinates: pixel i spans [i, i+1]) and alpha-composite it onto the float32 ``canvas`` in place."""
    ch, cw = canvas.shape[:2]
    img = image
    ph, pw = img.shape[:2]
    # Shrink first with area averaging when the image becomes much smaller: a perspective warp alone aliases.
    side = max(np.hypot(*(corners[1] - corners[0])), np.hypot(*(corners[2] - corners[3])))
    f = side / pw
    if f < 0.6:
        nw, nh = max(2, round(pw * f * 1.6)), max(2, round(ph * f * 1.6))
        img = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA)
        if alpha is not None:
            alpha = cv2.resize(alpha, (nw, nh), interpolation=cv2.INTER_AREA)
        ph, pw = nh, nw
    x1 = max(0, int(math.floor(corners[:, 0].min())) - 1)
    y1 = max(0, int(math.floor(corners[:, 1].min())) - 1)
    x2 = min(cw, int(math.ceil(corners[:, 0].max())) + 1)
    y2 = min(ch, int(math.ceil(corners[:, 1].max())) + 1)
    if x2 <= x1 or y2 <= y1:
        return
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32) - 0.5
    dst = (corners - np.array([x1, y1]) - 0.5).astype(np.float32)
    hm = cv2.getPerspectiveTransform(src, dst)
    size = (x2 - x1, y2 - y1)
    warped = cv2.warpPerspective(img, hm, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    if alpha is None:
        alpha = np.full((ph, pw), 255, np.uint8)
    a = cv2.warpPerspective(alpha, hm, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                            borderValue=0).astype(np.float32)[..., None] / 255.0
    if warped.ndim == 2:
        warped = cv2.cvtColor(warped, cv2.COLOR_GRAY2BGR)
    roi = canvas[y1:y2, x1:x2]
    roi *= 1.0 - a
    roi += a * warped.astype(np.float32)


def _plate_label(plate: RenderedPlate, corners: np.ndarray, char_h: float) -> dict[str, Any]:
    return {
        "text": plate.text,
        "plate_type": str(plate.plate_type),
        "color": str(plate.color),
        "double_row": plate.double_row,
        "box_xyxy": [round(float(v), 2) for v in (*corners.min(0), *corners.max(0))],
        "corners": [[round(float(x), 2), round(float(y), 2)] for x, y in corners],
        "char_height_px": round(char_h, 2),
    }


def pose_plate(
    rng: np.random.Generator, plate: RenderedPlate, char_h_px: float, **angles: float
) -> tuple[np.ndarray, float]:
    """Corners (4x2, origin at their own bounding box's top-left) of ``plate`` seen at a random pose and
    scaled so its characters are about ``char_h_px`` tall; returns (corners, measured char height)."""
    w_mm = plate.image.shape[1] / plate.px_per_mm
    h_mm = plate.image.shape[0] / plate.px_per_mm
    quad, hm = perspective_quad(rng, w_mm, h_mm, **angles)
    row_y = 145.0 if plate.double_row else h_mm / 2
    ch = _char_height_h(hm, w_mm, row_y, plate.char_height_mm)
    quad = quad * (char_h_px / ch)
    quad -= quad.min(0)
    return quad, char_h_px


class PlateGenerator:
    """Kind ``plates``: one plate per image, photographed in a small context, with its text, type, colour,
    box, corners and character height."""

    kind = "plates"

    def __init__(self, plate_types: tuple[str, ...] | None = None) -> None:
        self.plate_types = tuple(PlateType(t) for t in plate_types) if plate_types else None

    def sample(self, rng: np.random.Generator, index: int) -> Sample:
        if self.plate_types:
            t = self.plate_types[int(rng.integers(len(self.plate_types)))]
        else:
            t = random_plate_type(rng)
        char_h = _char_size_px(rng)
        # Smallest of the cached resolutions that still gives >= 1.3x the photo's character height.
        need = char_h * 1.3 / (110 if t in DOUBLE_ROW_TYPES else 90)
        ppm = next((lv for lv in PX_PER_MM_LEVELS if lv >= need), PX_PER_MM_LEVELS[-1])
        plate = render_plate(rng, t, px_per_mm=ppm)
        quad, char_h = pose_plate(rng, plate, char_h)
        if rng.random() < 0.3:
            dirty = _dirt(rng, plate.image, float(rng.uniform(0.1, 0.5)))
            plate = _replace_image(plate, np.clip(dirty, 0, 255).astype(np.uint8))

        plate_w = float(quad[:, 0].max())
        margins = rng.uniform(0.1, 0.6, 4) * plate_w  # left, top, right, bottom
        w = int(math.ceil(plate_w + margins[0] + margins[2]))
        h = int(math.ceil(float(quad[:, 1].max()) + margins[1] + margins[3]))
        corners = quad + np.array([margins[0], margins[1]])
        canvas = car_background(rng, h, w)
        if rng.random() < 0.5:  # plastic holder / recess around the plate, a little larger than it
            centre = corners.mean(0)
            grow = rng.uniform(1.03, 1.12)
            holder = ((corners - centre) * grow + centre).astype(np.float32)
            tone = float(rng.uniform(10, 60))
            pts = np.round(holder * 16).astype(np.int32)
            cv2.fillConvexPoly(canvas, pts, (tone, tone, tone), cv2.LINE_AA, 4)
        place_plate(plate, canvas, corners)
        image = degrade(rng, canvas)
        return Sample(image=image, label=_plate_label(plate, corners, char_h))


def _replace_image(plate: RenderedPlate, image: np.ndarray) -> RenderedPlate:
    return RenderedPlate(image, plate.text, plate.plate_type, plate.color, plate.double_row, plate.char_boxes,
                         plate.alpha, plate.px_per_mm, plate.char_height_mm)
