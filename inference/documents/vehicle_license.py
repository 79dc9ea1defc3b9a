"""机动车行驶证 (vehicle licence): main page (plate, owner, VIN, engine number, dates, the issuing seal) and
secondary page (file number, masses, dimensions, inspection record)."""

from __future__ import annotations

from .fields import DocumentRules, FieldRule
from .vocabulary import USE_CHARACTERS, VEHICLE_TYPES

MAIN = (
    FieldRule("号牌号码", "plate", canonical="plate"),
    FieldRule("车辆类型", canonical="vehicle_type", vocabulary=VEHICLE_TYPES),
    FieldRule("所有人", "name", canonical="owner_name"),
    FieldRule("住址", canonical="address", lexicon=True),
    FieldRule("使用性质", canonical="use_character", vocabulary=USE_CHARACTERS),
    FieldRule("品牌型号", canonical="model", lexicon=True),
    FieldRule("车辆识别代号", "vin", where="right_below", canonical="vin", fallback="pattern"),
    FieldRule("发动机号码", "code", canonical="engine_number"),
    FieldRule("注册日期", "date", canonical="registration_date"),
    FieldRule("发证日期", "date"),
    # the seal has no label: stacked lines naming a traffic police office
    FieldRule("印章", fallback="stamp", lexicon=True),
)
SECONDARY = (
    FieldRule("号牌号码", "plate", where="right_below", canonical="plate"),
    FieldRule("档案编号", "number", where="right_below"),
    FieldRule("核定载人数"),
    FieldRule("总质量"),
    FieldRule("整备质量"),
    FieldRule("核定载质量", printed=False),  # blank on a passenger car's licence
    FieldRule("外廓尺寸"),
    FieldRule("准牵引总质量", printed=False),  # blank on a passenger car's licence
    FieldRule("检验有效期至", keep_label=True, fallback="inspection"),
)
ENGLISH = (
    "PlateNo.",
    "VehicleType",
    "Owner",
    "Address",
    "UseCharacter",
    "Model",
    "VIN",
    "EngineNo.",
    "RegisterDate",
    "IssueDate",
    "FileNo.",
    "Remarks",
    "备注",
    "检验记录",
    "中华人民共和国机动车行驶证",
)

RULES = DocumentRules({"main": MAIN, "secondary": SECONDARY}, ENGLISH)
