"""Card-sized documents: the 机动车行驶证 (main and secondary page) and the 居民身份证 (front and back).

Layouts follow the real cards' proportions (positions are fractions of the card so they survive a change of
resolution); the 行驶证 main page matches the specimen in real-dev: labels in bold serif with an English
line below, dotted underlines, values in a bold sans (digits in a condensed monospace) and the square red
seal of the vehicle office at the bottom left.
"""

from __future__ import annotations

import numpy as np

from datasets.documents.canvas import (
    BLACK,
    Color,
    Page,
    emblem,
    guilloche,
    paper,
    silhouette,
    split_office,
    square_seal,
    tint_gradient,
)
from datasets.documents.record import CaseRecord

LICENSE_WH = (1000, 682)  # 88 x 60 mm
ID_WH = (856, 540)  # 85.6 x 54 mm

_LABEL: Color = (0.12, 0.12, 0.16)
_ID_LABEL: Color = (0.2, 0.45, 0.7)


def _value_font(s: str) -> str:
    return "latin_mono_bold" if s.isascii() else "cjk_sans_bold"


def _license_page(rng: np.random.Generator) -> Page:
    w, h = LICENSE_WH
    page = Page(paper(rng, w, h, (0.84, 0.92, 0.97), blotch=0.01, grain=0.008))
    tint_gradient(page.px, rng, ((0.98, 0.8, 0.88), (0.8, 0.9, 0.99)), float(rng.uniform(0.4, 0.75)))
    guilloche(page, rng, (0.85, 0.55, 0.7), opacity=float(rng.uniform(0.12, 0.25)))
    guilloche(page, rng, (0.5, 0.7, 0.9), opacity=float(rng.uniform(0.1, 0.2)), families=1)
    page.typed_offset = (int(rng.integers(-8, 9)), int(rng.integers(-5, 6)))
    return page


def _label(page: Page, x: float, y: float, cn: str, en: str, spread: float = 0.0) -> float:
    """A bilingual label; ``spread`` letter-spaces short labels (所 有 人) to the width of 4 characters.
    Returns the x where the label ends."""
    size = int(page.w * 0.026)
    if spread and len(cn) < 4:
        step = spread / (len(cn) - 1) if len(cn) > 1 else 0
        for i, ch in enumerate(cn):
            page.text(x + i * step, y, ch, "cjk_serif_bold", size, _LABEL)
        end = x + spread + size
    else:
        end = page.text(x, y, cn, "cjk_serif_bold", size, _LABEL)[2]
    page.text(x, y + size * 0.9, en, "cjk_serif", int(size * 0.62), _LABEL)
    return end


def _value(page: Page, name: str, x: float, y: float, s: str, x_end: float) -> None:
    size = int(page.w * (0.03 if s.isascii() else 0.029))
    page.field(name, x, y, s, _value_font(s), size, BLACK, max_width=x_end - x - 4 - page.typed_offset[0])
    page.dotted(x - 6, x_end, y + size * 0.5, _LABEL, gap=4, opacity=0.5)


