"""The case-review rules over documents already read (no models): completeness, per-document findings,
cross-checks, application parsing, decisions and notices."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from types import MappingProxyType

import pytest

from inference.documents.review import (
    BUSINESSES,
    Application,
    ApplicationError,
    business_of,
    comparable_read,
    review_case,
    review_documents,
    uncertain_difference,
)
from inference.documents.types import (
    AuthenticityResult,
    Decision,
    DocClass,
    DocType,
    DocumentRead,
    FieldValue,
    Forensics,
    QualityIssue,
    QualityReport,
    Severity,
    TamperRegion,
)

VIN = "LGB95P2T0HV157558"
OTHER_VIN = "LSG7CX078JR395672"
BAD_VIN = "HHGHH555778802669"
ID = "110108197805184008"
OK_QUALITY = QualityReport(200.0, 150.0, 0.0, (1280, 960), 0.0, ())


def fv(name: str, text: str, valid: bool = True, problems: tuple[str, ...] = ()) -> FieldValue:
    return FieldValue(name, name, text, 0.99, valid, problems)


def read_fv(
    name: str, text: str, unsure: dict[int, tuple[float, list[tuple[str, float]]]], valid: bool = True
) -> FieldValue:
    """A value with the reader's per-character alternatives: sure characters, and at the ``unsure``
    positions the given confidence and alternatives."""
    alts = tuple(((c, unsure[k][0]), *unsure[k][1]) if k in unsure else ((c, 0.99),) for k, c in enumerate(text))
    return FieldValue(name, name, text, 0.9, valid, () if valid else ("check",), None, text, alts)


MISREAD_ID = ID[:10] + "6" + ID[11:]  # fails the GB 11643 check
BAD_CREDIT = "911301020FGT8868XK"  # 911301020FGT8868XR with its check character misread
UNCLEAR_ID = read_fv("id_number", MISREAD_ID, {10: (0.9, [("0", 0.08)])}, False)  # the right digit an alternative


def doc(
    doc_type: str,
    source: str,
    page: str | None = None,
    verdict: str = "genuine",
    quality: QualityReport = OK_QUALITY,
    **fields: FieldValue,
) -> DocumentRead:
    t = DocType(doc_type)
    page = page or {"id_card": "front", "vehicle_license": "main"}.get(doc_type, "1")
    auth = AuthenticityResult(
        verdict,
        {"screen_recapture": 0.0, "photocopy": 0.0, "tampered": 0.0, verdict: 0.9},
        {"screen_recapture": 0.5, "photocopy": 0.5, "tampered": 0.5},
        (TamperRegion((10.0, 10.0, 122.0, 122.0), 0.9),) if verdict == "tampered" else (),
    )
    return DocumentRead(source, DocClass(t, page, 0.99), quality, auth, MappingProxyType(dict(fields)))


def not_a_document(source: str) -> DocumentRead:
    """An upload the reader found no document in: typed other, no authenticity verdict, no fields; its quality
    failed (a car photo reads as cropped or unreadable), which must not turn into a retake notice for a document."""
    poor = QualityReport(20.0, 150.0, 0.0, (1280, 960), 0.0, (QualityIssue("unreadable", 0.5, 0.2),))
    return DocumentRead(source, DocClass(DocType.other, "1", 0.0), poor, None, is_document=False)


def id_card(name: str = "王京", number: str = ID, **kw) -> DocumentRead:
    return doc("id_card", "id.jpg", **kw, 姓名=fv("owner_name", name), 公民身份号码=fv("id_number", number))


def id_back() -> DocumentRead:
    return doc("id_card", "id_back.jpg", page="back")


def registration(vin: str = VIN, owner: str = "张三", **kw) -> DocumentRead:
    # in a transfer the certificate still shows the previous owner
    v = fv("vin", vin) if vin != BAD_VIN else fv("vin", vin, False, ("VIN check digit (position 9) is '7'",))
    return doc("registration_certificate", "reg.jpg", **kw, 车辆识别代号=v, _owner_name=fv("owner_name", owner))


def license_(vin: str = VIN, plate: str = "京AA5599", **kw) -> DocumentRead:
    return doc(
        "vehicle_license",
        "lic.jpg",
        **kw,
        车辆识别代号=fv("vin", vin),
        号牌号码=fv("plate", plate),
        所有人=fv("owner_name", "张三"),
    )


def invoice(vin: str = VIN, name: str = "王京", **kw) -> DocumentRead:
    return doc("sales_invoice", "inv.jpg", **kw, 车辆识别代号=fv("vin", vin), 购买方名称=fv("owner_name", name))


def insurance(vin: str = VIN, name: str = "王京", **kw) -> DocumentRead:
    fields = {"车辆识别代号": fv("vin", vin), "被保险人": fv("owner_name", name)}
    return doc("insurance_policy", "ins.jpg", **(fields | kw))


def transfer_case() -> list[DocumentRead]:
    return [id_card(), id_back(), registration(), license_(), invoice(), insurance()]


APP = {
    "business": "transfer",
    "applicant": {"name": "王京", "id_number": ID},
    "vehicle": {"vin": VIN, "plate": "京AA5599"},
}

CASES = [
    # (name, business, documents, application, expected decision, expected rules)
    ("complete", "transfer", transfer_case(), APP, Decision.passed, set()),
    (
        "missing insurance",
        "transfer",
        [d for d in transfer_case() if d.source != "ins.jpg"],
        APP,
        Decision.needs_correction,
        {"DOC.MISSING"},
    ),
    (
        "missing id back",
        "transfer",
        [d for d in transfer_case() if d.source != "id_back.jpg"],
        APP,
        Decision.passed,
        {"DOC.PAGE_MISSING"},
    ),
    (
        "id card copied front and back on one sheet: the back is not asked for",
        "transfer",
        [
            replace(d, pages_shown=("front", "back")) if d.source == "id.jpg" else d
            for d in transfer_case()
            if d.source != "id_back.jpg"
        ],
        APP,
        Decision.passed,
        set(),
    ),
    (
        "a sheet showing both sides, classed as the back: its front's key fields are still required",
        "transfer",
        [
            replace(
                doc("id_card", "id.jpg", page="back", 姓名=fv("owner_name", "王京")), pages_shown=("front", "back")
            ),
            *[d for d in transfer_case() if d.source not in ("id.jpg", "id_back.jpg")],
        ],
        APP,
        Decision.needs_correction,
        {"FIELD.UNREADABLE"},
    ),
    (
        "vin differs between documents",
        "transfer",
        [id_card(), id_back(), registration(), license_(), invoice(), insurance(vin=OTHER_VIN)],
        None,
        Decision.needs_correction,
        {"XCHECK.VIN"},
    ),
    (
        "vin differs from the application",
        "transfer",
        transfer_case(),
        {**APP, "vehicle": {"vin": OTHER_VIN}},
        Decision.needs_correction,
        {"XCHECK.VIN"},
    ),
    (
        "owner name differs",
        "transfer",
        [id_card(), id_back(), registration(), license_(), invoice(name="李四"), insurance()],
        None,
        Decision.needs_correction,
        {"XCHECK.OWNER_NAME"},
    ),
    (
        "previous owner on the certificate is not a mismatch in a transfer",
        "transfer",
        transfer_case(),
        None,
        Decision.passed,
        set(),
    ),
    (
        "id number differs from the application",
        "transfer",
        transfer_case(),
        {**APP, "applicant": {"id_number": "110108197805184016"}},
        Decision.needs_correction,
        {"XCHECK.ID_NUMBER"},
    ),
    (
        "plate differs from the application",
        "transfer",
        transfer_case(),
        {**APP, "vehicle": {"plate": "京AB1234"}},
        Decision.needs_correction,
        {"XCHECK.PLATE"},
    ),
    (
        "vin fails the check digit",
        "transfer",
        [id_card(), id_back(), registration(vin=BAD_VIN), license_(), invoice(), insurance()],
        None,
        Decision.refer_to_officer,
        {"FIELD.VIN_CHECK", "XCHECK.VIN"},
    ),
    (
        "screen recapture",
        "transfer",
        [*transfer_case()[:4], invoice(verdict="screen_recapture"), insurance()],
        APP,
        Decision.needs_correction,
        {"AUTH.SCREEN"},
    ),
    (
        "photocopy",
        "transfer",
        [*transfer_case()[:4], invoice(verdict="photocopy"), insurance()],
        APP,
        Decision.needs_correction,
        {"AUTH.PHOTOCOPY"},
    ),
    (
        "tampered",
        "transfer",
        [*transfer_case()[:4], invoice(verdict="tampered"), insurance()],
        APP,
        Decision.refer_to_officer,
        {"AUTH.TAMPERED"},
    ),
    (
        "a printed field blank where its value is printed",
        "transfer",
        [*transfer_case()[:4], replace(invoice(), blank_fields=("发动机号码",)), insurance()],
        APP,
        Decision.refer_to_officer,
        {"FIELD.BLANK"},
    ),
    (
        "a key field blank where its value is printed: blank, not unreadable (no retake asked for)",
        "transfer",
        [
            *transfer_case()[:4],
            replace(
                doc("sales_invoice", "inv.jpg", 购买方名称=fv("owner_name", "王京")), blank_fields=("车辆识别代号",)
            ),
            insurance(),
        ],
        APP,
        Decision.refer_to_officer,
        {"FIELD.BLANK"},
    ),
    (
        "blurred photo",
        "transfer",
        [
            *transfer_case()[:5],
            insurance(quality=QualityReport(5.0, 150.0, 0.0, (1280, 960), 0.0, (QualityIssue("blur", 5.0, 40.0),))),
        ],
        APP,
        Decision.needs_correction,  # retake it: a page that cannot be read cannot be pre-reviewed
        {"QUAL.BLUR"},
    ),
    (
        "blurred photo misread: no cross-check or field finding from its reads",
        "transfer",
        [
            *transfer_case()[:5],
            insurance(
                vin="LFV2A21K8G3O00000",
                name="",
                quality=QualityReport(50.0, 150.0, 0.0, (1280, 960), 0.0, (QualityIssue("text_blur", 7.0, 11.0),)),
            ),
        ],
        APP,
        Decision.needs_correction,
        {"QUAL.TEXT_BLUR"},
    ),
    (
        "unreadable vin: the page is retaken, the VIN cannot be checked without it",
        "transfer",
        [*transfer_case()[:5], doc("insurance_policy", "ins.jpg", 被保险人=fv("owner_name", "王京"))],
        APP,
        Decision.needs_correction,
        {"FIELD.UNREADABLE"},
    ),
    (
        "unreadable owner name: a warning, the ID number and VIN are checked",
        "transfer",
        [*transfer_case()[:5], doc("insurance_policy", "ins.jpg", 车辆识别代号=fv("vin", VIN))],
        APP,
        Decision.passed,
        {"FIELD.UNREADABLE"},
    ),
    (
        "id number misread at an unclear character: a warning, not a mismatch",
        "transfer",
        [*transfer_case()[:5], insurance(身份证号码=UNCLEAR_ID)],
        APP,
        Decision.passed,
        {"FIELD.ID_CHECKSUM"},  # it names the valid number it is a misread of: no cross-check finding besides
    ),
    (
        "id number read surely with another digit: a mismatch, and the failed check goes to an officer",
        "transfer",
        [*transfer_case()[:5], insurance(身份证号码=read_fv("id_number", MISREAD_ID, {}, False))],
        APP,
        Decision.refer_to_officer,
        {"FIELD.ID_CHECKSUM", "XCHECK.ID_NUMBER"},
    ),
    (
        "the seller's credit code read surely and failing its check: a warning for the officer, nothing to compare",
        "transfer",
        [
            *transfer_case()[:4],
            invoice(销货单位纳税人识别号=read_fv("seller_tax_id", BAD_CREDIT, {}, False)),
            insurance(),
        ],
        APP,
        Decision.passed,
        {"FIELD.TAX_ID_CHECK"},
    ),
    (
        "the seller's credit code failing its check at an unclear character: a warning, a sharper photo asked for",
        "transfer",
        [
            *transfer_case()[:4],
            invoice(销货单位纳税人识别号=read_fv("seller_tax_id", BAD_CREDIT, {17: (0.4, [])}, False)),
            insurance(),
        ],
        APP,
        Decision.passed,
        {"FIELD.TAX_ID_CHECK"},
    ),
    (
        "a failed check at an unclear digit, explained by the ID card's valid number",
        "transfer",
        [*transfer_case()[:5], insurance(身份证号码=read_fv("id_number", MISREAD_ID, {10: (0.5, [])}, False))],
        None,
        Decision.passed,
        {"FIELD.ID_CHECKSUM"},
    ),
    (
        "name read with a low-confidence character",
        "transfer",
        [*transfer_case()[:5], insurance(name="王景", 被保险人=read_fv("owner_name", "王景", {1: (0.4, [])}))],
        APP,
        Decision.passed,
        {"XCHECK.UNCERTAIN"},
    ),
    (
        "name differing at one sure character and one unclear one is a mismatch",
        "transfer",
        [*transfer_case()[:5], insurance(被保险人=read_fv("owner_name", "李景", {1: (0.4, [])}))],
        APP,
        Decision.needs_correction,
        {"XCHECK.OWNER_NAME"},
    ),
    (
        "a plate read without its province is a misread, not a mismatch",
        "transfer",
        [
            *transfer_case()[:5],
            insurance(号牌号码=FieldValue("plate", "号牌号码", "AA5599", 0.9, False, ("6 characters",))),
        ],
        APP,
        Decision.passed,
        {"FIELD.PLATE_GRAMMAR", "XCHECK.UNCERTAIN"},
    ),
    (
        "unrelated document",
        "mortgage",
        [id_card(), id_back(), registration(owner="王京"), doc("other", "letter.jpg")],
        None,
        Decision.passed,
        {"DOC.UNRECOGNISED"},
    ),
    (
        "a photo showing no document (a car sent by mistake): one notice, no verdict on it",
        "mortgage",
        [id_card(), id_back(), registration(owner="王京"), not_a_document("car.jpg")],
        None,
        Decision.needs_correction,
        {"DOC.NOT_A_DOCUMENT"},
    ),
    (
        "owner differs in a mortgage",
        "mortgage",
        [id_card(), id_back(), registration()],
        None,
        Decision.needs_correction,
        {"XCHECK.OWNER_NAME"},
    ),
    (
        "id number checksum",
        "mortgage",
        [id_card(), id_back(), registration(owner="王京")],
        None,
        Decision.refer_to_officer,
        {"FIELD.ID_CHECKSUM", "XCHECK.ID_NUMBER"},
    ),
]


@pytest.mark.parametrize(("name", "business", "docs", "app", "decision", "rules"), CASES, ids=[c[0] for c in CASES])
def test_review_rules(name, business, docs, app, decision, rules):
    if name == "id number checksum":
        docs = [
            doc(
                "id_card",
                "id.jpg",
                姓名=fv("owner_name", "王京"),
                公民身份号码=fv("id_number", "110108197805184009", False, ("check",)),
            ),
            *docs[1:],
            doc(
                "sales_invoice",
                "inv.jpg",
                车辆识别代号=fv("vin", VIN),
                身份证号码=fv("id_number", ID),
                购买方名称=fv("owner_name", "王京"),
            ),
        ]
    application = Application.from_dict(app) if app else None
    result = review_documents(business_of(business), docs, application)
    assert {f.rule for f in result.findings} == rules
    assert result.decision is decision
    for f in result.findings:
        assert f.message_zh and f.message_en and f.rule and f.severity
    if decision is not Decision.passed:
        assert result.notice_zh.count("\n") >= 1 and result.notice_en.count("\n") >= 1


def _id_front(source: str, name: str, number: str, **more: str) -> DocumentRead:
    fields = {"姓名": name, "性别": "男", "民族": "汉", "公民身份号码": number, **more}
    return doc("id_card", source, **{k: fv(k, v) for k, v in fields.items()})


def _id_back_of(source: str, valid: str) -> DocumentRead:
    office = fv("签发机关", "北京市公安局海淀分局")
    return doc("id_card", source, page="back", 签发机关=office, 有效期限=fv("有效期限", valid))


OTHER_ID = "11010819850315002X"
DUPLICATES = [
    # (name, documents, the duplicate pairs found: (later file, earlier file))
    ("the front twice", [_id_front("a.jpg", "王京", ID), _id_front("b.jpg", "王京", ID)], {("b.jpg", "a.jpg")}),
    (
        "the front retaken, its name misread once",
        [_id_front("a.jpg", "王京", ID, 住址="北京市海淀区"), _id_front("b.jpg", "王凉", ID, 住址="北京市海淀区")],
        {("b.jpg", "a.jpg")},
    ),
    (
        "the seller's and the buyer's cards",
        [_id_front("a.jpg", "王京", ID), _id_front("b.jpg", "李四", OTHER_ID)],
        set(),
    ),
    (
        "two people's backs from one office",
        [_id_back_of("a.jpg", "2015.03.01-2035.03.01"), _id_back_of("b.jpg", "2019.07.12-2039.07.12")],
        set(),
    ),
    ("front and back", [_id_front("a.jpg", "王京", ID), _id_back_of("b.jpg", "2015.03.01-2035.03.01")], set()),
    (
        "nothing read on either",
        [doc("id_card", "a.jpg"), doc("id_card", "b.jpg")],
        set(),
    ),
    (
        "three uploads of one page",
        [_id_front(f"{c}.jpg", "王京", ID) for c in "abc"],
        {("b.jpg", "a.jpg"), ("c.jpg", "a.jpg")},
    ),
]


@pytest.mark.parametrize(("name", "docs", "pairs"), DUPLICATES, ids=[c[0] for c in DUPLICATES])
def test_an_upload_of_a_page_already_uploaded_is_named(name, docs, pairs):
    review = review_documents(business_of("transfer"), docs)
    found = [f for f in review.findings if f.rule == "DOC.DUPLICATE"]
    assert {f.documents for f in found} == pairs
    assert all(f.severity is Severity.warning and f.documents[0] in f.message_en for f in found)


def test_the_front_uploaded_twice_names_both_files_next_to_the_missing_back():
    docs = [d for d in transfer_case() if d.source != "id_back.jpg"]
    twice = [*docs, replace(docs[0], source="id2.jpg")]
    review = review_documents(business_of("transfer"), twice, Application.from_dict(APP))
    assert {f.rule for f in review.findings} == {"DOC.PAGE_MISSING", "DOC.DUPLICATE"}
    assert review.decision is Decision.passed
    assert "id2.jpg" in review.notice_zh and "身份证背面" in review.notice_zh


TODAY = dt.date(2026, 12, 7)


def _id_valid(period: str | FieldValue) -> DocumentRead:
    v = period if isinstance(period, FieldValue) else fv("有效期限", period)
    return doc("id_card", "b.jpg", page="back", 有效期限=v)


def _policy(start: str, end: str) -> DocumentRead:
    return doc("insurance_policy", "i.jpg", 保险期间=fv("保险期间", f"自{start}零时起至{end}二十四时止"))


def _inspection(until: str) -> DocumentRead:
    stamp = fv("检验有效期至", f"检验有效期至{until}京A12345")
    return doc("vehicle_license", "l.jpg", page="secondary", 检验有效期至=stamp)


UNSURE_YEAR = read_fv("有效期限", "2006.03.01-2026.03.01", {14: (0.5, [("3", 0.4)])})
EXPIRY = [
    # (name, document, the day, the rule found or None)
    ("an ID card still valid", _id_valid("2015.03.01-2035.03.01"), TODAY, None),
    ("an ID card expired", _id_valid("2006.03.01-2026.03.01"), TODAY, "DOC.ID_EXPIRED"),
    ("an ID card valid for life", _id_valid("2001.03.01-长期"), TODAY, None),
    ("its last day", _id_valid("2006.12.07-2026.12.07"), TODAY, None),
    ("an expired year read unsure: not judged", _id_valid(UNSURE_YEAR), TODAY, None),
    ("a policy in force", _policy("2026年04月06日", "2027年04月05日"), TODAY, None),
    ("a policy that ran out", _policy("2024年04月06日", "2025年04月05日"), TODAY, "DOC.INSURANCE_EXPIRED"),
    ("that policy on the application's day", _policy("2024年04月06日", "2025年04月05日"), dt.date(2024, 5, 1), None),
    ("an unreadable period", _policy("2024年04月", ""), TODAY, None),
    ("a policy that starts later", _policy("2027年01月06日", "2028年01月05日"), TODAY, "DOC.INSURANCE_NOT_STARTED"),
    ("an inspection valid to the end of this month", _inspection("2026年12月"), TODAY, None),
    ("an inspection run out last month", _inspection("2026年11月"), TODAY, "DOC.INSPECTION_EXPIRED"),
]


VALIDITY = {
    "DOC.ID_EXPIRED": Severity.error,
    "DOC.INSURANCE_EXPIRED": Severity.error,
    "DOC.INSPECTION_EXPIRED": Severity.warning,
    "DOC.INSURANCE_NOT_STARTED": Severity.warning,
}


@pytest.mark.parametrize(("name", "document", "day", "rule"), EXPIRY, ids=[c[0] for c in EXPIRY])
def test_documents_not_valid_on_the_day_are_found(name, document, day, rule):
    review = review_documents(business_of("transfer"), [document], on=day)
    found = [f for f in review.findings if f.rule in VALIDITY]
    assert [f.rule for f in found] == ([rule] if rule else [])
    for f in found:
        assert f.documents == (document.source,) and f.evidence["on"] == day.isoformat()
        assert f.severity is VALIDITY[f.rule]


def test_the_applications_day_wins_and_without_a_day_nothing_is_judged():
    policy = _policy("2024年04月06日", "2025年04月05日")
    app = Application.from_dict({"business": "transfer", "date": "2024-05-01"})

    def expired(review) -> list[str]:
        return [f.rule for f in review.findings if f.rule.endswith("_EXPIRED")]

    assert expired(review_documents(app.business, [policy], app, on=TODAY)) == []
    assert expired(review_documents(app.business, [policy])) == []
    today = review_documents(app.business, [policy], Application.from_dict({"business": "transfer"}), on=TODAY)
    assert expired(today) == ["DOC.INSURANCE_EXPIRED"]
    assert today.decision is Decision.needs_correction
    assert "2025年04月05日" in today.notice_zh and "2025-04-05" in today.notice_en
    lapsed = review_documents(app.business, [_inspection("2026年11月")], on=TODAY)
    (stamp,) = [f for f in lapsed.findings if f.rule == "DOC.INSPECTION_EXPIRED"]
    assert "2026年11月" in stamp.message_zh and "2026-11" in stamp.message_en


def test_mismatch_names_both_documents():
    docs = [id_card(), id_back(), registration(), license_(), invoice(), insurance(vin=OTHER_VIN)]
    result = review_documents(BUSINESSES["transfer"], docs)
    (f,) = [f for f in result.findings if f.rule == "XCHECK.VIN"]
    assert set(f.documents) == {"ins.jpg", "reg.jpg"}
    assert OTHER_VIN in f.message_en and "insurance" in f.message_en and "交强险保单" in f.message_zh


def test_tamper_finding_shows_the_alarm_that_raised_it():
    """Pixel forensics raise a tamper verdict with their own score and threshold: the finding's evidence is those,
    not the patch model's score under its threshold."""
    forged = invoice()
    auth = AuthenticityResult(
        "tampered",
        {"screen_recapture": 0.0, "photocopy": 0.0, "tampered": 0.3, "forensic": 0.95},
        {"screen_recapture": 0.5, "photocopy": 0.5, "tampered": 0.9, "forensic": 0.74},
        (TamperRegion((10.0, 10.0, 60.0, 30.0), 0.95, "noise_void"),),
        alarm="forensic",
    )
    forged = DocumentRead(forged.source, forged.doc, forged.quality, auth, forged.fields)
    result = review_documents(BUSINESSES["transfer"], [*transfer_case()[:4], forged, insurance()], None)
    (f,) = [f for f in result.findings if f.rule == "AUTH.TAMPERED"]
    assert dict(f.evidence) == {
        "alarm": "forensic",
        "score": "0.950",
        "threshold": "0.740",
        "regions_xyxy": "10,10,60,30",
    }


