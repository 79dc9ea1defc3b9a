"""交强险保单 (compulsory traffic accident liability insurance policy): policy number, insured and ID
number, plate, engine number, VIN, premium and the insurance period."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .amounts import figures_and_words
from .fields import DocumentRules, FieldRule
from .types import FieldValue

PAGE = (
    FieldRule("保险单号", "code"),
    FieldRule("被保险人", "name", canonical="owner_name"),
    FieldRule("身份证号码", "id", labels=("被保险人身份证号码",), canonical="id_number", fallback="pattern"),
    FieldRule("地址", multiline=False, canonical="address", lexicon=True),
    FieldRule("号牌号码", "plate", canonical="plate"),
    FieldRule("发动机号码", "code", canonical="engine_number"),
    FieldRule("车辆识别代号", "vin", labels=("识别代码(车架号)", "识别代码"), canonical="vin", fallback="pattern"),
    FieldRule("厂牌型号", canonical="model", lexicon=True),
    FieldRule("保险费大写", "words", labels=("保险费合计(人民币大写)",)),
    # the figure follows the amount in words at the row's far end
    FieldRule("保险费", "amount", labels=("保险费合计(人民币大写)",), reach=30.0),
    FieldRule("保险期间", "period", canonical="insurance_period", fallback="pattern"),
    FieldRule("车船税", "amount", labels=("当年应缴",)),
    FieldRule("签单日期", "date"),
)
OTHER_LABELS = (
    "机动车种类",
    "使用性质",
    "联系电话",
    "排量",
    "核定载客",
    "功率",
    "登记日期",
    "死亡伤残赔偿限额",
    "医疗费用赔偿限额",
    "无责任死亡伤残赔偿限额",
    "无责任医疗费用赔偿限额",
    "财产损失赔偿限额",
    "无责任财产损失赔偿限额",
    "代收车船税",
    "整备质量",
    "纳税人识别号",
    "往年补缴",
    "滞纳金",
    "特别约定",
    "重要提示",
    "保险人",
    "机动车交通事故责任强制保险单",
)


def _premium(fields: dict[str, FieldValue], free: Sequence[Any]) -> dict[str, FieldValue]:
    """The premium printed in figures and in words: one found by the other when its label was misread."""
    return figures_and_words(fields, free, PAGE, "保险费", "保险费大写")


_DATE = re.compile(r"\d{4}年\d{2}月\d{2}日")
# the words round the period's two dates as every 交强险 policy prints them (自{start}零时起至{end}二十四时止), each
# with what is left of it when the line's first or last character is lost
PERIOD_WORDS = (("自", ""), ("零时起至", "零时起至"), ("二十四时止", "二十四时"))
PERIOD_WORDS_WRONG = 2  # characters of those words that may be misread and are put back


def _period_words(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """保险期间 with the words round its two dates misread ('自2023年02月16日年时起至...'): the printed words are put
    back when at most ``PERIOD_WORDS_WRONG`` of their characters differ, each part read as long as printed (自 and 止
    may be missing). The dates stay as read: they are the policy's, and a misread one is for the cross-checks."""
    period = fields.get("保险期间")
    if period is None:
        return fields
    dates = list(_DATE.finditer(period.text))
    if len(dates) != 2:
        return fields
    (a, b), (c, d) = dates[0].span(), dates[1].span()
    parts = period.text[:a], period.text[b:c], period.text[d:]
    wrong = 0
    for read, (printed, cut) in zip(parts, PERIOD_WORDS, strict=True):
        if read in (printed, cut):
            continue
        if len(read) != len(printed):
            return fields
        wrong += sum(x != y for x, y in zip(read, printed, strict=True))
    (start, _), (middle, _), (end, _) = PERIOD_WORDS
    text = f"{start}{dates[0].group()}{middle}{dates[1].group()}{end}"
    if wrong <= PERIOD_WORDS_WRONG and text != period.text:
        fields["保险期间"] = replace(period, text=text, alternatives=())
    return fields


RULES = DocumentRules({"1": PAGE}, OTHER_LABELS, post=_period_words, free_lines_step=_premium)
