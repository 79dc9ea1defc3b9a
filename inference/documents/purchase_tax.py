"""车辆购置税完税证明 (vehicle purchase tax certificate): taxpayer, ID number, vehicle, VIN, engine
number, taxable price and tax; the certificate number is printed 'No.xxxx'."""

from __future__ import annotations

from .fields import DocumentRules, FieldRule

PAGE = (
    FieldRule("完税证明号码", "number", fallback="no"),
    FieldRule("纳税人名称", "name", canonical="owner_name"),
    FieldRule("身份证号码", "id", labels=("纳税人证件号码",), canonical="id_number", fallback="pattern"),
    FieldRule("生产企业名称", where="right_below", lexicon=True),
    FieldRule("厂牌型号", canonical="model", lexicon=True),
    FieldRule("发动机号码", "code", canonical="engine_number"),
    FieldRule("车辆识别代号", "vin", canonical="vin", fallback="pattern"),
    FieldRule("计税价格", "amount"),
    FieldRule("税额", "amount", fallback="amount"),  # the certificate prints two amounts: 计税价格 and 税额
    FieldRule("征收机关", labels=("征收机关名称",), lexicon=True),
    FieldRule("填发日期", "date", fallback="pattern"),  # the only date on the certificate
)
OTHER_LABELS = ("车辆类别", "备注", "车辆购置税完税证明", "(正本)")

RULES = DocumentRules({"1": PAGE}, OTHER_LABELS)