@pytest.mark.parametrize(("bezel", "inside"), [(0.0, None), (0.3, None), (0.86, None), (0.86, 0.5), (0.86, 0.1)])
def test_screen_finding_says_when_a_screen_frame_raised_it(bezel, inside):
    """A screen verdict raised (or carried over its threshold) by a screen's frame round the page says so in its
    evidence, for the officer to look for the frame; the models' own verdict does not, nor a frame that did not
    count (the patches within the page saw paper)."""
    from inference.documents.authenticity import SCREEN_INSIDE

    shown = invoice()
    scores = {"screen_recapture": max(0.6, bezel), "photocopy": 0.0, "tampered": 0.0, "bezel": bezel}
    auth = AuthenticityResult(
        "screen_recapture",
        scores if inside is None else {**scores, SCREEN_INSIDE: inside},
        {"screen_recapture": 0.46, "photocopy": 0.5, "tampered": 0.9},
        alarm="screen_recapture",
    )
    shown = DocumentRead(shown.source, shown.doc, shown.quality, auth, shown.fields)
    result = review_documents(BUSINESSES["transfer"], [*transfer_case()[:4], shown, insurance()], None)
    (f,) = [f for f in result.findings if f.rule == "AUTH.SCREEN"]
    want = {"alarm": "screen_recapture", "score": f"{max(0.6, bezel):.3f}", "threshold": "0.460"}
    counted = bezel >= 0.46 and (inside is None or inside >= 0.15)
    assert dict(f.evidence) == ({**want, "screen_frame": f"{bezel:.3f}"} if counted else want)


