"""机动车整车出厂合格证 (certificate of conformity): numbered columns '0.合格证编号' ... '22.车辆制造日期'."""

from __future__ import annotations

from .fields import DocumentRules, FieldRule

PAGE = (
    FieldRule("合格证编号", "code"),
    FieldRule("发证日期", "date"),
    FieldRule("车辆制造企业名称"),
    FieldRule("车辆品牌", labels=("车辆品牌/车辆名称",)),
    FieldRule("车辆型号", "code", canonical="model"),
    FieldRule("车辆识别代号", "vin", labels=("车辆识别代号/车架号",), canonical="vin", fallback="pattern"),
    FieldRule("车身颜色"),
    FieldRule("发动机型号", "code"),
    FieldRule("发动机号码", "code", labels=("发动机号",), canonical="engine_number"),
    FieldRule("燃料种类"),
    FieldRule("排量和功率", labels=("排量和功率(ml/kW)",)),
    FieldRule("外廓尺寸", labels=("外廓尺寸(mm)",)),
    FieldRule("总质量", labels=("总质量(kg)",)),
    FieldRule("整备质量", labels=("整备质量(kg)",)),
    FieldRule("额定载客", labels=("额定载客(人)",)),
    FieldRule("车辆制造日期", "date"),
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

RULES = DocumentRules({"1": PAGE}, OTHER_LABELS)