def vehicle_license_main(rng: np.random.Generator, rec: CaseRecord) -> Page:
    page = _license_page(rng)
    w, h = page.w, page.h
    page.text(
        w * 0.485,
        h * 0.115,
        "中华人民共和国机动车行驶证",
        "cjk_serif_bold",
        int(w * 0.042),
        _LABEL,
        anchor="ms",
    )
    page.text(
        w * 0.485,
        h * 0.16,
        "Vehicle License of the People's Republic of China",
        "cjk_serif",
        int(w * 0.024),
        _LABEL,
        anchor="ms",
    )
    span = w * 0.026 * 3
    rows = [
        (
            0.225,
            [
                (0.03, "号牌号码", "Plate No.", "号牌号码", rec.plate, 0.42),
                (0.44, "车辆类型", "Vehicle Type", "车辆类型", rec.vehicle_type, 0.97),
            ],
        ),
        (0.335, [(0.03, "所有人", "Owner", "所有人", rec.owner_name, 0.97)]),
        (0.445, [(0.03, "住址", "Address", "住址", rec.address, 0.97)]),
        (
            0.555,
            [
                (0.03, "使用性质", "Use Character", "使用性质", rec.use_character, 0.37),
                (0.38, "品牌型号", "Model", "品牌型号", rec.brand_model, 0.97),
            ],
        ),
        (0.67, [(0.28, "车辆识别代号", "VIN", "车辆识别代号", rec.vin, 0.97)]),
        (0.785, [(0.28, "发动机号码", "Engine No.", "发动机号码", rec.engine_number, 0.97)]),
        (
            0.9,
            [
                (0.28, "注册日期", "Register Date", "注册日期", rec.registration_date.isoformat(), 0.59),
                (0.6, "发证日期", "Issue Date", "发证日期", rec.issue_date.isoformat(), 0.97),
            ],
        ),
    ]
    for fy, cells in rows:
        for fx, cn, en, name, value, fx_end in cells:
            end = _label(page, w * fx, h * fy, cn, en, spread=span)
            _value(page, name, end + w * 0.01, h * fy, value, w * fx_end)
    sx, sy, sw, sh = int(w * 0.045), int(h * 0.63), int(w * 0.22), int(h * 0.33)
    square_seal(
        page,
        rng,
        sx + int(rng.integers(-6, 7)),
        sy + int(rng.integers(-6, 7)),
        sw,
        sh,
        split_office(rec.vehicle_office),
    )
    return page


def vehicle_license_secondary(rng: np.random.Generator, rec: CaseRecord) -> Page:
    page = _license_page(rng)
    w, h = page.w, page.h
    cargo = "——"
    outline = f"{rec.length_mm}×{rec.width_mm}×{rec.height_mm}mm"
    rows = [
        (
            0.13,
            [
                (0.03, "号牌号码", "Plate No.", "号牌号码", rec.plate, 0.45),
                (0.47, "档案编号", "File No.", "档案编号", rec.file_number, 0.97),
            ],
        ),
        (
            0.26,
            [
                (0.03, "核定载人数", "Approved Passengers", "核定载人数", f"{rec.seats}人", 0.45),
                (0.47, "总质量", "Gross Mass", "总质量", f"{rec.total_mass_kg}kg", 0.97),
            ],
        ),
        (
            0.39,
            [
                (0.03, "整备质量", "Unladen Mass", "整备质量", f"{rec.curb_mass_kg}kg", 0.45),
                (0.47, "核定载质量", "Approved Load", "核定载质量", cargo, 0.97),
            ],
        ),
        (0.52, [(0.03, "外廓尺寸", "Overall Dimension", "外廓尺寸", outline, 0.97)]),
        (
            0.65,
            [
                (0.03, "准牵引总质量", "Traction Mass", "准牵引总质量", cargo, 0.45),
                (0.47, "备注", "Remarks", "备注", "", 0.97),
            ],
        ),
    ]
    for fy, cells in rows:
        for fx, cn, en, name, value, fx_end in cells:
            end = _label(page, w * fx, h * fy, cn, en)
            if value:
                _value(page, name, end + w * 0.018, h * fy, value, w * fx_end)
            else:
                page.dotted(end + w * 0.01, w * fx_end, h * fy + 10, _LABEL, gap=4, opacity=0.5)
    _label(page, w * 0.03, h * 0.78, "检验记录", "Inspection Record")
    # A blue inspection stamp: 检验有效期至 the month of the next inspection (6 years for new private cars).
    # only the year and month are printed: the 1st keeps a 29 February registration valid six years on
    until = rec.registration_date.replace(day=1, year=rec.registration_date.year + 6)
    x0, y0 = int(w * 0.25), int(h * 0.74)
    page.rect(x0, y0, x0 + int(w * 0.4), y0 + int(h * 0.16), (0.2, 0.35, 0.75), 3, 0.8)
    page.field(
        "检验有效期至",
        x0 + 12,
        y0 + int(h * 0.11),
        f"检验有效期至{until.year}年{until.month:02d}月{rec.plate}",
        "cjk_sans_bold",
        int(w * 0.022),
        (0.2, 0.35, 0.75),
        typed=False,
        max_width=w * 0.4 - 24,
    )
    return page


