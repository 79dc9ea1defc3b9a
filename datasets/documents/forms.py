"""Page-sized forms: 登记证书, 销售统一发票, 购置税完税证明, 交强险保单, 合格证 and unrelated "other" papers.

They share one grid-table helper: pre-printed labels in the form's ink colour (serif), values "typed" in a
sans or dot-matrix face shifted by the page's printer offset, as a dot-matrix printer feeding a pre-printed
form does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from datasets.documents.canvas import (
    BLACK,
    SEAL_RED,
    Color,
    Page,
    guilloche,
    paper,
    qr_placeholder,
    seal,
    text_width,
)
from datasets.documents.record import CaseRecord, amount_in_words, money

A4_WH = (880, 1244)
INVOICE_WH = (1200, 886)  # 241 x 178 mm
TAX_WH = (1100, 760)


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell ``width`` px wide: a printed ``label`` and/or a typed ``value`` recorded as ``field``."""

    width: float
    label: str = ""
    value: str = ""
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Style:
    ink: Color  # pre-printed form colour
    value_font: str
    value_size: int
    label_size: int
    dot_matrix: bool


def _style(rng: np.random.Generator, ink: Color, label_size: int, value_size: int, dot_p: float) -> Style:
    dot = bool(rng.random() < dot_p)
    return Style(
        ink,
        "cjk_sans_bold" if dot else str(rng.choice(["cjk_sans", "cjk_sans_bold", "cjk_serif"])),
        value_size,
        label_size,
        dot,
    )


def table(page: Page, style: Style, x0: float, y0: float, rows: list[tuple[float, list[Cell]]]) -> float:
    """Draw rows of cells from (x0, y0); returns the y below the last row."""
    y = y0
    for height, cells in rows:
        x = x0
        for cell in cells:
            page.rect(x, y, x + cell.width, y + height, style.ink, 1, 0.85)
            base = y + height / 2 + style.label_size * 0.36
            vx = x + 8
            if cell.label and not cell.value and cell.field is None:
                lw = text_width(cell.label, "cjk_serif", style.label_size)
                if lw > cell.width - 8:
                    page.text(
                        x + 4,
                        base,
                        cell.label,
                        "cjk_serif",
                        style.label_size,
                        style.ink,
                        max_width=cell.width - 8,
                    )
                else:
                    page.text(
                        x + cell.width / 2,
                        base,
                        cell.label,
                        "cjk_serif",
                        style.label_size,
                        style.ink,
                        anchor="ms",
                    )
            elif cell.label:
                vx = page.text(x + 6, base, cell.label, "cjk_serif", style.label_size, style.ink)[2] + 10
            if cell.value:
                vbase = y + height / 2 + style.value_size * 0.36
                font_name = (
                    "latin_mono_bold" if style.dot_matrix and cell.value.isascii() else style.value_font
                )
                room = x + cell.width - vx - 6 - max(0, page.typed_offset[0])
                kw = dict(max_width=room, dot_matrix=style.dot_matrix)
                if cell.field:
                    page.field(cell.field, vx, vbase, cell.value, font_name, style.value_size, **kw)
                else:
                    page.text(
                        vx + page.typed_offset[0],
                        vbase + page.typed_offset[1],
                        cell.value,
                        font_name,
                        style.value_size,
                        BLACK,
                        **kw,
                    )  # type: ignore[arg-type]
            x += cell.width
        y += height
    return y


def _form_page(rng: np.random.Generator, wh: tuple[int, int], tint: Color, max_offset: int) -> Page:
    page = Page(paper(rng, wh[0], wh[1], tint))
    page.typed_offset = (
        int(rng.integers(-max_offset, max_offset + 1)),
        int(rng.integers(-max_offset, max_offset + 1)),
    )
    return page


def _d(d: object) -> str:
    return f"{d:%Y-%m-%d}"


def _cn_date(d: object) -> str:
    return f"{d:%Y年%m月%d日}"


def _type_label(rec: CaseRecord) -> str:
    return "6座以下客车" if rec.seats < 6 else "6座及10座以下客车"


# ------------------------------------------------------------------------------------------------ 登记证书


