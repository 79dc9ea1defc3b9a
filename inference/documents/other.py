"""Other documents (letters, receipts, unrelated forms): only the title is read, so an officer can see what
was uploaded instead of a required document."""

from __future__ import annotations

from .fields import DocumentRules, FieldRule

PAGE = (
    FieldRule("标题", fallback="title"),
    FieldRule("日期", "date", fallback="pattern"),
    # a receipt prints its sum twice: in words after 人民币(大写), in figures after a lone '¥' (no label to find it
    # by: the largest printed amount on the page is taken)
    FieldRule("金额", "amount", labels=("合计金额", "金额合计", "合计", "总计", "实收金额"), fallback="amount"),
    FieldRule("金额大写", "words", labels=("人民币(大写)", "人民币大写", "大写")),
)

RULES = DocumentRules({"1": PAGE})
