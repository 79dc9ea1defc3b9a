"""Synthetic 产品标牌: the manufacturer's vehicle nameplate (GB 7258 / GB/T 18411) with maker, brand, model,
VIN, engine, displacement, power, mass, seats, production date and country, on brushed-aluminium plates
(engraved or printed black text, rivets) or silver/white stickers (printed, sometimes as a ruled table),
Chinese or bilingual field names, a logo box; photographed obliquely with glare and blur.

Field values are consistent with each other: the VIN's WMI is the maker's, its model-year code the
production year (or the next), the model number's main parameter the displacement, the power plausible
for the displacement, the total mass for the size and seats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw

from datasets.core import Sample
from datasets.fonts import font
from datasets.vins import (
    CN_MAKERS,
    Maker,
    background,
    degrade,
    make_vin,
    oblique_homography,
    streak_noise,
    transform_points,
    value_noise,
)

FIELDS: tuple[str, ...] = (
    "manufacturer",
    "brand",
    "model",
    "vin",
    "engine_model",
    "displacement_ml",
    "max_net_power_kw",
    "max_total_mass_kg",
    "seats",
    "production_date",
    "country",
)

# field -> (Chinese names seen on plates, English name, unit printed after the value)
_NAMES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "manufacturer": (("制造商", "制造厂名称", "生产企业"), "Manufacturer", ""),
    "brand": (("品牌",), "Brand", ""),
    "model": (("整车型号", "车辆型号"), "Vehicle Model", ""),
    "vin": (("车辆识别代号",), "VIN", ""),
    "engine_model": (("发动机型号",), "Engine Model", ""),
    "displacement_ml": (("发动机排量",), "Displacement", "mL"),
    "max_net_power_kw": (("发动机最大净功率", "最大净功率"), "Max. Net Power", "kW"),
    "max_total_mass_kg": (("最大允许总质量",), "Max. Permissible Mass", "kg"),
    "seats": (("乘坐人数", "乘员数"), "Seating Capacity", "人"),
    "production_date": (("制造年月", "生产日期"), "Date of Manufacture", ""),
    "country": (("制造国",), "Country of Manufacture", ""),
}


@dataclass(frozen=True, slots=True)
class FieldBox:
    text: str
    box_xyxy: tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class RenderedNameplate:
    """A plate image (BGR uint8) filling the whole image, with each field value's ink box."""

    image: np.ndarray
    fields: dict[str, FieldBox]
    style: str


def nameplate_values(rng: np.random.Generator, maker: Maker | None = None) -> dict[str, str]:
    """Internally consistent field values of one passenger car."""
    if maker is None:
        maker = CN_MAKERS[int(rng.integers(len(CN_MAKERS)))]
    year = int(rng.integers(2005, 2027))
    month = int(rng.integers(1, 13))
    model_year = year + 1 if (month >= 7 and rng.random() < 0.4 and year < 2030) else year
    suv = rng.random() < 0.4
    disp = int(
        _pick(
            rng,
            (998, 1197, 1395, 1485, 1498, 1591, 1598, 1798, 1969, 1984, 1998, 2488, 2995),
            (4, 5, 8, 6, 10, 5, 8, 6, 3, 8, 6, 3, 1),
        )
    )
    turbo = rng.random() < 0.55
    power = int(round(disp / 1000 * (rng.uniform(65, 95) if turbo else rng.uniform(50, 72))))
    if suv:
        seats = int(_pick(rng, (5, 7), (3, 1)))
        length_dm = int(rng.integers(43, 50))
        main = f"6{length_dm}"
    else:
        seats = int(_pick(rng, (5, 4, 2), (20, 2, 1)))
        main = f"7{round(disp / 100):02d}"[:3]
    curb = 850 + disp * 0.3 + (220 if suv else 0) + rng.uniform(-60, 120)
    total = int(round((curb + seats * 75 + rng.uniform(40, 160)) / 5) * 5)
    suffix = "".join(
        _pick(rng, tuple("0123456789ABCDEFGHJKLMNPRSTUVWXYZ")) for _ in range(int(rng.integers(1, 4)))
    )
    model = f"{maker.model_prefix}{main}{int(rng.integers(0, 10))}{suffix}"
    date_fmt = _pick(rng, ("{y}年{m:02d}月", "{y}年{m}月", "{y}.{m:02d}", "{y}-{m:02d}"), (6, 1, 1, 1))
    brand = maker.brand + ("牌" if rng.random() < 0.4 else "")
    return {
        "manufacturer": maker.company,
        "brand": brand,
        "model": model,
        "vin": make_vin(rng, valid=True, wmi=maker.wmi, year=model_year),
        "engine_model": _pick(rng, maker.engine_prefixes),
        "displacement_ml": str(disp),
        "max_net_power_kw": str(power),
        "max_total_mass_kg": str(total),
        "seats": str(seats),
        "production_date": date_fmt.format(y=year, m=month),
        "country": "中国",
    }