@pytest.mark.parametrize(("whitened", "verdict"), [(True, "genuine"), (False, "genuine"), (True, "photocopy")])
def test_a_page_enhanced_by_an_app_is_noted_for_the_officer(whitened, verdict):
    """A genuine page whose paper an app lifted to white (its noise not judged) is noted for the officer as info: no
    notice to the citizen, the decision unchanged. A page with an alarm gets the alarm's finding only."""
    page = invoice()
    forensics = Forensics(0.0, 0, 0, 1.5, False, True, whitened=whitened)
    scores = {"screen_recapture": 0.0, "photocopy": 0.9 if verdict == "photocopy" else 0.0, "tampered": 0.0}
    auth = AuthenticityResult(verdict, scores, {"screen_recapture": 0.5, "photocopy": 0.5, "tampered": 0.9})
    auth = replace(auth, forensics=forensics, alarm="" if verdict == "genuine" else verdict)
    page = DocumentRead(page.source, page.doc, page.quality, auth, page.fields)
    result = review_documents(BUSINESSES["transfer"], [*transfer_case()[:4], page, insurance()], None)
    noted = [f for f in result.findings if f.rule == "AUTH.ENHANCED"]
    if whitened and verdict == "genuine":
        (f,) = noted
        assert f.severity is Severity.info and f.documents == (page.source,) and "enhanced by an app" in f.message_en
        assert result.decision is Decision.passed
        assert "enhanced" not in result.notice_en and "增强" not in result.notice_zh
    else:
        assert noted == []
        assert result.decision is (Decision.passed if verdict == "genuine" else Decision.needs_correction)


