"""Per-type field rules over text lines (no OCR): labels, positions, misreads and the validators."""

from __future__ import annotations

import math

import pytest

from inference.documents.amounts import words_cents
from inference.documents.fields import (
    FieldRule,
    char_alternatives,
    clean_value,
    close_brackets,
    correct_value,
    deskew_angle,
    model_code,
    read_alternatives,
    repair_words,
    snap_to_vocabulary,
    validate_value,
    value_alternatives,
)
from inference.documents.rules import MODULES, rules_for
from inference.documents.types import DocType
from inference.documents.vocabulary import BODY_COLOURS, USE_CHARACTERS, VEHICLE_TYPES
from inference.types import CharRead, TextLine, TextRead
from inference.validate.idcard import make_id_number

VALID_VIN = "LGB95P2T0HV157558"  # check digit ok
BAD_VIN = "HHGHH555778802669"  # the real-dev specimen: check digit fails
VALID_ID = "110108197805184008"


def line(
    text: str, x: float, y: float, w: float | None = None, h: float = 30.0, angle_deg: float = 0.0, conf: float = 0.99
) -> TextLine:
    w = w if w is not None else 26.0 * len(text)
    a = math.radians(angle_deg)
    c, s = math.cos(a), math.sin(a)
    pts = [(x, y), (x + w * c, y + w * s), (x + w * c - h * s, y + w * s + h * c), (x - h * s, y + h * c)]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return TextLine((min(xs), min(ys), max(xs), max(ys)), tuple(pts), 0.9, TextRead(text, conf))  # type: ignore[arg-type]


def row(y: float, *cells: tuple, angle: float = 0.0, h: float = 30.0) -> list[TextLine]:
    """Lines on one row: (text, x) or (text, x, width, height) cells."""
    out = []
    for text, x, *size in cells:
        w, ch = (size[0] if size else None), (size[1] if len(size) > 1 else h)
        out.append(line(text, x, y + x * math.tan(math.radians(angle)), w=w, h=ch, angle_deg=angle))
    return out