def _pick(
    rng: np.random.Generator, options: tuple[Any, ...], weights: tuple[float, ...] | None = None
) -> Any:
    if weights is None:
        return options[int(rng.integers(len(options)))]
    w = np.asarray(weights, np.float64)
    return options[int(rng.choice(len(options), p=w / w.sum()))]


def _plate_background(rng: np.random.Generator, w: int, h: int, style: str) -> np.ndarray:
    if style == "metal":
        v = rng.uniform(165, 215)
        f = v + streak_noise(rng, (h, w), rng.uniform(20, 60)) * rng.uniform(3, 8)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        f += (xx / w - 0.5) * rng.uniform(-30, 30) + (yy / h - 0.5) * rng.uniform(-15, 15)
        tint = np.array([1.0, 1.0, rng.uniform(0.96, 1.01)], np.float32)
    elif style == "sticker_silver":
        v = rng.uniform(185, 225)
        f = v + value_noise(rng, (h, w), w / 4, 2) * 10 + streak_noise(rng, (h, w), 10) * 2
        tint = np.array([1.0, 1.0, 1.0], np.float32)
    else:
        f = np.full((h, w), rng.uniform(230, 252), np.float32) + value_noise(rng, (h, w), w / 5, 2) * 2
        tint = np.array([rng.uniform(0.97, 1.0), 1.0, 1.0], np.float32)
    return np.clip(f[..., None] * tint, 0, 255).astype(np.uint8)


