"""居民身份证 (resident ID card): front with name, sex, ethnicity, birth date, address and the GB 11643
number; back with the issuing office and the validity period."""

from __future__ import annotations

from dataclasses import replace

from ..validate.dates import parse_date
from .fields import DocumentRules, FieldRule
from .types import FieldValue

# the 56 ethnic groups a card names (GB/T 3304)
ETHNIC_GROUPS = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼",
    "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
    "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克",
    "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)  # fmt: skip

FRONT = (
    FieldRule("姓名", "name", canonical="owner_name"),
    FieldRule("性别", vocabulary=("男", "女")),
    # printed right of the sex on its row: found there by its value when its short label is misread
    FieldRule("民族", vocabulary=ETHNIC_GROUPS, fallback="row"),
    FieldRule("出生", "date", canonical="birth_date"),
    FieldRule("住址", multiline=True, canonical="address", lexicon=True),
    FieldRule("公民身份号码", "id", where="right_below", canonical="id_number", fallback="pattern"),
)
BACK = (
    FieldRule("签发机关", lexicon=True),
    FieldRule("有效期限", canonical="id_valid_period"),
)


def _post(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """The birth date and the sex printed on the card must be the ones encoded in the number (GB 11643: digits
    7-14 are the birth date, the 17th is odd for a man and even for a woman)."""
    number = fields.get("公民身份号码")
    if number is None or not number.valid:
        return fields
    birth, sex = fields.get("出生"), fields.get("性别")
    if birth is not None:
        printed = parse_date(birth.text)
        encoded = number.text[6:14]
        if printed is not None and printed.strftime("%Y%m%d") != encoded:
            fields["出生"] = replace(
                birth,
                valid=False,
                problems=(f"birth date {printed.isoformat()} differs from the one in the ID number ({encoded})",),
            )
    if sex is not None and sex.text in ("男", "女"):
        encoded_sex = "男" if int(number.text[16]) % 2 else "女"
        if sex.text != encoded_sex:
            fields["性别"] = replace(
                sex, valid=False, problems=(f"sex {sex.text} differs from the one in the ID number ({encoded_sex})",)
            )
    return fields


RULES = DocumentRules({"front": FRONT, "back": BACK}, ("中华人民共和国", "居民身份证"), _post)
