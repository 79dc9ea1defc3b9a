"""Synthetic VINs: the text (ISO 3779, Chinese WMIs weighted), stamped markings on frame rails and body
panels (engraved, embossed, dot-peen on painted, bare, galvanised, rusty, dirty or painted-over metal),
printed VIN stickers and windscreen VIN plates, and the ``vins`` kind that frames them like the real
close-up crops (a VIN line with a margin) or in a wider context, under an oblique view.

Everything random is drawn from the ``rng`` handed in, so a sample depends only on its seed. The shared
photo helpers (noise fields, oblique homographies, camera degradations) are also used by nameplates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw

from datasets.core import Sample
from datasets.fonts import font
from inference.validate.vin import VIN_CHARSET, WMI, check_digit, validate_vin, wmi_info

# ------------------------------------------------------------------------------------------------ VIN text

# Model-year codes (position 10) for 2001-2030: letters skip I, O, Q, U, Z and the digit 0.
_YEAR_CODES = "123456789ABCDEFGHJKLMNPRSTVWXY"
YEAR_CODE: dict[int, str] = {2001 + i: c for i, c in enumerate(_YEAR_CODES)}
# Sorted: VIN_CHARSET is a frozenset, whose order changes with the hash seed of each process.
_LETTERS = "".join(sorted(c for c in VIN_CHARSET if c.isalpha()))
_DIGITS = "0123456789"


@dataclass(frozen=True, slots=True)
class Maker:
    """A Chinese passenger-car maker as printed on its nameplate: the WMI of its VINs, the company
    name, the brand (品牌), the enterprise code that starts its model numbers (GB 9417) and its
    engine-code style."""

    wmi: str
    company: str
    brand: str
    brand_en: str
    model_prefix: str
    engine_prefixes: tuple[str, ...]


# Used for the weighting and the nameplates even when the shared WMI table lacks a maker; the shared table
# decides the manufacturer name where it has the WMI.
CN_MAKERS: tuple[Maker, ...] = (
    Maker("LSV", "上汽大众汽车有限公司", "大众", "VOLKSWAGEN", "SVW", ("DST", "DJS", "CSS", "DLF", "DPL")),
    Maker("LFV", "一汽-大众汽车有限公司", "大众", "VOLKSWAGEN", "FV", ("DMB", "CST", "DKX", "DTA")),
    Maker("LMG", "广汽乘用车有限公司", "传祺", "TRUMPCHI", "GAC", ("4A15J1", "4B20J1", "4B15J2")),
    Maker("LHG", "广汽本田汽车有限公司", "本田", "HONDA", "HG", ("L15B8", "L15BY", "K20C8")),
    Maker("LVG", "广汽丰田汽车有限公司", "丰田", "TOYOTA", "GTM", ("M20C", "A25C", "8NR")),
    Maker("LFM", "一汽丰田汽车有限公司", "丰田", "TOYOTA", "TV", ("M15A", "M20D", "2ZR")),
    Maker("LGB", "东风日产乘用车公司", "日产", "NISSAN", "DFL", ("HR16", "MR20", "KR15")),
    Maker("LS5", "重庆长安汽车股份有限公司", "长安", "CHANGAN", "SC", ("JL473ZQ7", "JL476ZQCF", "JL486ZQ4")),
    Maker("LGX", "比亚迪汽车工业有限公司", "比亚迪", "BYD", "BYD", ("BYD472QA", "BYD476ZQA", "BYD487ZQB")),
    Maker(
        "LB3", "浙江吉利控股集团有限公司", "吉利", "GEELY", "MR", ("JLH-4G15", "JLC-4G18TD", "JLH-4G20TDB")
    ),
    Maker("LGW", "长城汽车股份有限公司", "哈弗", "HAVAL", "CC", ("GW4G15B", "GW4C20B", "GW4N20")),
    Maker("LVV", "奇瑞汽车股份有限公司", "奇瑞", "CHERY", "SQR", ("SQRE4T15C", "SQRF4J16", "SQRE4G15B")),
    Maker("LSG", "上汽通用汽车有限公司", "别克", "BUICK", "SGM", ("LJO", "LI6", "LXT", "LFV")),
    Maker("LBV", "华晨宝马汽车有限公司", "宝马", "BMW", "BMW", ("B48B20A", "B38A15A", "B46B20B")),
    Maker("LE4", "北京奔驰汽车有限公司", "梅赛德斯-奔驰", "MERCEDES-BENZ", "BJ", ("M264920", "M254920")),
    Maker("LZW", "上汽通用五菱汽车股份有限公司", "五菱", "WULING", "LZW", ("LAR", "LJO", "N15A")),
    Maker("LVS", "长安福特汽车有限公司", "福特", "FORD", "CAF", ("CAF488WQ9", "CAF479WQ", "CAF1.5T")),
    Maker("LBE", "北京现代汽车有限公司", "北京现代", "HYUNDAI", "BH", ("G4FG", "G4NB", "G4FJ")),
    Maker("LDC", "神龙汽车有限公司", "东风雪铁龙", "CITROEN", "DC", ("EC5", "EP6FDTM", "10FHBX")),
    Maker("LSJ", "上海汽车集团股份有限公司", "荣威", "ROEWE", "CSA", ("15E4E", "20L4E", "15S4C")),
    Maker("LVH", "东风本田汽车有限公司", "本田", "HONDA", "DHW", ("L15BY", "K20C3", "R18ZC")),
    Maker("LJ1", "安徽江淮汽车集团股份有限公司", "江淮", "JAC", "HFC", ("HFC4GA3-4D", "HFC4GB2.3D")),
    Maker("LJD", "东风悦达起亚汽车有限公司", "起亚", "KIA", "YQZ", ("G4FG", "G4NA", "G4LC")),
    Maker("LNB", "北京汽车股份有限公司", "北京", "BAIC", "BJ", ("A151", "B20E", "4A15B")),
)
CN_MAKER_BY_WMI: dict[str, Maker] = {m.wmi: m for m in CN_MAKERS}

# Structure of the VDS (positions 4-8): L = letter, D = digit; Chinese makers mostly mix both.
_VDS_PATTERNS = ("LLDLD", "LLDDD", "LDLDD", "LLLDD", "LLDLL", "DLLDD", "LLDLD", "LLDDL")


def is_chinese_wmi(wmi: str) -> bool:
    info = wmi_info(wmi)
    return wmi in CN_MAKER_BY_WMI or (info is not None and info.country == "CN")


def wmi_manufacturer(wmi: str) -> str | None:
    """The maker's Chinese name from the shared WMI table (English if it has no Chinese one)."""
    info = wmi_info(wmi)
    if info is None or not info.known:
        return None
    return info.manufacturer_zh or info.manufacturer


@lru_cache(maxsize=1)
def _wmi_pools() -> tuple[tuple[str, ...], tuple[str, ...]]:
    # Sorted so the pools (and the draws from them) never depend on dict order.
    valid = [
        w for w in sorted(set(WMI) | set(CN_MAKER_BY_WMI)) if len(w) == 3 and all(c in VIN_CHARSET for c in w)
    ]
    chinese = tuple(w for w in valid if is_chinese_wmi(w))
    other = tuple(w for w in valid if not is_chinese_wmi(w))
    return chinese, other


