"""机动车销售统一发票 (unified vehicle sales invoice): buyer and ID number, vehicle, VIN, engine number,
amounts. The buyer's ID number is printed right of the first 纳税人识别号, the seller's tax number right
of the second."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .amounts import cents as _cents
from .amounts import figures_and_words, take_free_line, words_cents, words_completed
from .fields import DocumentRules, FieldRule, value_of_line
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
    FieldRule("厂牌型号", canonical="model", lexicon=True),
    FieldRule("产地"),
    FieldRule("合格证号", "code"),
    FieldRule("发动机号码", "code", canonical="engine_number"),
    FieldRule("车辆识别代号", "vin", labels=("车辆识别代号/车架号码",), canonical="vin", fallback="pattern"),
    FieldRule("价税合计大写", "words", labels=("价税合计",)),
    # the figure sits at the row's far end, after the words and a small '小写' that is often misread; when the
    # label itself is lost it is still the largest amount on the invoice (it includes the tax)
    FieldRule("价税合计", "amount", labels=("小写",), canonical="price", reach=30.0, fallback="amount"),
    FieldRule("销货单位名称", lexicon=True),
    FieldRule("销货单位纳税人识别号", "credit", labels=("纳税人识别号",), occurrence="last", canonical="seller_tax_id"),
    FieldRule("税率", labels=("增值税税率或征收率",)),
    FieldRule("增值税税额", "amount"),
    FieldRule("不含税价", "amount"),
    # a lone digit at the row's far end, which the detector may miss (past the cell looked at for ink: not ``printed``)
    FieldRule("限乘人数", cell=r"\d{1,2}", printed=False),
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


def _amounts_agree(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """不含税价 + 增值税税额 = 价税合计, and the invoice prints every amount with two decimals: an amount read
    without its decimal point ('9646018') gets it back when that, and only that, makes the three agree, and an
    amount of whole yuan read without its '.00' ('¥130000') gets it when the three agree as read.
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
    if len(agree) != 1:
        return fields
    for key, (text, _) in zip(_AMOUNT_KEYS, agree[0], strict=True):
        if "." not in text:  # whole yuan read as printed, its '.00' lost ('¥130000' for ¥130000.00)
            text = f"{text}.00"
        if text != fields[key].text:
            fields[key] = replace(fields[key], text=text)
    return fields


def _completing(key: str, net: int | None, vat: int | None, total: int | None) -> int:
    """The amount (cents) ``key`` must be for 不含税价 + 增值税税额 = 价税合计, from the other two (``key``'s own is
    not used)."""
    if key == "不含税价":
        return total - vat  # type: ignore[operator]
    return total - net if key == "增值税税额" else net + vat  # type: ignore[operator]


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
    key = short[0]
    value = _completing(key, *(cents.get(k) for k in _AMOUNT_KEYS))  # type: ignore[arg-type]
    if value < 0 or value // 100 != int(bare[key]):
        return fields
    prefix = "¥" if fields[key].text.startswith("¥") else ""
    fields[key] = replace(fields[key], text=f"{prefix}{value // 100}.{value % 100:02d}")
    return fields


# VAT rates and levy rates an invoice can print, in percent
RATES = ("17", "16", "13", "11", "10", "9", "6", "5", "3", "1.5", "1", "0")
_RATE = re.compile(r"(\d{1,2}(?:\.\d)?)%")  # a rate as printed: '13%', '1.5%'