CASES = [
    # (doc type, page, lines, expected {key: text}, expected invalid keys)
    (
        "id_card",
        "front",
        row(100, ("姓名", 100), ("秦艳璐", 300))
        + row(180, ("性别", 100), ("女", 300), ("民族满", 500))
        + row(260, ("出生", 100), ("1978年5月18日", 300))
        + row(340, ("住址", 100), ("北京市海淀区科技路18", 300))
        + row(378, ("1号幸福里5栋", 300))
        + row(500, ("公民身份号码", 100), (VALID_ID, 400)),
        {
            "姓名": "秦艳璐",
            "性别": "女",
            "民族": "满",
            "出生": "1978年5月18日",
            "住址": "北京市海淀区科技路181号幸福里5栋",
            "公民身份号码": VALID_ID,
        },
        set(),
    ),
    (
        "id_card",
        "front",  # birth date differs from the one in the number; checksum broken
        row(100, ("姓名", 100), ("王五", 300))
        + row(260, ("出生", 100), ("1980年1月2日", 300))
        + row(500, ("公民身份号码", 100), ("110108197805184009", 400)),
        {"姓名": "王五", "公民身份号码": "110108197805184009"},
        {"公民身份号码"},
    ),
    (
        "id_card",
        "back",
        row(100, ("签发机关", 100), ("沈阳市公安局和平分局", 300))
        + row(160, ("有效期限", 100), ("2012.04.22-2032.04.22", 300)),
        {"签发机关": "沈阳市公安局和平分局", "有效期限": "2012.04.22-2032.04.22"},
        set(),
    ),
    (
        "vehicle_license",
        "main",  # the real specimen's layout: labels cut in two, values on the label's line
        row(100, ("号牌号码", 100), ("京AA5599", 215), ("车辆类型", 440), ("小型轿车", 580))
        + row(150, ("所有", 100), ("人王京", 150))
        + row(200, ("住", 100), ("址北京市石景山区", 160))
        + row(250, ("使用性质非营运", 100), ("品牌型号", 400), ("讴歌牌GHA7150JAD5B", 510))
        + row(300, ("车辆识别代号", 300))
        + row(340, (BAD_VIN, 300))
        + row(400, ("北京市公", 20), ("发动机号码", 300), ("112244", 460))
        + row(440, ("安局公安", 20))
        + row(480, ("交通管理局", 20), ("注册日期2018-06-14", 300), ("发证日期2018-06-14", 700)),
        {
            "号牌号码": "京AA5599",
            "车辆类型": "小型轿车",
            "所有人": "王京",
            "住址": "北京市石景山区",
            "使用性质": "非营运",
            "品牌型号": "讴歌牌GHA7150JAD5B",
            "车辆识别代号": BAD_VIN,
            "发动机号码": "112244",
            "注册日期": "2018-06-14",
            "发证日期": "2018-06-14",
            "印章": "北京市公安局公安交通管理局",
        },
        {"车辆识别代号"},
    ),
    (
        "vehicle_license",
        "secondary",
        row(100, ("号牌号码", 100), ("苏A46426", 220), ("档案编号", 500), ("320121269137", 620))
        + row(160, ("核定载人数", 100), ("5人", 250), ("总质量", 500), ("1765kg", 600))
        + row(400, ("检验有效期至2028年06月苏A46426", 200)),
        {
            "号牌号码": "苏A46426",
            "档案编号": "320121269137",
            "核定载人数": "5人",
            "总质量": "1765kg",
            "检验有效期至": "检验有效期至2028年06月苏A46426",
        },
        set(),
    ),
    (
        "vehicle_license",
        "secondary",  # a value printed with its label, the label misread: the label as printed, the rest as read
        row(100, ("档案编号", 100), ("320121269137", 220)) + row(400, ("拾胎有效期至2024年08月苏A34905", 200)),
        {"档案编号": "320121269137", "检验有效期至": "检验有效期至2024年08月苏A34905"},
        set(),
    ),
    (
        "vehicle_license",
        "main",  # a date after today, read with no alternative: left as read, and not valid
        row(160, ("发证日期", 100), ("2925-06-05", 220)),
        {"发证日期": "2925-06-05"},
        {"发证日期"},
    ),
    (
        "registration_certificate",
        "1",  # enumerated labels, 'No.' number, rotated 4 degrees
        row(60, ("No.446201302306", 500), angle=4)
        + row(120, ("1机动车所有人/身份证明名称/号码", 100), (f"金峰/居民身份证/{VALID_ID}", 620), angle=4)
        + row(170, ("IV.机动车登记编号", 100), ("粤BDX8777", 420), angle=4)
        + row(220, ("5.车辆识别代号", 100), (VALID_VIN, 420), angle=4)
        + row(270, ("7.发动机号", 100), ("82734005", 420), ("8.发动机型号", 700), ("TZ209XSVB", 950), angle=4),
        {
            "登记证书编号": "446201302306",
            "机动车所有人": f"金峰/居民身份证/{VALID_ID}",
            "号牌号码": "粤BDX8777",
            "车辆识别代号": VALID_VIN,
            "发动机号码": "82734005",
            "发动机型号": "TZ209XSVB",
        },
        set(),
    ),
    (
        "sales_invoice",
        "1",
        row(60, ("发票代码113011804753", 100))
        + row(100, ("发票号码 93391909", 100))
        + row(160, ("购买方名称及身份证号码/组织机构代码", 50), ("刘晶", 560), ("纳税人识别号", 700), (VALID_ID, 900))
        + row(220, ("车辆识别代号/车架号码", 50), (VALID_VIN, 400))
        + row(280, ("价税合计", 50), ("贰拾陆万壹仟叁佰元整", 200), ("小写", 700), ("¥261300.00", 800))
        + row(340, ("纳税人识别号", 50), ("911301020FGT8868XR", 250)),
        {
            "发票代码": "113011804753",
            "发票号码": "93391909",
            "购买方名称": "刘晶",
            "身份证号码": VALID_ID,
            "车辆识别代号": VALID_VIN,
            "价税合计大写": "贰拾陆万壹仟叁佰元整",
            "价税合计": "¥261300.00",
            "销货单位纳税人识别号": "911301020FGT8868XR",
        },
        set(),
    ),
    (
        "purchase_tax",
        "1",  # a misread label (发动机号辆) is still found; the ID number has no readable label
        row(60, ("No.31060452767404", 600))
        + row(120, ("纳税人名称", 100), ("张平昊", 260))
        + row(170, ("纳税人玩件号的", 500), (VALID_ID, 700))
        + row(220, ("发动机号辆", 500), ("88224513", 650))
        + row(270, ("车辆识别代号", 100), (VALID_VIN, 280))
        + row(320, ("税额", 500), ("¥21769.91", 600)),
        {
            "完税证明号码": "31060452767404",
            "纳税人名称": "张平昊",
            "身份证号码": VALID_ID,
            "发动机号码": "88224513",
            "车辆识别代号": VALID_VIN,
            "税额": "¥21769.91",
        },
        set(),
    ),
    (
        "insurance_policy",
        "1",
        row(60, ("保险单号：PDZA20221301076269103087", 100))
        + row(110, ("被保险人", 100), ("刘宇勇", 250))
        + row(150, ("被保险人身份证号码", 100), (VALID_ID, 400))
        + row(200, ("号牌号码", 100), ("冀AJ1730", 250))
        + row(250, ("识别代码(车架号)", 400), (VALID_VIN, 650))
        + row(300, ("保险费合计（人民币大写）", 50), ("玖佰伍拾元整", 400), ("¥950.00", 700))
        + row(350, ("签单日期：2022-09-12", 50)),
        {
            "保险单号": "PDZA20221301076269103087",
            "被保险人": "刘宇勇",
            "身份证号码": VALID_ID,
            "号牌号码": "冀AJ1730",
            "车辆识别代号": VALID_VIN,
            "保险费大写": "玖佰伍拾元整",
            "保险费": "¥950.00",
            "签单日期": "2022-09-12",
        },
        set(),
    ),
    (
        "conformity_certificate",
        "1",  # rotated pages: values sit right of their labels only once deskewed
        row(100, ("0.合格证编号", 100), ("WVQZ87039654676", 330), angle=-7)
        + row(140, ("5.车辆识别代号/车架号", 100), (VALID_VIN, 420), angle=-7)
        + row(180, ("9.发动机号", 100), ("JMH072656", 330), angle=-7)
        + row(220, ("11.梯量和功率(ml/kW)", 100), ("1793/124", 560), angle=-7),
        {
            "合格证编号": "WVQZ87039654676",
            "车辆识别代号": VALID_VIN,
            "发动机号码": "JMH072656",
            "排量和功率": "1793/124",
        },
        set(),
    ),
    (
        "conformity_certificate",
        "1",  # labels misread beyond one character; the rest of a label's line is its unit, not the value
        row(100, ("0.合格证编号", 100), ("WVQZ87039654676", 330))
        + row(140, ("3车辆品牌车营名称", 100), ("本田/雅阁", 330))
        + row(180, ("6.车分银色", 100), ("蓝", 330))
        + row(220, ("以.燃利种类", 100), ("汽油", 330))
        + row(260, ("18.总质量(9g", 100), ("1749", 330)),
        {
            "合格证编号": "WVQZ87039654676",
            "车辆品牌": "本田/雅阁",
            "车身颜色": "蓝",
            "燃料种类": "汽油",
            "总质量": "1749",
        },
        set(),
    ),
    (
        "conformity_certificate",
        "1",  # unreadable labels: the value is taken on the row its item number falls on (rows every 40 px)
        row(100, ("0.合格证编号", 100), ("WVQZ87039654676", 330))
        + row(140, ("1.发证日期", 100), ("2023年03月08日", 330))
        + row(180, ("2.车辆制造企业名称", 100), ("重庆长安汽车股份有限公司", 330))
        + row(220, ("3.车辆品牌/车辆名称", 100), ("长安/CS75", 330))
        + row(260, ("4.车辆型号", 100), ("SC7167RT", 330))
        + row(300, ("5.车辆识别代号/车架号", 100), (VALID_VIN, 330))
        + row(860, ("1P9参涤量(kg", 100), ("1934", 330))
        + row(900, ("学思毒", 100), ("7", 330))
        + row(980, ("22.车辆制造日期", 100), ("2023年03月08日", 330)),
        {"整备质量": "1934", "额定载客": "7", "车辆制造日期": "2023年03月08日", "车辆型号": "SC7167RT"},
        set(),
    ),
    (
        "registration_certificate",
        "1",  # '车辆整司' is two characters from 车辆型号 and from 车辆类型: its printed number decides
        row(100, ("1.车辆类型", 100), ("小型轿车", 300), ("2.车辆品牌", 500), ("特斯拉", 700))
        + row(150, ("3.车辆整司", 100), ("TSL7002BEVD", 300), ("4.车身颜色", 500), ("蓝", 700)),
        {"车辆类型": "小型轿车", "车辆品牌": "特斯拉", "车辆型号": "TSL7002BEVD", "车身颜色": "蓝"},
        set(),
    ),
    (
        "insurance_policy",
        "1",  # the premium three cells right of its label, after the amount in words; the period without label
        row(100, ("被保险人身份证号码", 100), (VALID_ID, 400))
        + row(160, ("保险费合计(人民币大写)", 50, 200), ("玖佰伍拾元整", 300, 150), ("¥950.00", 600, 100), h=20)
        + row(220, ("自2024年04月06日零时起至2025年04月05日二十四时止", 300)),
        {
            "身份证号码": VALID_ID,
            "保险费大写": "玖佰伍拾元整",
            "保险费": "¥950.00",
            "保险期间": "自2024年04月06日零时起至2025年04月05日二十四时止",
        },
        set(),
    ),
    (
        "other",
        "1",
        row(60, ("维修结算单", 300))
        + row(160, ("日期：2019-07-16", 100))
        + row(260, ("合计金额", 100), ("15560.00", 400)),
        {"标题": "维修结算单", "日期": "2019-07-16", "金额": "15560.00"},
        set(),
    ),
]


@pytest.mark.parametrize(
    ("doc_type", "page", "lines", "expected", "invalid"), CASES, ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)]
)
def test_rules_read_fields(doc_type, page, lines, expected, invalid):
    fields = rules_for(DocType(doc_type)).read(lines, page)
    got = {k: fields[k].text for k in expected if k in fields}
    assert got == expected
    assert {k for k in expected if not fields[k].valid} == invalid