def _draw_chars(rng: np.random.Generator, pattern: str) -> str:
    pools = {"L": _LETTERS, "D": _DIGITS, "A": VIN_CHARSET}
    return "".join(pools[p][int(rng.integers(len(pools[p])))] for p in pattern)


def make_vin(
    rng: np.random.Generator, valid: bool = True, wmi: str | None = None, year: int | None = None
) -> str:
    """A plausible 17-character VIN; ``valid=False`` gives one whose check digit (position 9) is wrong.

    Chinese WMIs dominate (the engine reads Chinese registrations); position 10 is the model year,
    11 the plant, 12-17 the serial number.
    """
    if wmi is None:
        chinese, other = _wmi_pools()
        pool = chinese if (rng.random() < 0.85 or not other) else other
        wmi = pool[int(rng.integers(len(pool)))]
    if len(wmi) != 3 or any(c not in VIN_CHARSET for c in wmi):
        raise ValueError(f"WMI must be 3 VIN characters, got {wmi!r}")
    if year is None:
        year = int(rng.integers(2005, 2027))
    if year not in YEAR_CODE:
        raise ValueError(f"model year must be within 2001-2030, got {year}")
    vds = _draw_chars(rng, _VDS_PATTERNS[int(rng.integers(len(_VDS_PATTERNS)))])
    plant = _draw_chars(rng, "D" if rng.random() < 0.6 else "L")
    serial = _draw_chars(rng, "DDDDDD")
    body = wmi + vds + "0" + YEAR_CODE[year] + plant + serial
    good = check_digit(body)
    if valid:
        digit = good
    else:
        wrong = [c for c in "0123456789X" if c != good]
        digit = wrong[int(rng.integers(len(wrong)))]
    return body[:8] + digit + body[9:]


def vin_is_valid(vin: str) -> bool:
    """What the ``valid`` label means: the shared validator accepts it (length, charset, check digit,
    year code, numeric tail). Generated VINs fail only on the check digit when labelled invalid."""
    return validate_vin(vin).valid


# ------------------------------------------------------------------------------------------ noise helpers


def value_noise(
    rng: np.random.Generator, shape: tuple[int, int], scale: float, octaves: int = 3
) -> np.ndarray:
    """Smooth fractal noise (float32, unit std) with features about ``scale`` pixels across."""
    h, w = shape
    out = np.zeros((h, w), np.float32)
    amp = 1.0
    for _ in range(octaves):
        gh, gw = max(2, int(h / scale) + 2), max(2, int(w / scale) + 2)
        grid = rng.standard_normal((gh, gw)).astype(np.float32)
        out += amp * cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
        scale, amp = max(1.0, scale / 2), amp * 0.5
    return out / (float(out.std()) + 1e-6)


def streak_noise(
    rng: np.random.Generator, shape: tuple[int, int], length: float, vertical: bool = False
) -> np.ndarray:
    """Brushed/rolled metal grain: white noise smeared along one axis (unit std)."""
    n = rng.standard_normal(shape).astype(np.float32)
    sx, sy = (0.6, length) if vertical else (length, 0.6)
    n = cv2.GaussianBlur(n, (0, 0), sigmaX=sx, sigmaY=sy)
    return n / (float(n.std()) + 1e-6)


def blob_mask(rng: np.random.Generator, shape: tuple[int, int], scale: float, coverage: float) -> np.ndarray:
    """Soft blotches (0..1) covering about ``coverage`` of the area: rust, dirt, paint patches."""
    n = value_noise(rng, shape, scale, octaves=4)
    thr = float(np.quantile(n, 1.0 - coverage))
    return np.clip((n - thr) * 1.5, 0.0, 1.0)


# --------------------------------------------------------------------------------------------- glyphs

_HERSHEY = {"hershey_simplex": cv2.FONT_HERSHEY_SIMPLEX, "hershey_duplex": cv2.FONT_HERSHEY_DUPLEX}
_REF_CHAR = "H"


@lru_cache(maxsize=1024)
def _glyph(font_key: str, ch: str, weight: float) -> np.ndarray:
    """A character's ink (float32 0..1) cropped to its bounds, at a cap height of about 120 px.

    Hershey faces are single-stroke vector fonts, drawn with a round pen like a punch or an engraving
    tool; ``weight`` is the stroke width as a fraction of the cap height. Read-only: it is cached.
    """
    size = 240
    canvas = np.zeros((size, size), np.uint8)
    if font_key in _HERSHEY:
        thickness = max(1, round(weight * 120))
        cv2.putText(canvas, ch, (50, 180), _HERSHEY[font_key], 120 / 22, 255, thickness, cv2.LINE_AA)
    else:
        img = Image.fromarray(canvas)
        ImageDraw.Draw(img).text((40, 20), ch, font=font(font_key, 160), fill=255)
        canvas = np.asarray(img).copy()
    ys, xs = np.nonzero(canvas > 20)
    if len(xs) == 0:  # a blank (space): an empty cell of the reference width
        out = np.zeros((120, 60), np.float32)
    else:
        out = canvas[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.float32) / 255.0
    out.flags.writeable = False
    return out


def _ref_height(font_key: str, weight: float) -> int:
    return _glyph(font_key, _REF_CHAR, weight).shape[0]


@lru_cache(maxsize=512)
def _dot_path(ch: str, spacing: float) -> np.ndarray:
    """Points along a single-stroke glyph spaced about ``spacing`` (fraction of the cap height), in the
    cap-height-1 frame: the path a dot-peen marker hammers. Read-only: it is cached."""
    size = 240
    canvas = np.zeros((size, size), np.uint8)
    cv2.putText(canvas, ch, (50, 180), cv2.FONT_HERSHEY_SIMPLEX, 120 / 22, 255, 1, cv2.LINE_8)
    ref = np.zeros((size, size), np.uint8)
    cv2.putText(ref, _REF_CHAR, (50, 180), cv2.FONT_HERSHEY_SIMPLEX, 120 / 22, 255, 1, cv2.LINE_8)
    rys = np.nonzero(ref)[0]
    cap = float(rys.max() - rys.min() + 1)
    ys, xs = np.nonzero(canvas)
    if len(xs) == 0:
        out = np.zeros((0, 2), np.float32)
        out.flags.writeable = False
        return out
    pts = np.stack([xs - xs.min(), ys - ys.min()], 1).astype(np.float32)
    # Greedy thinning in raster order: keep a pixel when no kept dot is nearer than the spacing.
    d2 = (spacing * cap) ** 2
    kept = np.empty((len(pts), 2), np.float32)
    n = 0
    for p in pts:
        if n == 0 or float((((kept[:n] - p) ** 2).sum(1)).min()) >= d2:
            kept[n] = p
            n += 1
    out = kept[:n] / cap
    out.flags.writeable = False
    return out