def registration_certificate(rng: np.random.Generator, rec: CaseRecord, page_no: str) -> Page:
    page = _form_page(rng, A4_WH, (0.96, 0.95, 0.9), 4)
    guilloche(page, rng, (0.75, 0.65, 0.5), opacity=0.08, families=1)
    st = _style(rng, (0.3, 0.25, 0.2), 17, 18, 0.4)
    w = page.w
    page.text(w / 2, 80, "机动车登记证书", "cjk_serif_bold", 46, st.ink, anchor="ms")
    page.text(w * 0.68, 125, "No.", "latin_sans_bold", 22, SEAL_RED)
    page.field(
        "登记证书编号",
        w * 0.68 + 48,
        125,
        rec.registration_cert_number,
        "latin_mono_bold",
        24,
        SEAL_RED,
        typed=False,
    )
    x0, full = 50.0, w - 100.0
    if page_no == "1":
        head = 120.0
        rows: list[tuple[float, list[Cell]]] = [
            (
                44,
                [
                    Cell(head, "注册登记"),
                    Cell(190, "I.机动车所有人/身份证明名称/号码"),
                    Cell(
                        full - head - 190,
                        value=f"{rec.owner_name}/居民身份证/{rec.id_number}",
                        field="机动车所有人",
                    ),
                ],
            ),
            (
                44,
                [
                    Cell(head, "摘要信息栏"),
                    Cell(190, "II.登记机关"),
                    Cell(full - head - 190, value=rec.vehicle_office + "车辆管理所", field="登记机关"),
                ],
            ),
            (
                44,
                [
                    Cell(head),
                    Cell(190, "III.登记日期"),
                    Cell(200, value=_d(rec.registration_date), field="登记日期"),
                    Cell(150, "IV.机动车登记编号"),
                    Cell(full - head - 540, value=rec.plate, field="号牌号码"),
                ],
            ),
        ]
        y = table(page, st, x0, 150, rows)
        half = full / 2
        lw = 150.0
        pairs = [
            (
                "1.车辆类型",
                rec.vehicle_type,
                "车辆类型",
                "2.车辆品牌",
                rec.brand.removesuffix("牌"),
                "车辆品牌",
            ),
            ("3.车辆型号", rec.model_code, "车辆型号", "4.车身颜色", rec.body_colour, "车身颜色"),
            ("5.车辆识别代号", rec.vin, "车辆识别代号", "6.国产/进口", "国产", None),
            ("7.发动机号", rec.engine_number, "发动机号码", "8.发动机型号", rec.engine_model, "发动机型号"),
            (
                "9.燃料种类",
                rec.fuel,
                "燃料种类",
                "10.排量/功率",
                f"{rec.displacement_ml}ml/{rec.power_kw}kw",
                "排量/功率",
            ),
            ("11.制造厂名称", rec.maker, "制造厂名称", "12.转向形式", "方向盘", None),
            ("13.轮距", f"前{rec.track_mm} 后{rec.track_mm}mm", None, "14.轮胎数", "4", None),
            ("15.轮胎规格", rec.tyre_spec, None, "16.钢板弹簧片数", "——", None),
            ("17.轴距", f"{rec.wheelbase_mm}mm", None, "18.轴数", "2", None),
            (
                "19.外廓尺寸",
                f"长{rec.length_mm} 宽{rec.width_mm} 高{rec.height_mm}mm",
                "外廓尺寸",
                "20.货厢内部尺寸",
                "——",
                None,
            ),
            ("21.总质量", f"{rec.total_mass_kg}kg", "总质量", "22.核定载质量", "——", None),
            ("23.核定载客", f"{rec.seats}人", "核定载客", "24.准牵引总质量", "——", None),
            ("25.驾驶室载客", "——", None, "26.使用性质", rec.use_character, "使用性质"),
            ("27.车辆获得方式", "购买", None, "28.车辆出厂日期", _d(rec.manufacture_date), "车辆出厂日期"),
        ]
        rows = [
            (
                40,
                [
                    Cell(lw, a),
                    Cell(half - lw, value=b, field=c),
                    Cell(lw, d_),
                    Cell(half - lw, value=e, field=f),
                ],
            )
            for a, b, c, d_, e, f in pairs
        ]
        y = table(page, st, x0, y + 16, rows)
        rows = [
            (
                150,
                [
                    Cell(lw, "29.发证机关章"),
                    Cell(half - lw),
                    Cell(lw, "30.发证日期"),
                    Cell(half - lw, value=_d(rec.issue_date), field="发证日期"),
                ],
            )
        ]
        table(page, st, x0, y, rows)
        seal(
            page, rng, x0 + lw + (half - lw) / 2, y + 75, 66, 66, rec.vehicle_office, bottom_text="业务专用章"
        )
    else:
        rows = []
        for k, head in enumerate(("转移登记摘要信息栏", "转移登记摘要信息栏", "变更登记", "抵押登记")):
            rn = ["V", "VI", "VII", "VIII"][k]
            rows += [
                (
                    40,
                    [
                        Cell(200, f"{rn}.{head}"),
                        Cell(250, "机动车所有人/身份证明名称/号码"),
                        Cell(full - 450),
                    ],
                ),
                (40, [Cell(200), Cell(250, "登记机关"), Cell(full - 450)]),
                (
                    40,
                    [
                        Cell(200),
                        Cell(250, "登记日期"),
                        Cell(150),
                        Cell(150, "机动车登记编号"),
                        Cell(full - 750),
                    ],
                ),
            ]
        table(page, st, x0, 160, rows)
    page.text(w / 2, page.h - 40, f"第 {page_no} 页", "cjk_serif", 16, st.ink, anchor="ms")
    return page


