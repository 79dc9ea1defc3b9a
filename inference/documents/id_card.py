"""居民身份证 (resident ID card): front with name, sex, ethnicity, birth date, address and the GB 11643
number; back with the issuing office and the validity period."""

from __future__ import annotations

from .fields import DocumentRules, FieldRule, parse_date
from .types import FieldValue

FRONT = (
    FieldRule("姓名", "name", canonical="owner_name"),
    FieldRule("性别"),
    FieldRule("民族"),
    FieldRule("出生", "date", canonical="birth_date"),
    FieldRule("住址", multiline=True, canonical="address"),
    FieldRule("公民身份号码", "id", where="right_below", canonical="id_number", fallback="pattern"),
)
BACK = (
    FieldRule("签发机关"),
    FieldRule("有效期限", canonical="id_valid_period"),
)


def _post(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """The birth date printed on the card must be the one encoded in the number."""
    birth, number = fields.get("出生"), fields.get("公民身份号码")
    if birth is not None and number is not None and number.valid:
        printed = parse_date(birth.text)
        encoded = number.text[6:14]
        if printed is not None and printed.strftime("%Y%m%d") != encoded:
            from dataclasses import replace

            fields["出生"] = replace(
                birth,
                valid=False,
                problems=(f"birth date {printed.isoformat()} differs from the one in the ID number ({encoded})",),
            )
    return fields


RULES = DocumentRules({"front": FRONT, "back": BACK}, ("中华人民共和国", "居民身份证"), _post)