# --------------------------------------------------------------------------------------------- layout


@dataclass(frozen=True, slots=True)
class RenderedVin:
    """A rendered VIN marking. ``char_boxes`` are the 17 characters' ink boxes (x1, y1, x2, y2) in
    ``image`` pixels; ``frame_xyxy`` is what a tight crop should keep (the whole marking with its
    delimiters, or the label's VIN block)."""

    image: np.ndarray
    text: str
    style: str
    valid: bool
    char_boxes: list[tuple[float, float, float, float]]
    frame_xyxy: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)


def _pick_vin(rng: np.random.Generator, vin: str | None) -> tuple[str, bool]:
    if vin is None:
        valid = bool(rng.random() >= 0.08)
        vin = make_vin(rng, valid=valid)
        return vin, valid
    vin = vin.upper()
    if len(vin) != 17:
        raise ValueError(f"a VIN has 17 characters, got {len(vin)}: {vin!r}")
    return vin, vin_is_valid(vin)


def _choice(rng: np.random.Generator, options: Sequence[Any], p: Sequence[float] | None = None) -> Any:
    if p is None:
        return options[int(rng.integers(len(options)))]
    w = np.asarray(p, np.float64)
    return options[int(rng.choice(len(options), p=w / w.sum()))]


def _paste_max(dst: np.ndarray, src: np.ndarray, x: int, y: int) -> None:
    h, w = src.shape
    H, W = dst.shape
    x0, y0, x1, y1 = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
    if x1 <= x0 or y1 <= y0:
        return
    np.maximum(dst[y0:y1, x0:x1], src[y0 - y : y1 - y, x0 - x : x1 - x], out=dst[y0:y1, x0:x1])


def _delimiter(kind: str, h: float, stroke: float) -> np.ndarray:
    """The ``*`` (six-armed, full height, as on Chinese frame stamps) or ``☆`` drawn as strokes."""
    s = int(math.ceil(h + 2 * stroke + 4))
    canvas = np.zeros((s, s), np.uint8)
    c = (s - 1) / 2.0
    r = h / 2.0
    t = max(1, round(stroke))
    sh = 4  # subpixel shift bits for cv2 drawing
    k = 1 << sh

    def pt(x: float, y: float) -> tuple[int, int]:
        return round(x * k), round(y * k)

    if kind == "*":
        for ang in (90, 30, 150):
            dx, dy = r * math.cos(math.radians(ang)), r * math.sin(math.radians(ang)) * 1.0
            if ang != 90:
                dx, dy = dx * 0.85, dy * 0.85
            cv2.line(canvas, pt(c - dx, c - dy), pt(c + dx, c + dy), 255, t, cv2.LINE_AA, sh)
    else:
        pts = []
        for i in range(10):
            rad = r if i % 2 == 0 else r * 0.42
            a = math.radians(-90 + 36 * i)
            pts.append(pt(c + rad * math.cos(a), c + rad * math.sin(a) + r * 0.08))
        cv2.polylines(canvas, [np.asarray(pts, np.int32)], True, 255, t, cv2.LINE_AA, sh)
    return canvas.astype(np.float32) / 255.0


@dataclass(frozen=True, slots=True)
class _Layout:
    mask: np.ndarray  # float32 0..1 ink (stroke or dot craters), with per-character depth
    char_boxes: list[tuple[float, float, float, float]]
    frame: tuple[float, float, float, float]
    stroke: float