def _rate_read(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """The rate as printed ('13%'). Characters read after the percent sign are dropped ('13%aom'). A rate read
    without its sign, or with the sign read as a digit or a point moved in ('13', '139', '1.3%'), becomes the
    printed rate when the amounts confirm it: 增值税税额 is 不含税价 times that rate, to the cent, and the digits
    read are that rate's followed by at most one character; so does a rate read with one character misread whose
    alternatives name the printed one ('L3%' for 13%, :func:`_misread_of`). Anything else stays as read."""
    if "税率" not in fields:
        return fields
    text = fields["税率"].text
    m = _RATE.match(text)
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
        if abs(net * float(rate) / 100 - vat) > 1.0:
            continue
        if digits.startswith(printed) and len(digits) - len(printed) <= 1:
            fields["税率"] = replace(fields["税率"], text=f"{rate}%")
        elif len(text) == len(rate) + 1 and _misread_of(fields["税率"], f"{rate}%"):
            fields["税率"] = replace(fields["税率"], text=f"{rate}%", alternatives=())
        break
    return fields


# an amount as the invoice prints it: two decimals
_AS_PRINTED = re.compile(r"¥?\d+\.\d{2}")


def _runs_merged(text: str, printed: str) -> bool:
    """``text`` is ``printed`` with some of its repeated characters read fewer times: the recogniser's CTC decoding
    merges a character repeated without a gap between the two ('13000.0' for 130000.00)."""
    ours, theirs = ([(ch, len(list(run))) for ch, run in itertools.groupby(t)] for t in (text, printed))
    return (
        len(text) < len(printed)
        and [ch for ch, _ in ours] == [ch for ch, _ in theirs]
        and all(n <= m for (_, n), (_, m) in zip(ours, theirs, strict=True))
    )


def _misread_of(read: FieldValue, printed: str) -> bool:
    """``read`` is ``printed`` with one character misread, the reader's alternatives at that place naming the
    printed one, or with the last one or two digits after the point cut off ('232123.8' for 232123.89), or cut
    short after three digits or more ('¥9867' for ¥98672.57: the seller's seal is stamped over that row), or, when
    what is read is no amount as printed (two decimals), with repeated digits merged (:func:`_runs_merged`)."""
    text = read.text
    if not _AS_PRINTED.fullmatch(text) and _runs_merged(text, printed):
        return True
    if len(text) < len(printed) and printed.startswith(text):
        return len(printed) - len(text) <= 2 if "." in text else sum(ch.isdigit() for ch in text) >= 3
    if len(text) != len(printed) or not read.alternatives:
        return False
    diff = [i for i, (a, b) in enumerate(zip(text, printed, strict=True)) if a != b]
    return len(diff) == 1 and printed[diff[0]] in (c for c, _ in read.alternatives[diff[0]])


def _amount_misread(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """One of 不含税价, 增值税税额 and 价税合计 misread by one character (or cut short: :func:`_misread_of`) while the
    other two and the printed facts agree on what it is: 价税合计 as its words, 增值税税额 as 不含税价 times the
    rate read (the rate not read: one of the rates an invoice prints) to the cent, the three adding up. The
    amount the two others give replaces the read only when the read is that amount misread (:func:`_misread_of`);
    an amount not read at all stays missing, and an invoice whose printed amounts disagree keeps them as read,
    for the cross-checks."""
    if any(k not in fields for k in (*_AMOUNT_KEYS, "价税合计大写")):
        return fields
    read = _RATE.fullmatch(fields["税率"].text) if "税率" in fields else None
    rates = [float(read.group(1))] if read and read.group(1) in RATES else [float(r) for r in RATES]
    words = words_cents(fields["价税合计大写"].text)
    cents = {k: _cents(fields[k].text) for k in _AMOUNT_KEYS}
    if words is None:
        return fields
    net, vat, total = (cents[k] for k in _AMOUNT_KEYS)
    wrong = [k for k, v in cents.items() if v is None]
    if not wrong:
        if net + vat == total == words:  # type: ignore[operator]
            return fields
        wrong = [k for k in _AMOUNT_KEYS if k != "价税合计"] if total == words else ["价税合计"]
    found = []
    for key in wrong:
        others = {k: v for k, v in cents.items() if k != key}
        if any(v is None for v in others.values()):
            continue
        if key == "价税合计":
            net, vat, total = others["不含税价"], others["增值税税额"], words
            value = net + vat  # type: ignore[operator]
        elif key == "不含税价":
            vat, total = others["增值税税额"], others["价税合计"]
            net = value = total - vat  # type: ignore[operator]
        else:
            net, total = others["不含税价"], others["价税合计"]
            vat = value = total - net  # type: ignore[operator]
        if value <= 0 or total != words or net + vat != total or all(abs(net * r / 100 - vat) > 1.0 for r in rates):
            continue
        prefix = "¥" if fields[key].text.startswith("¥") else ""
        printed = f"{prefix}{value // 100}.{value % 100:02d}"
        if _misread_of(fields[key], printed):
            found.append((key, printed))
    if len(found) == 1:
        key, printed = found[0]
        fields[key] = replace(fields[key], text=printed, alternatives=())
    return fields


def _unlabelled_amount(fields: dict[str, FieldValue], free: Sequence[Any]) -> dict[str, FieldValue]:
    """One of 不含税价, 增值税税额 and 价税合计 missing (its label misread) while the other two are read: the line no
    label or field took that prints exactly the amount they make (to the cent) is that field. Found, not
    computed: without such a line the field stays missing."""
    missing = [k for k in _AMOUNT_KEYS if k not in fields]
    if len(missing) != 1:
        return fields
    known = {k: _cents(fields[k].text) for k in _AMOUNT_KEYS if k in fields}
    if any(v is None or "." not in fields[k].text for k, v in known.items()):
        return fields
    key = missing[0]
    want = _completing(key, *(known.get(k) for k in _AMOUNT_KEYS))  # type: ignore[arg-type]
    return take_free_line(fields, free, PAGE, key, "amount", want) if want > 0 else fields


# a taxpayer number as the invoice prints it, after the credit code's folds: the 18-character unified social credit
# code (GB 32100: the registering body and the kind of organisation, the 6-digit region code, then ten characters)
_TAX_NUMBER = re.compile(r"[0-9A-Z]{2}\d{6}[0-9A-Z]{10}")
_SELLER_TAX = next(r for r in PAGE if r.key == "销货单位纳税人识别号")


def _seller_tax_number(fields: dict[str, FieldValue], free: Sequence[Any]) -> dict[str, FieldValue]:
    """销货单位纳税人识别号 missing (its label misread) while 销货单位名称 is read: the form prints the seller's tax
    number on the row below the seller's name, starting under it, so the free line there that is a whole tax
    number is that field (folded, corrected and checked as the labelled value is). Found, not guessed: without
    such a line it stays missing."""
    key = _SELLER_TAX.key
    name = fields.get("销货单位名称")
    if key in fields or name is None or name.box_xyxy is None:
        return fields
    x1, y1, _, y2 = name.box_xyxy
    h = y2 - y1
    for ln in free:
        bx1, by1, _, by2 = ln.box
        below = y2 - 0.5 * h <= (by1 + by2) / 2 <= y2 + 2.5 * h and abs(bx1 - x1) <= 2 * h
        value = value_of_line(_SELLER_TAX, ln) if below else None
        if value is not None and _TAX_NUMBER.fullmatch(value.text) and len(value.text) == len(ln.text):
            fields[key] = value
            break
    return fields


def _free_lines(fields: dict[str, FieldValue], free: Sequence[Any]) -> dict[str, FieldValue]:
    fields = _seller_tax_number(fields, free)
    return figures_and_words(_unlabelled_amount(fields, free), free, PAGE, "价税合计", "价税合计大写")


def _words_by_figures(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """价税合计大写 read with one character that is no numeral or unit (:func:`words_completed`), when the three
    amounts in figures agree (不含税价 + 增值税税额 = 价税合计): the total they confirm fills it."""
    if any(k not in fields for k in (*_AMOUNT_KEYS, "价税合计大写")):
        return fields
    net, vat, total = (_cents(fields[k].text) for k in _AMOUNT_KEYS)
    if net is None or vat is None or total is None or net + vat != total:
        return fields
    fields["价税合计大写"] = words_completed(fields["价税合计大写"], total)
    return fields


def _post(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    return _words_by_figures(_amount_misread(_rate_read(_amounts_agree(fields))))


RULES = DocumentRules({"1": PAGE}, OTHER_LABELS, _post, free_lines_step=_free_lines)