@pytest.mark.parametrize("whitened", [True, False])
def test_a_copy_enhanced_by_an_app_is_told_to_be_in_black_and_white(whitened):
    """A page without colour whose paper an app lifted to white is most often a scanner app's black-and-white mode:
    the notice says so, and asks for colour as for a photocopy."""
    page = invoice()
    scores = {"screen_recapture": 0.0, "photocopy": 0.9, "tampered": 0.0}
    auth = AuthenticityResult("photocopy", scores, {"screen_recapture": 0.5, "photocopy": 0.5, "tampered": 0.9})
    forensics = Forensics(0.0, 0, 0, 1.5, False, True, whitened=whitened)
    page = DocumentRead(
        page.source, page.doc, page.quality, replace(auth, forensics=forensics, alarm="photocopy"), page.fields
    )
    result = review_documents(BUSINESSES["transfer"], [*transfer_case()[:4], page, insurance()], None)
    (f,) = [f for f in result.findings if f.rule == "AUTH.PHOTOCOPY"]
    assert f.severity is Severity.error and "colour" in f.message_en and "彩色" in f.message_zh
    assert ("black-and-white mode" in f.message_en and "黑白模式" in f.message_zh) is whitened
    assert ("looks like a photocopy" in f.message_en) is not whitened
    assert f.message_en in result.notice_en


