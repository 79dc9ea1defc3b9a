"""Case review: the application + the uploaded pages -> completeness, cross-checks, findings, notices and a
decision.

Every finding has a rule id, a severity, the documents and fields involved and a message in Chinese and
English that the citizen can act on. The decision is ``refer_to_officer`` when anything needs a human
(possible forgery, a VIN or ID number that fails its check), ``needs_correction`` when the citizen can fix
it (a missing document, a mismatch, a photo of a screen), else ``pass``. Nothing is ever rejected outright.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..types import Frame
from .fields import model_code, normalise
from .types import (
    DOC_NAMES,
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

    @classmethod
    def from_dict(cls, raw: Any, business: str | None = None) -> Application:
        """``{"business": "transfer", "applicant": {"name", "id_number"}, "vehicle": {"vin", "plate",
        "model", "engine_number"}}``; every key optional but ``business`` (or the argument)."""
        if not isinstance(raw, Mapping):
            raise ApplicationError(f"the application must be a JSON object, got {type(raw).__name__}")
        unknown = sorted(set(raw) - {"business", "applicant", "vehicle"})
        if unknown:
            raise ApplicationError(f"unknown application fields {unknown}; expected business, applicant, vehicle")
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
        return cls(business_of(name), MappingProxyType(values))


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
_AUTH_MESSAGES = {
    "screen_recapture": (
        Severity.error,
        "AUTH.SCREEN",
        "{doc}看起来是对着屏幕拍摄的：请拍摄纸质原件。",
        "The {doc} looks like a photo of a screen: photograph the paper original.",
    ),
    "photocopy": (
        Severity.error,
        "AUTH.PHOTOCOPY",
        "{doc}看起来是复印件或打印扫描件：请上传原件的照片或扫描件。",
        "The {doc} looks like a photocopy or a printed scan: upload a photo or scan of the original.",
    ),
    "tampered": (
        Severity.refer,
        "AUTH.TAMPERED",
        "{doc}的部分区域疑似经过数字修改，将由工作人员核对原件。",
        "Parts of the {doc} look digitally altered; an officer will check it against the original.",
    ),
}
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
    pages = {(d.doc.doc_type, d.doc.page) for d in docs}
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
        if d.doc.doc_type is DocType.other:
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


def _per_document(d: DocumentRead) -> list[Finding]:
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
    if d.authenticity is not None and d.authenticity.verdict != "genuine":
        sev, rule, mzh, men = _AUTH_MESSAGES[d.authenticity.verdict]
        score = d.authenticity.scores[d.authenticity.verdict]
        evidence = {"score": f"{score:.3f}", "threshold": f"{d.authenticity.thresholds[d.authenticity.verdict]:.3f}"}
        if d.authenticity.tamper_regions:
            evidence["regions_xyxy"] = "; ".join(
                ",".join(f"{v:.0f}" for v in r.box_xyxy) for r in d.authenticity.tamper_regions
            )
        findings.append(
            Finding(rule, sev, mzh.format(doc=zh), men.format(doc=en), (d.source,), (), MappingProxyType(evidence))
        )
    if not d.quality.ok:
        return findings  # its reads are not evidence: the retake notice says what to do, fields wait for it
    fields = _canonical_fields(d)
    main_page = d.doc.page in ("front", "main", "1")  # back pages carry none of the key fields
    for name in KEY_FIELDS.get(d.doc.doc_type, ()) if main_page else ():
        if name not in fields:
            fzh, fen = FIELD_NAMES[name]
            findings.append(
                Finding(
                    "FIELD.UNREADABLE",
                    Severity.warning,
                    f"无法读取{zh}上的{fzh}：请拍摄清晰完整的原件。",
                    f"The {fen} on the {en} could not be read: photograph the whole original clearly.",
                    (d.source,),
                    (name,),
                )
            )
    for key, v in d.fields.items():
        if v.valid or not v.text:
            continue
        if v.name == "vin":
            findings.append(
                Finding(
                    "FIELD.VIN_CHECK",
                    Severity.refer,
                    f"{zh}上的车辆识别代号{v.text}未通过校验位检查，可能有误或不是真实证件，将由工作人员核对。",
                    f"The VIN {v.text} on the {en} fails the check digit: it is misprinted, misread or "
                    "not genuine; an officer will check it.",
                    (d.source,),
                    (key,),
                    MappingProxyType({"problems": "; ".join(v.problems)}),
                )
            )
        elif v.name == "id_number":
            findings.append(
                Finding(
                    "FIELD.ID_CHECKSUM",
                    Severity.refer,
                    f"{zh}上的身份证号码{v.text}不符合校验规则，将由工作人员核对。",
                    f"The ID number {v.text} on the {en} fails the GB 11643 check; an officer will check it.",
                    (d.source,),
                    (key,),
                    MappingProxyType({"problems": "; ".join(v.problems)}),
                )
            )
        elif v.name == "plate":
            findings.append(
                Finding(
                    "FIELD.PLATE_GRAMMAR",
                    Severity.warning,
                    f"{zh}上的号牌号码{v.text}格式不正确：请确认号牌号码。",
                    f"The plate number {v.text} on the {en} is not a valid plate: check it.",
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


def _cross_checks(business: Business, docs: Sequence[DocumentRead], app: Application | None) -> list[Finding]:
    findings: list[Finding] = []
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
                if comparable(name, v.text) != expected:
                    zh, en = _doc_label(d, "zh"), _doc_label(d, "en")
                    findings.append(
                        Finding(
                            f"XCHECK.{name.upper()}",
                            Severity.error,
                            f"{zh}上的{fzh}“{v.text}”与申请表填写的“{app.values[name]}”不一致：请核对后更正申请或材料。",
                            f"The {fen} on the {en} ('{v.text}') differs from the application ('{app.values[name]}'): "
                            "correct the application or upload the right document.",
                            (d.source,),
                            (name,),
                            MappingProxyType({"document": v.text, "application": app.values[name]}),
                        )
                    )
        groups: dict[str, list[tuple[DocumentRead, FieldValue]]] = {}
        for d, v in values:
            groups.setdefault(comparable(name, v.text), []).append((d, v))
        if len(groups) > 1:
            ranked = sorted(groups.values(), key=len, reverse=True)
            majority = ranked[0]
            for group in ranked[1:]:
                for d, v in group:
                    ref_d, ref_v = majority[0]
                    findings.append(
                        Finding(
                            f"XCHECK.{name.upper()}",
                            Severity.error,
                            f"{_doc_label(d, 'zh')}上的{fzh}“{v.text}”与{_doc_label(ref_d, 'zh')}上的"
                            f"“{ref_v.text}”不一致：请核对并上传正确的材料。",
                            f"The {fen} on the {_doc_label(d, 'en')} ('{v.text}') differs from the one on the "
                            f"{_doc_label(ref_d, 'en')} ('{ref_v.text}'): check and upload the correct document.",
                            (d.source, ref_d.source),
                            (name,),
                            MappingProxyType({d.source or "document": v.text, ref_d.source or "reference": ref_v.text}),
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
    business: Business, docs: Sequence[DocumentRead], app: Application | None = None, check_completeness: bool = True
) -> CaseReview:
    """The rules over documents already read (pure: no models)."""
    findings: list[Finding] = []
    missing: list[str] = []
    if check_completeness:
        f, missing = _completeness(business, docs)
        findings += f
    for d in docs:
        findings += _per_document(d)
    # fields of a page that failed the quality check are unreliable reads: cross-checked after the retake
    findings += _cross_checks(business, [d for d in docs if d.quality.ok], app)
    decision = decide(findings)
    zh, en = notices(decision, findings)
    return CaseReview(business.key, decision, tuple(docs), tuple(findings), tuple(missing), zh, en)


ReadFn = Callable[[Frame, str], DocumentRead]


def review_case(
    read: ReadFn,
    pages: Sequence[tuple[str, Frame]],
    business: str | None = None,
    application: Application | None = None,
    workers: int = 2,
) -> CaseReview:
    """Read every page (``workers`` at a time) and review the case. Without an application or business the
    documents are still classified, read, checked and cross-checked, but completeness is not judged."""
    start = time.perf_counter()
    if application is not None:
        biz = application.business
    elif business is not None:
        biz = business_of(business)
    else:
        biz = Business("unspecified", "未指定业务", "unspecified business", ())
    if workers > 1 and len(pages) > 1:
        with ThreadPoolExecutor(min(workers, len(pages))) as pool:
            docs = list(pool.map(lambda p: read(p[1], p[0]), pages))
    else:
        docs = [read(frame, name) for name, frame in pages]
    t_read = (time.perf_counter() - start) * 1000
    result = review_documents(biz, docs, application, check_completeness=bool(biz.required))
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