def _id_page(rng: np.random.Generator) -> Page:
    w, h = ID_WH
    page = Page(paper(rng, w, h, (0.94, 0.95, 0.95), blotch=0.008, grain=0.006))
    tint_gradient(page.px, rng, ((0.86, 0.93, 0.98), (0.98, 0.93, 0.86)), float(rng.uniform(0.4, 0.7)))
    guilloche(page, rng, (0.55, 0.7, 0.85), opacity=float(rng.uniform(0.12, 0.22)))
    return page


def id_card_front(rng: np.random.Generator, rec: CaseRecord) -> Page:
    page = _id_page(rng)
    w, h = page.w, page.h
    ls, vs = int(w * 0.028), int(w * 0.033)
    lx, vx = w * 0.07, w * 0.19
    page.text(lx, h * 0.2, "姓 名", "cjk_sans", ls, _ID_LABEL)
    page.field("姓名", vx, h * 0.2, rec.owner_name, "cjk_sans", int(vs * 1.12), typed=False)
    page.text(lx, h * 0.33, "性 别", "cjk_sans", ls, _ID_LABEL)
    page.field("性别", vx, h * 0.33, rec.sex, "cjk_sans", vs, typed=False)
    page.text(w * 0.36, h * 0.33, "民 族", "cjk_sans", ls, _ID_LABEL)
    page.field("民族", w * 0.46, h * 0.33, rec.ethnicity, "cjk_sans", vs, typed=False)
    page.text(lx, h * 0.46, "出 生", "cjk_sans", ls, _ID_LABEL)
    b = rec.birth_date
    x = vx
    for part, unit in ((str(b.year), "年"), (str(b.month), "月"), (str(b.day), "日")):
        box = page.field("出生", x, h * 0.46, part, "cjk_sans", vs, typed=False)
        box2 = page.text(box[2] + 8, h * 0.46, unit, "cjk_sans", ls, _ID_LABEL)
        x = box2[2] + 12
    page.fields["出生"] = type(page.fields["出生"])(
        f"{b.year}年{b.month}月{b.day}日", page.fields["出生"].box_xyxy
    )
    page.text(lx, h * 0.59, "住 址", "cjk_sans", ls, _ID_LABEL)
    per_line = 11
    for i in range(0, len(rec.address), per_line):
        page.field(
            "住址",
            vx,
            h * 0.59 + (i // per_line) * vs * 1.35,
            rec.address[i : i + per_line],
            "cjk_sans",
            vs,
            typed=False,
        )
    page.text(lx, h * 0.88, "公民身份号码", "cjk_sans", ls, _ID_LABEL)
    page.field(
        "公民身份号码", w * 0.34, h * 0.88, rec.id_number, "latin_sans_bold", int(vs * 1.05), typed=False
    )
    silhouette(page, rng, int(w * 0.64), int(h * 0.12), int(w * 0.28), int(h * 0.6))
    return page


def id_card_back(rng: np.random.Generator, rec: CaseRecord) -> Page:
    page = _id_page(rng)
    w, h = page.w, page.h
    emblem(page, int(w * 0.14), int(h * 0.24), int(w * 0.085))
    page.text(w * 0.3, h * 0.24, "中华人民共和国", "cjk_serif_bold", int(w * 0.05), BLACK)
    page.text(w * 0.28, h * 0.5, "居民身份证", "cjk_serif_bold", int(w * 0.085), BLACK)
    ls = int(w * 0.028)
    page.text(w * 0.2, h * 0.77, "签发机关", "cjk_sans", ls, BLACK)
    page.field(
        "签发机关",
        w * 0.36,
        h * 0.77,
        rec.id_issuer,
        "cjk_sans",
        int(w * 0.031),
        typed=False,
        max_width=w * 0.6,
    )
    page.text(w * 0.2, h * 0.89, "有效期限", "cjk_sans", ls, BLACK)
    valid_to = "长期" if rec.id_valid_to is None else f"{rec.id_valid_to:%Y.%m.%d}"
    page.field(
        "有效期限",
        w * 0.36,
        h * 0.89,
        f"{rec.id_valid_from:%Y.%m.%d}-{valid_to}",
        "cjk_sans",
        int(w * 0.031),
        typed=False,
    )
    return page