@pytest.mark.parametrize(("unsure", "says"), [({}, "compare the original"), ({17: (0.4, [])}, "character(s) 18")])
def test_a_failed_credit_code_says_what_to_do(unsure, says):
    bad = read_fv("seller_tax_id", BAD_CREDIT, unsure, False)
    result = review_documents(BUSINESSES["transfer"], [*transfer_case()[:4], invoice(销货单位纳税人识别号=bad)])
    (finding,) = [f for f in result.findings if f.rule == "FIELD.TAX_ID_CHECK"]
    assert says in finding.message_en and BAD_CREDIT in finding.message_en and finding.severity is Severity.warning


def test_missing_documents_are_listed():
    result = review_documents(BUSINESSES["registration"], [id_card(), id_back()])
    assert set(result.missing) == {"sales_invoice", "purchase_tax", "insurance_policy", "conformity_certificate"}


@pytest.mark.parametrize(
    ("raw", "business", "error"),
    [
        ({"business": "transfer"}, None, None),
        ({"business": "转移登记", "vehicle": {"vin": VIN}}, None, None),
        ({}, "mortgage", None),
        ({}, None, "names no business"),
        ({"business": "sale"}, None, "unknown business"),
        ({"business": "transfer", "owner": "x"}, None, "unknown application fields"),
        ({"business": "transfer", "vehicle": {"colour": "red"}}, None, "unknown vehicle fields"),
        ({"business": "transfer", "vehicle": {"vin": 12}}, None, "non-empty string"),
        ({"business": "transfer", "applicant": "王京"}, None, "must be an object"),
        (["transfer"], None, "JSON object"),
        ({"business": 3}, None, "must be a string"),
        ({"business": "transfer", "date": "2026-12-07"}, None, None),
        ({"business": "transfer", "date": "2026/12/07"}, None, "YYYY-MM-DD"),
        ({"business": "transfer", "date": "2026-02-30"}, None, "YYYY-MM-DD"),
        ({"business": "transfer", "date": 20261207}, None, "YYYY-MM-DD"),
    ],
)
def test_application_parsing(raw, business, error):
    if error is None:
        app = Application.from_dict(raw, business)
        assert app.business.key in BUSINESSES
    else:
        with pytest.raises(ApplicationError, match=error):
            Application.from_dict(raw, business)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("transfer", "transfer"),
        ("转移登记", "transfer"),
        ("注册登记", "registration"),
        ("变更登记", "change"),
        ("抵押登记", "mortgage"),
        ("补换领", "replacement"),
        (" Transfer ", "transfer"),
    ],
)
def test_business_names(name, key):
    assert business_of(name).key == key


