"""机动车销售统一发票 (unified vehicle sales invoice): buyer and ID number, vehicle, VIN, engine number,
amounts. The buyer's ID number is printed right of the first 纳税人识别号, the seller's tax number right
of the second."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

from .fields import DocumentRules, FieldRule
from .types import FieldValue
from .vocabulary import VEHICLE_TYPES

PAGE = (
    FieldRule("开票日期", "date", fallback="pattern"),  # the only date the invoice prints
    FieldRule("发票代码", "number"),
    FieldRule("发票号码", "number"),
    FieldRule(
        "购买方名称",
        "name",
        labels=(
            "购买方名称及身份证号码/组织机构代码",
            "及身份证号码/组织机构代码",
            "购买方名称及身份证号码组织机构代码",
            "及身份证号码组织机构代码",
        ),
        canonical="owner_name",
    ),
    FieldRule("身份证号码", "id", labels=("纳税人识别号",), canonical="id_number", fallback="pattern"),
    FieldRule("车辆类型", canonical="vehicle_type", vocabulary=VEHICLE_TYPES),
    FieldRule("厂牌型号", canonical="model"),
    FieldRule("产地"),
    FieldRule("合格证号", "code"),
    FieldRule("发动机号码", "code", canonical="engine_number"),
    FieldRule("车辆识别代号", "vin", labels=("车辆识别代号/车架号码",), canonical="vin", fallback="pattern"),
    FieldRule("价税合计大写", "words", labels=("价税合计",)),
    # the figure sits at the row's far end, after the words and a small '小写' that is often misread; when the
    # label itself is lost it is still the largest amount on the invoice (it includes the tax)
    FieldRule("价税合计", "amount", labels=("小写",), canonical="price", reach=30.0, fallback="amount"),
    FieldRule("销货单位名称"),
    FieldRule("销货单位纳税人识别号", "code", labels=("纳税人识别号",), occurrence="last"),
    FieldRule("税率", labels=("增值税税率或征收率",)),
    FieldRule("增值税税额", "amount"),
    FieldRule("不含税价", "amount"),
    FieldRule("限乘人数"),
)
OTHER_LABELS = (
    "机打代码",
    "机打号码",
    "机器编号",
    "税控码",
    "进口证明书号",
    "商检单号",
    "电话",
    "账号",
    "地址",
    "开户银行",
    "主管税务机关及代码",
    "完税凭证号码",
    "吨位",
    "销货单位盖章",
    "发票联",
    "机动车销售统一发票",
)

_AMOUNT_KEYS = ("不含税价", "增值税税额", "价税合计")


def _cents(text: str) -> int | None:
    digits = text.lstrip("¥").replace(",", "")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", digits):
        return None
    whole, _, frac = digits.partition(".")
    return int(whole) * 100 + int(frac.ljust(2, "0"))


def _amounts_agree(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """不含税价 + 增值税税额 = 价税合计, and the invoice prints every amount with two decimals: an amount read
    without its decimal point ('9646018') gets it back when that, and only that, makes the three agree.
    Nothing is invented: a missing amount stays missing, and amounts that disagree otherwise stay as read."""
    if any(k not in fields for k in _AMOUNT_KEYS):
        return fields
    options: list[list[tuple[str, int]]] = []
    for key in _AMOUNT_KEYS:
        text = fields[key].text
        value = _cents(text)
        if value is None:
            return fields
        opts = [(text, value)]
        bare = text.lstrip("¥")
        if "." not in bare and "," not in bare and len(bare) >= 3:
            opts.append((f"{bare[:-2]}.{bare[-2:]}", value // 100))
        options.append(opts)
    agree = [combo for combo in itertools.product(*options) if combo[0][1] + combo[1][1] == combo[2][1]]
    if not agree:
        return _cents_restored(fields)
    if len(agree) != 1 or all(c == o[0] for c, o in zip(agree[0], options, strict=True)):
        return fields
    for key, (text, _) in zip(_AMOUNT_KEYS, agree[0], strict=True):
        if text != fields[key].text:
            fields[key] = replace(fields[key], text=text)
    return fields


def _cents_restored(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """One amount read as its whole yuan only ('209026' for 209026.55) while the other two have their cents:
    it gets the cents that make the three agree, when the yuan read are exactly those of that amount."""
    bare = {k: fields[k].text.lstrip("¥") for k in _AMOUNT_KEYS}
    short = [k for k in _AMOUNT_KEYS if bare[k].isdigit()]
    if len(short) != 1 or any("." not in bare[k] for k in _AMOUNT_KEYS if k != short[0]):
        return fields
    cents = {k: _cents(fields[k].text) for k in _AMOUNT_KEYS if k != short[0]}
    if any(v is None for v in cents.values()):
        return fields
    net, vat, total = (cents.get(k) for k in _AMOUNT_KEYS)
    key = short[0]
    value = total - vat if key == "不含税价" else (total - net if key == "增值税税额" else net + vat)  # type: ignore[operator]
    if value < 0 or value // 100 != int(bare[key]):
        return fields
    prefix = "¥" if fields[key].text.startswith("¥") else ""
    fields[key] = replace(fields[key], text=f"{prefix}{value // 100}.{value % 100:02d}")
    return fields


# VAT rates and levy rates an invoice can print, in percent
RATES = ("17", "16", "13", "11", "10", "9", "6", "5", "3", "1.5", "1", "0")


def _rate_read(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """The rate as printed ('13%'). Characters read after the percent sign are dropped ('13%aom'). A rate read
    without its sign, or with the sign read as a digit or a point moved in ('13', '139', '1.3%'), becomes the
    printed rate when the amounts confirm it: 增值税税额 is 不含税价 times that rate, to the cent, and the digits
    read are that rate's followed by at most one character. Anything else stays as read."""
    if "税率" not in fields:
        return fields
    text = fields["税率"].text
    m = re.match(r"(\d{1,2}(?:\.\d)?)%", text)
    if m and m.group(1) in RATES:
        if m.group(0) != text:
            fields["税率"] = replace(fields["税率"], text=m.group(0))
        return fields
    net = _cents(fields["不含税价"].text) if "不含税价" in fields else None
    vat = _cents(fields["增值税税额"].text) if "增值税税额" in fields else None
    if not net or vat is None:
        return fields
    digits = re.sub(r"\D", "", text)
    for rate in RATES:
        printed = rate.replace(".", "")
        if abs(net * float(rate) / 100 - vat) <= 1.0 and digits.startswith(printed):
            if len(digits) - len(printed) <= 1:
                fields["税率"] = replace(fields["税率"], text=f"{rate}%")
            break
    return fields


def _post(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    return _rate_read(_amounts_agree(fields))


RULES = DocumentRules({"1": PAGE}, OTHER_LABELS, _post)