def test_numbered_rows_are_read_where_the_reader_reads():
    """The reader reads a page through ``read_with_requests``: the 合格证's rows by item number are found there, and a
    value they find is neither a cell to read nor a printed field left blank."""
    lines = next(c[2] for c in CASES if c[0] == "conformity_certificate" and "整备质量" in c[3])
    fields, requests, unfilled = rules_for(DocType.conformity_certificate).read_with_requests(lines, "1")
    assert {k: fields[k].text for k in ("整备质量", "额定载客") if k in fields} == {"整备质量": "1934", "额定载客": "7"}
    assert not {q.key for q in (*requests, *unfilled)} & {"整备质量", "额定载客"}


def test_every_document_type_has_a_module():
    assert set(MODULES) == set(DocType)


def test_registration_owner_is_split_for_cross_checks():
    lines = row(120, ("机动车所有人/身份证明名称/号码", 100), (f"金峰/居民身份证/{VALID_ID}", 620))
    fields = rules_for(DocType.registration_certificate).read(lines, "1")
    assert fields["_owner_name"].text == "金峰" and fields["_owner_name"].name == "owner_name"
    assert fields["_owner_id"].text == VALID_ID and fields["_owner_id"].valid


@pytest.mark.parametrize(
    ("read", "printed"),
    [
        (f"叶鹏/蓝民身份证/{VALID_ID}", f"叶鹏/居民身份证/{VALID_ID}"),  # one character of the kind misread
        (f"叶鹏/护照/{VALID_ID}", f"叶鹏/护照/{VALID_ID}"),  # another kind: kept
        (f"叶鹏/蓝民身份正/{VALID_ID}", f"叶鹏/蓝民身份正/{VALID_ID}"),  # two misread, no alternatives: left as read
    ],
)
def test_registration_owner_identity_document_is_snapped_to_its_kinds(read, printed):
    lines = row(120, ("机动车所有人/身份证明名称/号码", 100), (read, 620))
    fields = rules_for(DocType.registration_certificate).read(lines, "1")
    assert fields["机动车所有人"].text == printed and fields["_owner_name"].text == "叶鹏"


def test_birth_date_must_match_the_id_number():
    lines = row(260, ("出生", 100), ("1980年1月2日", 300)) + row(500, ("公民身份号码", 100), (VALID_ID, 400))
    fields = rules_for(DocType.id_card).read(lines, "front")
    assert not fields["出生"].valid and "differs" in fields["出生"].problems[0]


@pytest.mark.parametrize("printed", ["女", "男"])
def test_sex_must_match_the_id_number(printed):
    encoded = "男" if int(VALID_ID[16]) % 2 else "女"
    lines = row(200, ("性别", 100), (printed, 300)) + row(500, ("公民身份号码", 100), (VALID_ID, 400))
    sex = rules_for(DocType.id_card).read(lines, "front")["性别"]
    assert sex.text == printed and sex.valid is (printed == encoded)
    if printed != encoded:
        assert "differs from the one in the ID number" in sex.problems[0]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ((("民族汉", 500),), "汉"),  # the label read: found by it
        ((("医善汉", 500),), "汉"),  # the short label misread twice (a card copied small): its value on the row
        ((("医善维吾尔", 500),), "维吾尔"),
        ((("民族", 500), ("汉", 600)), "汉"),
        ((("医善", 500), ("汉", 600)), "汉"),  # the value alone right of a misread label
        ((("医善汉族", 500),), None),  # not a group's name as a card prints it
        ((("一二三汉", 500),), None),  # more before the name than a label's characters
    ],
)
def test_ethnic_group_is_found_on_the_row_of_the_sex(cells, expected):
    lines = row(100, ("姓名", 100), ("秦艳璐", 300)) + row(180, ("性别", 100), ("女", 300), *cells)
    fields = rules_for(DocType.id_card).read(lines, "front")
    assert (fields["民族"].text if "民族" in fields else None) == expected


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("检验有效期至2027年12月鄂A63595", "检验有效期至2027年12月鄂A63595"),
        ("拾胎有效期至2024年08月京AP7024", "检验有效期至2024年08月京AP7024"),  # the label claimed, misread
        # the label misread past claiming: the month and the plate after it, printed as the form prints them
        ("格胎有效额室2022年06月京AP7024", "检验有效期至2022年06月京AP7024"),
        ("格胎有效额室2022年06月", None),  # no plate after the month
        ("格胎有效额室2022年06月京AP70249X", None),  # more than a plate after it
        ("格胎有效额室2022年06月京IP7024", None),  # no plate: the grammar has no I
    ],
)
def test_inspection_record_of_a_vehicle_licence(read, expected):
    lines = row(100, ("档案编号", 100), ("110141636926", 300)) + row(400, (read, 100))
    fields = rules_for(DocType.vehicle_license).read(lines, "secondary")
    assert (fields["检验有效期至"].text if "检验有效期至" in fields else None) == expected


def test_ethnic_group_off_the_row_of_the_sex_is_not_taken():
    # an address line ending in a group's name ('...水') on its own row is the address's, not the ethnicity
    lines = (
        row(100, ("姓名", 100), ("秦艳璐", 300))
        + row(180, ("性别", 100), ("女", 300), ("医善", 500))
        + row(340, ("住址", 100), ("北京市海淀区", 300))
        + row(378, ("碧水", 300))
    )
    fields = rules_for(DocType.id_card).read(lines, "front")
    assert "民族" not in fields and fields["住址"].text == "北京市海淀区碧水"


def test_a_misread_sex_snaps_with_the_readers_alternative():
    lines = row(200, ("性别", 100)) + [with_alts(line("勇", 300, 200), {0: [("男", 0.2)]})]
    assert rules_for(DocType.id_card).read(lines, "front")["性别"].text == "男"


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("vin", "VIN: lgb95p2t0hv157558", "LGB95P2T0HV157558"),
        ("vin", "LGB95P2TOHV157558", "LGB95P2T0HV157558"),  # O never occurs in a VIN: read as 0
        ("vin", "LGB95P2T0HV15755", None),
        ("code", "¥48233054", "Y48233054"),  # a printed Y read as the yuan sign: never in an engine number
        ("code", "￥0958855", "Y0958855"),
        ("vin", "¥V1CP2H50M1234567", "YV1CP2H50M1234567"),
        ("id", "¥11010819780518400X", "11010819780518400X"),  # not folded where Y cannot occur
        ("id", "身份证 11010819780518400x", "11010819780518400X"),
        ("id", "1101081978051840", None),
        ("date", "2024年05月11日", "2024年05月11日"),
        ("date", "无", None),
        ("amount", "￥950.00", "¥950.00"),
        ("amount", "玖佰伍拾元整", None),
        ("amount", "114159,29", "114159.29"),  # a comma before two last digits is a misread decimal point
        ("amount", "¥1,234,567.00", "¥1,234,567.00"),
        ("amount", "0.00", "0.00"),
        ("amount", "+5", None),  # a lone digit by an amount's label is another cell's (限乘人数)
        ("amount", "¥13", None),
        (
            "period",
            "自2024年04月06日零时起至2025年04月05日二十四时止",
            "自2024年04月06日零时起至2025年04月05日二十四时止",
        ),
        ("period", "2024年04月06日", None),
        ("plate", "京A·12345", "京A12345"),
        ("number", "No.446201302306", "446201302306"),
        ("text", "：王京", "王京"),
        ("text", "：", None),
        # the mark for a field left empty, read with a dash more or fewer or narrower: the mark as printed
        ("text", "———", "——"),
        ("text", "—", "——"),
        ("text", "--", "——"),
        ("text", "——", "——"),
        ("text", "—5人", "—5人"),
        # a mark before a value in words: its label's colon or a speck, read as a point
        ("text", ".北京市海淀区", "北京市海淀区"),
        ("text", "。", None),
        ("text", "1.5T", "1.5T"),
    ],
)
def test_clean_value(kind, text, expected):
    assert clean_value(kind, text) == expected