def _layout_stamp(
    rng: np.random.Generator, vin: str, h: float, method: str, font_key: str, weight: float, margin: float
) -> _Layout:
    """Places the 17 characters (one line or 8+9) with optional delimiters, as individual punches:
    small per-character offsets and depth differences, like characters struck one by one."""
    pitch = h * rng.uniform(0.82, 1.15)
    xstretch = rng.uniform(0.75, 1.0)
    two_lines = rng.random() < 0.12
    delim = _choice(rng, ["*", "☆", None], [0.55, 0.12, 0.33])
    lines = [vin[:8], vin[8:]] if two_lines else [vin]
    n_max = max(len(s) for s in lines) + (2 if delim else 0)
    line_gap = h * rng.uniform(0.45, 0.9)
    W = int(n_max * pitch + 2 * margin)
    H = int(len(lines) * h + (len(lines) - 1) * line_gap + 2 * margin)
    mask = np.zeros((H, W), np.float32)
    stroke = weight * h
    boxes: list[tuple[float, float, float, float]] = []
    jitter_y = h * rng.uniform(0.0, 0.05)
    ref = _ref_height(font_key, weight) if method != "dot_peen" else 1
    dot_spacing = round(float(rng.uniform(0.085, 0.13)), 2)  # a few values, so the paths stay cached
    dot_r = h * rng.uniform(0.028, 0.045)
    fx1, fy1, fx2, fy2 = math.inf, math.inf, -math.inf, -math.inf
    for li, line in enumerate(lines):
        symbols = ([delim] if delim else []) + list(line) + ([delim] if delim else [])
        x0 = margin + (n_max - len(symbols)) * pitch / 2 if rng.random() < 0.5 else margin
        top = margin + li * (h + line_gap)
        for si, sym in enumerate(symbols):
            is_delim = delim is not None and (si == 0 or si == len(symbols) - 1)
            depth = rng.uniform(0.7, 1.0) if rng.random() < 0.85 else rng.uniform(0.35, 0.7)
            cx = x0 + (si + 0.5) * pitch + rng.normal(0, 0.02) * h
            cy = top + h / 2 + rng.normal(0, 1) * jitter_y
            hh = h * rng.uniform(0.97, 1.03)
            if is_delim:
                g = _delimiter(sym, hh * (0.9 if sym == "*" else 1.0), max(1.0, stroke))
                gx, gy = int(round(cx - g.shape[1] / 2)), int(round(cy - g.shape[0] / 2))
                _paste_max(mask, g * depth, gx, gy)
                fx1, fy1 = min(fx1, gx), min(fy1, gy)
                fx2, fy2 = max(fx2, gx + g.shape[1]), max(fy2, gy + g.shape[0])
                continue
            if method == "dot_peen":
                pts = _dot_path(sym, dot_spacing)
                if len(pts) == 0:
                    boxes.append((cx, cy - hh / 2, cx + 1, cy + hh / 2))
                    continue
                pw = float(pts[:, 0].max()) * xstretch
                xy = pts * np.array([hh * xstretch, hh], np.float32) + np.array(
                    [cx - pw * hh / 2, cy - hh / 2]
                )
                for px, py in xy:
                    cv2.circle(
                        mask,
                        (round(px * 16), round(py * 16)),
                        round(dot_r * 16),
                        float(depth),
                        -1,
                        cv2.LINE_AA,
                        4,
                    )
                bx1, by1 = float(xy[:, 0].min() - dot_r), float(xy[:, 1].min() - dot_r)
                bx2, by2 = float(xy[:, 0].max() + dot_r), float(xy[:, 1].max() + dot_r)
            else:
                g = _glyph(font_key, sym, weight)
                scale = hh / ref
                gw, gh = max(1, round(g.shape[1] * scale * xstretch)), max(1, round(g.shape[0] * scale))
                g = cv2.resize(g, (gw, gh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
                gx, gy = int(round(cx - gw / 2)), int(round(cy - hh / 2 + (g.shape[0] - hh) * 0))
                _paste_max(mask, np.clip(g, 0, 1) * depth, gx, gy)
                bx1, by1, bx2, by2 = float(gx), float(gy), float(gx + gw), float(gy + gh)
            boxes.append((bx1, by1, bx2, by2))
            fx1, fy1, fx2, fy2 = min(fx1, bx1), min(fy1, by1), max(fx2, bx2), max(fy2, by2)
    return _Layout(mask, boxes, (fx1, fy1, fx2, fy2), stroke if method != "dot_peen" else 2 * dot_r)


# --------------------------------------------------------------------------------------------- stamps

# BGR albedos (0..1) of the surfaces VINs are stamped into.
_CAR_PAINTS = (
    (0.93, 0.93, 0.92),
    (0.80, 0.80, 0.78),
    (0.55, 0.56, 0.57),
    (0.12, 0.12, 0.13),
    (0.15, 0.15, 0.60),
    (0.55, 0.30, 0.12),
    (0.30, 0.30, 0.32),
    (0.70, 0.72, 0.74),
    (0.20, 0.35, 0.20),
    (0.85, 0.85, 0.95),
)
_SURFACES = ("bare_steel", "painted", "e_coat_black", "galvanised", "cast_speckled", "primer_grey")
_SURFACE_P = (0.26, 0.22, 0.18, 0.10, 0.14, 0.10)
_CONDITIONS = ("clean", "rust", "paint_over", "dirt")
_CONDITION_P = (0.55, 0.15, 0.12, 0.18)


def _shade(
    height: np.ndarray,
    albedo: np.ndarray,
    light_az: float,
    light_el: float,
    ambient: float,
    spec_strength: float,
    shininess: float,
) -> np.ndarray:
    """Lambert + Blinn-Phong of a height field under one directional (raking) light, seen from above."""
    gx = cv2.Sobel(height, cv2.CV_32F, 1, 0, ksize=3) / 8.0
    gy = cv2.Sobel(height, cv2.CV_32F, 0, 1, ksize=3) / 8.0
    inv = 1.0 / np.sqrt(gx * gx + gy * gy + 1.0)
    lx, ly, lz = (
        math.cos(light_el) * math.cos(light_az),
        math.cos(light_el) * math.sin(light_az),
        math.sin(light_el),
    )
    ndotl = (-gx * lx - gy * ly + lz) * inv
    diffuse = np.clip(ndotl, 0.0, None) / lz  # 1 on the flat surface
    hx, hy, hz = lx, ly, lz + 1.0
    hn = math.sqrt(hx * hx + hy * hy + hz * hz)
    ndoth = np.clip((-gx * hx - gy * hy + hz) * inv / hn, 0.0, 1.0)
    flat_h = hz / hn
    spec = np.clip(ndoth**shininess - flat_h**shininess * 0.9, 0.0, 0.6) * spec_strength
    light = ambient + (1.0 - ambient) * diffuse
    return albedo * light[..., None] + spec[..., None]


def _surface(
    rng: np.random.Generator, shape: tuple[int, int], surface: str, h: float
) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Albedo (H, W, 3), base height field, specular strength and shininess of a surface."""
    H, W = shape
    grain_vertical = rng.random() < 0.2
    if surface == "bare_steel":
        v = rng.uniform(0.45, 0.8)
        base = np.array([v, v, v * rng.uniform(0.97, 1.03)], np.float32)
        tex = rng.uniform(0.01, 0.05) * streak_noise(
            rng, shape, rng.uniform(6, 30), grain_vertical
        ) + 0.04 * value_noise(rng, shape, h * 2)
        height = rng.uniform(0.01, 0.06) * streak_noise(rng, shape, 8, grain_vertical)
        spec, shin = rng.uniform(0.15, 0.5), rng.uniform(20, 60)
    elif surface == "galvanised":
        v = rng.uniform(0.55, 0.8)
        base = np.array([v, v, v], np.float32)
        # Zinc spangle: Voronoi cells of slightly different brightness.
        seeds = np.full(shape, 255, np.uint8)
        n = max(4, int(H * W / (h * h * rng.uniform(1.5, 5))))
        seeds[rng.integers(0, H, n), rng.integers(0, W, n)] = 0
        _, labels = cv2.distanceTransformWithLabels(seeds, cv2.DIST_L2, 3, labelType=cv2.DIST_LABEL_CCOMP)
        cell = rng.normal(0, 0.035, int(labels.max()) + 1).astype(np.float32)
        tex = cell[labels] + 0.02 * value_noise(rng, shape, 4, 1)
        height = 0.03 * value_noise(rng, shape, 3, 1)
        spec, shin = rng.uniform(0.2, 0.5), rng.uniform(15, 40)
    elif surface == "painted":
        base = np.array(_CAR_PAINTS[int(rng.integers(len(_CAR_PAINTS)))], np.float32) * rng.uniform(0.9, 1.05)
        tex = 0.02 * value_noise(rng, shape, h * 1.5)
        height = 0.12 * value_noise(rng, shape, max(3.0, h * 0.25), 2)  # orange peel
        spec, shin = rng.uniform(0.3, 0.7), rng.uniform(40, 120)
    elif surface == "e_coat_black":
        v = rng.uniform(0.08, 0.22)
        base = np.array([v, v, v], np.float32)
        tex = 0.04 * value_noise(rng, shape, h * 2)
        height = 0.08 * value_noise(rng, shape, max(3.0, h * 0.2), 2)
        spec, shin = rng.uniform(0.2, 0.45), rng.uniform(15, 50)
    elif surface == "primer_grey":
        v = rng.uniform(0.45, 0.7)
        base = np.array([v * 0.98, v, v * 1.01], np.float32)
        tex = 0.03 * value_noise(rng, shape, h)
        height = 0.05 * value_noise(rng, shape, 2.5, 1)
        spec, shin = rng.uniform(0.03, 0.12), rng.uniform(5, 15)
    else:  # cast_speckled: a coated cast/forged part with dark pores, like many frame-rail photos
        v = rng.uniform(0.45, 0.75)
        base = np.array([v, v, v], np.float32)
        pores = (rng.random(shape) < rng.uniform(0.01, 0.04)).astype(np.float32)
        pores = cv2.GaussianBlur(pores, (0, 0), rng.uniform(0.5, 1.0))
        tex = 0.03 * value_noise(rng, shape, h) - rng.uniform(0.8, 2.0) * pores
        height = 0.04 * value_noise(rng, shape, 2.0, 1) - 0.3 * pores
        spec, shin = rng.uniform(0.05, 0.2), rng.uniform(8, 25)
    albedo = np.clip(base[None, None, :] * (1.0 + tex[..., None]), 0.0, 1.2).astype(np.float32)
    return albedo, height.astype(np.float32), float(spec), float(shin)


def _scratches(rng: np.random.Generator, shape: tuple[int, int], n: int) -> np.ndarray:
    """Thin random scratches (0..1), later cut into the height field and brightened."""
    H, W = shape
    out = np.zeros(shape, np.float32)
    for _ in range(n):
        x, y = rng.uniform(0, W), rng.uniform(0, H)
        ang, length = rng.uniform(0, math.pi), rng.uniform(0.05, 0.5) * W
        x2, y2 = x + length * math.cos(ang), y + length * math.sin(ang)
        cv2.line(
            out,
            (round(x * 16), round(y * 16)),
            (round(x2 * 16), round(y2 * 16)),
            float(rng.uniform(0.3, 1.0)),
            1,
            cv2.LINE_AA,
            4,
        )
    return out


def _illumination(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Low-frequency light falloff: a linear gradient and a soft spot, as from a hand lamp or flash."""
    H, W = shape
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    a = rng.uniform(0, 2 * math.pi)
    ramp = ((xx - W / 2) * math.cos(a) + (yy - H / 2) * math.sin(a)) / max(W, H)
    field = 1.0 + rng.uniform(0.0, 0.9) * ramp
    if rng.random() < 0.6:
        cx, cy = rng.uniform(0, W), rng.uniform(0, H)
        s = rng.uniform(0.2, 0.8) * max(W, H)
        field += rng.uniform(0.1, 0.6) * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * s * s))
    return np.clip(field, 0.25, 2.0).astype(np.float32)


