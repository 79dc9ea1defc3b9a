"""Closed vocabularies of vehicle-document fields, as the national standards define them.

A field whose value can only be one of these words (a vehicle's type, body colour, fuel or use) lets the rules
snap a misread to the word it is one character away from (see :func:`fields.snap_to_vocabulary`). Only
real-world code tables belong here (GA 802 "道路交通管理 机动车类型", GA 24 / GA 16.4 code tables used by
the vehicle registration system); never lists of names, makes or addresses.
"""

from __future__ import annotations

# 车身颜色 (GA 802 / GA 24.8): one character each; two-colour bodies print two of them ('红白').
BODY_COLOURS: tuple[str, ...] = tuple("白灰黄粉红紫绿蓝棕黑银金橙") + ("其他",)

# 燃料种类 (GA 24.9 fuel codes).
FUEL_TYPES: tuple[str, ...] = (
    "汽油",
    "柴油",
    "电",
    "纯电动",
    "混合油",
    "天然气",
    "液化石油气",
    "甲醇",
    "乙醇",
    "太阳能",
    "混合动力",
    "插电式混合动力",
    "油电混合",
    "氢",
    "燃料电池",
    "无",
    "其他",
)

# 使用性质 (GA 24.3 use codes).
USE_CHARACTERS: tuple[str, ...] = (
    "非营运",
    "营运",
    "公路客运",
    "公交客运",
    "出租客运",
    "预约出租客运",
    "旅游客运",
    "租赁",
    "货运",
    "危化品运输",
    "教练",
    "幼儿校车",
    "小学生校车",
    "中小学生校车",
    "初中生校车",
    "其他校车",
    "营转非",
    "出租转非",
    "预约出租转非",
    "警用",
    "消防",
    "救护",
    "工程救险",
    "专项作业",
)

# 车辆类型 (GA 802-2019, the names printed on licences and invoices).
_SIZES = ("大型", "中型", "小型", "微型")
_PASSENGER = (
    "普通客车",
    "双层客车",
    "卧铺客车",
    "铰接客车",
    "越野客车",
    "专用客车",
    "专用校车",
    "轿车",
    "面包车",
    "旅居车",
)
_GOODS = (
    "普通货车",
    "厢式货车",
    "封闭货车",
    "罐式货车",
    "平板货车",
    "集装厢车",
    "自卸货车",
    "特殊结构货车",
    "仓栅式货车",
    "车辆运输车",
    "专项作业车",
    "多用途货车",
)
_TRAILERS = ("普通半挂车", "厢式半挂车", "罐式半挂车", "平板半挂车", "自卸半挂车", "仓栅式半挂车", "旅居半挂车")
VEHICLE_TYPES: tuple[str, ...] = (
    tuple(s + p for s in _SIZES for p in _PASSENGER)
    + tuple(s + g for s in ("重型", "中型", "轻型", "微型") for g in _GOODS)
    + tuple(s + t for s in ("重型", "中型", "轻型") for t in _TRAILERS)
    + tuple(s + k for s in ("重型", "中型", "轻型") for k in ("半挂牵引车", "全挂牵引车"))
    + ("低速货车", "三轮汽车", "普通二轮摩托车", "普通三轮摩托车", "轻便二轮摩托车", "轻便三轮摩托车", "轮式专用机械车")
)

# 身份证明名称 (the kinds of identity document the registration system records for an owner): printed between the
# owner's name and number in the 登记证书's 机动车所有人/身份证明名称/号码 ('王京/居民身份证/110108197805184008').
ID_DOCUMENT_NAMES: tuple[str, ...] = (
    "居民身份证",
    "临时居民身份证",
    "居民户口簿",
    "军官证",
    "士兵证",
    "护照",
    "港澳居民来往内地通行证",
    "台湾居民来往大陆通行证",
    "外国人永久居留身份证",
    "组织机构代码证书",
    "统一社会信用代码",
)