@pytest.mark.parametrize(
    ("kind", "text", "valid", "problem"),
    [
        ("vin", VALID_VIN, True, None),
        ("vin", BAD_VIN, False, "check digit"),
        ("id", VALID_ID, True, None),
        ("id", "110108197805184009", False, "check character"),
        ("id", make_id_number("110108", __import__("datetime").date(1990, 1, 1), 1), True, None),
        ("plate", "京AA5599", True, None),
        ("plate", "京AI2345", False, "I"),
        ("date", "2018-02-30", False, "calendar"),
        ("date", "2018-02-28", True, None),
        ("text", "anything", True, None),
    ],
)
def test_validate_value(kind, text, valid, problem):
    ok, problems = validate_value(kind, text)
    assert ok is valid
    if problem:
        assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("日产牌DFL7160Y", "DFL7160Y"),
        ("讴歌牌GHA7150JAD5B", "GHA7150JAD5B"),
        ("BYD7002BEV2", "BYD7002BEV2"),
        ("宝马", "宝马"),
    ],
)
def test_model_code(text, code):
    assert model_code(text) == code


@pytest.mark.parametrize("angle", [-8.0, 0.0, 5.0])
def test_deskew_angle(angle):
    lines = [line("车辆识别代号", 100, 100 + 40 * i, angle_deg=angle) for i in range(5)]
    assert math.degrees(deskew_angle(lines)) == pytest.approx(angle, abs=0.01)


# ------------------------------------------------------------------ corrections with the reader's alternatives


SHORT_VIN = "LSVNWLC0JC342996"  # LSVNNWLC0JC342996 with its repeated N read once


def with_gap(tl: TextLine, k: int, seen: tuple[tuple[str, float], ...]) -> TextLine:
    """``tl`` with a gap before its character ``k`` where the recogniser saw ``seen``."""
    chars = tuple(CharRead(c, 0.99, (), seen if i == k else None) for i, c in enumerate(tl.read.text))
    return TextLine(tl.box_xyxy, tl.corners_xy, tl.det_score, TextRead(tl.read.text, tl.read.confidence, chars))


def with_alts(tl: TextLine, alts: dict[int, list[tuple[str, float]]]) -> TextLine:
    """``tl`` with per-character reads: confident characters, and at the given positions a weaker read with
    the listed alternatives."""
    chars = tuple(
        CharRead(c, 0.6 if k in alts else 0.99, tuple(alts.get(k, [("?", 0.001)]))) for k, c in enumerate(tl.read.text)
    )
    return TextLine(tl.box_xyxy, tl.corners_xy, tl.det_score, TextRead(tl.read.text, tl.read.confidence, chars))


def alts_of(text: str, alts: dict[int, list[tuple[str, float]]] | None = None) -> list[tuple[tuple[str, float], ...]]:
    alts = alts or {}
    return [((c, 0.6 if k in alts else 0.99), *alts.get(k, [])) for k, c in enumerate(text)]


VIN_MISREAD = "LRWBH3GF1HC691795"  # the real-dev read of LRW8H3GF1HC691795: check digit fails


@pytest.mark.parametrize(
    ("kind", "read", "alts", "expected"),
    [
        ("vin", VIN_MISREAD, {3: [("8", 0.41)]}, "LRW8H3GF1HC691795"),
        # one in thirty relative to the read (a stroke of 8 the print lost) is enough against a checksum
        ("vin", VIN_MISREAD, {3: [("8", 0.02)]}, "LRW8H3GF1HC691795"),
        # an alternative the recogniser found far less likely than its read does not count against a checksum
        ("vin", VIN_MISREAD, {3: [("8", 0.01)]}, VIN_MISREAD),
        ("vin", VIN_MISREAD, {}, VIN_MISREAD),  # nothing proposed: reported, not guessed
        ("vin", VALID_VIN, {3: [("S", 0.5)]}, VALID_VIN),  # valid reads are left alone
        ("id", "370202196301118687", {9: [("1", 0.19)]}, "370202196101118687"),
        ("id", "370202196301118687", {9: [("1", 0.01)]}, "370202196301118687"),
        # a plate's grammar says which character is wrong: a weak alternative is enough there
        ("plate", "鲁855165", {1: [("B", 0.01)]}, "鲁B55165"),
        ("plate", "阁D024D2", {0: [("闽", 0.22), ("周", 0.14)]}, "闽D024D2"),
        ("plate", "阁D024D2", {0: [("周", 0.14)]}, "阁D024D2"),  # no province among the alternatives
    ],
)
def test_correct_value_with_alternatives(kind, read, alts, expected):
    assert correct_value(FieldRule("x", kind), read, alts_of(read, alts)) == expected


@pytest.mark.parametrize(
    ("read", "alts", "vocabulary", "expected"),
    [
        ("非赞运", {}, USE_CHARACTERS, "非营运"),  # one character off a three-character word
        ("小型桥车", {2: [("轿", 0.1)]}, VEHICLE_TYPES, "小型轿车"),
        ("小型轿车", {}, VEHICLE_TYPES, "小型轿车"),
        ("施", {0: [("孟", 0.1)]}, BODY_COLOURS, "施"),  # a single character needs the alternatives' support
        ("施", {0: [("蓝", 0.1)]}, BODY_COLOURS, "蓝"),
        ("赞运", {}, USE_CHARACTERS, "赞运"),  # two characters, one wrong: too little to go by
        ("大型普通车", {}, VEHICLE_TYPES, "大型普通车"),  # no word of that length
        ("中型普通宾车", {}, VEHICLE_TYPES, "中型普通宾车"),  # 中型普通货车 or 中型普通客车: ambiguous
    ],
)
def test_snap_to_vocabulary(read, alts, vocabulary, expected):
    assert snap_to_vocabulary(read, alts_of(read, alts), vocabulary) == expected


@pytest.mark.parametrize(
    ("read", "alts", "expected"),
    [
        ("③或拾参万陆仟贰百元整", {1: [("贰", 0.2)]}, "③贰拾叁万陆仟贰佰元整"),
        ("爱拾伍万玖仟元整", {0: [("管", 0.15)]}, "爱拾伍万玖仟元整"),  # no numeral among the alternatives
        ("¥950.00", {0: [("元", 0.1)]}, "¥950.00"),  # not an amount in words: untouched
    ],
)
def test_repair_words(read, alts, expected):
    assert repair_words(read, alts_of(read, alts)) == expected