# ------------------------------------------------------------------------------------------------ 发票


def sales_invoice(rng: np.random.Generator, rec: CaseRecord) -> Page:
    page = _form_page(rng, INVOICE_WH, (0.97, 0.96, 0.93), 10)
    st = _style(rng, (0.52, 0.28, 0.3), 15, 17, 0.6)
    w = page.w
    page.text(w / 2, 70, "机动车销售统一发票", "cjk_serif_bold", 40, st.ink, anchor="ms")
    page.text(w / 2, 108, "发 票 联", "cjk_serif_bold", 24, SEAL_RED, anchor="ms")
    page.line((w / 2 - 190, 82), (w / 2 + 190, 82), st.ink, 2)
    page.line((w / 2 - 190, 87), (w / 2 + 190, 87), st.ink, 1)
    page.text(50, 150, "开票日期", "cjk_serif", 16, st.ink)
    page.field("开票日期", 130, 150, _d(rec.invoice_date), "latin_mono_bold", 18, dot_matrix=st.dot_matrix)
    page.text(50, 60, "发票代码", "cjk_serif", 16, st.ink)
    page.field("发票代码", 130, 60, rec.invoice_code, "latin_mono_bold", 20, typed=False)
    page.text(50, 90, "发票号码", "cjk_serif", 16, st.ink)
    page.field("发票号码", 130, 90, rec.invoice_number, "latin_mono_bold", 20, SEAL_RED, typed=False)
    page.text(w - 390, 60, "机打代码", "cjk_serif", 15, st.ink)
    page.text(w - 300, 60, rec.invoice_code, "latin_mono", 17, dot_matrix=st.dot_matrix)
    page.text(w - 390, 88, "机打号码", "cjk_serif", 15, st.ink)
    page.text(w - 300, 88, rec.invoice_number, "latin_mono", 17, dot_matrix=st.dot_matrix)
    page.text(w - 390, 116, "机器编号", "cjk_serif", 15, st.ink)
    page.text(
        w - 300,
        116,
        "".join(str(int(v)) for v in rng.integers(0, 10, 12)),
        "latin_mono",
        17,
        dot_matrix=st.dot_matrix,
    )
    full = w - 100.0
    x0 = 50.0
    # 税控码: the encrypted block, just random symbols
    cipher = "".join("0123456789+-*/<>"[int(v)] for v in rng.integers(0, 16, 4 * 28))
    rows: list[tuple[float, list[Cell]]] = [
        (110, [Cell(120, "机打代码"), Cell(full * 0.45 - 120), Cell(60, "税控码"), Cell(full * 0.55 - 60)]),
    ]
    y = table(page, st, x0, 165, rows)
    for k in range(4):
        page.text(
            x0 + full * 0.45 + 70,
            190 + 24 * k,
            cipher[28 * k : 28 * k + 28],
            "latin_mono",
            18,
            dot_matrix=st.dot_matrix,
        )
    c3 = full / 3
    rows = [
        (
            48,
            [
                Cell(210, "购买方名称及身份证号码/组织机构代码"),
                Cell(full * 0.45 - 210, value=rec.owner_name, field="购买方名称"),
                Cell(120, "纳税人识别号"),
                Cell(full * 0.55 - 120, value=rec.id_number, field="身份证号码"),
            ],
        ),
        (
            44,
            [
                Cell(90, "车辆类型"),
                Cell(c3 - 90, value=rec.vehicle_type, field="车辆类型"),
                Cell(90, "厂牌型号"),
                Cell(c3 - 90 + 60, value=rec.brand_model, field="厂牌型号"),
                Cell(60, "产地"),
                Cell(c3 - 120, value=rec.maker[:2], field="产地"),
            ],
        ),
        (
            44,
            [
                Cell(90, "合格证号"),
                Cell(c3 - 90, value=rec.certificate_number, field="合格证号"),
                Cell(90, "进口证明书号"),
                Cell(c3 - 30),
                Cell(60, "商检单号"),
                Cell(c3 - 120),
            ],
        ),
        (
            44,
            [
                Cell(90, "发动机号码"),
                Cell(c3 - 90, value=rec.engine_number, field="发动机号码"),
                Cell(180, "车辆识别代号/车架号码"),
                Cell(2 * c3 - 180, value=rec.vin, field="车辆识别代号"),
            ],
        ),
        (
            44,
            [
                Cell(90, "价税合计"),
                Cell(
                    full * 0.62 - 90,
                    value="⊗" + amount_in_words(rec.price_incl_vat_cents),
                    field="价税合计大写",
                ),
                Cell(60, "小写"),
                Cell(full * 0.38 - 60, value="¥" + money(rec.price_incl_vat_cents), field="价税合计"),
            ],
        ),
        (
            44,
            [
                Cell(120, "销货单位名称"),
                Cell(full * 0.55 - 120, value=rec.dealer_name, field="销货单位名称"),
                Cell(60, "电话"),
                Cell(full * 0.45 - 60, value=rec.dealer_phone),
            ],
        ),
        (
            44,
            [
                Cell(120, "纳税人识别号"),
                Cell(full * 0.55 - 120, value=rec.dealer_tax_id, field="销货单位纳税人识别号"),
                Cell(60, "账号"),
                Cell(full * 0.45 - 60, value=rec.dealer_bank.split()[-1]),
            ],
        ),
        (
            44,
            [
                Cell(120, "地址"),
                Cell(full * 0.55 - 120, value=rec.dealer_address),
                Cell(90, "开户银行"),
                Cell(full * 0.45 - 90, value=rec.dealer_bank.split()[0]),
            ],
        ),
        (
            44,
            [
                Cell(170, "增值税税率或征收率"),
                Cell(80, value="13%", field="税率"),
                Cell(110, "增值税税额"),
                Cell(170, value="¥" + money(rec.vat_cents), field="增值税税额"),
                Cell(160, "主管税务机关及代码"),
                Cell(full - 690, value=rec.tax_office),
            ],
        ),
        (
            44,
            [
                Cell(110, "不含税价"),
                Cell(220, value="¥" + money(rec.price_excl_vat_cents), field="不含税价"),
                Cell(120, "完税凭证号码"),
                Cell(full - 760),
                Cell(60, "吨位"),
                Cell(80),
                Cell(90, "限乘人数"),
                Cell(80, value=str(rec.seats), field="限乘人数"),
            ],
        ),
    ]
    y = table(page, st, x0, y, rows)
    page.text(60, y + 40, "销货单位盖章", "cjk_serif", 16, st.ink)
    page.text(w * 0.42, y + 40, "开票人", "cjk_serif", 16, st.ink)
    page.text(
        w * 0.42 + 70,
        y + 40 + page.typed_offset[1],
        str(rng.choice(["王丽", "张敏", "李娜", "刘洋", "陈静"])),
        st.value_font,
        17,
    )
    page.text(w * 0.7, y + 40, "备注：一车一票", "cjk_serif", 16, st.ink)
    seal(
        page,
        rng,
        300 + rng.uniform(-20, 20),
        y + 20,
        110,
        72,
        rec.dealer_name,
        centre_text=rec.dealer_tax_id,
        bottom_text="发票专用章",
        star=False,
    )
    return page