def render_vin_stamp(
    rng: np.random.Generator, vin: str | None = None, margin: float | None = None
) -> RenderedVin:
    """A VIN stamped into metal (frame rail or body panel) lit by a raking light.

    The marking is a height field (grooves for engraved and dot-peen, ridges for embossed) shaded with
    one low directional light, so each stroke gets one bright and one dark edge as in real close-ups.
    ``margin`` is the metal around the marking in character heights (default 1.2-3).
    """
    vin, valid = _pick_vin(rng, vin)
    method = _choice(rng, ["engraved", "embossed", "dot_peen"], [0.68, 0.12, 0.20])
    surface = _choice(rng, _SURFACES, _SURFACE_P)
    condition = _choice(rng, _CONDITIONS, _CONDITION_P)
    h = float(rng.uniform(34, 60))
    if method == "embossed":
        font_key = _choice(rng, ["latin_condensed_bold", "latin_mono_bold", "hershey_duplex"])
        weight = rng.uniform(0.12, 0.17)
    else:
        # Punches and engraving styli cut thin strokes: mostly single-stroke (Hershey) faces.
        font_key = _choice(
            rng,
            ["hershey_simplex", "hershey_duplex", "latin_mono", "latin_condensed_bold"],
            [0.65, 0.12, 0.18, 0.05],
        )
        weight = rng.uniform(0.045, 0.08)
    m = h * (margin if margin is not None else rng.uniform(1.2, 3.0))
    lay = _layout_stamp(rng, vin, h, method, font_key, weight, m)
    shape = lay.mask.shape
    albedo, height, spec, shin = _surface(rng, shape, surface, h)

    # The marking as relief: a V-groove (or a rounded ridge) a little deeper than it is wide.
    sw = max(1.5, lay.stroke)
    depth = sw * rng.uniform(0.3, 0.8)
    # A V-groove (or rounded ridge) whose walls lie inside the stroke, so the marking keeps the stroke's
    # width: depth grows with the distance from the stroke edge, capped at half the stroke width.
    inside = (lay.mask > 0.2).astype(np.uint8)
    dist = cv2.distanceTransform(inside, cv2.DIST_L2, 3)
    v = np.clip(dist / max(0.75, sw / 2), 0.0, 1.0)
    if method == "embossed":
        v = np.sqrt(v)  # rounded top
    strength = cv2.dilate(lay.mask, np.ones((3, 3), np.uint8))  # per-character punch depth
    profile = cv2.GaussianBlur(v * strength, (0, 0), 0.7)
    fill = np.zeros(shape, np.float32)
    if condition in ("paint_over", "dirt"):
        fill = blob_mask(rng, shape, h * rng.uniform(0.8, 3), rng.uniform(0.3, 0.8)) * rng.uniform(0.4, 0.9)
    relief = profile * depth * (1.0 - fill)
    if method == "embossed":
        height = height + relief
    else:
        # Displaced metal leaves a faint raised lip along the groove.
        lip = cv2.GaussianBlur(lay.mask, (0, 0), sw * 0.5) * (1 - inside)
        height = height - relief + lip * depth * rng.uniform(0.0, 0.2)
    scr = _scratches(rng, shape, int(rng.integers(0, 5)))
    height = height - scr * rng.uniform(0.3, 1.2)

    # Grooves collect oxide and grime or expose bare metal under paint.
    ink = np.clip(profile / (profile.max() + 1e-6), 0, 1)[..., None]
    if method != "embossed":
        if surface in ("painted", "e_coat_black") and rng.random() < 0.4:
            bare = np.array([0.6, 0.6, 0.62], np.float32) * rng.uniform(0.7, 1.1)
            albedo = albedo * (1 - ink * 0.8) + bare * ink * 0.8
        else:
            albedo = albedo * (1.0 - ink * rng.uniform(0.0, 0.25))
    if condition == "rust":
        rm = blob_mask(rng, shape, h * rng.uniform(0.3, 1.5), rng.uniform(0.05, 0.4)) * rng.uniform(0.4, 0.9)
        rm = np.clip(rm + ink[..., 0] * rng.uniform(0.0, 0.5), 0, 1)[..., None]
        rust = np.array([0.12, 0.22, 0.38], np.float32) * rng.uniform(0.6, 1.2)
        rust = rust * (1 + 0.25 * value_noise(rng, shape, 2, 2))[..., None]
        albedo = albedo * (1 - rm) + rust * rm
        height = height + rm[..., 0] * 0.12 * value_noise(rng, shape, 1.5, 1)
        spec *= 0.5
    elif condition == "paint_over":
        # Usually re-painted in the frame's own colour; sometimes a different (repair) paint.
        paint = (
            albedo.mean(axis=(0, 1))
            if rng.random() < 0.6
            else np.array(_CAR_PAINTS[int(rng.integers(len(_CAR_PAINTS)))], np.float32)
        )
        pm = (cv2.GaussianBlur(fill, (0, 0), h * 0.3) * rng.uniform(0.5, 1.0))[..., None]
        albedo = albedo * (1 - pm) + paint * pm
    elif condition == "dirt":
        # Grime darkens and browns the surface and settles in the grooves; it never brightens it.
        dm = (cv2.GaussianBlur(fill, (0, 0), h * 0.15) * rng.uniform(0.3, 0.6))[..., None]
        tint = np.array([0.75, 0.88, 1.0], np.float32)
        albedo = albedo * (1 - dm) + albedo * tint * rng.uniform(0.35, 0.7) * dm
        spec *= 0.6
    albedo = albedo * (1.0 + scr[..., None] * 0.3)

    az = rng.uniform(0, 2 * math.pi)
    el = math.radians(rng.uniform(18, 50))
    ambient = rng.uniform(0.2, 0.5)
    img = _shade(height, albedo, az, el, ambient, spec, shin)
    img = img * _illumination(rng, shape)[..., None]
    # Auto-exposure: inspection photos are lit and exposed for the marking, even on black e-coat.
    med = float(np.median(img[::4, ::4]))
    img = img * float(np.clip(rng.uniform(0.25, 0.7) / max(med, 1e-3), 0.5, 4.0))
    out = np.clip(img * 255.0, 0, 255).astype(np.uint8)
    style = f"{method}/{surface}/{condition}"
    return RenderedVin(out, vin, style, valid, lay.char_boxes, lay.frame)


