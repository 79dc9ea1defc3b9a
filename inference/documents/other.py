"""Other documents (letters, receipts, unrelated forms): only the title is read, so an officer can see what
was uploaded instead of a required document."""

from __future__ import annotations

from .fields import DocumentRules, FieldRule

PAGE = (
    FieldRule("标题", fallback="title"),
    FieldRule("日期", "date", fallback="pattern"),
    FieldRule("金额", "amount", labels=("合计金额", "金额合计", "合计", "总计", "实收金额")),
)

RULES = DocumentRules({"1": PAGE})