# ------------------------------------------------------------------------------------------------ 购置税


def purchase_tax(rng: np.random.Generator, rec: CaseRecord) -> Page:
    page = _form_page(rng, TAX_WH, (0.95, 0.96, 0.93), 3)
    guilloche(page, rng, (0.6, 0.75, 0.6), opacity=0.1, families=1)
    st = _style(rng, (0.18, 0.35, 0.3), 16, 18, 0.3)
    w = page.w
    page.text(w / 2, 70, "车辆购置税完税证明", "cjk_serif_bold", 42, st.ink, anchor="ms")
    page.text(
        w / 2, 104, "（副本）" if rng.random() < 0.3 else "（正本）", "cjk_serif", 18, st.ink, anchor="ms"
    )
    page.text(w * 0.66, 140, "No.", "latin_sans_bold", 18, SEAL_RED)
    page.field(
        "完税证明号码",
        w * 0.66 + 40,
        140,
        rec.tax_certificate_number,
        "latin_mono_bold",
        20,
        SEAL_RED,
        typed=False,
    )
    full = w - 100.0
    rows: list[tuple[float, list[Cell]]] = [
        (
            48,
            [
                Cell(140, "纳税人名称"),
                Cell(full * 0.45 - 140, value=rec.owner_name, field="纳税人名称"),
                Cell(140, "纳税人证件号码"),
                Cell(full * 0.55 - 140, value=rec.id_number, field="身份证号码"),
            ],
        ),
        (
            48,
            [
                Cell(140, "车辆类别"),
                Cell(full * 0.45 - 140, value="汽车"),
                Cell(140, "生产企业名称"),
                Cell(full * 0.55 - 140, value=rec.maker, field="生产企业名称"),
            ],
        ),
        (
            48,
            [
                Cell(140, "厂牌型号"),
                Cell(full * 0.45 - 140, value=rec.brand_model, field="厂牌型号"),
                Cell(140, "发动机号码"),
                Cell(full * 0.55 - 140, value=rec.engine_number, field="发动机号码"),
            ],
        ),
        (48, [Cell(140, "车辆识别代号"), Cell(full - 140, value=rec.vin, field="车辆识别代号")]),
        (
            48,
            [
                Cell(140, "计税价格"),
                Cell(full * 0.45 - 140, value="¥" + money(rec.price_excl_vat_cents), field="计税价格"),
                Cell(140, "税额"),
                Cell(full * 0.55 - 140, value="¥" + money(rec.purchase_tax_cents), field="税额"),
            ],
        ),
        (
            48,
            [
                Cell(140, "征收机关名称"),
                Cell(full * 0.45 - 140, value=rec.tax_office, field="征收机关"),
                Cell(140, "填发日期"),
                Cell(full * 0.55 - 140, value=_d(rec.tax_date), field="填发日期"),
            ],
        ),
        (100, [Cell(140, "备注"), Cell(full - 140)]),
    ]
    y = table(page, st, 50, 160, rows)
    page.text(70, y + 40, "（此证明为车辆办理注册登记的凭证，请妥善保管）", "cjk_serif", 16, st.ink)
    # the red 征税 box stamp and the tax office seal
    sx, sy = int(w * 0.12), int(y - 90)
    page.rect(sx, sy, sx + 110, sy + 56, SEAL_RED, 3, 0.8)
    page.text(sx + 55, sy + 42, "征 税", "cjk_sans_bold", 34, SEAL_RED, anchor="ms", opacity=0.8)
    seal(
        page,
        rng,
        w * 0.78 + rng.uniform(-20, 20),
        y - 30 + rng.uniform(-10, 10),
        75,
        75,
        rec.tax_office,
        bottom_text="征税专用章",
    )
    return page