@pytest.mark.parametrize(
    ("words", "cents"),
    [
        ("壹拾伍万玖仟元整", 15_900_000),
        ("贰拾万零伍佰元整", 20_050_000),
        ("拾万元整", 10_000_000),
        ("叁佰元零伍角陆分", 30_056),
        ("壹佰元伍角整", 10_050),
        ("壹亿贰仟万元整", 12_000_000_000),
        ("贰拾叁万陆仟", None),  # cut off before 元
        ("壹贰元整", None),  # a digit without its unit
        ("壹万佰元整", None),  # a unit without its digit
        ("壹拾伍万玖仟美元整", None),
        ("", None),
    ],
)
def test_words_cents(words, cents):
    assert words_cents(words) == cents


def test_value_alternatives_line_up_with_the_cleaned_value():
    read = with_alts(line("VIN:lrwbh3gf1hc691795", 0, 0), {7: [("8", 0.41)]}).read
    alts = char_alternatives(read, read.text)
    cleaned = clean_value("vin", read.text)
    got = value_alternatives("vin", read.text, cleaned, alts)
    assert cleaned == VIN_MISREAD and len(got) == 17
    assert got[3][0][0] == "B" and ("8", 0.41) in got[3]
    assert value_alternatives("vin", read.text, cleaned, None) is None
    # a folded character keeps its place and its probability
    yen = with_alts(line("¥48233054", 0, 0), {0: [("Y", 0.3)]}).read
    folded = value_alternatives("code", yen.text, "Y48233054", char_alternatives(yen, yen.text))
    assert folded is not None and len(folded) == 9 and folded[0][0] == ("Y", yen.chars[0].confidence)
    assert char_alternatives(TextRead("ＡＢ", 0.9, (CharRead("Ａ", 0.9), CharRead("Ｂ", 0.9))), "AB") is not None


def _amounts(
    net: TextLine,
    vat: TextLine | str = "¥18292.04",
    total: str = "¥159000.00",
    words: str = "壹拾伍万玖仟元整",
    rate: str = "13%",
) -> list[TextLine]:
    """An invoice's amounts rows: 价税合计 in words and figures, the rate and the tax, 不含税价 (``net``)."""
    vat_line = vat if isinstance(vat, TextLine) else line(vat, 640, 620)
    return (
        row(470, ("价税合计", 60), (words, 300), ("小写", 760), (total, 850))
        + row(620, ("增值税税率或征收率", 60), (rate, 320), ("增值税税额", 480))
        + [vat_line]
        + row(700, ("不含税价", 70))
        + [net]
    )


def _misread_rate(alternative: str, net: str = "¥96460.18", total: str = "¥109000.00") -> list[TextLine]:
    """An invoice's amounts with its rate read 'L3%', the reader's ``alternative`` for the 'L'."""
    return (
        row(470, ("价税合计", 60), (total, 850))
        + row(620, ("增值税税率或征收率", 60))
        + [with_alts(line("L3%", 320, 620), {0: [(alternative, 0.2)]})]
        + row(620, ("增值税税额", 480), ("¥12539.82", 640))
        + row(700, ("不含税价", 70), (net, 180))
    )