def test_review_case_without_application_still_cross_checks():
    docs = {"a.jpg": registration(), "b.jpg": insurance(vin=OTHER_VIN)}

    def read(frame, source):
        return docs[source]

    import numpy as np

    from inference.types import Frame

    pages = [(name, Frame(np.zeros((8, 8, 3), np.uint8))) for name in docs]
    result = review_case(read, pages, workers=2)
    assert result.business == "unspecified" and result.missing == ()
    assert "XCHECK.VIN" in {f.rule for f in result.findings}
    assert result.decision is Decision.needs_correction and result.timings_ms["total"] >= 0


@pytest.mark.parametrize(
    ("name", "value", "comparable", "first_alts"),
    [
        ("model", read_fv("model", "大众汽车牌SVW7159V6", {16: (0.7, [("Y", 0.2)])}), "SVW7159V6", ("S", 0.99)),
        ("plate", read_fv("plate", "京A·B1234", {}), "京AB1234", ("京", 0.99)),
        ("vin", read_fv("vin", "lgb95p2t0hv157558", {}), VIN, ("L", 0.99)),
        ("vin", fv("vin", VIN), VIN, None),  # no alternatives known
    ],
)
def test_comparable_read_lines_alternatives_up(name, value, comparable, first_alts):
    got, alts = comparable_read(name, value)
    assert got == comparable
    if first_alts is None:
        assert alts == ()
    else:
        assert len(alts) == len(got) and alts[0][0] == first_alts
        assert all(a[0][0] == c for a, c in zip(alts, got, strict=True))