# ------------------------------------------------------------------------------------------------ 交强险


def insurance_policy(rng: np.random.Generator, rec: CaseRecord) -> Page:
    page = _form_page(rng, A4_WH, (0.97, 0.97, 0.96), 4)
    guilloche(page, rng, (0.55, 0.7, 0.5), opacity=0.06, families=1)
    st = _style(rng, (0.15, 0.3, 0.2), 14, 15, 0.25)
    w = page.w
    logo = (
        (0.85, 0.15, 0.1)
        if "人民" in rec.insurer
        else (0.9, 0.5, 0.1)
        if "平安" in rec.insurer
        else (0.1, 0.3, 0.7)
    )
    page.rect(50, 28, 90, 68, logo, 8, 0.9)
    page.text(104, 58, rec.insurer, "cjk_sans_bold", 22, logo)
    page.text(w / 2, 110, "机动车交通事故责任强制保险单", "cjk_serif_bold", 32, st.ink, anchor="ms")
    page.text(w / 2, 136, "（正本）", "cjk_serif", 16, st.ink, anchor="ms")
    page.text(50, 170, "保险单号：", "cjk_serif", 15, st.ink)
    page.field("保险单号", 130, 170, rec.policy_number, "latin_mono_bold", 16)
    full = w - 100.0
    c = full / 6
    premium = rec.insurance_premium_cents
    until = f"自{_cn_date(rec.insurance_start)}零时起至{_cn_date(rec.insurance_end)}二十四时止"
    rows: list[tuple[float, list[Cell]]] = [
        (34, [Cell(c, "被保险人"), Cell(5 * c, value=rec.owner_name, field="被保险人")]),
        (34, [Cell(c * 1.5, "被保险人身份证号码"), Cell(4.5 * c, value=rec.id_number, field="身份证号码")]),
        (
            34,
            [
                Cell(c, "地址"),
                Cell(3 * c, value=rec.address, field="地址"),
                Cell(c, "联系电话"),
                Cell(c, value=rec.phone),
            ],
        ),
        (
            34,
            [
                Cell(c, "号牌号码"),
                Cell(c, value=rec.plate, field="号牌号码"),
                Cell(c, "机动车种类"),
                Cell(c, value=_type_label(rec)),
                Cell(c, "使用性质"),
                Cell(c, value="家庭自用汽车"),
            ],
        ),
        (
            34,
            [
                Cell(c, "发动机号码"),
                Cell(c, value=rec.engine_number, field="发动机号码"),
                Cell(c * 1.2, "识别代码(车架号)"),
                Cell(2.8 * c, value=rec.vin, field="车辆识别代号"),
            ],
        ),
        (
            34,
            [
                Cell(c, "厂牌型号"),
                Cell(2 * c, value=rec.brand_model, field="厂牌型号"),
                Cell(c, "核定载客"),
                Cell(2 * c, value=f"{rec.seats}人"),
            ],
        ),
        (
            34,
            [
                Cell(c, "排量"),
                Cell(c, value=f"{rec.displacement_ml / 1000:.3f}L"),
                Cell(c, "功率"),
                Cell(c, value=f"{rec.power_kw}kW"),
                Cell(c, "登记日期"),
                Cell(c, value=_d(rec.registration_date)),
            ],
        ),
        (
            34,
            [
                Cell(c * 1.5, "死亡伤残赔偿限额"),
                Cell(1.5 * c, value="180000元"),
                Cell(1.5 * c, "无责任死亡伤残赔偿限额"),
                Cell(1.5 * c, value="18000元"),
            ],
        ),
        (
            34,
            [
                Cell(c * 1.5, "医疗费用赔偿限额"),
                Cell(1.5 * c, value="18000元"),
                Cell(1.5 * c, "无责任医疗费用赔偿限额"),
                Cell(1.5 * c, value="1800元"),
            ],
        ),
        (
            34,
            [
                Cell(c * 1.5, "财产损失赔偿限额"),
                Cell(1.5 * c, value="2000元"),
                Cell(1.5 * c, "无责任财产损失赔偿限额"),
                Cell(1.5 * c, value="100元"),
            ],
        ),
        (
            34,
            [
                Cell(c * 1.5, "保险费合计（人民币大写）"),
                Cell(3 * c, value=amount_in_words(premium), field="保险费大写"),
                Cell(1.5 * c, value="¥" + money(premium), field="保险费"),
            ],
        ),
        (34, [Cell(c, "保险期间"), Cell(5 * c, value=until, field="保险期间")]),
        (
            34,
            [
                Cell(c, "代收车船税"),
                Cell(c, "整备质量"),
                Cell(c, value=f"{rec.curb_mass_kg}"),
                Cell(c, "纳税人识别号"),
                Cell(2 * c, value=rec.id_number),
            ],
        ),
        (
            34,
            [
                Cell(c),
                Cell(c, "当年应缴"),
                Cell(c, value="¥" + money(rec.vessel_tax_cents), field="车船税"),
                Cell(c, "往年补缴"),
                Cell(c, value="¥0.00"),
                Cell(c, value="滞纳金 ¥0.00"),
            ],
        ),
        (90, [Cell(c, "特别约定"), Cell(5 * c)]),
        (120, [Cell(c, "重要提示"), Cell(5 * c)]),
    ]
    y = table(page, st, 50, 190, rows)
    tips = (
        "1.请详细阅读保险条款，特别是责任免除和投保人、被保险人义务。",
        "2.收到本保险单后，请立即核对，如有不符或疏漏，请及时通知保险人并办理变更或补充手续。",
        "3.保险费应一次性交清，请您及时核对保险单和发票（收据），如有不符，请及时与保险人联系。",
        "4.投保人应如实告知对保险费计算有影响的或被保险机动车因改装、加装、改变使用性质等导致危险程度增加的重要事项。",
    )
    for k, tip in enumerate(tips):
        page.text(50 + c + 8, y - 120 + 26 * (k + 1), tip, "cjk_serif", 13, st.ink, max_width=5 * c - 16)
    page.text(60, y + 40, f"保险人：{rec.insurer}", "cjk_serif", 15, st.ink)
    page.text(60, y + 70, "签单日期：", "cjk_serif", 15, st.ink)
    page.field("签单日期", 140, y + 70, _d(rec.insurance_start), "latin_mono_bold", 16)
    seal(page, rng, w * 0.7 + rng.uniform(-30, 30), y + 70, 72, 72, rec.insurer, bottom_text="保险单专用章")
    return page