RULE_CASES = [
    # (doc type, page, lines, expected {key: text})
    (
        "sales_invoice",
        "1",  # the figure far right of the words (小写 not read); the VIN fixed by the reader's second choice
        row(470, ("价税合计", 60), ("壹拾贰万玖仟元整", 150), ("¥129000.00", 850))
        + [with_alts(line(VIN_MISREAD, 640, 430), {3: [("8", 0.41)]}), line("车辆识别代号/车架号码", 60, 430)],
        {"价税合计": "¥129000.00", "价税合计大写": "壹拾贰万玖仟元整", "车辆识别代号": "LRW8H3GF1HC691795"},
    ),
    (
        "sales_invoice",
        "1",  # labels unreadable: the only date; the total is the largest amount (it includes the tax)
        row(140, ("开第口病", 45), ("2022-05-21", 135))
        + row(500, ("非格合o", 55), ("¥258700.00", 850))
        + row(690, ("增值税税额", 330), ("¥29761.95", 450)),
        {"开票日期": "2022-05-21", "价税合计": "¥258700.00", "增值税税额": "¥29761.95"},
    ),
    (
        "sales_invoice",
        "1",  # an amount read without its decimal point gets it back when the three amounts then agree
        row(470, ("价税合计", 60), ("¥109000.00", 850))
        + row(660, ("增值税税额", 330), ("¥12539.82", 450))
        + row(700, ("不含税价", 70), ("9646018", 170)),
        {"不含税价": "96460.18", "价税合计": "¥109000.00"},
    ),
    (
        "sales_invoice",
        "1",  # an amount read as its whole yuan gets the cents that make the three agree
        row(470, ("价税合计", 60), ("¥109000.00", 850))
        + row(660, ("增值税税额", 330), ("¥12539.82", 450))
        + row(700, ("不含税价", 70), ("96460", 170)),
        {"不含税价": "96460.18", "价税合计": "¥109000.00"},
    ),
    (
        "sales_invoice",
        "1",  # an amount of whole yuan read without its '.00' gets it when the three amounts agree as read
        row(470, ("价税合计", 60), ("¥146900.00", 850))
        + row(660, ("增值税税额", 330), ("¥16900.00", 450))
        + row(700, ("不含税价", 70), ("¥130000", 170)),
        {"不含税价": "¥130000.00", "增值税税额": "¥16900.00", "价税合计": "¥146900.00"},
    ),
    (
        "sales_invoice",
        "1",  # ... and not when they do not
        row(470, ("价税合计", 60), ("¥146900.00", 850))
        + row(660, ("增值税税额", 330), ("¥16900.00", 450))
        + row(700, ("不含税价", 70), ("¥131000", 170)),
        {"不含税价": "¥131000"},
    ),
    (
        "sales_invoice",
        "1",  # a rate cell merged with the next cell's label: cut before the label
        row(700, ("增值税税率或征收率", 44, 110), ("13%增值税税额", 166, 128), ("¥11124.78", 309, 66)),
        {"税率": "13%"},
    ),
    (
        "sales_invoice",
        "1",  # ... a value with Chinese characters before a label's words is not cut
        row(700, ("销货单位名称", 40, 81), ("济南市众诚汽车销售服务有限公司", 133, 196)),
        {"销货单位名称": "济南市众诚汽车销售服务有限公司"},
    ),
    (
        "sales_invoice",
        "1",  # ... only when the yuan read are those of the amount that agrees
        row(470, ("价税合计", 60), ("¥109000.00", 850))
        + row(660, ("增值税税额", 330), ("¥12539.82", 450))
        + row(700, ("不含税价", 70), ("96450", 170)),
        {"不含税价": "96450", "价税合计": "¥109000.00"},
    ),
    (
        "sales_invoice",
        "1",  # ... and not when they would not agree
        row(470, ("价税合计", 60), ("¥109000.00", 850))
        + row(660, ("增值税税额", 330), ("¥12539.82", 450))
        + row(700, ("不含税价", 70), ("9646019", 170)),
        {"不含税价": "9646019"},
    ),
    (
        "sales_invoice",
        "1",  # 增值税税额's label misread: the free line printing exactly 价税合计 - 不含税价 is the tax
        row(470, ("价税合计", 60), ("¥72200.00", 850))
        + row(620, ("总信载仪额", 330), ("¥8306.19", 450), ("¥8360.19", 640))
        + row(700, ("不含税价", 70), ("¥63893.81", 170)),
        {"增值税税额": "¥8306.19", "价税合计": "¥72200.00", "不含税价": "¥63893.81"},
    ),
    (
        "sales_invoice",
        "1",  # 价税合计's label unreadable: the free line saying the figure's amount in words is the total in words
        row(470, ("回回", 60), ("⊗壹拾肆万肆仟元整", 300), ("小写", 760), ("¥144000.00", 850)),
        {"价税合计": "¥144000.00", "价税合计大写": "壹拾肆万肆仟元整"},
    ),
    (
        "insurance_policy",
        "1",  # the premium's figure away from its row: the free line with the amount the words say, not the tax's
        row(500, ("保险费合计(人民币大写)", 60), ("玖佰伍拾元整", 420))
        + row(560, ("当年应缴", 60), ("¥300.00", 300))
        + row(620, ("¥1200.00", 500), ("¥950.00", 850)),
        {"保险费大写": "玖佰伍拾元整", "保险费": "¥950.00", "车船税": "¥300.00"},
    ),
    (
        "sales_invoice",
        "1",  # characters read after the rate's percent sign are dropped
        row(620, ("增值税税率或征收率", 60), ("13%aom", 320)),
        {"税率": "13%"},
    ),
    (
        "sales_invoice",
        "1",  # the percent sign read as a digit: the amounts say 13% (12539.82 is 13% of 96460.18, to the cent)
        row(470, ("价税合计", 60), ("¥109000.00", 850))
        + row(620, ("增值税税率或征收率", 60), ("139", 320), ("增值税税额", 480), ("¥12539.82", 640))
        + row(700, ("不含税价", 70), ("¥96460.18", 180)),
        {"税率": "13%", "不含税价": "¥96460.18"},
    ),
    (
        "sales_invoice",
        "1",  # ... a point read into it, the same
        row(470, ("价税合计", 60), ("¥109000.00", 850))
        + row(620, ("增值税税率或征收率", 60), ("1.3%", 320), ("增值税税额", 480), ("¥12539.82", 640))
        + row(700, ("不含税价", 70), ("¥96460.18", 180)),
        {"税率": "13%"},
    ),
    (
        "sales_invoice",
        "1",  # ... but not when the amounts give another rate (12539.82 is 9% of 139331.33)
        row(470, ("价税合计", 60), ("¥151871.15", 850))
        + row(620, ("增值税税率或征收率", 60), ("139", 320), ("增值税税额", 480), ("¥12539.82", 640))
        + row(700, ("不含税价", 70), ("¥139331.33", 180)),
        {"税率": "139", "不含税价": "¥139331.33"},
    ),
    (
        "sales_invoice",
        "1",  # ... nor without the amounts
        row(620, ("增值税税率或征收率", 60), ("139", 320)),
        {"税率": "139"},
    ),
    # a digit of the rate misread, the reader's alternative there the one the amounts' rate (13%) prints
    ("sales_invoice", "1", _misread_rate("1"), {"税率": "13%"}),
    # ... but not when the alternatives do not name it
    ("sales_invoice", "1", _misread_rate("7"), {"税率": "L3%"}),
    # ... nor when the amounts give another rate (12539.82 is 9% of 139331.33): '1' names 13%, not 9%
    ("sales_invoice", "1", _misread_rate("1", net="¥139331.33", total="¥151871.15"), {"税率": "L3%"}),
    (
        "sales_invoice",
        "1",  # 不含税价 misread by one digit, the reader's alternative the digit 价税合计 - 增值税税额 gives
        _amounts(with_alts(line("¥140207.96", 180, 700), {4: [("7", 0.3)]})),
        {"不含税价": "¥140707.96", "增值税税额": "¥18292.04", "价税合计": "¥159000.00"},
    ),
    (
        "sales_invoice",
        "1",  # ... the same with the rate misread: one of the printed rates (13%) gives the tax
        _amounts(with_alts(line("¥140207.96", 180, 700), {4: [("7", 0.3)]}), rate="特"),
        {"不含税价": "¥140707.96"},
    ),
    (
        "sales_invoice",
        "1",  # ... its last cent cut off
        _amounts(line("¥140707.9", 180, 700)),
        {"不含税价": "¥140707.96"},
    ),
    (
        "sales_invoice",
        "1",  # ... cut short, the seal stamped over the rest ('¥1407' and the seal's characters read as one line)
        _amounts(line("¥1407名.9", 180, 700)),
        {"不含税价": "¥140707.96"},
    ),
    (
        "sales_invoice",
        "1",  # ... but not when what is read is not how it starts
        _amounts(line("¥1417名.9", 180, 700)),
        {"不含税价": "¥1417"},
    ),
    (
        "sales_invoice",
        "1",  # ... its repeated zeros merged, as CTC decoding merges a digit repeated without a gap ('13000.0')
        _amounts(line("¥13000.0", 180, 700), vat="¥16900.00", total="¥146900.00", words="壹拾肆万陆仟玖佰元整"),
        {"不含税价": "¥130000.00"},
    ),
    (
        "sales_invoice",
        "1",  # ... but not when what is read is an amount as printed (a printed ¥13000.00 is kept for the checks)
        _amounts(line("¥13000.00", 180, 700), vat="¥16900.00", total="¥146900.00", words="壹拾肆万陆仟玖佰元整"),
        {"不含税价": "¥13000.00"},
    ),
    (
        "sales_invoice",
        "1",  # ... nor when a digit that is not repeated is missing ('1000.0' lacks the 3)
        _amounts(line("¥1000.0", 180, 700), vat="¥16900.00", total="¥146900.00", words="壹拾肆万陆仟玖佰元整"),
        {"不含税价": "¥1000.0"},
    ),
    (
        "sales_invoice",
        "1",  # ... but not when the alternatives do not name the digit: the read stays
        _amounts(with_alts(line("¥140207.96", 180, 700), {4: [("3", 0.3)]})),
        {"不含税价": "¥140207.96"},
    ),
    (
        "sales_invoice",
        "1",  # ... nor when the words give another total (the invoice's amounts disagree, kept for the checks)
        _amounts(with_alts(line("¥140207.96", 180, 700), {4: [("7", 0.3)]}), words="壹拾伍万捌仟元整"),
        {"不含税价": "¥140207.96"},
    ),
    (
        "sales_invoice",
        "1",  # ... nor when the tax is not 13% of the amount 价税合计 - 增值税税额 gives
        _amounts(with_alts(line("¥140207.96", 180, 700), {4: [("7", 0.3)]}), vat="¥18392.04", total="¥159100.00",
                 words="壹拾伍万玖仟壹佰元整"),
        {"不含税价": "¥140207.96"},
    ),
    (
        "sales_invoice",
        "1",  # 增值税税额 misread the same way
        _amounts(line("¥140707.96", 180, 700), vat=with_alts(line("¥18292.01", 640, 620), {8: [("4", 0.2)]})),
        {"增值税税额": "¥18292.04"},
    ),
    (
        "other",
        "1",  # a receipt's sum in words after 人民币(大写), in figures after a lone '¥'
        row(60, ("收据", 300))
        + row(300, ("人民币(大写)", 80), ("肆仟肆佰伍拾伍元整", 300), ("¥", 860), ("4455.00", 920)),
        {"金额": "4455.00", "金额大写": "肆仟肆佰伍拾伍元整"},
    ),
    (
        "purchase_tax",
        "1",  # 税额 and 填发日期 labels misread: the amount left after 计税价格, the only date
        row(430, ("计税价格", 80), ("V220088.50", 210), ("校徽", 640), ("W22008.85", 745))
        + row(485, ("城发日案", 620), ("2021-02-05", 745)),
        {"计税价格": "220088.50", "税额": "22008.85", "填发日期": "2021-02-05"},
    ),
    (
        "vehicle_license",
        "main",  # two cells merged into one line; a type one character off the vocabulary
        row(100, ("注册日期2018-01-14发证日期2018-01-15", 500)) + row(160, ("车辆类型", 100), ("小型桥车", 300)),
        {"注册日期": "2018-01-14", "发证日期": "2018-01-15", "车辆类型": "小型轿车"},
    ),
    (
        "vehicle_license",
        "secondary",  # the value's box starts a little inside the label's
        row(240, ("档案编号", 590, 136, 43), ("500170806719", 704, 256, 45)),
        {"档案编号": "500170806719"},
    ),
    (
        "sales_invoice",
        "1",  # the label's second half misread past recognition, on the label's line and on one of its own
        row(272, ("购关方名称及身价证号码期型机构代药", 49, 225), ("郭建杰", 283))
        + row(350, ("购买方名称", 49))
        + row(380, ("及身价证号码期型机构代药", 49, 225), ("雷军刚", 283)),
        {"购买方名称": "郭建杰"},
    ),
    (
        "sales_invoice",
        "1",  # the label's misread tail and the name merged into one line
        row(272, ("购买方名称", 49)) + row(276, ("及身份证号码组积值构代药雷军刚", 160, 300)),
        {"购买方名称": "雷军刚"},
    ),
    (
        "sales_invoice",
        "1",  # a numeral of 价税合计 in words read as no numeral or unit: the total the three figures confirm fills it
        _amounts(line("¥140707.96", 180, 700), words="⊗壹拾伍万乘仟元整"),
        {"价税合计大写": "壹拾伍万玖仟元整"},
    ),
    (
        "sales_invoice",
        "1",  # ... not when the figures disagree (不含税价 + 增值税税额 != 价税合计): the words stay cut at the misread
        _amounts(line("¥140707.95", 180, 700), words="壹拾伍万乘仟元整"),
        {"价税合计大写": "壹拾伍万"},
    ),
    (
        "sales_invoice",
        "1",  # ... nor when two characters are unknown
        _amounts(line("¥140707.96", 180, 700), words="壹拾乘万乘仟元整"),
        {"价税合计大写": "壹拾"},
    ),
    (
        "sales_invoice",
        "1",  # ... nor when the words are whole but say another amount (a disagreement for the cross-checks)
        _amounts(line("¥140707.96", 180, 700), words="壹拾伍万捌仟元整"),
        {"价税合计大写": "壹拾伍万捌仟元整"},
    ),
    (
        "sales_invoice",
        "1",  # the seller's 纳税人识别号 label misread: the tax number on the row below the seller's name
        row(300, ("销货单位名称", 40, 80), ("天津市宝利汽车销售服务有限公司", 124, 200))
        + row(340, ("家人间", 40, 60), ("91120101Y39L3L7G3M", 127, 136))
        + row(380, ("地址", 40, 40), ("天津市和平区人民路174号", 128)),
        {"销货单位名称": "天津市宝利汽车销售服务有限公司", "销货单位纳税人识别号": "91120101Y39L3L7G3M"},
    ),
    (
        "sales_invoice",
        "1",  # the seller's credit code: O is 0 (a code has no O), and the reader's alternative R fits the check
        row(340, ("纳税人识别号", 50)) + [with_alts(line("9113O1020FGT8868XK", 250, 340), {17: [("R", 0.3)]})],
        {"销货单位纳税人识别号": "911301020FGT8868XR"},
    ),
    (
        "sales_invoice",
        "1",  # ... but not by an unlikely alternative (at 2% of the read): its check character makes any read pass
        row(340, ("纳税人识别号", 50)) + [with_alts(line("813502030KGA9NA583", 250, 340), {17: [("J", 0.013)]})],
        {"销货单位纳税人识别号": "813502030KGA9NA583"},
    ),
    (
        "vehicle_license",
        "main",  # a date read with a digit wrong: the reader's digit alternative makes it a date up to today
        row(100, ("注册日期", 100)) + [with_alts(line("2825-06-05", 220, 100), {1: [("0", 0.2)]})],
        {"注册日期": "2025-06-05"},
    ),
    (
        "registration_certificate",
        "1",  # a VIN read a character short ('NN' read once), a gap before W: the repeated N makes it valid
        row(100, ("5.车辆识别代号", 100)) + [with_gap(line(SHORT_VIN, 300, 100), 4, (("8", 0.1), ("N", 0.03)))],
        {"车辆识别代号": "LSVNNWLC0JC342996"},
    ),
    (
        "registration_certificate",
        "1",  # the same inside the owner's name/kind/number: the owner's ID number gets its digit back
        row(100, ("机动车所有人/身份证明名称/号码", 100))
        + [with_gap(line("董磊晨/居民身份证/41900198211156952", 620, 100), 11, (("4", 0.16),))],
        {"机动车所有人": "董磊晨/居民身份证/441900198211156952", "_owner_id": "441900198211156952"},
    ),
    (
        "insurance_policy",
        "1",  # an ID number a digit short: the digit seen in the gap ('4' of '441900', read once)
        row(100, ("被保险人身份证号码", 100))
        + [with_gap(line("41900198211156952", 400, 100), 1, (("4", 0.16), ("A", 0.001)))],
        {"身份证号码": "441900198211156952"},
    ),
    (
        "insurance_policy",
        "1",  # the plate's issuing letter read as a digit: the reader's alternative B fits the grammar
        row(100, ("号牌号码", 100)) + [with_alts(line("鲁855165", 300, 100), {1: [("B", 0.01)]})],
        {"号牌号码": "鲁B55165"},
    ),
]


