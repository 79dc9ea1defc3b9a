"""机动车整车出厂合格证 (certificate of conformity): numbered columns '0.合格证编号' ... '22.车辆制造日期'.

The form is a two-column table: numbered labels on the left, values on the right, one item per row at a
regular pitch. Labels are printed small and often misread beyond recognition, so the rows are also located by
their number: the labels (and enumeration numbers) that are read fit a line ``y = a + b * item``, and a field
whose label was not found, or whose value sits on another item's row, takes the value on its own row.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence

from .fields import DocumentRules, Extraction, FieldRule, clean_value, corrected, validate_value
from .types import FieldValue
from .vocabulary import BODY_COLOURS, FUEL_TYPES

# the printed items in order; their index is the number printed before the label
ITEMS = (
    "合格证编号",
    "发证日期",
    "车辆制造企业名称",
    "车辆品牌/车辆名称",
    "车辆型号",
    "车辆识别代号/车架号",
    "车身颜色",
    "底盘型号/底盘ID",
    "发动机型号",
    "发动机号",
    "燃料种类",
    "排量和功率(ml/kW)",
    "排放标准",
    "外廓尺寸(mm)",
    "轮距(前/后)(mm)",
    "轴距(mm)",
    "轮胎数",
    "轮胎规格",
    "总质量(kg)",
    "整备质量(kg)",
    "额定载客(人)",
    "最高设计车速(km/h)",
    "车辆制造日期",
)


def _rule(key: str, kind: str = "text", **kw: object) -> FieldRule:
    return FieldRule(key, kind, rest_first=False, **kw)  # type: ignore[arg-type]


PAGE = (
    _rule("合格证编号", "code"),
    _rule("发证日期", "date"),
    _rule("车辆制造企业名称", lexicon=True),
    _rule("车辆品牌", labels=("车辆品牌/车辆名称",), lexicon=True),
    _rule("车辆型号", "code", canonical="model"),
    _rule("车辆识别代号", "vin", labels=("车辆识别代号/车架号",), canonical="vin", fallback="pattern"),
    _rule("车身颜色", vocabulary=BODY_COLOURS),
    _rule("发动机型号", "code"),
    _rule("发动机号码", "code", labels=("发动机号",), canonical="engine_number"),
    _rule("燃料种类", vocabulary=FUEL_TYPES),
    _rule("排量和功率", labels=("排量和功率(ml/kW)",)),
    _rule("外廓尺寸", labels=("外廓尺寸(mm)",)),
    _rule("总质量", labels=("总质量(kg)",)),
    _rule("整备质量", labels=("整备质量(kg)",)),
    _rule("额定载客", labels=("额定载客(人)",), cell=r"\d{1,2}"),  # a lone digit the detector may miss
    _rule("车辆制造日期", "date"),
)
OTHER_LABELS = (
    "底盘型号/底盘ID",
    "排放标准",
    "轮距(前/后)(mm)",
    "轴距(mm)",
    "轮胎数",
    "轮胎规格",
    "最高设计车速(km/h)",
    "车辆制造企业其他信息",
    "机动车整车出厂合格证",
)
NUMBERS = {label: k for k, item in enumerate(ITEMS) for label in {item, item.split("(")[0]}}
_NUMBER = re.compile(r"^(\d{1,2})[.．、]")


def _item_of(label: str) -> int | None:
    for k, item in enumerate(ITEMS):
        if label == item or item.startswith(label) or label.startswith(item.split("(")[0].split("/")[0]):
            return k
    return None


def _fit(anchors: Sequence[tuple[int, float]]) -> tuple[float, float] | None:
    """Robust ``y = a + b * item`` through (item, y) anchors: median of pairwise slopes, then median intercept."""
    slopes = [(y2 - y1) / (k2 - k1) for i, (k1, y1) in enumerate(anchors) for k2, y2 in anchors[i + 1 :] if k2 != k1]
    slopes = [s for s in slopes if s > 0]
    if len(slopes) < 3:
        return None
    b = statistics.median(slopes)
    a = statistics.median(y - b * k for k, y in anchors)
    inliers = [(k, y) for k, y in anchors if abs(y - a - b * k) < 0.3 * b]
    if len(inliers) < 3:
        return None
    b = statistics.median(
        [(y2 - y1) / (k2 - k1) for i, (k1, y1) in enumerate(inliers) for k2, y2 in inliers[i + 1 :] if k2 != k1] or [b]
    )
    a = statistics.median(y - b * k for k, y in inliers)
    return a, b


def _rows(ex: Extraction, rules: Sequence[FieldRule]) -> dict[str, FieldValue]:
    """The extraction's fields, with each numbered item's value taken from its own row where the label's read
    put it elsewhere or found none (the ``layout`` step of :data:`RULES`)."""
    fields = dict(ex.fields)
    lines, claimed = ex.lines, ex.claimed
    anchors: list[tuple[int, float]] = []
    label_x2: list[float] = []
    for i, (label, _) in claimed.items():
        k = _item_of(label)
        if k is not None:
            anchors.append((k, (lines[i].y1 + lines[i].y2) / 2))
            label_x2.append(lines[i].x2)
    for i, v in enumerate(lines):
        m = _NUMBER.match(v.text)
        if i not in claimed and m and int(m.group(1)) < len(ITEMS):
            anchors.append((int(m.group(1)), (v.y1 + v.y2) / 2))
    model = _fit(sorted(anchors))
    if model is None or not label_x2:
        return fields
    a, b = model
    right_of = statistics.median(label_x2)
    rows: dict[int, list[int]] = {}
    for i, v in enumerate(lines):
        if i in claimed or v.x1 < right_of - 0.5 * v.h or _NUMBER.match(v.text):
            continue
        t = ((v.y1 + v.y2) / 2 - a) / b
        k = round(t)
        if abs(t - k) <= 0.3 and 0 <= k < len(ITEMS):
            rows.setdefault(k, []).append(i)
    if not rows:
        return fields
    column = statistics.median(min(lines[i].x1 for i in idx) for idx in rows.values())
    for rule in rules:
        k = next((_item_of(lab) for lab in rule.all_labels() if _item_of(lab) is not None), None)
        if k is None:
            continue
        have = fields.get(rule.key)
        if have is not None and have.box_xyxy is not None and have.label:
            j = next((i for i, v in enumerate(lines) if v.box == have.box_xyxy), None)
            if j is not None and abs(((lines[j].y1 + lines[j].y2) / 2 - a) / b - k) <= 0.5:
                continue  # read on its own row
        idx = sorted(
            (i for i in rows.get(k, []) if abs(lines[i].x1 - column) <= 3 * lines[i].h), key=lambda i: lines[i].x1
        )
        if not idx:
            continue
        text = "".join(lines[i].text for i in idx)
        cleaned = clean_value(rule.kind, text)
        if cleaned is None:
            continue
        parts = [lines[i].alts for i in idx]
        alts = tuple(a for p in parts for a in p) if all(p is not None for p in parts) else None  # type: ignore[union-attr]
        cleaned, aligned = corrected(rule, text, cleaned, alts)
        ok, problems = validate_value(rule.kind, cleaned)
        if have is not None and have.valid and not ok:
            continue
        box = tuple(f(lines[i].box[c] for i in idx) for c, f in enumerate((min, min, max, max)))
        conf = min(lines[i].conf for i in idx)
        fields[rule.key] = FieldValue(
            rule.canonical or rule.key, ITEMS[k], cleaned, conf, ok, problems, box, text, aligned  # type: ignore[arg-type]
        )
    return fields


RULES = DocumentRules({"1": PAGE}, OTHER_LABELS, numbers=NUMBERS, layout=_rows)