# ---------------------------------------------------------------------------------------------- labels

# Code 39: bars and spaces alternate (b s b s b s b s b), 1 = wide; each character has 3 wide elements.
CODE39: dict[str, str] = {
    "0": "000110100",
    "1": "100100001",
    "2": "001100001",
    "3": "101100000",
    "4": "000110001",
    "5": "100110000",
    "6": "001110000",
    "7": "000100101",
    "8": "100100100",
    "9": "001100100",
    "A": "100001001",
    "B": "001001001",
    "C": "101001000",
    "D": "000011001",
    "E": "100011000",
    "F": "001011000",
    "G": "000001101",
    "H": "100001100",
    "I": "001001100",
    "J": "000011100",
    "K": "100000011",
    "L": "001000011",
    "M": "101000010",
    "N": "000010011",
    "O": "100010010",
    "P": "001010010",
    "Q": "000000111",
    "R": "100000110",
    "S": "001000110",
    "T": "000010110",
    "U": "110000001",
    "V": "011000001",
    "W": "111000000",
    "X": "010010001",
    "Y": "110010000",
    "Z": "011010000",
    "-": "010000101",
    ".": "110000100",
    " ": "011000100",
    "*": "010010100",
}


def code39_widths(text: str, ratio: float = 2.5) -> list[float]:
    """Element widths (bar, space, bar, ...) in narrow-module units, with start/stop ``*`` and the
    one-module gap between characters."""
    widths: list[float] = []
    for k, ch in enumerate(f"*{text}*"):
        pattern = CODE39[ch]
        widths.extend(ratio if b == "1" else 1.0 for b in pattern)
        if k < len(text) + 1:
            widths.append(1.0)  # inter-character gap (a space)
    return widths


def _draw_barcode(canvas: np.ndarray, text: str, x: float, y: float, w: float, h: float, color: int) -> None:
    widths = code39_widths(text, ratio=2.5)
    module = w / sum(widths)
    pos = x
    for i, wd in enumerate(widths):
        if i % 2 == 0:
            cv2.rectangle(
                canvas,
                (round(pos * 16), round(y * 16)),
                (round((pos + wd * module) * 16) - 1, round((y + h) * 16)),
                (color, color, color),
                -1,
                cv2.LINE_AA,
                4,
            )
        pos += wd * module


def _text_chars(
    draw: ImageDraw.ImageDraw,
    text: str,
    x: float,
    y: float,
    font_key: str,
    size: int,
    pitch: float,
    fill: Any,
) -> list[tuple[float, float, float, float]]:
    """Draws characters one by one at a fixed pitch (monospace-like) and returns their ink boxes."""
    f = font(font_key, size)
    boxes = []
    for i, ch in enumerate(text):
        cx = x + i * pitch
        draw.text((cx, y), ch, font=f, fill=fill)
        b = draw.textbbox((cx, y), ch, font=f)
        boxes.append((float(b[0]), float(b[1]), float(b[2]), float(b[3])))
    return boxes


def _maker_name(vin: str) -> str:
    maker = CN_MAKER_BY_WMI.get(vin[:3])
    if maker is not None:
        return maker.company
    return wmi_manufacturer(vin[:3]) or "汽车有限公司"


def _render_sticker(rng: np.random.Generator, vin: str) -> tuple[np.ndarray, list, tuple, str]:
    size = int(rng.integers(30, 44))
    pitch = size * rng.uniform(0.62, 0.72)
    pad = size * 0.8
    vin_w = pitch * 17
    W = int(vin_w + 2 * pad)
    title_h = size * 1.3
    bar_h = size * rng.uniform(1.2, 2.0)
    has_bar = rng.random() < 0.85
    has_maker = rng.random() < 0.6
    Hs = int(
        pad + title_h + size * 1.4 + (bar_h + size * 0.5 if has_bar else 0) + (size if has_maker else 0) + pad
    )
    silver = rng.random() < 0.4
    if silver:
        bg = value_noise(rng, (Hs, W), 40, 2) * 8 + 200 + streak_noise(rng, (Hs, W), 15) * 6
        sticker = np.repeat(np.clip(bg, 0, 255)[..., None], 3, 2).astype(np.uint8)
    else:
        sticker = np.full((Hs, W, 3), int(rng.integers(228, 252)), np.uint8)
    ink = int(rng.integers(10, 50))
    img = Image.fromarray(cv2.cvtColor(sticker, cv2.COLOR_BGR2RGB))
    draw = ImageDraw.Draw(img)
    y = pad * 0.6
    title = _choice(rng, ["VIN", "车辆识别代号 VIN", "车辆识别代号", "VIN 车辆识别代号"])
    draw.text((pad, y), title, font=font("cjk_sans_bold", int(size * 0.8)), fill=(ink, ink, ink))
    y += title_h
    vin_font = _choice(rng, ["latin_mono_bold", "latin_mono", "latin_condensed_bold"])
    boxes = _text_chars(draw, vin, pad, y, vin_font, size, pitch, (ink, ink, ink))
    y += size * 1.4
    if has_maker:
        draw.text(
            (pad, y + (bar_h + size * 0.5 if has_bar else 0)),
            _maker_name(vin),
            font=font("cjk_sans", int(size * 0.6)),
            fill=(ink, ink, ink),
        )
    sticker = cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)
    if has_bar:
        _draw_barcode(sticker, vin, pad, y, vin_w, bar_h, ink)
    cv2.rectangle(sticker, (3, 3), (W - 4, Hs - 4), (ink, ink, ink), 2)
    return sticker, boxes, (0.0, 0.0, float(W), float(Hs)), "label_silver" if silver else "label_white"