@pytest.mark.parametrize(
    ("doc_type", "page", "lines", "expected"), RULE_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(RULE_CASES)]
)
def test_rules_use_layout_formats_and_alternatives(doc_type, page, lines, expected):
    fields = rules_for(DocType(doc_type)).read(lines, page)
    assert {k: fields[k].text for k in expected if k in fields} == expected


def test_an_unlabelled_amount_is_found_not_computed():
    """The tax's label misread and no free line printing 价税合计 - 不含税价 (one digit off, or taken by another field):
    the tax stays missing rather than being computed from the other two."""
    rules = rules_for(DocType.sales_invoice)
    off = row(470, ("价税合计", 60), ("¥72200.00", 850)) + row(700, ("不含税价", 70), ("¥63893.81", 170))
    fields = rules.read(off + row(620, ("总信载仪额", 330), ("¥8360.19", 450)), "1")
    assert "增值税税额" not in fields and fields["不含税价"].text == "¥63893.81"
    only_two = row(470, ("价税合计", 60), ("¥72200.00", 850)) + row(620, ("总信载仪额", 330), ("¥8306.19", 450))
    assert "增值税税额" not in rules.read(only_two, "1")  # 不含税价 not read either: nothing says what the tax is
    policy = rules_for(DocType.insurance_policy)
    words_only = row(500, ("保险费合计(人民币大写)", 60), ("玖佰伍拾元整", 420)) + row(620, ("¥905.00", 850))
    assert "保险费" not in policy.read(words_only, "1")  # a figure that is not the words' amount
    assert policy.read(row(500, ("回回回回", 60), ("玖佰伍拾元整", 420), ("¥950.00", 850)), "1") == {}