def render_nameplate(rng: np.random.Generator) -> RenderedNameplate:
    """A flat, frontal nameplate; ``fields`` boxes are the values' ink boxes in image pixels."""
    style = _pick(rng, ("metal", "sticker_silver", "sticker_white"), (5, 3, 2))
    values = nameplate_values(rng)
    bilingual = rng.random() < 0.4
    table = style != "metal" and rng.random() < 0.5
    two_col = rng.random() < 0.65
    fs = int(rng.integers(20, 28))
    ink = (int(rng.integers(10, 45)),) * 3
    label_font = font(_pick(rng, ("cjk_sans", "cjk_sans_bold", "cjk_serif")), fs)
    value_font = font(_pick(rng, ("cjk_sans", "cjk_sans_bold")), fs)
    en_font = font("latin_sans", max(9, int(fs * 0.55)))
    vin_font = font(_pick(rng, ("latin_mono_bold", "latin_sans_bold", "cjk_sans_bold")), int(fs * 1.1))

    order = [k for k in FIELDS if k not in ("manufacturer", "vin")]
    header_manufacturer = rng.random() < 0.5  # the maker as the plate title instead of a field row
    cells: list[str] = ([] if header_manufacturer else ["manufacturer"]) + order
    labels = {k: _pick(rng, _NAMES[k][0]) for k in FIELDS}

    def label_width(k: str) -> float:
        w = label_font.getlength(labels[k] + ("：" if not table else ""))
        if bilingual:
            w = max(w, en_font.getlength(_NAMES[k][1]))
        return w

    def value_width(k: str) -> float:
        unit = _NAMES[k][2]
        return value_font.getlength(values[k]) + (value_font.getlength(" " + unit) if unit else 0)

    pad = fs * 1.2
    gap = fs * 0.6
    row_h = fs * (2.4 if bilingual else 1.6)
    lw = max(label_width(k) for k in FIELDS) + gap
    vw = max(value_width(k) for k in cells if k != "manufacturer") + gap
    ncol = 2 if two_col else 1
    col_w = lw + vw
    vin_w = lw + vin_font.getlength(values["vin"]) + gap
    man_w = lw + value_font.getlength(values["manufacturer"]) + gap
    inner_w = max(ncol * col_w + (ncol - 1) * gap * 2, vin_w, man_w if not header_manufacturer else 0)
    header_h = fs * 2.8
    title_w = fs * 2.6 + font("cjk_sans_bold", int(fs * 1.3)).getlength(values["manufacturer"]) + gap
    inner_w = max(inner_w, title_w)
    grid_rows = [cells[i : i + ncol] for i in range(0, len(cells), ncol)]
    if "manufacturer" in cells:  # the long company name gets a row of its own
        grid_rows = [["manufacturer"]] + [
            r
            for r in (
                [c for c in cells if c != "manufacturer"][i : i + ncol]
                for i in range(0, len(cells) - 1, ncol)
            )
        ]
    n_rows = len(grid_rows) + 1  # + the VIN row
    W = int(inner_w + 2 * pad)
    H = int(pad + header_h + n_rows * row_h + pad * 0.8)
    plate = _plate_background(rng, W, H, style)
    img = Image.fromarray(cv2.cvtColor(plate, cv2.COLOR_BGR2RGB))
    draw = ImageDraw.Draw(img)
    fields: dict[str, FieldBox] = {}

    def put_value(k: str, x: float, y: float, f: Any) -> None:
        draw.text((x, y), values[k], font=f, fill=ink)
        b = draw.textbbox((x, y), values[k], font=f)
        fields[k] = FieldBox(values[k], (float(b[0]), float(b[1]), float(b[2]), float(b[3])))
        unit = _NAMES[k][2]
        if unit:
            draw.text((b[2] + fs * 0.25, y), unit, font=value_font, fill=ink)

    # Header: logo box and title.
    lx, ly, ls = pad, pad * 0.7, fs * 2.0
    if rng.random() < 0.5:
        draw.ellipse((lx, ly, lx + ls, ly + ls), outline=ink, width=max(2, fs // 10))
    else:
        draw.rounded_rectangle(
            (lx, ly, lx + ls * 1.3, ly + ls), radius=fs // 3, outline=ink, width=max(2, fs // 10)
        )
    initials = _maker_initials(values)
    fi = font("latin_sans_bold", int(fs * 0.8))
    tw = fi.getlength(initials)
    draw.text(
        (lx + (ls * (1.3 if tw > ls * 0.9 else 1.0) - tw) / 2, ly + ls * 0.28), initials, font=fi, fill=ink
    )
    tx = lx + ls * 1.5
    if header_manufacturer:
        put_value("manufacturer", tx, ly + ls * 0.15, font("cjk_sans_bold", int(fs * 1.3)))
    else:
        title = _pick(rng, ("产品标牌", "车辆铭牌", "整车铭牌"))
        draw.text(
            (tx, ly + ls * 0.15),
            title + (" VEHICLE NAMEPLATE" if bilingual else ""),
            font=font("cjk_sans_bold", int(fs * 1.2)),
            fill=ink,
        )

    y = pad + header_h
    if table:
        draw.line((pad * 0.5, y - fs * 0.3, W - pad * 0.5, y - fs * 0.3), fill=ink, width=2)
    for row in grid_rows + [["vin"]]:
        x = pad
        for k in row:
            draw.text((x, y), labels[k] + ("" if table else "："), font=label_font, fill=ink)
            if bilingual:
                draw.text((x, y + fs * 1.15), _NAMES[k][1], font=en_font, fill=ink)
            put_value(k, x + lw, y, vin_font if k == "vin" else value_font)
            if table and k not in ("manufacturer", "vin"):
                draw.line(
                    (x + lw - gap / 2, y - fs * 0.3, x + lw - gap / 2, y + row_h - fs * 0.3),
                    fill=ink,
                    width=1,
                )
            x += col_w + gap * 2
        if table:
            yl = y + row_h - fs * 0.3
            draw.line((pad * 0.5, yl, W - pad * 0.5, yl), fill=ink, width=1)
        y += row_h
    out = cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)

    if style == "metal":
        # Engraved or stamped lettering catches light on one edge: a faint offset highlight.
        if rng.random() < 0.6:
            dark = (255 - cv2.cvtColor(out, cv2.COLOR_BGR2GRAY)).astype(np.float32)
            text = np.clip(dark - float(np.median(dark)) - 40, 0, 255) / 215.0
            shift = np.roll(np.roll(text, 1, 0), 1, 1)
            out = np.clip(out.astype(np.float32) + (np.clip(shift - text, 0, 1) * 70)[..., None], 0, 255)
            out = out.astype(np.uint8)
        r = max(3, fs // 3)
        for cx, cy in (
            (pad * 0.45, pad * 0.45),
            (W - pad * 0.45, pad * 0.45),
            (pad * 0.45, H - pad * 0.45),
            (W - pad * 0.45, H - pad * 0.45),
        ):
            cv2.circle(out, (round(cx), round(cy)), r, (150, 150, 150), -1, cv2.LINE_AA)
            cv2.circle(
                out, (round(cx - r / 3), round(cy - r / 3)), max(1, r // 3), (235, 235, 235), -1, cv2.LINE_AA
            )
    cv2.rectangle(out, (2, 2), (W - 3, H - 3), ink, 2 if style != "metal" else 1)
    return RenderedNameplate(out, fields, style)


def _maker_initials(values: dict[str, str]) -> str:
    brand_en = {m.company: m.brand_en for m in CN_MAKERS}.get(values["manufacturer"], "AUTO")
    words = brand_en.replace("-", " ").split()
    return "".join(w[0] for w in words)[:3] if len(words) > 1 else brand_en[:2]


def _glare(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    """A specular highlight from a lamp or the sky: a soft bright ellipse added on top."""
    H, W = img.shape[:2]
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    cx, cy = rng.uniform(0, W), rng.uniform(0, H)
    sx, sy = rng.uniform(0.05, 0.35) * W, rng.uniform(0.05, 0.3) * H
    a = rng.uniform(0, math.pi)
    dx, dy = (
        (xx - cx) * math.cos(a) + (yy - cy) * math.sin(a),
        -(xx - cx) * math.sin(a) + (yy - cy) * math.cos(a),
    )
    g = np.exp(-(dx * dx / (2 * sx * sx) + dy * dy / (2 * sy * sy))) * rng.uniform(60, 200)
    return np.clip(img.astype(np.float32) + g[..., None], 0, 255).astype(np.uint8)


class NameplateGenerator:
    """The ``nameplates`` kind. Label: ``fields`` {name: {"text", "box_xyxy"}}, ``style``, ``corners``
    [TL, TR, BR, BL] of the plate in the image."""

    kind = "nameplates"

    def sample(self, rng: np.random.Generator, index: int) -> Sample:
        r = render_nameplate(rng)
        h, w = r.image.shape[:2]
        hom = oblique_homography(rng, w, h, max_yaw=35.0, max_pitch=25.0, max_roll=8.0)
        quad = transform_points(hom, np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64))
        qw = quad[:, 0].max() - quad[:, 0].min()
        qh = quad[:, 1].max() - quad[:, 1].min()
        out_w_plate = rng.uniform(480, 1000)
        scale = out_w_plate / max(qw, 1.0)
        margin = rng.uniform(0.03, 0.25, 4)
        x0 = quad[:, 0].min() - margin[0] * qw
        y0 = quad[:, 1].min() - margin[1] * qh
        out_w = int(round((qw * (1 + margin[0] + margin[2])) * scale))
        out_h = int(round((qh * (1 + margin[1] + margin[3])) * scale))
        full = np.array([[scale, 0, -x0 * scale], [0, scale, -y0 * scale], [0, 0, 1]]) @ hom
        src = r.image
        shrink = float(np.sqrt(abs(np.linalg.det(full[:2, :2]))))
        warp_m = full
        if shrink < 0.6:
            pre = shrink * 1.4
            src = cv2.resize(
                src, (max(1, round(w * pre)), max(1, round(h * pre))), interpolation=cv2.INTER_AREA
            )
            warp_m = full @ np.diag([1 / pre, 1 / pre, 1.0])
        warped = cv2.warpPerspective(src, warp_m, (out_w, out_h), flags=cv2.INTER_LINEAR)
        cover = cv2.warpPerspective(
            np.full(src.shape[:2], 255, np.uint8), warp_m, (out_w, out_h), flags=cv2.INTER_LINEAR
        )
        a = (cover.astype(np.float32) / 255.0)[..., None]
        bg = background(rng, (out_h, out_w))
        image = np.clip(warped * a + bg * (1 - a), 0, 255).astype(np.uint8)
        if rng.random() < 0.6:
            image = _glare(rng, image)
        image = degrade(rng, image, gray_p=0.1)

        def clip_pt(p: np.ndarray) -> list[float]:
            return [
                round(float(np.clip(p[0], 0, out_w - 1)), 2),
                round(float(np.clip(p[1], 0, out_h - 1)), 2),
            ]

        corners = [
            clip_pt(p) for p in transform_points(full, np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64))
        ]
        fields: dict[str, dict[str, Any]] = {}
        for name, fb in r.fields.items():
            x1, y1, x2, y2 = fb.box_xyxy
            q = np.array(
                [
                    clip_pt(p)
                    for p in transform_points(full, np.array([[x1, y1], [x2, y1], [x2, y2], [x1, y2]]))
                ]
            )
            fields[name] = {
                "text": fb.text,
                "box_xyxy": [
                    float(q[:, 0].min()),
                    float(q[:, 1].min()),
                    float(q[:, 0].max()),
                    float(q[:, 1].max()),
                ],
            }
        label = {"fields": fields, "style": r.style, "corners": corners}
        return Sample(image=image, label=label, ext="jpg")