@pytest.mark.parametrize(
    ("a", "a_unsure", "b", "b_unsure", "uncertain"),
    [
        ("SVW7159V6", {7: (0.9, [("Y", 0.2)])}, "SVW7159Y6", {}, True),  # the other's character is an alternative
        ("SVW7159V6", {}, "SVW7159Y6", {7: (0.5, [])}, True),  # the other reading is unsure there
        ("SVW7159V6", {}, "SVW7159Y6", {}, False),
        ("SVW7159V6", {7: (0.5, [])}, "SVW7159Y", {}, False),  # lengths differ
        ("A5C", {1: (0.95, [])}, "ASC", {}, True),  # 5 and S look alike, read without great confidence
        ("A5C", {1: (0.9999, [])}, "ASC", {}, True),  # between documents, at any confidence
        ("A5C", {}, "ASC", {}, True),  # alternatives unknown
        ("A6C", {1: (0.99, [])}, "ASC", {}, False),
        ("3205881990", {4: (0.88, [("6", 0.07)])}, "3205081990", {}, True),  # an ID number's 0 read as 8
        ("0485401", {0: (0.993, [("U", 0.005)])}, "U485401", {}, True),  # an engine number's U read as 0
        ("0485401", {0: (0.993, [])}, "6485401", {}, False),
    ],
)
def test_uncertain_difference(a, a_unsure, b, b_unsure, uncertain):
    a_alts = read_fv("x", a, a_unsure).alternatives
    b_alts = read_fv("x", b, b_unsure).alternatives
    reasons = uncertain_difference(a, a_alts, b, b_alts)
    assert (reasons is not None) is uncertain
    if reasons:
        assert all(r.startswith("position ") for r in reasons)