# ------------------------------------------------------------------------------------------------ 合格证


def conformity_certificate(rng: np.random.Generator, rec: CaseRecord) -> Page:
    page = _form_page(rng, A4_WH, (0.97, 0.97, 0.97), 2)
    guilloche(page, rng, (0.55, 0.6, 0.85), opacity=0.12)
    st = _style(rng, (0.15, 0.2, 0.45), 15, 16, 0.1)
    w = page.w
    page.text(w / 2, 90, "机动车整车出厂合格证", "cjk_serif_bold", 40, st.ink, anchor="ms")
    qr_placeholder(page, rng, w - 170, 30, 120)
    ev = rec.fuel == "电"
    items = [
        ("0.合格证编号", rec.certificate_number, "合格证编号"),
        ("1.发证日期", _cn_date(rec.manufacture_date), "发证日期"),
        ("2.车辆制造企业名称", rec.maker, "车辆制造企业名称"),
        ("3.车辆品牌/车辆名称", f"{rec.brand.removesuffix('牌')}/{rec.series}", "车辆品牌"),
        ("4.车辆型号", rec.model_code, "车辆型号"),
        ("5.车辆识别代号/车架号", rec.vin, "车辆识别代号"),
        ("6.车身颜色", rec.body_colour, "车身颜色"),
        ("7.底盘型号/底盘ID", "——", None),
        ("8.发动机型号", rec.engine_model, "发动机型号"),
        ("9.发动机号", rec.engine_number, "发动机号码"),
        ("10.燃料种类", "纯电动" if ev else rec.fuel, "燃料种类"),
        ("11.排量和功率(ml/kW)", f"{rec.displacement_ml}/{rec.power_kw}", "排量和功率"),
        ("12.排放标准", rec.emission_standard or "——", None),
        ("13.外廓尺寸(mm)", f"{rec.length_mm}×{rec.width_mm}×{rec.height_mm}", "外廓尺寸"),
        ("14.轮距(前/后)(mm)", f"{rec.track_mm}/{rec.track_mm}", None),
        ("15.轴距(mm)", str(rec.wheelbase_mm), None),
        ("16.轮胎数", "4", None),
        ("17.轮胎规格", rec.tyre_spec, None),
        ("18.总质量(kg)", str(rec.total_mass_kg), "总质量"),
        ("19.整备质量(kg)", str(rec.curb_mass_kg), "整备质量"),
        ("20.额定载客(人)", str(rec.seats), "额定载客"),
        ("21.最高设计车速(km/h)", str(160 + 10 * (rec.power_kw // 40)), None),
        ("22.车辆制造日期", _cn_date(rec.manufacture_date), "车辆制造日期"),
    ]
    full = w - 100.0
    rows = [(42, [Cell(250, a), Cell(full - 250, value=b, field=c)]) for a, b, c in items]
    y = table(page, st, 50, 170, rows)
    page.text(
        60, y + 40, "本产品经过检验，符合《机动车运行安全技术条件》，特此证明。", "cjk_serif", 16, st.ink
    )
    page.text(60, y + 75, "车辆制造企业其他信息：", "cjk_serif", 15, st.ink)
    seal(
        page, rng, w * 0.72 + rng.uniform(-20, 20), y + 40, 70, 70, rec.maker, bottom_text="产品合格证专用章"
    )
    return page


# ------------------------------------------------------------------------------------------------ other

_FILLER = (
    "根据有关规定",
    "现将相关事项说明如下",
    "请于规定期限内办理",
    "特此证明",
    "经双方协商一致",
    "本单据一式两份",
    "如有疑问请联系客服",
    "以上信息真实有效",
    "请妥善保管本凭证",
    "此致敬礼",
    "本次服务项目已完成",
    "按照合同约定",
    "收款单位已确认",
    "请核对后签字确认",
    "逾期未办理的视为自动放弃",
)


def _sentence(rng: np.random.Generator) -> str:
    n = int(rng.integers(2, 5))
    return "，".join(str(rng.choice(_FILLER)) for _ in range(n)) + "。"


def other(rng: np.random.Generator, rec: CaseRecord) -> Page:
    """Something that is not a vehicle document: a receipt, a letter or a repair bill."""
    kind = str(rng.choice(["receipt", "letter", "bill"]))
    if kind == "letter":
        page = _form_page(rng, A4_WH, (0.98, 0.98, 0.97), 0)
        w = page.w
        title = str(rng.choice(["情况说明", "证明", "通知", "申请书", "承诺书"]))
        page.field("标题", w / 2, 110, title, "cjk_serif_bold", 40, typed=False, anchor="ms")
        y = 190.0
        for _ in range(int(rng.integers(6, 14))):
            s = "　　" + _sentence(rng) + _sentence(rng)
            for i in range(0, len(s), 30):
                page.text(80, y, s[i : i + 30], "cjk_serif", 22)
                y += 38
            if y > page.h - 200:
                break
        page.field("日期", w - 300, page.h - 120, _cn_date(rec.issue_date), "cjk_serif", 22, typed=False)
        return page
    if kind == "receipt":
        page = _form_page(rng, (900, 520), (0.98, 0.97, 0.9), 6)
        st = _style(rng, (0.2, 0.3, 0.6), 16, 18, 0.3)
        page.field("标题", page.w / 2, 60, "收 据", "cjk_serif_bold", 36, st.ink, typed=False, anchor="ms")
        page.text(50, 110, "日期：", "cjk_serif", 16, st.ink)
        page.field("日期", 110, 110, _d(rec.issue_date), "latin_mono_bold", 18)
        amount = int(rng.integers(100, 500000)) * 100
        rows = [
            (
                50,
                [
                    Cell(130, "今收到"),
                    Cell(670, value=str(rng.choice(["王先生", "李女士", "某某公司", "张师傅"]))),
                ],
            ),
            (
                50,
                [
                    Cell(130, "交来"),
                    Cell(670, value=str(rng.choice(["维修费", "停车费", "押金", "服务费", "代办费"]))),
                ],
            ),
            (
                50,
                [
                    Cell(130, "人民币(大写)"),
                    Cell(420, value=amount_in_words(amount), field="金额大写"),
                    Cell(60, "¥"),
                    Cell(190, value=money(amount), field="金额"),
                ],
            ),
        ]
        y = table(page, st, 50, 140, rows)
        page.text(60, y + 50, "收款单位（盖章）", "cjk_serif", 16, st.ink)
        seal(page, rng, 300, y + 60, 60, 60, "某某服务有限公司", bottom_text="财务专用章")
        return page
    page = _form_page(rng, A4_WH, (0.97, 0.97, 0.97), 3)
    st = _style(rng, (0.1, 0.1, 0.1), 15, 16, 0.5)
    page.field("标题", page.w / 2, 90, "维修结算单", "cjk_sans_bold", 36, st.ink, typed=False, anchor="ms")
    full = page.w - 100.0
    rows = [(36, [Cell(60, "序号"), Cell(full - 300, "项目名称"), Cell(80, "数量"), Cell(160, "金额")])]
    total = 0
    for k in range(int(rng.integers(5, 15))):
        amount = int(rng.integers(20, 3000)) * 100
        total += amount
        item = str(
            rng.choice(
                [
                    "更换机油",
                    "机油滤清器",
                    "空气滤清器",
                    "刹车片",
                    "轮胎动平衡",
                    "四轮定位",
                    "雨刮片",
                    "工时费",
                    "空调滤芯",
                    "火花塞",
                ]
            )
        )
        rows.append(
            (
                34,
                [
                    Cell(60, value=str(k + 1)),
                    Cell(full - 300, value=item),
                    Cell(80, value=str(int(rng.integers(1, 5)))),
                    Cell(160, value=money(amount)),
                ],
            )
        )
    rows.append((36, [Cell(full - 160, "合计"), Cell(160, value=money(total), field="金额")]))
    table(page, st, 50, 140, rows)
    return page
