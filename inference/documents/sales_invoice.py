"""机动车销售统一发票 (unified vehicle sales invoice): buyer and ID number, vehicle, VIN, engine number,
amounts. The buyer's ID number is printed right of the first 纳税人识别号, the seller's tax number right
of the second."""

from __future__ import annotations

from .fields import DocumentRules, FieldRule

PAGE = (
    FieldRule("开票日期", "date"),
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
    FieldRule("车辆类型", canonical="vehicle_type"),
    FieldRule("厂牌型号", canonical="model"),
    FieldRule("产地"),
    FieldRule("合格证号", "code"),
    FieldRule("发动机号码", "code", canonical="engine_number"),
    FieldRule("车辆识别代号", "vin", labels=("车辆识别代号/车架号码",), canonical="vin", fallback="pattern"),
    FieldRule("价税合计大写", "words", labels=("价税合计",)),
    FieldRule("价税合计", "amount", labels=("小写",), canonical="price"),
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

RULES = DocumentRules({"1": PAGE}, OTHER_LABELS)