def test_a_failed_check_explained_by_a_valid_value_names_it():
    docs = [*transfer_case()[:5], insurance(身份证号码=UNCLEAR_ID)]
    result = review_documents(BUSINESSES["transfer"], docs, Application.from_dict(APP))
    (f,) = [f for f in result.findings if f.rule == "FIELD.ID_CHECKSUM"]
    assert (
        f.evidence["likely"] == ID
        and ID in f.message_en
        and "misread" in f.message_en
        and f.severity.value == "warning"
    )


def test_a_difference_at_unclear_characters_is_reported_once_per_field():
    name = read_fv("owner_name", "王景", {1: (0.4, [])})
    docs = [
        *transfer_case()[:5],
        insurance(身份证号码=read_fv("id_number", ID[:10] + "6" + ID[11:], {10: (0.5, [])}), 被保险人=name),
    ]
    result = review_documents(BUSINESSES["transfer"], docs, Application.from_dict(APP))
    unsure = [f for f in result.findings if f.rule == "XCHECK.UNCERTAIN"]
    assert sorted(f.fields for f in unsure) == [("id_number",), ("owner_name",)]
    (u,) = [f for f in unsure if f.fields == ("id_number",)]
    assert "position 11" in u.evidence["doubts"] and u.documents[0] == "ins.jpg"
    assert result.decision is Decision.passed


def test_a_failed_check_at_unclear_characters_with_nothing_to_explain_it_asks_for_a_sharper_photo():
    ins = insurance(身份证号码=read_fv("id_number", MISREAD_ID, {10: (0.5, []), 12: (0.6, [])}, False))
    result = review_documents(BUSINESSES["transfer"], [ins], None, check_completeness=False)
    (f,) = result.findings
    assert (f.rule, f.severity.value, f.evidence["unclear_positions"]) == ("FIELD.ID_CHECKSUM", "warning", "11, 13")
    assert "sharply" in f.message_en and "清晰" in f.message_zh
    sure = review_documents(
        BUSINESSES["transfer"], [insurance(身份证号码=read_fv("id_number", MISREAD_ID, {}, False))], None, False
    )
    assert [(f.rule, f.severity.value) for f in sure.findings] == [("FIELD.ID_CHECKSUM", "refer")]


@pytest.mark.parametrize(
    ("a", "a_valid", "b", "b_valid", "uncertain"),
    [
        ("A307Y5", False, "津A307Y5", True, True),  # a plate read without its province breaks the grammar
        ("津A307Y5", True, "A307Y5", False, True),
        ("A307Y5", True, "津A307Y5", True, False),  # both valid by their rules: a real difference
        ("A307Y", False, "津A307Y5", True, False),  # two characters apart
        ("津A307Y6", False, "津A307Y5", True, False),  # same length: only doubted characters count
    ],
)
def test_uncertain_difference_of_a_reading_that_breaks_its_rules(a, a_valid, b, b_valid, uncertain):
    reasons = uncertain_difference(a, (), b, (), a_valid, b_valid)
    assert (reasons is not None) is uncertain


@pytest.mark.parametrize(
    ("a", "b", "ends_doubted", "uncertain"),
    [
        ("J61687075", "PJ61687075", True, True),  # the first character cut off
        ("PJ61687075", "PJ6168707", True, True),  # the last one
        ("PJ6168707", "PJ61687075", False, False),  # a value with rules of its own: a real difference
        ("PJ6187075", "PJ61687075", True, False),  # a character missing inside: not a cut end
        ("J6168707", "PJ61687075", True, False),  # both ends
    ],
)
def test_uncertain_difference_of_a_cut_end(a, b, ends_doubted, uncertain):
    reasons = uncertain_difference(a, (), b, (), ends_doubted=ends_doubted)
    assert (reasons is not None) is uncertain
    if reasons:
        assert "lacks the" in reasons[0]


def test_an_engine_number_without_its_first_character_is_a_doubt_not_a_mismatch():
    engine = "PJ61687075"

    def case(insured: str) -> list[DocumentRead]:
        inv = invoice(发动机号码=fv("engine_number", engine))
        return [*transfer_case()[:4], inv, insurance(发动机号码=read_fv("engine_number", insured, {}))]

    result = review_documents(BUSINESSES["transfer"], case(engine[1:]), Application.from_dict(APP))
    assert not [f for f in result.findings if f.rule == "XCHECK.ENGINE_NUMBER"]
    (u,) = [f for f in result.findings if f.rule == "XCHECK.UNCERTAIN"]
    assert u.fields == ("engine_number",) and "first character" in u.evidence["doubts"]
    assert result.decision is Decision.passed
    inside = review_documents(BUSINESSES["transfer"], case(engine[:3] + engine[4:]), Application.from_dict(APP))
    assert [f.rule for f in inside.findings] == ["XCHECK.ENGINE_NUMBER"]