def _render_windscreen_plate(rng: np.random.Generator, vin: str) -> tuple[np.ndarray, list, tuple, str]:
    size = int(rng.integers(30, 44))
    pitch = size * rng.uniform(0.6, 0.7)
    pad = size * 0.5
    W = int(pitch * 17 + 2 * pad)
    Hs = int(size * rng.uniform(1.9, 2.6))
    dark = rng.random() < 0.4
    if dark:
        plate = np.full((Hs, W, 3), int(rng.integers(20, 50)), np.uint8)
        fill = (int(rng.integers(170, 230)),) * 3
    else:
        v = rng.uniform(160, 215)
        bg = v + streak_noise(rng, (Hs, W), 20) * 8
        plate = np.repeat(np.clip(bg, 0, 255)[..., None], 3, 2).astype(np.uint8)
        fill = (int(rng.integers(15, 60)),) * 3
    img = Image.fromarray(plate)
    draw = ImageDraw.Draw(img)
    font_key = _choice(rng, ["latin_mono_bold", "latin_condensed_bold", "latin_mono"])
    top = (Hs - size * 1.15) / 2
    boxes = _text_chars(draw, vin, pad, top, font_key, size, pitch, fill)
    plate = np.asarray(img).copy()
    # The plate lies on the dashboard: pad it with dark dashboard texture around.
    mx, my = int(size * 1.5), int(size * 1.2)
    dash_v = rng.uniform(15, 55)
    dash = (
        dash_v
        + value_noise(rng, (Hs + 2 * my, W + 2 * mx), 3, 1) * 4
        + value_noise(rng, (Hs + 2 * my, W + 2 * mx), 60, 2) * 6
    )
    out = np.repeat(np.clip(dash, 0, 255)[..., None], 3, 2).astype(np.uint8)
    out[my : my + Hs, mx : mx + W] = plate
    for cx in (mx + size * 0.25, mx + W - size * 0.25):  # rivets
        cv2.circle(out, (round(cx), my + Hs // 2), max(2, size // 7), (120, 120, 120), -1, cv2.LINE_AA)
    boxes = [(b[0] + mx, b[1] + my, b[2] + mx, b[3] + my) for b in boxes]
    return out, boxes, (float(mx), float(my), float(mx + W), float(my + Hs)), "windscreen_plate"


def _glass(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    """Seen through a windscreen: a green/blue tint, lower contrast and soft reflections of the sky."""
    H, W = img.shape[:2]
    tint = np.array([rng.uniform(0.85, 1.0), rng.uniform(0.9, 1.0), rng.uniform(0.7, 0.9)], np.float32)
    f = img.astype(np.float32) * tint * rng.uniform(0.7, 0.95)
    refl = np.clip(value_noise(rng, (H, W), max(H, W) / 3, 2) * 0.5 + 0.5, 0, 1)
    streak = streak_noise(rng, (H, W), rng.uniform(20, 80), rng.random() < 0.5)
    refl = np.clip(refl + 0.2 * streak, 0, 1) * rng.uniform(30, 110)
    return np.clip(f + refl[..., None] * np.array([1.0, 0.98, 0.95], np.float32), 0, 255).astype(np.uint8)


def render_vin_label(rng: np.random.Generator, vin: str | None = None) -> RenderedVin:
    """A printed VIN sticker (white or silver, "VIN" title, Code 39 barcode, maybe the maker's name)
    on a painted door pillar, or the small VIN plate on the dashboard seen through the windscreen."""
    vin, valid = _pick_vin(rng, vin)
    if rng.random() < 0.55:
        sticker, boxes, frame, style = _render_sticker(rng, vin)
        sh, sw = sticker.shape[:2]
        m = int(rng.integers(20, 80))
        paint = np.array(_CAR_PAINTS[int(rng.integers(len(_CAR_PAINTS)))], np.float32) * 255
        shape = (sh + 2 * m, sw + 2 * m)
        bg = paint[None, None, :] * (1 + 0.05 * value_noise(rng, shape, 80, 2))[..., None]
        out = np.clip(bg, 0, 255).astype(np.uint8)
        out[m : m + sh, m : m + sw] = sticker
        boxes = [(b[0] + m, b[1] + m, b[2] + m, b[3] + m) for b in boxes]
        frame = (frame[0] + m, frame[1] + m, frame[2] + m, frame[3] + m)
        light = _illumination(rng, shape)
        out = np.clip(out.astype(np.float32) * light[..., None], 0, 255).astype(np.uint8)
    else:
        out, boxes, frame, style = _render_windscreen_plate(rng, vin)
        out = _glass(rng, out)
    return RenderedVin(out, vin, style, valid, boxes, frame)


# ----------------------------------------------------------------------------------- photo helpers


def oblique_homography(
    rng: np.random.Generator,
    w: float,
    h: float,
    max_yaw: float = 40.0,
    max_pitch: float = 25.0,
    max_roll: float = 10.0,
) -> np.ndarray:
    """Homography of a flat ``w`` x ``h`` object seen by a pinhole camera at an oblique angle (degrees);
    most views are near frontal, a minority up to the limits."""

    def angle(limit: float) -> float:
        a = rng.uniform(-limit, limit) if rng.random() < 0.25 else rng.normal(0, limit / 3)
        return math.radians(float(np.clip(a, -limit, limit)))

    yaw, pitch, roll = angle(max_yaw), angle(max_pitch), angle(max_roll)
    cy, sy, cp, sp, cr, sr = (
        math.cos(yaw),
        math.sin(yaw),
        math.cos(pitch),
        math.sin(pitch),
        math.cos(roll),
        math.sin(roll),
    )
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rx = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    rz = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    r = rz @ rx @ ry
    f = max(w, h) * rng.uniform(1.0, 3.0)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    dst = []
    for x, y in src:
        p = r @ np.array([x - w / 2, y - h / 2, 0.0]) + np.array([0, 0, f])
        dst.append([f * p[0] / p[2], f * p[1] / p[2]])
    return cv2.getPerspectiveTransform(src, np.asarray(dst, np.float32)).astype(np.float64)


def transform_points(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(np.asarray(pts, np.float64).reshape(-1, 1, 2), m).reshape(-1, 2)


def background(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """What lies around a marking in a wider view: mostly dark shadowed chassis or blurred clutter."""
    H, W = shape
    level = rng.uniform(5, 70) if rng.random() < 0.7 else rng.uniform(60, 160)
    f = level + value_noise(rng, shape, max(H, W) / 4, 3) * level * 0.35
    col = np.array([1.0, rng.uniform(0.95, 1.05), rng.uniform(0.9, 1.1)], np.float32)
    return np.clip(f[..., None] * col, 0, 255).astype(np.uint8)


def degrade(rng: np.random.Generator, img: np.ndarray, gray_p: float = 0.0) -> np.ndarray:
    """Camera effects: exposure and gamma, defocus or motion blur, sensor noise, optional monochrome
    camera, JPEG re-compression (the build encodes once more at fixed quality)."""
    f = img.astype(np.float32) / 255.0
    f = np.clip(f * rng.uniform(0.75, 1.25) + rng.uniform(-0.06, 0.06), 0, 1) ** rng.uniform(0.75, 1.35)
    f *= np.array([rng.uniform(0.93, 1.07) for _ in range(3)], np.float32)  # white balance
    r = rng.random()
    if r < 0.55:
        f = cv2.GaussianBlur(f, (0, 0), rng.uniform(0.3, 1.3))
    elif r < 0.7:
        k = int(rng.integers(3, 8))
        kern = np.zeros((k, k), np.float32)
        a = rng.uniform(0, math.pi)
        c = (k - 1) / 2
        cv2.line(
            kern,
            (round(c - c * math.cos(a)), round(c - c * math.sin(a))),
            (round(c + c * math.cos(a)), round(c + c * math.sin(a))),
            1.0,
            1,
        )
        f = cv2.filter2D(f, -1, kern / kern.sum())
    sigma = rng.uniform(0.004, 0.03)
    f = f + rng.standard_normal(f.shape).astype(np.float32) * sigma * np.sqrt(np.clip(f, 0.05, 1))
    out = np.clip(f * 255, 0, 255).astype(np.uint8)
    if rng.random() < gray_p:
        out = cv2.cvtColor(cv2.cvtColor(out, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    if rng.random() < 0.5:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(40, 95))])
        if ok:
            out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return out


def _round_pts(pts: np.ndarray) -> list[list[float]]:
    return [[round(float(x), 2), round(float(y), 2)] for x, y in pts]


# -------------------------------------------------------------------------------------------- generator


class VinGenerator:
    """The ``vins`` kind: a stamped VIN (70 %) or a VIN label / windscreen plate (30 %), obliquely viewed.

    Most samples are framed like the real close-up crops (the VIN line with a margin of about one
    character height, char height 18-60 px); about a quarter show a wider context. Label: ``text``,
    ``valid`` (check digit), ``style``, ``box_xyxy`` and ``corners`` [TL, TR, BR, BL] of the 17
    characters, ``char_height_px``, ``char_boxes`` (each character's axis-aligned box in the image).
    """

    kind = "vins"

    def __init__(
        self, stamp_share: float = 0.7, context_share: float = 0.25, gray_share: float = 0.45
    ) -> None:
        if not 0.0 <= stamp_share <= 1.0 or not 0.0 <= context_share <= 1.0:
            raise ValueError("shares must lie within [0, 1]")
        self.stamp_share = stamp_share
        self.context_share = context_share
        self.gray_share = gray_share

    def sample(self, rng: np.random.Generator, index: int) -> Sample:
        context = rng.random() < self.context_share
        if rng.random() < self.stamp_share:
            r = render_vin_stamp(rng, margin=rng.uniform(2.5, 4.0) if context else rng.uniform(1.3, 2.2))
            max_yaw = 40.0
        else:
            r = render_vin_label(rng)
            max_yaw = 35.0
        src_h, src_w = r.image.shape[:2]
        hom = oblique_homography(rng, src_w, src_h, max_yaw=max_yaw, max_pitch=25.0, max_roll=8.0)

        boxes = np.asarray(r.char_boxes, np.float64)
        tx1, ty1, tx2, ty2 = boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max()
        text_quad = np.array([[tx1, ty1], [tx2, ty1], [tx2, ty2], [tx1, ty2]])
        fx1, fy1, fx2, fy2 = r.frame_xyxy
        frame_quad = np.array([[fx1, fy1], [fx2, fy1], [fx2, fy2], [fx1, fy2]])
        char_h_src = float(np.median(boxes[:, 3] - boxes[:, 1]))

        # Crop in the camera plane around the marking; margins in projected character heights.
        pf = transform_points(hom, frame_quad)
        left_mid, right_mid = (pf[0] + pf[3]) / 2, (pf[1] + pf[2]) / 2
        proj_len = float(np.linalg.norm(right_mid - left_mid))
        char_h_proj = char_h_src * proj_len / max(1.0, fx2 - fx1)
        if context:
            m = char_h_proj * rng.uniform(0.8, 3.0, 4)
        else:
            m = char_h_proj * np.array(
                [rng.uniform(0.3, 1.2), rng.uniform(0.25, 0.9), rng.uniform(0.3, 1.2), rng.uniform(0.25, 0.9)]
            )
        cx1, cy1 = pf[:, 0].min() - m[0], pf[:, 1].min() - m[1]
        cx2, cy2 = pf[:, 0].max() + m[2], pf[:, 1].max() + m[3]
        target_h = float(rng.uniform(18, 60)) if rng.random() < 0.85 else float(rng.uniform(10, 18))
        scale = target_h / max(1.0, char_h_proj)
        out_w = max(32, int(round((cx2 - cx1) * scale)))
        out_h = max(16, int(round((cy2 - cy1) * scale)))
        if out_w > 1600:  # keep very wide context views manageable
            s2 = 1600 / out_w
            scale, out_w, out_h = scale * s2, 1600, max(16, int(out_h * s2))
        crop = np.array([[scale, 0, -cx1 * scale], [0, scale, -cy1 * scale], [0, 0, 1]], np.float64)
        total = crop @ hom

        src = r.image
        # Downscale before the warp when shrinking a lot so thin strokes do not alias away.
        shrink = float(np.sqrt(abs(np.linalg.det(total[:2, :2]))))
        if shrink < 0.6:
            pre = max(shrink * 1.4, 0.05)
            src = cv2.resize(
                src, (max(1, round(src_w * pre)), max(1, round(src_h * pre))), interpolation=cv2.INTER_AREA
            )
            total = total @ np.diag([1 / pre, 1 / pre, 1.0])
        warped = cv2.warpPerspective(
            src,
            total,
            (out_w, out_h),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=(0, 0, 0),
        )
        cover = cv2.warpPerspective(
            np.full(src.shape[:2], 255, np.uint8),
            total,
            (out_w, out_h),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=0,
        )
        a = (cover.astype(np.float32) / 255.0)[..., None]
        bg = background(rng, (out_h, out_w))
        image = np.clip(warped * a + bg * (1 - a), 0, 255).astype(np.uint8)
        image = degrade(rng, image, gray_p=self.gray_share if r.style.split("/")[0] != "label" else 0.15)

        full = crop @ hom
        corners = transform_points(full, text_quad)
        corners[:, 0] = np.clip(corners[:, 0], 0, out_w - 1)
        corners[:, 1] = np.clip(corners[:, 1], 0, out_h - 1)
        char_boxes, heights = [], []
        for b in boxes:
            q = transform_points(full, np.array([[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]]]))
            q[:, 0] = np.clip(q[:, 0], 0, out_w - 1)
            q[:, 1] = np.clip(q[:, 1], 0, out_h - 1)
            char_boxes.append(
                [
                    round(float(q[:, 0].min()), 2),
                    round(float(q[:, 1].min()), 2),
                    round(float(q[:, 0].max()), 2),
                    round(float(q[:, 1].max()), 2),
                ]
            )
            heights.append((np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2)
        label = {
            "text": r.text,
            "valid": bool(r.valid),
            "style": r.style,
            "box_xyxy": [
                round(float(corners[:, 0].min()), 2),
                round(float(corners[:, 1].min()), 2),
                round(float(corners[:, 0].max()), 2),
                round(float(corners[:, 1].max()), 2),
            ],
            "corners": _round_pts(corners),
            "char_height_px": round(float(np.median(heights)), 2),
            "char_boxes": char_boxes,
            "context": bool(context),
        }
        return Sample(image=image, label=label, ext="jpg")
