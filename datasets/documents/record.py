"""One fake but internally consistent case: an owner and the vehicle they register.

Every document of a case is rendered from the same ``CaseRecord`` so the cross-document checks of the
inference side (VIN on the invoice = VIN on the 行驶证, owner name = name on the ID card, tax = 10 % of the
price without VAT, dates in office order ...) can be tested on synthetic data. Nothing here is a real person
or vehicle: names are drawn from common characters and serial numbers are random, only the check digits
(GB 11643 ID numbers, ISO 3779 VINs) and the region codes are real so validators accept them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from inference.validate.credit_code import make_credit_code
from inference.validate.idcard import make_id_number
from inference.validate.vin import check_digit

# ------------------------------------------------------------------------------------------------ tables

# (plate prefix, province, city, district, region code, ID issuer, vehicle office seal)
REGIONS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("京A", "北京市", "", "朝阳区", "110105", "北京市公安局朝阳分局", "北京市公安局公安交通管理局"),
    ("京B", "北京市", "", "海淀区", "110108", "北京市公安局海淀分局", "北京市公安局公安交通管理局"),
    ("京Q", "北京市", "", "石景山区", "110107", "北京市公安局石景山分局", "北京市公安局公安交通管理局"),
    ("沪A", "上海市", "", "浦东新区", "310115", "上海市公安局浦东分局", "上海市公安局交通警察总队"),
    ("沪B", "上海市", "", "徐汇区", "310104", "上海市公安局徐汇分局", "上海市公安局交通警察总队"),
    ("津A", "天津市", "", "和平区", "120101", "天津市公安局和平分局", "天津市公安交通管理局"),
    ("渝A", "重庆市", "", "渝中区", "500103", "重庆市公安局渝中区分局", "重庆市公安局交通巡逻警察总队"),
    ("粤A", "广东省", "广州市", "天河区", "440106", "广州市公安局天河区分局", "广州市公安局交通警察支队"),
    ("粤B", "广东省", "深圳市", "南山区", "440305", "深圳市公安局南山分局", "深圳市公安局交通警察支队"),
    ("粤S", "广东省", "东莞市", "南城街道", "441900", "东莞市公安局", "东莞市公安局交通警察支队"),
    ("苏A", "江苏省", "南京市", "鼓楼区", "320106", "南京市公安局鼓楼分局", "南京市公安局交通管理局"),
    ("苏E", "江苏省", "苏州市", "姑苏区", "320508", "苏州市公安局姑苏分局", "苏州市公安局交通警察支队"),
    ("浙A", "浙江省", "杭州市", "西湖区", "330106", "杭州市公安局西湖分局", "杭州市公安局交通警察支队"),
    ("浙B", "浙江省", "宁波市", "鄞州区", "330212", "宁波市公安局鄞州分局", "宁波市公安局交通警察局"),
    ("川A", "四川省", "成都市", "武侯区", "510107", "成都市公安局武侯区分局", "成都市公安局交通管理局"),
    ("鄂A", "湖北省", "武汉市", "洪山区", "420111", "武汉市公安局洪山区分局", "武汉市公安局交通管理局"),
    ("鲁A", "山东省", "济南市", "历下区", "370102", "济南市公安局历下分局", "济南市公安局交通警察支队"),
    ("鲁B", "山东省", "青岛市", "市南区", "370202", "青岛市公安局市南分局", "青岛市公安局交通警察支队"),
    ("豫A", "河南省", "郑州市", "金水区", "410105", "郑州市公安局金水分局", "郑州市公安局交通警察支队"),
    ("湘A", "湖南省", "长沙市", "岳麓区", "430104", "长沙市公安局岳麓分局", "长沙市公安局交通警察支队"),
    ("陕A", "陕西省", "西安市", "雁塔区", "610113", "西安市公安局雁塔分局", "西安市公安局交通警察支队"),
    ("辽A", "辽宁省", "沈阳市", "和平区", "210102", "沈阳市公安局和平分局", "沈阳市公安局交通警察局"),
    ("闽D", "福建省", "厦门市", "思明区", "350203", "厦门市公安局思明分局", "厦门市公安局交通警察支队"),
    ("冀A", "河北省", "石家庄市", "长安区", "130102", "石家庄市公安局长安分局", "石家庄市公安局交通管理局"),
    ("皖A", "安徽省", "合肥市", "蜀山区", "340104", "合肥市公安局蜀山分局", "合肥市公安局交通警察支队"),
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方")
GIVEN_MALE = "伟强磊军勇杰涛斌浩鹏超明刚平辉建华志国峰宇晨俊凯昊天博文亮健成龙飞海波鑫瑞宏"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲婷雪琳颖倩洁萍梅莉慧燕红霞佳怡欣悦蕾晶璐瑶琪婧"
ETHNICITIES = ("汉",) * 23 + ("回", "满", "壮", "蒙古", "苗", "土家", "彝", "朝鲜")
STREETS = (
    "建设路",
    "人民路",
    "解放路",
    "中山路",
    "和平路",
    "长江路",
    "黄河路",
    "光明街",
    "新华街",
    "文化路",
    "学府路",
    "滨江大道",
    "朝阳路",
    "青年路",
    "友谊路",
    "胜利街",
    "东风路",
    "迎宾大道",
    "花园路",
    "科技路",
)
COMMUNITIES = (
    "阳光花园",
    "锦绣家园",
    "翠湖小区",
    "金色家园",
    "丽都花园",
    "碧水湾",
    "明珠苑",
    "世纪城",
    "幸福里",
    "书香苑",
)
COLOURS = ("白", "黑", "银", "灰", "红", "蓝", "棕")

# brand (as printed in 品牌型号), maker, model code prefix, WMI, series names, body (7 = 轿车, 6 = 客车),
# displacement litres (0 = battery electric), price range in yuan, seats, curb mass kg, length mm
_VEHICLES: tuple[tuple[str, str, str, str, tuple[str, ...], int, float, int, int, int, int, int], ...] = (
    (
        "大众汽车牌",
        "上汽大众汽车有限公司",
        "SVW",
        "LSV",
        ("朗逸", "帕萨特", "凌渡"),
        7,
        1.5,
        99800,
        229900,
        5,
        1290,
        4670,
    ),
    (
        "大众汽车牌",
        "一汽-大众汽车有限公司",
        "FV",
        "LFV",
        ("速腾", "迈腾", "宝来"),
        7,
        1.4,
        109900,
        259900,
        5,
        1350,
        4760,
    ),
    (
        "大众汽车牌",
        "上汽大众汽车有限公司",
        "SVW",
        "LSV",
        ("途观L", "途岳"),
        6,
        2.0,
        169900,
        279900,
        5,
        1640,
        4735,
    ),
    (
        "丰田牌",
        "广汽丰田汽车有限公司",
        "GTM",
        "LVG",
        ("凯美瑞", "雷凌"),
        7,
        2.0,
        119800,
        219800,
        5,
        1480,
        4885,
    ),
    ("本田牌", "广汽本田汽车有限公司", "GHA", "LHG", ("雅阁", "飞度"), 7, 1.5, 79800, 199800, 5, 1310, 4893),
    ("日产牌", "东风汽车有限公司", "DFL", "LGB", ("轩逸", "天籁"), 7, 1.6, 99800, 189800, 5, 1270, 4652),
    ("别克牌", "上汽通用汽车有限公司", "SGM", "LSG", ("英朗", "君越"), 7, 1.3, 89900, 229900, 5, 1290, 4609),
    ("别克牌", "上汽通用汽车有限公司", "SGM", "LSG", ("GL8",), 6, 2.0, 229900, 329900, 7, 1920, 5238),
    (
        "比亚迪牌",
        "比亚迪汽车工业有限公司",
        "BYD",
        "LGX",
        ("秦PLUS", "汉"),
        7,
        0.0,
        109800,
        269800,
        5,
        1500,
        4765,
    ),
    ("吉利牌", "浙江吉利汽车有限公司", "MR", "L6T", ("帝豪", "星瑞"), 7, 1.5, 69800, 149800, 5, 1250, 4638),
    (
        "长安牌",
        "重庆长安汽车股份有限公司",
        "SC",
        "LS5",
        ("逸动", "CS75"),
        7,
        1.6,
        69900,
        139900,
        5,
        1280,
        4730,
    ),
    ("哈弗牌", "长城汽车股份有限公司", "CC", "LGW", ("H6", "大狗"), 6, 1.5, 98900, 159900, 5, 1590, 4653),
    ("宝马牌", "华晨宝马汽车有限公司", "BMW", "LBV", ("3系", "5系"), 7, 2.0, 299900, 469900, 5, 1580, 4838),
    ("奔驰牌", "北京奔驰汽车有限公司", "BJ", "LE4", ("C级", "E级"), 7, 2.0, 319800, 499800, 5, 1660, 4882),
    (
        "特斯拉牌",
        "特斯拉（上海）有限公司",
        "TSL",
        "LRW",
        ("Model 3", "Model Y"),
        7,
        0.0,
        229900,
        299900,
        5,
        1760,
        4694,
    ),
)
INSURERS = (
    "中国人民财产保险股份有限公司",
    "中国平安财产保险股份有限公司",
    "中国太平洋财产保险股份有限公司",
    "中国人寿财产保险股份有限公司",
    "中华联合财产保险股份有限公司",
)
DEALER_NAMES = (
    "骏达",
    "华通",
    "众诚",
    "宝利",
    "恒信",
    "盛世",
    "永达",
    "广物",
    "中升",
    "远通",
    "博远",
    "瑞丰",
)
BANKS = ("中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "招商银行", "交通银行")

# ISO 3779 model-year letters (I, O, Q, U, Z and 0 are never used)
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY"  # 2010 .. 2030
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O on plates
_ALNUM = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def _pick(rng: np.random.Generator, seq: Any) -> Any:
    return seq[int(rng.integers(len(seq)))]


def _digits(rng: np.random.Generator, n: int) -> str:
    return "".join(str(int(d)) for d in rng.integers(0, 10, n))


def _chars(rng: np.random.Generator, alphabet: str, n: int) -> str:
    return "".join(alphabet[int(i)] for i in rng.integers(0, len(alphabet), n))


# a company's characters of _ALNUM that a credit code never has, for allowed ones
_TO_CREDIT = str.maketrans("SVZ", "TWY")


def _credit_code(region_code: str, drawn: str) -> str:
    """An enterprise's unified social credit code (GB 32100, both check characters right) from 10 characters
    drawn from _ALNUM: the first 8 are the organisation code; the other 2 are drawn only so that every later
    field of the record is drawn as before the codes were made valid."""
    return make_credit_code("9", "1", region_code, drawn[:8].translate(_TO_CREDIT))


def _days(rng: np.random.Generator, lo: int, hi: int) -> timedelta:
    return timedelta(days=int(rng.integers(lo, hi + 1)))


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


# ------------------------------------------------------------------------------------------------ record


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """Everything the documents of one registration case print. Money is in fen (integer cents) so the
    VAT and purchase-tax arithmetic is exact."""

    # owner
    owner_name: str
    sex: str
    ethnicity: str
    birth_date: date
    id_number: str
    address: str
    phone: str
    id_issuer: str
    id_valid_from: date
    id_valid_to: date | None  # None = 长期 (long-term, holders aged 46+ at issue)
    # vehicle
    plate: str
    vin: str
    engine_model: str
    engine_number: str
    brand: str
    model_code: str
    series: str
    maker: str
    vehicle_type: str
    body_colour: str
    use_character: str
    fuel: str
    displacement_ml: int
    power_kw: int
    seats: int
    curb_mass_kg: int
    total_mass_kg: int
    length_mm: int
    width_mm: int
    height_mm: int
    wheelbase_mm: int
    track_mm: int
    tyre_spec: str
    emission_standard: str
    # dates, in office order
    manufacture_date: date
    invoice_date: date
    tax_date: date
    registration_date: date
    issue_date: date
    insurance_start: date
    insurance_end: date
    # money (fen)
    price_incl_vat_cents: int
    price_excl_vat_cents: int
    vat_cents: int
    purchase_tax_cents: int
    insurance_premium_cents: int
    vessel_tax_cents: int
    # document numbers and issuers
    certificate_number: str
    invoice_code: str
    invoice_number: str
    dealer_name: str
    dealer_tax_id: str
    dealer_address: str
    dealer_phone: str
    dealer_bank: str
    tax_certificate_number: str
    tax_office: str
    registration_cert_number: str
    file_number: str
    vehicle_office: str
    insurer: str
    policy_number: str

    @property
    def brand_model(self) -> str:
        """品牌型号 as printed on the 行驶证, e.g. 大众汽车牌SVW71617BM."""
        return f"{self.brand}{self.model_code}"

    @property
    def province(self) -> str:
        return self.plate[0]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = value.isoformat() if isinstance(value, date) else value
        out["brand_model"] = self.brand_model
        return out


# ------------------------------------------------------------------------------------------------ helpers


def money(cents: int) -> str:
    """12345678 -> '123456.78'."""
    return f"{cents // 100}.{cents % 100:02d}"


_DIGITS_CN = "零壹贰叁肆伍陆柒捌玖"
_UNITS_CN = ("", "拾", "佰", "仟")
_SECTIONS_CN = ("", "万", "亿")


def amount_in_words(cents: int) -> str:
    """The 大写 amount printed on invoices and tax receipts: 159900.50 -> 壹拾伍万玖仟玖佰元伍角."""
    if cents < 0:
        raise ValueError(f"amount must not be negative, got {cents}")
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    groups: list[int] = []
    n = yuan
    while n:
        groups.append(n % 10000)
        n //= 10000
    words, gap = "", False
    for gi in reversed(range(len(groups))):
        g = groups[gi]
        if g == 0:
            gap = bool(words)
            continue
        if words and (g < 1000 or gap):
            words += "零"
        gap = False
        part, zero = "", False
        for pos in (3, 2, 1, 0):
            d = g // 10**pos % 10
            if d == 0:
                zero = bool(part)
                continue
            if zero:
                part += "零"
                zero = False
            part += _DIGITS_CN[d] + _UNITS_CN[pos]
        words += part + _SECTIONS_CN[gi]
    words = (words or "零") + "元"
    if jiao == 0 and fen == 0:
        return words + "整"
    if jiao:
        words += _DIGITS_CN[jiao] + "角"
    elif yuan:
        words += "零"
    if fen:
        words += _DIGITS_CN[fen] + "分"
    return words


def make_plate(rng: np.random.Generator, prefix: str, electric: bool) -> str:
    """A plate of the region ``prefix`` (province + city letter): 5 serial characters, or the 6-character
    new-energy format (D = battery electric, then a letter or digit and four digits)."""
    if electric:
        return prefix + "D" + _chars(rng, _PLATE_LETTERS + "0123456789", 1) + _digits(rng, 4)
    n_letters = int(rng.choice([0, 1, 1, 2], p=[0.4, 0.3, 0.2, 0.1]))
    serial = list(_digits(rng, 5))
    for pos in rng.choice(5, n_letters, replace=False):
        serial[int(pos)] = _pick(rng, _PLATE_LETTERS)
    return prefix + "".join(serial)


def make_vehicle_vin(rng: np.random.Generator, wmi: str, year: int) -> str:
    """A VIN of the maker ``wmi`` built in ``year``: VDS, check digit, model year, plant, 6-digit serial."""
    vds = _chars(rng, _VIN_CHARS.replace("U", "").replace("Z", ""), 5)
    tail = _YEAR_CODES[(year - 2010) % len(_YEAR_CODES)] + _chars(rng, _ALNUM, 1) + _digits(rng, 6)
    body = wmi + vds + "0" + tail
    return body[:8] + check_digit(body) + body[9:]


def _model_code(rng: np.random.Generator, prefix: str, body: int, litres: float, length_mm: int) -> str:
    # GB 9417 style: maker code, vehicle class, main parameter (displacement in dL for cars, length in dm
    # for buses/MPVs), serial digit, maker suffix.
    param = int(round(litres * 10)) if body == 7 else length_mm // 100
    suffix = _chars(rng, "ABCDEFGHJKLMNPRSTVWXY0123456789", int(rng.integers(1, 4)))
    if litres == 0:
        suffix = "BEV" + suffix[:1]
    return f"{prefix}{body}{param:02d}{int(rng.integers(0, 10))}{suffix}"


def _name(rng: np.random.Generator, sex: str) -> str:
    surname = _pick(rng, COMPOUND_SURNAMES) if rng.random() < 0.02 else _pick(rng, SURNAMES)
    pool = GIVEN_MALE if sex == "男" else GIVEN_FEMALE
    given = "".join(_pick(rng, pool) for _ in range(int(rng.choice([1, 2], p=[0.35, 0.65]))))
    return surname + given


def _address(rng: np.random.Generator, region: tuple[str, ...], home: bool = True) -> str:
    _, province, city, district = region[:4]
    head = province + city + district if province != city else province + district
    street = f"{_pick(rng, STREETS)}{int(rng.integers(1, 400))}号"
    if home and rng.random() < 0.7:
        street += (
            f"{_pick(rng, COMMUNITIES)}{int(rng.integers(1, 30))}栋{int(rng.integers(1, 6))}单元"
            f"{int(rng.integers(1, 33))}{int(rng.integers(1, 5)):02d}室"
        )
    return head + street


def make_case_record(rng: np.random.Generator) -> CaseRecord:
    region = _pick(rng, REGIONS)
    prefix, province, city, district, region_code, id_issuer, vehicle_office = region
    (brand, maker, code_prefix, wmi, series_names, body, litres, price_lo, price_hi, seats, curb, length) = (
        _pick(rng, _VEHICLES)
    )
    electric = litres == 0

    # dates: built, sold, taxed, registered, (re)issued -- each on or after the previous one
    manufacture = date(2016, 1, 1) + _days(rng, 0, 3300)
    invoice = manufacture + _days(rng, 5, 200)
    tax = invoice + _days(rng, 0, 15)
    registration = tax + _days(rng, 0, 20)
    issue = registration if rng.random() < 0.75 else registration + _days(rng, 30, 1200)
    insurance_start = registration - _days(rng, 0, min(10, (registration - invoice).days))
    insurance_end = _add_years(insurance_start, 1) - timedelta(days=1)

    # owner: an adult at registration, born where they live most of the time
    sex = "男" if rng.random() < 0.6 else "女"
    birth = _add_years(registration, -int(rng.integers(20, 66))) - _days(rng, 0, 364)
    id_region = region_code if rng.random() < 0.8 else _pick(rng, REGIONS)[4]
    seq = int(rng.integers(0, 500)) * 2 + (1 if sex == "男" else 0)  # 17th digit odd = male
    id_number = make_id_number(id_region, birth, f"{seq:03d}")
    id_from, id_to = _id_validity(rng, birth, registration)

    # vehicle
    litres_jitter = 0.0 if electric else float(rng.choice([0.0, -0.1, 0.1, 0.2]))
    litres_eff = max(1.0, litres + litres_jitter) if not electric else 0.0
    length_mm = length + int(rng.integers(-60, 61))
    model_code = _model_code(rng, code_prefix, body, litres_eff, length_mm)
    price = (
        int(rng.integers(price_lo // 100, price_hi // 100 + 1)) * 100 * 100
    )  # whole hundreds of yuan, in fen
    price -= int(rng.choice([0, 0, 10000, 20000]))  # dealers like ...800 / ...900 prices
    excl = round(price / 1.13)
    purchase_tax = round(excl * 0.10)
    curb_mass = curb + int(rng.integers(-40, 41))
    power = (
        int(round(litres_eff * 70 + rng.integers(-10, 30))) if not electric else int(rng.integers(100, 220))
    )
    engine_model = (
        ("TZ" + _digits(rng, 3) + "XS" + _chars(rng, _PLATE_LETTERS, 2))
        if electric
        else (_chars(rng, "ABCDEFGHJKLMNPRSTVWXYZ", 2) + _digits(rng, 2) + _chars(rng, _PLATE_LETTERS, 1))
    )
    insurance_premium = 95000 if seats < 6 else 110000
    vessel_tax = (
        0
        if electric
        else int(
            {
                1.0: 30000,
                1.3: 30000,
                1.4: 30000,
                1.5: 36000,
                1.6: 42000,
                1.7: 42000,
                1.8: 42000,
                1.9: 42000,
                2.0: 42000,
                2.1: 72000,
                2.2: 72000,
            }.get(round(litres_eff, 1), 42000)
        )
    )
    dealer = f"{city or province}{_pick(rng, DEALER_NAMES)}汽车销售服务有限公司"
    return CaseRecord(
        owner_name=_name(rng, sex),
        sex=sex,
        ethnicity=_pick(rng, ETHNICITIES),
        birth_date=birth,
        id_number=id_number,
        address=_address(rng, region),
        phone="1" + str(int(rng.choice([3, 5, 7, 8, 9]))) + _digits(rng, 9),
        id_issuer=id_issuer,
        id_valid_from=id_from,
        id_valid_to=id_to,
        plate=make_plate(rng, prefix, electric),
        vin=make_vehicle_vin(rng, wmi, manufacture.year),
        engine_model=engine_model,
        engine_number=(
            _chars(rng, _PLATE_LETTERS, int(rng.integers(0, 4))) + _digits(rng, int(rng.integers(6, 9)))
        ),
        brand=brand,
        model_code=model_code,
        series=_pick(rng, series_names),
        maker=maker,
        vehicle_type="小型轿车" if body == 7 else "小型普通客车",
        body_colour=_pick(rng, COLOURS),
        use_character="非营运",
        fuel="电" if electric else "汽油",
        displacement_ml=0 if electric else int(round(litres_eff * 1000 - rng.integers(0, 30))),
        power_kw=power,
        seats=seats,
        curb_mass_kg=curb_mass,
        total_mass_kg=curb_mass + 75 * seats + int(rng.integers(0, 120)),
        length_mm=length_mm,
        width_mm=int(rng.integers(1780, 1910)),
        height_mm=int(rng.integers(1440, 1780)) if body == 7 else int(rng.integers(1650, 1800)),
        wheelbase_mm=int(rng.integers(2600, 2980)),
        track_mm=int(rng.integers(1530, 1620)),
        tyre_spec=_pick(
            rng, ("205/55 R16", "215/55 R17", "225/45 R18", "235/55 R19", "215/60 R16", "225/60 R18")
        ),
        emission_standard="" if electric else ("国VI" if manufacture.year >= 2019 else "国V"),
        manufacture_date=manufacture,
        invoice_date=invoice,
        tax_date=tax,
        registration_date=registration,
        issue_date=issue,
        insurance_start=insurance_start,
        insurance_end=insurance_end,
        price_incl_vat_cents=price,
        price_excl_vat_cents=excl,
        vat_cents=price - excl,
        purchase_tax_cents=purchase_tax,
        insurance_premium_cents=insurance_premium,
        vessel_tax_cents=vessel_tax,
        certificate_number="W" + _chars(rng, _PLATE_LETTERS, 3) + _digits(rng, 11),
        invoice_code="1" + region_code[:4] + f"{invoice.year % 100:02d}" + _digits(rng, 5),
        invoice_number=_digits(rng, 8),
        dealer_name=dealer,
        dealer_tax_id=_credit_code(region_code, _chars(rng, _ALNUM, 10)),
        dealer_address=_address(rng, region, home=False),
        dealer_phone="0" + _digits(rng, 2) + "-" + _digits(rng, 8),
        dealer_bank=f"{_pick(rng, BANKS)}{city or province}{_pick(rng, DEALER_NAMES)}支行 "
        + _digits(rng, 19),
        tax_certificate_number=region_code[:2] + _digits(rng, 12),
        tax_office=f"国家税务总局{city}{district}税务局",
        registration_cert_number=region_code[:2] + _digits(rng, 10),
        file_number=region_code[:4] + _digits(rng, 8),
        vehicle_office=vehicle_office,
        insurer=_pick(rng, INSURERS),
        policy_number="PDZA" + f"{insurance_start.year}" + region_code[:4] + _digits(rng, 12),
    )


def _id_validity(rng: np.random.Generator, birth: date, at: date) -> tuple[date, date | None]:
    """An ID card valid on ``at``: issued at 16 or later, valid 10 (16-25), 20 (26-45) years or long-term."""
    earliest = _add_years(birth, 16)
    for _ in range(8):
        issued = max(earliest, at - _days(rng, 30, 6000))
        age = (issued - birth).days // 365
        years = 10 if age < 26 else 20 if age < 46 else None
        if years is None:
            return issued, None
        until = _add_years(issued, years)
        if until > at:
            return issued, until
    issued = max(earliest, at - _days(rng, 30, 300))
    age = (issued - birth).days // 365
    return issued, (None if age >= 46 else _add_years(issued, 10 if age < 26 else 20))
