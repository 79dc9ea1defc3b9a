"""Case review: the application + the uploaded pages -> completeness, cross-checks, findings, notices and a
decision.

Every finding has a rule id, a severity, the documents and fields involved and a message in Chinese and
English that the citizen can act on. The decision is ``refer_to_officer`` when anything needs a human
(possible forgery, a VIN or ID number that fails its check), ``needs_correction`` when the citizen can fix
it (a missing document, a mismatch, a photo of a screen, a page whose VIN or ID number cannot be read), else
``pass``. Nothing is ever rejected outright.

A difference between two values is a mismatch only where the reader was sure of the characters that differ
(:mod:`inference.validate.doubt`); a difference at characters it could not read clearly is reported as such
(``XCHECK.UNCERTAIN``, a warning for the officer who processes the case), and a VIN or ID number that fails
its check at unclear characters asks for a sharper photo instead of an officer's check.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..types import Frame
from ..validate.dates import DATE_PATTERN, parse_date
from ..validate.doubt import CONFUSABLE, LOW_CHAR_CONFIDENCE, char_doubt
from .authenticity import BEZEL, screen_supported
from .fields import model_code, normalise, validate_value
from .rules import rules_for
from .types import (
    DOC_NAMES,
    Alternatives,
    CaseReview,
    Decision,
    DocType,
    DocumentRead,
    FieldValue,
    Finding,
    Severity,
)

# ------------------------------------------------------------------------------------------ businesses


@dataclass(frozen=True, slots=True)
class Business:
    key: str
    zh: str
    en: str
    required: tuple[DocType, ...]
    # documents that show the previous owner (transfer): left out of the owner cross-checks
    previous_owner_docs: tuple[DocType, ...] = ()


BUSINESSES: Mapping[str, Business] = MappingProxyType(
    {
        b.key: b
        for b in (
            Business(
                "registration",
                "注册登记",
                "first registration",
                (
                    DocType.id_card,
                    DocType.sales_invoice,
                    DocType.purchase_tax,
                    DocType.insurance_policy,
                    DocType.conformity_certificate,
                ),
            ),
            Business(
                "transfer",
                "转移登记",
                "transfer of ownership",
                (
                    DocType.id_card,
                    DocType.registration_certificate,
                    DocType.vehicle_license,
                    DocType.sales_invoice,
                    DocType.insurance_policy,
                ),
                previous_owner_docs=(DocType.registration_certificate, DocType.vehicle_license),
            ),
            Business(
                "change",
                "变更登记",
                "change of registered particulars",
                (DocType.id_card, DocType.registration_certificate, DocType.vehicle_license),
            ),
            Business(
                "mortgage", "抵押登记", "mortgage registration", (DocType.id_card, DocType.registration_certificate)
            ),
            Business(
                "replacement",
                "补换领",
                "replacement of certificate or plates",
                (DocType.id_card, DocType.registration_certificate),
            ),
        )
    }
)
_ALIASES = {b.zh: b.key for b in BUSINESSES.values()} | {"补领": "replacement", "换领": "replacement"}


class ApplicationError(ValueError):
    """An application that cannot be used: unknown business, unknown or mistyped fields."""


def business_of(name: str) -> Business:
    key = _ALIASES.get(name.strip(), name.strip().lower())
    if key not in BUSINESSES:
        raise ApplicationError(f"unknown business {name!r}; expected one of {sorted(BUSINESSES)} or {sorted(_ALIASES)}")
    return BUSINESSES[key]


# -------------------------------------------------------------------------------------------- application

_APPLICANT_KEYS = {"name": "owner_name", "id_number": "id_number"}
_VEHICLE_KEYS = {"vin": "vin", "plate": "plate", "model": "model", "engine_number": "engine_number"}


@dataclass(frozen=True, slots=True)
class Application:
    business: Business
    values: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # canonical name -> value
    date: dt.date | None = None  # the day the documents must be valid on (the review's day when not given)

    @classmethod
    def from_dict(cls, raw: Any, business: str | None = None) -> Application:
        """``{"business": "transfer", "applicant": {"name", "id_number"}, "vehicle": {"vin", "plate",
        "model", "engine_number"}, "date": "2026-12-07"}``; every key optional but ``business`` (or the argument).
        ``date``: the day the documents must be valid on, when it is not the day of the review."""
        if not isinstance(raw, Mapping):
            raise ApplicationError(f"the application must be a JSON object, got {type(raw).__name__}")
        unknown = sorted(set(raw) - {"business", "applicant", "vehicle", "date"})
        if unknown:
            raise ApplicationError(f"unknown application fields {unknown}; expected business, applicant, vehicle, date")
        day = raw.get("date")
        if day is not None:
            try:
                day = dt.date.fromisoformat(day) if isinstance(day, str) and len(day) == 10 else None
            except ValueError:
                day = None
            if day is None:
                raise ApplicationError(f"date must be a day as YYYY-MM-DD, got {raw.get('date')!r}")
        name = raw.get("business", business)
        if name is None:
            raise ApplicationError('the application names no business (e.g. "transfer" or "转移登记")')
        if not isinstance(name, str):
            raise ApplicationError(f"business must be a string, got {type(name).__name__}")
        values: dict[str, str] = {}
        for part, keys in (("applicant", _APPLICANT_KEYS), ("vehicle", _VEHICLE_KEYS)):
            sub = raw.get(part) or {}
            if not isinstance(sub, Mapping):
                raise ApplicationError(f"{part} must be an object, got {type(sub).__name__}")
            bad = sorted(set(sub) - set(keys))
            if bad:
                raise ApplicationError(f"unknown {part} fields {bad}; expected some of {sorted(keys)}")
            for key, canonical in keys.items():
                value = sub.get(key)
                if value is None:
                    continue
                if not isinstance(value, str) or not value.strip():
                    raise ApplicationError(f"{part}.{key} must be a non-empty string, got {value!r}")
                values[canonical] = value.strip()
        return cls(business_of(name), MappingProxyType(values), day)


# --------------------------------------------------------------------------------------------- helpers

FIELD_NAMES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "vin": ("车辆识别代号(VIN)", "VIN"),
        "plate": ("号牌号码", "plate number"),
        "owner_name": ("姓名/所有人", "owner name"),
        "id_number": ("身份证号码", "ID number"),
        "engine_number": ("发动机号码", "engine number"),
        "model": ("车辆型号", "vehicle model"),
    }
)
KEY_FIELDS: Mapping[DocType, tuple[str, ...]] = MappingProxyType(
    {
        DocType.id_card: ("owner_name", "id_number"),
        DocType.vehicle_license: ("plate", "vin", "owner_name"),
        DocType.registration_certificate: ("vin",),
        DocType.sales_invoice: ("vin", "owner_name"),
        DocType.purchase_tax: ("vin",),
        DocType.insurance_policy: ("vin", "owner_name"),
        DocType.conformity_certificate: ("vin",),
    }
)
# Without these the case cannot be cross-checked: a page on which they cannot be read is retaken (a VIN read
# short by the recogniser hid another vehicle's VIN on 3 of 30 generated mismatched cases).
BLOCKING_FIELDS = frozenset({"vin", "id_number"})
# a field read surely that breaks its rules: the finding, its severity and its notices ({doc}: the document's name,
# {text}: the value)
_FAILED_CHECKS: Mapping[str, tuple[str, Severity, str, str]] = MappingProxyType(
    {
        "vin": (
            "FIELD.VIN_CHECK",
            Severity.refer,
            "{doc}上的车辆识别代号{text}未通过校验位检查，可能有误或不是真实证件，将由工作人员核对。",
            "The VIN {text} on the {doc} fails the check digit: it is misprinted, misread or not genuine; an officer "
            "will check it.",
        ),
        "id_number": (
            "FIELD.ID_CHECKSUM",
            Severity.refer,
            "{doc}上的身份证号码{text}不符合校验规则，将由工作人员核对。",
            "The ID number {text} on the {doc} fails the GB 11643 check; an officer will check it.",
        ),
        # a warning, not a referral: no other document carries the number to compare it with, and the recogniser
        # misreads one surely now and then (1 of 28 dev invoices of seed 6601)
        "seller_tax_id": (
            "FIELD.TAX_ID_CHECK",
            Severity.warning,
            "{doc}上的销货单位纳税人识别号识别为{text}，不符合统一社会信用代码的校验规则：工作人员将核对原件。",
            "The seller's taxpayer number on the {doc} reads {text}, which fails the unified social credit code check "
            "(GB 32100): misread, misprinted or not genuine; an officer will compare the original.",
        ),
        "plate": (
            "FIELD.PLATE_GRAMMAR",
            Severity.warning,
            "{doc}上的号牌号码{text}格式不正确：请确认号牌号码。",
            "The plate number {text} on the {doc} is not a valid plate: check it.",
        ),
    }
)
# fields with a check character: the finding when one fails its check, and how a notice names it
_CHECK_CODES: Mapping[str, str] = MappingProxyType(
    {name: _FAILED_CHECKS[name][0] for name in ("vin", "id_number", "seller_tax_id")}
)
_CHECKED_NAMES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {**FIELD_NAMES, "seller_tax_id": ("销货单位纳税人识别号", "seller's taxpayer number")}
)
_AUTH_MESSAGES = {
    "screen_recapture": (
        Severity.error,
        "AUTH.SCREEN",
        # the retake advice: a paper page framed by a dark folder also looks like a screen in its bezel (a known
        # weakness of the screen models), and the same page on a plain light surface is read as paper
        "{doc}看起来是对着屏幕拍摄的：请将纸质原件平放在浅色、无图案的平面上拍摄（不要放在深色文件夹或边框中）。",
        "The {doc} looks like a photo of a screen: photograph the paper original laid flat on a plain, light "
        "surface (not on a dark folder or in a frame).",
    ),
    "photocopy": (
        Severity.error,
        "AUTH.PHOTOCOPY",
        "{doc}看起来是复印件或打印扫描件：请上传原件的彩色照片或彩色扫描件。",
        "The {doc} looks like a photocopy or a printed scan: upload a colour photo or colour scan of the original.",
    ),
    "tampered": (
        Severity.refer,
        "AUTH.TAMPERED",
        "{doc}的部分区域疑似经过数字修改，将由工作人员核对原件。",
        "Parts of the {doc} look digitally altered; an officer will check it against the original.",
    ),
}
# the photocopy notice for a page whose paper an app lifted to white or one flat tone (``Forensics.whitened``): an
# enhanced page without colour is most often a scanner app's black-and-white mode, which the citizen can switch off
_WHITENED_COPY = (
    "{doc}是黑白图片（扫描软件的黑白模式或复印件）：请上传原件的彩色照片或彩色扫描件。",
    "The {doc} is in black and white (a scanner app's black-and-white mode, or a photocopy): upload a colour photo or "
    "colour scan of the original.",
)
_QUALITY_MESSAGES = {
    "blur": (
        "{doc}照片模糊：请对焦后重新拍摄。",
        "The photo of the {doc} is blurred: hold still, focus and retake it.",
    ),
    "glare": (
        "{doc}有反光：请避开灯光直射重新拍摄。",
        "The {doc} has glare: move away from direct light and retake it.",
    ),
    "dark": ("{doc}照片太暗：请在光线充足处重新拍摄。", "The photo of the {doc} is too dark: retake it in good light."),
    "overexposed": ("{doc}照片过亮：请重新拍摄。", "The photo of the {doc} is overexposed: retake it."),
    "small": (
        "{doc}图像太小：请靠近拍摄，使证件占满画面。",
        "The image of the {doc} is too small: come closer so the document fills the frame.",
    ),
    "text_small": (
        "{doc}在画面中太小，文字无法看清：请靠近拍摄，使证件占满画面。",
        "The {doc} is too far away to read: come closer so the document fills the frame.",
    ),
    "text_blur": (
        "{doc}上的文字模糊，无法看清：请对焦、拿稳并靠近拍摄，使证件占满画面后重新拍摄。",
        "The text on the {doc} is too blurred for its size to be read: focus, hold still and come closer so "
        "the document fills the frame, then retake it.",
    ),
    "unreadable": (
        "{doc}上的大部分文字无法辨认：请在光线充足、无反光处对焦拍摄，使证件占满画面后重新拍摄。",
        "Most of the text on the {doc} cannot be made out: retake it in focus, in good light without glare, "
        "with the document filling the frame.",
    ),
    "cropped": (
        "{doc}边缘被裁切：请拍摄完整的证件，四边都要在画面内。",
        "The {doc} is cut off at the edge: photograph the whole document with all four edges visible.",
    ),
}


def _doc_label(d: DocumentRead, lang: str) -> str:
    zh, en = DOC_NAMES[d.doc.doc_type]
    name = zh if lang == "zh" else en
    return f"{name}（{d.source}）" if lang == "zh" and d.source else (f"{name} ({d.source})" if d.source else name)


def _blank_names(d: DocumentRead) -> set[str]:
    """The canonical names of ``d``'s printed fields found blank (``DocumentRead.blank_fields``): reported as blank,
    not as unreadable."""
    if not d.blank_fields:
        return set()
    return {
        r.canonical for r in rules_for(d.doc.doc_type).of_page(d.doc.page) if r.key in d.blank_fields and r.canonical
    }


def _canonical_fields(d: DocumentRead) -> dict[str, FieldValue]:
    out: dict[str, FieldValue] = {}
    for v in d.fields.values():
        if v.name in FIELD_NAMES and v.text and v.name not in out:
            out[v.name] = v
    return out


def comparable(name: str, text: str) -> str:
    t = normalise(text).upper()
    if name == "model":
        return model_code(t)
    if name == "plate":
        return t.replace("·", "").replace(".", "")
    return t


def comparable_read(name: str, v: FieldValue) -> tuple[str, tuple[Alternatives, ...]]:
    """:func:`comparable` of a value with its per-character alternatives lined up with it (upper-cased);
    no alternatives when the value has none or they cannot be lined up."""
    comp = comparable(name, v.text)
    if len(v.alternatives) != len(v.text):
        return comp, ()
    kept: list[tuple[str, Alternatives]] = []
    for ch, alts in zip(v.text, v.alternatives, strict=True):
        n = normalise(ch).upper()
        if name == "plate" and n in ("·", "."):
            continue
        if len(n) > 1:
            return comp, ()
        if n:
            kept.append((n, tuple((normalise(c).upper(), p) for c, p in alts)))
    text = "".join(c for c, _ in kept)
    start = text.find(comp) if name == "model" else (0 if text == comp else -1)
    if start < 0 or not comp:
        return comp, ()
    return comp, tuple(a for _, a in kept[start : start + len(comp)])


# values whose readings have no rule (check digit, grammar) to tell a cut-off end character from a real difference
_ENDS_DOUBTED = frozenset({"engine_number"})


def _one_char_apart(short: str, long: str) -> int | None:
    """The position of the one extra character of ``long`` when deleting it gives ``short``, else None."""
    if len(long) != len(short) + 1:
        return None
    k = next((i for i, (x, y) in enumerate(zip(short, long, strict=False)) if x != y), len(short))
    return k if long[:k] + long[k + 1 :] == short else None


def uncertain_difference(
    a: str,
    a_alts: Sequence[Alternatives],
    b: str,
    b_alts: Sequence[Alternatives] = (),
    a_valid: bool = True,
    b_valid: bool = True,
    ends_doubted: bool = False,
) -> tuple[str, ...] | None:
    """Why two different comparable values may be one text misread (a reason per differing position), or
    None when at least one difference is sure: at some position neither reading doubts its character and the
    two are not look-alikes, or the lengths differ. Look-alike characters (0/D/Q/8/U, 5/S, 8/B, ...) are a misread
    at any confidence between documents: 3 of the 12 look-alike misreads of the dev pages were read at 0.98 or
    more (an S for a printed 5 at 0.9997), generated complete cases read engine numbers' D as 0 at 0.9994 and
    Q as 0 at 0.980, and two vehicles' identifiers do not differ by look-alikes alone. A character missing from
    (or added to) a reading that breaks its own rules (a plate without its province, a VIN of 16 characters;
    ``a_valid`` / ``b_valid`` false) is a misread too. With ``ends_doubted`` (values with no rule of their own to
    break: engine numbers), so is a character missing at either end of one reading: the first or last character of
    a line is the one its text box most often cuts (generated complete cases read 'PJ61687075' as 'J61687075')."""
    if a == b:
        return None
    if len(a) != len(b):
        short, long = sorted((a, b), key=len)
        k = _one_char_apart(short, long)
        if k is None:
            return None
        broken = next((text for text, valid in ((a, a_valid), (b, b_valid)) if not valid), None)
        if broken is not None:
            what = "lacks" if len(broken) < len(long) else "has an extra"
            return (f"position {k + 1}: the reading {broken!r}, which breaks its rules, {what} a character",)
        if ends_doubted and k in (0, len(short)):
            end = "first" if k == 0 else "last"
            return (f"position {k + 1}: {short!r} lacks the {end} character of {long!r}, the one a line's box cuts",)
        return None
    reasons = []
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if x == y:
            continue
        if frozenset((x, y)) in CONFUSABLE:
            why: str | None = f"{x!r} and {y!r} look alike"
        else:
            why = char_doubt(x, a_alts[i][0][1], a_alts[i][1:], y) if a_alts else None
        if why is None and b_alts:
            why = char_doubt(y, b_alts[i][0][1], b_alts[i][1:], x)
        if why is None:
            return None
        reasons.append(f"position {i + 1}: {why}")
    return tuple(reasons)


def _unclear_positions(v: FieldValue) -> list[int]:
    return [i + 1 for i, a in enumerate(v.alternatives) if a[0][1] < LOW_CHAR_CONFIDENCE]


# ---------------------------------------------------------------------------------------------- rules


def _completeness(business: Business, docs: Sequence[DocumentRead]) -> tuple[list[Finding], list[str]]:
    findings, missing = [], []
    present = {d.doc.doc_type for d in docs}
    for t in business.required:
        if t not in present:
            zh, en = DOC_NAMES[t]
            missing.append(t.value)
            findings.append(
                Finding(
                    "DOC.MISSING",
                    Severity.error,
                    f"缺少{zh}：{business.zh}需要提交{zh}。",
                    f"The {en} is missing: {business.en} requires it.",
                    (),
                    (),
                    MappingProxyType({"doc_type": t.value}),
                )
            )
    pages = {(d.doc.doc_type, page) for d in docs for page in (d.doc.page, *d.pages_shown)}
    if DocType.id_card in present and (DocType.id_card, "back") not in pages:
        findings.append(
            Finding(
                "DOC.PAGE_MISSING",
                Severity.warning,
                "请同时上传身份证背面（签发机关和有效期限）。",
                "Upload the back of the ID card as well (issuing office and validity).",
                (),
                (),
                MappingProxyType({"doc_type": "id_card", "page": "back"}),
            )
        )
    for d in docs:
        if d.doc.doc_type is DocType.other and d.is_document:  # no document at all has a notice of its own
            findings.append(
                Finding(
                    "DOC.UNRECOGNISED",
                    Severity.warning,
                    f"文件{d.source}不是{business.zh}所需的材料，请确认是否上传错了文件。",
                    f"{d.source} is not one of the documents {business.en} needs: "
                    "check that the right file was uploaded.",
                    (d.source,),
                )
            )
    return findings, missing


# two uploads show the same page of one document when at least this many of the fields both read agree, and this
# share of them: two photos of one page differ by a misread here and there; two people's ID cards agree on their sex
# and ethnicity at most, two ID backs of one office on the office alone
DUPLICATE_MIN_AGREEING = 2
DUPLICATE_SHARE = 2 / 3
_PAGE_WORDS = {
    "front": ("正面", "front"),
    "back": ("背面", "back"),
    "main": ("主页", "main page"),
    "secondary": ("副页", "secondary page"),
}


def _same_page(a: DocumentRead, b: DocumentRead) -> bool:
    if (a.doc.doc_type, a.doc.page) != (b.doc.doc_type, b.doc.page):
        return False
    common = [k for k in a.fields if k in b.fields and not k.startswith("_")]  # '_': parts of another field
    agree = sum(normalise(a.fields[k].text) == normalise(b.fields[k].text) for k in common)
    return agree >= DUPLICATE_MIN_AGREEING and agree >= DUPLICATE_SHARE * len(common)


def _duplicates(docs: Sequence[DocumentRead]) -> list[Finding]:
    """An upload showing the same page of the same document as an earlier one (:func:`_same_page`): most often the
    citizen meant another page (the ID card's back) or another document, and the notice names both files."""
    findings: list[Finding] = []
    first: list[DocumentRead] = []
    for d in docs:
        if not d.is_document or d.doc.doc_type is DocType.other:
            continue
        same = next((e for e in first if _same_page(e, d)), None)
        if same is None:
            first.append(d)
            continue
        zh, en = DOC_NAMES[d.doc.doc_type]
        page_zh, page_en = _PAGE_WORDS.get(d.doc.page, (f"第{d.doc.page}页", f"page {d.doc.page}"))
        findings.append(
            Finding(
                "DOC.DUPLICATE",
                Severity.warning,
                f"{d.source}与{same.source}是同一份{zh}的{page_zh}：如果想上传的是另一页或另一份材料，请重新上传。",
                f"{d.source} shows the same {page_en} of the same {en} as {same.source}: if another page or "
                "document was meant, upload that one.",
                (d.source, same.source),
                (),
                MappingProxyType({"doc_type": d.doc.doc_type.value, "page": d.doc.page}),
            )
        )
    return findings


# the field printing how long a document is valid
_VALIDITY_FIELDS = {
    DocType.id_card: "有效期限",
    DocType.insurance_policy: "保险期间",
    DocType.vehicle_license: "检验有效期至",
}
_MONTH = re.compile(r"有效期至(\d{4})年(\d{1,2})月")


def _validity(d: DocumentRead) -> tuple[str, FieldValue, dt.date | None, dt.date] | None:
    """The first and the last day a document is valid on, as printed: an ID card's 有效期限 (not 长期), a 交强险
    policy's 保险期间, a 行驶证's 检验有效期至 (to the month's end; no first day); with its field. None when the page
    prints none or it was not read as days with every character sure (a misread year must not call a valid document
    expired)."""
    t = d.doc.doc_type
    key = _VALIDITY_FIELDS.get(t)
    v = d.fields.get(key) if key is not None else None
    if key is None or v is None or _unclear_positions(v):
        return None
    text = normalise(v.text)
    if t is DocType.vehicle_license:
        m = _MONTH.search(text)
        if m is None or not 1 <= int(m.group(2)) <= 12:
            return None
        year, month = int(m.group(1)), int(m.group(2))
        return key, v, None, dt.date(year, month, calendar.monthrange(year, month)[1])
    days = [parse_date(m.group(0)) for m in DATE_PATTERN.finditer(text)]
    if "长期" in text or len(days) != 2:
        return None
    first, last = days
    if first is None or last is None or first >= last:
        return None
    return key, v, first, last


_EXPIRED = {
    DocType.id_card: (
        "DOC.ID_EXPIRED",
        Severity.error,
        "{source}中的身份证有效期限至{end}，已过期：请提交有效期内的身份证。",
        "The ID card in {source} was valid until {end}: submit an ID card that is still valid.",
    ),
    DocType.insurance_policy: (
        "DOC.INSURANCE_EXPIRED",
        Severity.error,
        "{source}中的交强险保单保险期间至{end}，已结束：请提交保险期间内的交强险保单。",
        "The compulsory insurance policy in {source} ran until {end}: submit a policy that is in force.",
    ),
    DocType.vehicle_license: (
        "DOC.INSPECTION_EXPIRED",
        Severity.warning,
        "{source}中的行驶证检验有效期至{end}，已过期：请先对机动车进行安全技术检验。",
        "The vehicle licence in {source} shows the inspection valid until {end}: have the vehicle inspected first.",
    ),
}


_NOT_STARTED = (
    "DOC.INSURANCE_NOT_STARTED",
    Severity.warning,
    "{source}中的交强险保单保险期间自{start}起，尚未开始：机动车办理登记时应已投保。",
    "The compulsory insurance policy in {source} starts on {start}: the vehicle must be insured when it is registered.",
)


def _zh_day(day: dt.date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def _expired(readable: Sequence[DocumentRead], on: dt.date) -> list[Finding]:
    """Documents not valid on ``on`` (of the pages that pass the quality check): an expired ID card or 交强险 policy
    must be replaced (an error); a 行驶证 whose inspection has run out, or a policy that starts later, is a warning,
    the officer deciding what the business needs."""
    findings: list[Finding] = []
    for d in readable:
        validity = _validity(d)
        if validity is None:
            continue
        key, v, start, end = validity
        if end < on:
            rule, severity, zh, en = _EXPIRED[d.doc.doc_type]
        elif start is not None and start > on and d.doc.doc_type is DocType.insurance_policy:
            rule, severity, zh, en = _NOT_STARTED
        else:
            continue
        if d.doc.doc_type is DocType.vehicle_license:  # a month
            end_zh, end_en = f"{end.year}年{end.month:02d}月", f"{end.year}-{end.month:02d}"
        else:
            end_zh, end_en = _zh_day(end), end.isoformat()
        start_zh, start_en = (_zh_day(start), start.isoformat()) if start is not None else ("", "")
        findings.append(
            Finding(
                rule,
                severity,
                zh.format(source=d.source, end=end_zh, start=start_zh),
                en.format(source=d.source, end=end_en, start=start_en),
                (d.source,),
                (key,),
                MappingProxyType(
                    {
                        "valid_from": f"{start or ''}",
                        "valid_until": end.isoformat(),
                        "on": on.isoformat(),
                        "read": v.text,
                    }
                ),
            )
        )
    return findings


@dataclass(frozen=True, slots=True)
class _Known:
    """A value of a checked kind (VIN, ID number) that passes its check, and where it was found."""

    text: str
    alts: tuple[Alternatives, ...]
    source: str | None  # None: the application
    zh: str
    en: str


def _valid_values(docs: Sequence[DocumentRead], app: Application | None) -> dict[str, list[_Known]]:
    known: dict[str, list[_Known]] = {"vin": [], "id_number": []}
    if app is not None:
        for name, kind in (("vin", "vin"), ("id_number", "id")):
            if name in app.values and validate_value(kind, comparable(name, app.values[name]))[0]:
                known[name].append(_Known(comparable(name, app.values[name]), (), None, "申请表", "application"))
    for d in docs:
        for name, v in _canonical_fields(d).items():
            if name in known and v.valid:
                comp, alts = comparable_read(name, v)
                known[name].append(_Known(comp, alts, d.source, _doc_label(d, "zh"), _doc_label(d, "en")))
    return known


def _misread_of(name: str, d: DocumentRead, v: FieldValue, known: Mapping[str, Sequence[_Known]]) -> _Known | None:
    """The valid value found elsewhere that ``v`` (which fails its check) differs from only at characters the
    reader could not read clearly: ``v`` is then most likely a misread of it."""
    got, alts = comparable_read(name, v)
    for k in known.get(name, ()):
        if k.source != d.source and uncertain_difference(got, alts, k.text, k.alts, a_valid=False) is not None:
            return k
    return None


def _per_document(d: DocumentRead, known: Mapping[str, Sequence[_Known]] = MappingProxyType({})) -> list[Finding]:
    if not d.is_document:  # its quality and authenticity are not a document's: one notice says what to send
        return [
            Finding(
                "DOC.NOT_A_DOCUMENT",
                Severity.error,
                f"文件{d.source}中没有识别出证件或单据：请确认上传的是所需材料本身，并拍摄清晰、完整的照片或扫描件。",
                f"No document could be recognised in {d.source}: check that it is the document itself, and upload "
                "a sharp, complete photo or scan of it.",
                (d.source,),
            )
        ]
    findings: list[Finding] = []
    zh, en = _doc_label(d, "zh"), _doc_label(d, "en")
    for issue in d.quality.issues:
        mzh, men = _QUALITY_MESSAGES[issue.code]
        findings.append(
            Finding(
                f"QUAL.{issue.code.upper()}",
                Severity.error,  # a page that cannot be read cannot be pre-reviewed: the citizen retakes it
                mzh.format(doc=zh),
                men.format(doc=en),
                (d.source,),
                (),
                MappingProxyType({"value": f"{issue.value:.3g}", "limit": f"{issue.limit:.3g}"}),
            )
        )
    # a scanner app lifted the paper to white or to one flat tone: the noise cues did not judge the page
    whitened = d.authenticity is not None and d.authenticity.forensics is not None and d.authenticity.forensics.whitened
    if d.authenticity is not None and d.authenticity.verdict != "genuine":
        sev, rule, mzh, men = _AUTH_MESSAGES[d.authenticity.verdict]
        if d.authenticity.verdict == "photocopy" and whitened:
            mzh, men = _WHITENED_COPY
        alarm = d.authenticity.alarm or d.authenticity.verdict
        score, threshold = d.authenticity.scores[alarm], d.authenticity.thresholds[alarm]
        evidence = {"alarm": alarm, "score": f"{score:.3f}", "threshold": f"{threshold:.3f}"}
        frame = d.authenticity.scores.get(BEZEL, 0.0)
        # a screen's frame in view, counted in the score (where the patches within the page see a screen too)
        if alarm == "screen_recapture" and frame >= threshold and screen_supported(d.authenticity.scores):
            evidence["screen_frame"] = f"{frame:.3f}"
        if d.authenticity.tamper_regions:
            evidence["regions_xyxy"] = "; ".join(
                ",".join(f"{v:.0f}" for v in r.box_xyxy) for r in d.authenticity.tamper_regions
            )
        findings.append(
            Finding(rule, sev, mzh.format(doc=zh), men.format(doc=en), (d.source,), (), MappingProxyType(evidence))
        )
    elif whitened:
        # for the officer (info: no notice to the citizen, no effect on the decision): a scanner app's enhancement
        # took the camera's noise with it, so the noise cues could not look for edits on this page
        findings.append(
            Finding(
                "AUTH.ENHANCED",
                Severity.info,
                f"{zh}是经软件增强处理的图片（纸面被调成纯白或单一底色），无法从图像噪声检查修改痕迹；如有疑问请核对原件。",
                f"The {en} was enhanced by an app (its paper lifted to pure white or one flat tone), so its pixels' "
                "noise could not be checked for edits; compare the original if in doubt.",
                (d.source,),
            )
        )
    if not d.quality.ok:
        return findings  # its reads are not evidence: the retake notice says what to do, fields wait for it
    fields = _canonical_fields(d)
    # back pages carry none of the key fields (a sheet showing the front as well does)
    main_page = bool({d.doc.page, *d.pages_shown} & {"front", "main", "1"})
    blank = _blank_names(d)  # a value erased is no photo's fault: FIELD.BLANK below says so instead
    for name in KEY_FIELDS.get(d.doc.doc_type, ()) if main_page else ():
        if name not in fields and name not in blank:
            fzh, fen = FIELD_NAMES[name]
            blocking = name in BLOCKING_FIELDS
            findings.append(
                Finding(
                    "FIELD.UNREADABLE",
                    Severity.error if blocking else Severity.warning,
                    f"无法读取{zh}上的{fzh}"
                    + ("，无法核对：请拍摄清晰完整的原件后重新上传。" if blocking else "：请拍摄清晰完整的原件。"),
                    f"The {fen} on the {en} could not be read"
                    + (
                        ", so it cannot be checked: photograph the whole original clearly and upload it again."
                        if blocking
                        else ": photograph the whole original clearly."
                    ),
                    (d.source,),
                    (name,),
                )
            )
    for key in d.blank_fields:  # the label printed, and blank paper where the value is printed
        findings.append(
            Finding(
                "FIELD.BLANK",
                Severity.refer,
                f"{zh}上“{key}”一栏为空白，原件在此印有内容：可能被涂改，将由工作人员核对原件。",
                f"The {key} field on the {en} is blank where an original prints its value: it may have been erased; "
                "an officer will check the original.",
                (d.source,),
                (key,),
            )
        )
    for key, v in d.fields.items():
        if v.valid or not v.text:
            continue
        unclear = _unclear_positions(v) if v.name in _CHECK_CODES else []
        like = _misread_of(v.name, d, v, known) if v.name in ("vin", "id_number") else None
        if like is not None:
            fzh, fen = FIELD_NAMES[v.name]
            findings.append(
                Finding(
                    _CHECK_CODES[v.name],
                    Severity.warning,
                    f"{zh}上的{fzh}识别为{v.text}，未通过校验；它与{like.zh}上通过校验的“{like.text}”只在不清晰的字符处"
                    "不同，多半是识别有误：工作人员将核对原件，也可重新拍摄清晰的照片。",
                    f"The {fen} on the {en} reads {v.text}, which fails its check; it differs from the valid "
                    f"'{like.text}' on the {like.en} only at unclear characters, so it is most likely misread: an "
                    "officer will compare the original; a sharper photo helps.",
                    (d.source,) + ((like.source,) if like.source else ()),
                    (key,),
                    MappingProxyType({"problems": "; ".join(v.problems), "likely": like.text, "field": v.name}),
                )
            )
        elif unclear:
            fzh, fen = _CHECKED_NAMES[v.name]
            at = ", ".join(map(str, unclear))
            findings.append(
                Finding(
                    _CHECK_CODES[v.name],
                    Severity.warning,
                    f"{zh}上的{fzh}识别为{v.text}，未通过校验，但第{at}位字符不清晰：请重新拍摄清晰的照片，"
                    "否则将由工作人员核对。",
                    f"The {fen} on the {en} reads {v.text}, which fails its check, but character(s) {at} are "
                    "unclear: photograph it more sharply, or an officer will check it.",
                    (d.source,),
                    (key,),
                    MappingProxyType({"problems": "; ".join(v.problems), "unclear_positions": at}),
                )
            )
        elif v.name in _FAILED_CHECKS:
            rule, severity, zh_notice, en_notice = _FAILED_CHECKS[v.name]
            findings.append(
                Finding(
                    rule,
                    severity,
                    zh_notice.format(doc=zh, text=v.text),
                    en_notice.format(doc=en, text=v.text),
                    (d.source,),
                    (key,),
                    MappingProxyType({"problems": "; ".join(v.problems)}),
                )
            )
        else:
            findings.append(
                Finding(
                    "FIELD.INVALID",
                    Severity.warning,
                    f"{zh}上的{v.label or key}“{v.text}”无效：请核对。",
                    f"The {key} '{v.text}' on the {en} is not valid: check it.",
                    (d.source,),
                    (key,),
                    MappingProxyType({"problems": "; ".join(v.problems)}),
                )
            )
    return findings


def _uncertain(
    name: str,
    d: DocumentRead,
    v: FieldValue,
    other: str,
    doubts: Sequence[str],
    with_zh: str,
    with_en: str,
    sources: tuple[str, ...],
    evidence: Mapping[str, str],
) -> Finding:
    fzh, fen = FIELD_NAMES[name]
    return Finding(
        "XCHECK.UNCERTAIN",
        Severity.warning,
        f"{_doc_label(d, 'zh')}上的{fzh}识别为“{v.text}”，与{with_zh}的“{other}”不同之处字符不清晰，可能一致：工作人员"
        "将核对原件，也可重新拍摄清晰的照片。",
        f"The {fen} on the {_doc_label(d, 'en')} reads '{v.text}'; where it differs from the {with_en} ('{other}') "
        "the characters are unclear, so they may agree: an officer will compare the original; a sharper photo helps.",
        sources,
        (name,),
        MappingProxyType({**evidence, "doubts": "; ".join(doubts)}),
    )


def _cross_checks(
    business: Business,
    docs: Sequence[DocumentRead],
    app: Application | None,
    explained: Collection[tuple[str | None, str]] = (),
) -> list[Finding]:
    """Every shared field compared with the application and between documents. A difference at unclear
    characters is reported once per document and field, and not at all when the field's own finding already
    named the value it is a misread of (``explained``: (source, field name))."""
    findings: list[Finding] = []
    unsure = set(explained)
    for name, (fzh, fen) in FIELD_NAMES.items():
        values: list[tuple[DocumentRead, FieldValue]] = []
        for d in docs:
            if name in ("owner_name", "id_number") and d.doc.doc_type in business.previous_owner_docs:
                continue
            v = _canonical_fields(d).get(name)
            if v is not None:
                values.append((d, v))
        if app is not None and name in app.values:
            expected = comparable(name, app.values[name])
            for d, v in values:
                got, alts = comparable_read(name, v)
                if got == expected:
                    continue
                zh, en = _doc_label(d, "zh"), _doc_label(d, "en")
                evidence = MappingProxyType({"document": v.text, "application": app.values[name]})
                doubts = uncertain_difference(got, alts, expected, a_valid=v.valid, ends_doubted=name in _ENDS_DOUBTED)
                if doubts is not None:
                    if (d.source, name) in unsure:
                        continue
                    unsure.add((d.source, name))
                    findings.append(
                        _uncertain(name, d, v, app.values[name], doubts, "申请表", "application", (d.source,), evidence)
                    )
                    continue
                findings.append(
                    Finding(
                        f"XCHECK.{name.upper()}",
                        Severity.error,
                        f"{zh}上的{fzh}“{v.text}”与申请表填写的“{app.values[name]}”不一致：请核对后更正申请或材料。",
                        f"The {fen} on the {en} ('{v.text}') differs from the application ('{app.values[name]}'): "
                        "correct the application or upload the right document.",
                        (d.source,),
                        (name,),
                        evidence,
                    )
                )
        groups: dict[str, list[tuple[DocumentRead, FieldValue]]] = {}
        for d, v in values:
            groups.setdefault(comparable(name, v.text), []).append((d, v))
        if len(groups) > 1:
            ranked = sorted(groups.values(), key=len, reverse=True)
            ref_d, ref_v = ranked[0][0]
            ref, ref_alts = comparable_read(name, ref_v)
            for group in ranked[1:]:
                for d, v in group:
                    got, alts = comparable_read(name, v)
                    sources = (d.source, ref_d.source)
                    evidence = MappingProxyType(
                        {d.source or "document": v.text, ref_d.source or "reference": ref_v.text}
                    )
                    doubts = uncertain_difference(
                        got, alts, ref, ref_alts, v.valid, ref_v.valid, ends_doubted=name in _ENDS_DOUBTED
                    )
                    if doubts is not None:
                        if (d.source, name) in unsure:
                            continue
                        unsure.add((d.source, name))
                        findings.append(
                            _uncertain(
                                name,
                                d,
                                v,
                                ref_v.text,
                                doubts,
                                _doc_label(ref_d, "zh"),
                                _doc_label(ref_d, "en"),
                                sources,
                                evidence,
                            )
                        )
                        continue
                    findings.append(
                        Finding(
                            f"XCHECK.{name.upper()}",
                            Severity.error,
                            f"{_doc_label(d, 'zh')}上的{fzh}“{v.text}”与{_doc_label(ref_d, 'zh')}上的"
                            f"“{ref_v.text}”不一致：请核对并上传正确的材料。",
                            f"The {fen} on the {_doc_label(d, 'en')} ('{v.text}') differs from the one on the "
                            f"{_doc_label(ref_d, 'en')} ('{ref_v.text}'): check and upload the correct document.",
                            sources,
                            (name,),
                            evidence,
                        )
                    )
    return findings


def decide(findings: Sequence[Finding]) -> Decision:
    severities = {f.severity for f in findings}
    if Severity.refer in severities:
        return Decision.refer_to_officer
    if Severity.error in severities:
        return Decision.needs_correction
    return Decision.passed


_HEAD = {
    Decision.passed: (
        "材料预审通过，请等待工作人员办理。",
        "Your documents passed the pre-review; an officer will process them.",
    ),
    Decision.needs_correction: (
        "材料需要补正，请按以下提示处理后重新提交：",
        "Your documents need correction; please do the following and submit again:",
    ),
    Decision.refer_to_officer: (
        "部分材料需要工作人员人工核对，请携带原件到窗口办理：",
        "Some documents need an officer's check; please bring the originals to the counter:",
    ),
}


def notices(decision: Decision, findings: Sequence[Finding]) -> tuple[str, str]:
    head_zh, head_en = _HEAD[decision]
    order = {Severity.refer: 0, Severity.error: 1, Severity.warning: 2, Severity.info: 3}
    items = sorted((f for f in findings if f.severity is not Severity.info), key=lambda f: order[f.severity])
    zh = [head_zh] + [f"{i}. {f.message_zh}" for i, f in enumerate(items, 1)]
    en = [head_en] + [f"{i}. {f.message_en}" for i, f in enumerate(items, 1)]
    return "\n".join(zh), "\n".join(en)


def review_documents(
    business: Business,
    docs: Sequence[DocumentRead],
    app: Application | None = None,
    check_completeness: bool = True,
    on: dt.date | None = None,
) -> CaseReview:
    """The rules over documents already read (pure: no models). ``on``: the day the documents must be valid on (the
    application's date wins); without either, validity dates are not judged."""
    findings: list[Finding] = []
    missing: list[str] = []
    if check_completeness:
        f, missing = _completeness(business, docs)
        findings += f
    findings += _duplicates(docs)
    readable = [d for d in docs if d.quality.ok]
    day = app.date if app is not None and app.date is not None else on
    if day is not None:
        findings += _expired(readable, day)
    known = _valid_values(readable, app)
    for d in docs:
        findings += _per_document(d, known)
    # fields of a page that failed the quality check are unreliable reads: cross-checked after the retake
    explained = [(f.documents[0], f.evidence["field"]) for f in findings if "likely" in f.evidence]
    findings += _cross_checks(business, readable, app, explained)
    decision = decide(findings)
    zh, en = notices(decision, findings)
    return CaseReview(business.key, decision, tuple(docs), tuple(findings), tuple(missing), zh, en)


ReadFn = Callable[..., DocumentRead]


def review_case(
    read: ReadFn,
    pages: Sequence[tuple[str, Frame]],
    business: str | None = None,
    application: Application | None = None,
    workers: int = 2,
    cost: Callable[[Frame], float] | None = None,
    plan: Callable[[Frame], tuple[float, Any]] | None = None,
    on: dt.date | None = None,
) -> CaseReview:
    """Read every page (``read(frame, name)``, ``workers`` at a time) and review the case. Without an application or
    business the documents are still classified, read, checked and cross-checked, but completeness is not judged.
    ``cost``: a page's expected reading time (any unit); the pages are then started the costliest first, so that a
    long page does not start last and run alone (the documents keep the upload order). ``plan``: instead of
    ``cost``, the expected time and what working it out found (the page's class), handed on as
    ``read(frame, name, found)``. ``on``: the day the documents must be valid on (:func:`review_documents`)."""
    start = time.perf_counter()
    if application is not None:
        biz = application.business
    elif business is not None:
        biz = business_of(business)
    else:
        biz = Business("unspecified", "未指定业务", "unspecified business", ())
    if workers > 1 and len(pages) > 1:
        # longest processing time first. Three 4-page cases (an ID card, a registration certificate, a 行驶证 and an
        # insurance policy, uploaded in that order), 16 runs alternating with the upload order: 0.984, 0.947 and 0.957
        # of the wall time (12 runs: 0.995, 0.945, 0.949). Not more: a page alone still uses both cores in part, its
        # lines read two batches at a time beside its checks
        with ThreadPoolExecutor(min(workers, len(pages))) as pool:
            # the costs are worked out side by side too: 15.5 -> 9.2 ms before the first page starts (4 pages)
            if plan is not None:
                plans = list(pool.map(lambda page: plan(page[1]), pages))
            else:  # a cost alone finds nothing to hand on
                plans = [(c,) for c in pool.map(lambda page: cost(page[1]), pages)] if cost else [(0.0,)] * len(pages)
            order = sorted(range(len(pages)), key=lambda i: -plans[i][0])
            started = {i: pool.submit(read, pages[i][1], pages[i][0], *plans[i][1:]) for i in order}
            docs = [started[i].result() for i in range(len(pages))]
    else:
        docs = [read(frame, name) for name, frame in pages]
    t_read = (time.perf_counter() - start) * 1000
    result = review_documents(biz, docs, application, check_completeness=bool(biz.required), on=on)
    total = (time.perf_counter() - start) * 1000
    return CaseReview(
        result.business,
        result.decision,
        result.documents,
        result.findings,
        result.missing,
        result.notice_zh,
        result.notice_en,
        MappingProxyType({"read": t_read, "total": total}),
    )
