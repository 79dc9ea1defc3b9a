"""机动车登记证书 (registration certificate): page 1 carries the registration summary and the vehicle
columns; page 2 the transfer/change/mortgage record. The certificate number is printed as 'No.xxxxxxxxxxxx'."""

from __future__ import annotations

from dataclasses import replace

from ..validate.idcard import validate_id_number
from .fields import DocumentRules, FieldRule, read_alternatives, snap_to_vocabulary
from .types import FieldValue
from .vocabulary import BODY_COLOURS, FUEL_TYPES, ID_DOCUMENT_NAMES, USE_CHARACTERS, VEHICLE_TYPES

PAGE1 = (
    FieldRule("登记证书编号", "number", fallback="no", canonical="registration_cert_number"),
    FieldRule("机动车所有人", labels=("机动车所有人/身份证明名称/号码",), canonical="owner", contains="id"),
    FieldRule("登记机关", lexicon=True),
    FieldRule("登记日期", "date"),
    FieldRule("号牌号码", "plate", labels=("机动车登记编号",), canonical="plate"),
    FieldRule("车辆类型", canonical="vehicle_type", vocabulary=VEHICLE_TYPES),
    FieldRule("车辆品牌", lexicon=True),
    FieldRule("车辆型号", canonical="model"),
    FieldRule("车身颜色", vocabulary=BODY_COLOURS),
    FieldRule("车辆识别代号", "vin", canonical="vin", fallback="pattern"),
    FieldRule("发动机号码", "code", labels=("发动机号",), canonical="engine_number"),
    FieldRule("发动机型号", "code"),
    FieldRule("燃料种类", vocabulary=FUEL_TYPES),
    FieldRule("排量/功率"),
    FieldRule("制造厂名称", lexicon=True),
    FieldRule("外廓尺寸"),
    FieldRule("总质量"),
    FieldRule("核定载客"),
    FieldRule("使用性质", canonical="use_character", vocabulary=USE_CHARACTERS),
    FieldRule("车辆出厂日期", "date"),
    FieldRule("发证日期", "date"),
)
PAGE2 = (FieldRule("登记证书编号", "number", fallback="no", canonical="registration_cert_number"),)
OTHER_LABELS = (
    "国产/进口",
    "转向形式",
    "轮胎数",
    "钢板弹簧片数",
    "轮胎规格",
    "轴数",
    "轴距",
    "轮距",
    "货厢内部尺寸",
    "核定载质量",
    "准牵引总质量",
    "驾驶室载客",
    "车辆获得方式",
    "发证机关章",
    "注册登记",
    "摘要信息栏",
)

# page 1's vehicle columns are numbered: '1.车辆类型' ... '30.发证日期'
NUMBERS = {
    label: k
    for k, label in enumerate(
        "车辆类型 车辆品牌 车辆型号 车身颜色 车辆识别代号 国产/进口 发动机号 发动机型号 燃料种类 排量/功率 制造厂名称 "
        "转向形式 轮距 轮胎数 轮胎规格 钢板弹簧片数 轴距 轴数 外廓尺寸 货厢内部尺寸 总质量 核定载质量 核定载客 "
        "准牵引总质量 驾驶室载客 使用性质 车辆获得方式 车辆出厂日期 发证机关章 发证日期".split(),
        start=1,
    )
}


def _split_owner(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """'金峰/居民身份证/440305199506098713' -> owner name and ID number for the cross-checks; the kind of identity
    document between them snapped to its closed vocabulary ('蓝民身份证' -> '居民身份证')."""
    owner = fields.get("机动车所有人")
    if owner is None:
        return fields
    parts = owner.text.split("/")
    if len(parts) >= 3:
        start = len(parts[0]) + 1
        alts = owner.alternatives[start : start + len(parts[1])] if len(owner.alternatives) == len(owner.text) else None
        kind = snap_to_vocabulary(parts[1], alts, ID_DOCUMENT_NAMES)
        if kind != parts[1]:
            text = "/".join((parts[0], kind, *parts[2:]))
            owner = replace(owner, text=text, alternatives=read_alternatives(text, owner.alternatives))
            fields["机动车所有人"] = owner
        fields["_owner_name"] = replace(owner, name="owner_name", text=parts[0])
        number = parts[-1].upper()
        idc = validate_id_number(number)
        fields["_owner_id"] = replace(owner, name="id_number", text=number, valid=idc.valid, problems=idc.problems)
    return fields


RULES = DocumentRules({"1": PAGE1, "2": PAGE2}, OTHER_LABELS, _split_owner, NUMBERS)