def test_a_character_is_put_back_only_where_the_reader_left_a_gap_and_only_one_fits():
    rules = rules_for(DocType.registration_certificate)
    label = row(100, ("5.车辆识别代号", 100))
    assert "车辆识别代号" not in rules.read(label + [line(SHORT_VIN, 300, 100)], "1")  # no gap: nothing known
    # a gap elsewhere (before the V): nothing seen there makes the VIN valid; repeating the V would, by chance (a
    # check digit passes one string in eleven), so a neighbour is never tried unless the reader saw it there
    assert "车辆识别代号" not in rules.read(label + [with_gap(line(SHORT_VIN, 300, 100), 2, (("8", 0.1),))], "1")
    # the gap before W, where the reader saw mostly 8 and B, and the repeated N a little
    seen = (("8", 0.1), ("B", 0.08), ("N", 0.03))
    fixed = rules.read(label + [with_gap(line(SHORT_VIN, 300, 100), 4, seen)], "1")["车辆识别代号"]
    assert fixed.text == "LSVNNWLC0JC342996" and fixed.valid
    # the character put back is unsure, at the probability it was seen at (a cross-check treats it so)
    assert fixed.alternatives[4][0] == ("N", pytest.approx(0.03))


@pytest.mark.parametrize(
    ("read", "kept"),
    [
        ("定身性证号的组织称", False),
        ("及身份证号码", False),
        ("方名", True),
        ("欧阳名称", True),
        ("北京市名称汽车租赁有限公司", True),
    ],
)
def test_a_name_that_is_a_piece_of_its_label_is_not_taken(read, kept):
    fields = rules_for(DocType.sales_invoice).read(row(272, ("购买方名称", 49), (read, 190)), "1")
    assert ("购买方名称" in fields) is kept


def test_the_seller_tax_number_is_taken_only_under_the_seller_name():
    """With the seller's 纳税人识别号 label misread, a line that is no tax number (an account number) under the name,
    or a tax number elsewhere on the row, is not taken for it."""
    rules = rules_for(DocType.sales_invoice)
    name = row(300, ("销货单位名称", 40, 80), ("天津市宝利汽车销售服务有限公司", 124, 200))
    account = rules.read(name + row(340, ("家人间", 40, 60), ("7919498405540425105", 127, 180)), "1")
    aside = rules.read(name + row(340, ("家人间", 40, 60), ("账号", 500), ("91120101Y39L3L7G3M", 560, 136)), "1")
    far_below = rules.read(name + row(460, ("家人间", 40, 60), ("91120101Y39L3L7G3M", 127, 136)), "1")
    for fields in (account, aside, far_below):
        assert fields["销货单位名称"].text == "天津市宝利汽车销售服务有限公司"
        assert "销货单位纳税人识别号" not in fields


def test_a_value_containing_a_label_word_is_not_cut():
    lines = row(292, ("购买方名称及身份证号码期织机构代码", 50, 226), ("贾华波", 280))
    fields = rules_for(DocType.sales_invoice).read(lines, "1")
    assert fields["购买方名称"].text == "贾华波"


def test_a_field_carries_its_alternatives_lined_up_after_correction():
    """The value a rule returns keeps the reader's per-character alternatives, lined up with the corrected
    text; a character the rules put in place of the one read comes first with the reader's (low) probability."""
    lines = row(100, ("号牌号码", 100)) + [with_alts(line("鲁855165", 300, 100), {1: [("B", 0.01)]})]
    v = rules_for(DocType.insurance_policy).read(lines, "1")["号牌号码"]
    assert v.text == "鲁B55165"
    assert len(v.alternatives) == len(v.text)
    assert [a[0][0] for a in v.alternatives] == list(v.text)
    assert v.alternatives[1][0] == ("B", 0.01) and ("8", 0.6) in v.alternatives[1]
    assert v.alternatives[0][0] == ("鲁", 0.99)


@pytest.mark.parametrize(
    ("value", "alts", "expected"),
    [
        ("AB", None, ()),
        ("ABC", [(("A", 0.9),), (("B", 0.9),)], ()),  # do not line up
        ("AB", [(("A", 0.9),), (("8", 0.6), ("B", 0.3))], ((("A", 0.9),), (("B", 0.3), ("8", 0.6)))),
        ("AB", [(("A", 0.9),), (("8", 0.6),)], ((("A", 0.9),), (("B", 0.0), ("8", 0.6)))),
    ],
)
def test_read_alternatives(value, alts, expected):
    assert read_alternatives(value, alts) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("特斯拉(上海》有限公司", "特斯拉(上海)有限公司"),
        ("特斯拉(上海)有限公司", "特斯拉(上海)有限公司"),
        ("《机动车》", "《机动车》"),  # no open bracket: a title mark stays
        ("A(B(C〉D】", "A(B(C)D)"),
    ],
)
def test_close_brackets(text, expected):
    assert close_brackets(text) == expected
    assert clean_value("text", text) == expected


PERIOD = "自2023年02月16日零时起至2024年02月15日二十四时止"


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        (PERIOD, PERIOD),
        ("自2023年02月16日年时起至2024年02月15日二十四时止", PERIOD),  # 零 misread
        ("自2023年02月16日车村起至2024年02月15日二十四时止", PERIOD),  # two characters
        ("自2023年02月16日零时起至2024年02月15日二十四时金", PERIOD),  # the last one
        ("2023年02月16日零时起至2024年02月15日二十四时", PERIOD),  # the line's ends lost
        # three characters wrong: left as read
        ("自2023年02月16日客时区至2024年02月15日二十同时止", "自2023年02月16日客时区至2024年02月15日二十同时止"),
        ("自2023年02月16日零起至2024年02月15日二十四时止", "自2023年02月16日零起至2024年02月15日二十四时止"),  # 时 lost
        # a date misread stays misread: the words are put back, the dates are the policy's
        ("自2023年02月16日年时起至2024年02月18日二十四时止", "自2023年02月16日零时起至2024年02月18日二十四时止"),
        # one date: nothing to place the words by
        ("自2023年02月16日年时起至2024年0215日二十四时止", "自2023年02月16日年时起至2024年0215日二十四时止"),
    ],
)
def test_the_insurance_period_gets_its_printed_words_back(read, expected):
    lines = row(100, ("保险期间", 100), (read, 300, 700))
    assert rules_for(DocType.insurance_policy).read(lines, "1")["保险期间"].text == expected
