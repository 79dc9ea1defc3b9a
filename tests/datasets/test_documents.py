"""Synthetic documents: consistent case records, every type renders, labels stay inside the image."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from datasets.core import encode_image, iter_samples
from datasets.documents import PAGES, DocType, DocumentGenerator, make_case_record, render_document
from datasets.documents.record import amount_in_words
from inference.validate.credit_code import validate_credit_code
from inference.validate.idcard import validate_id_number
from inference.validate.plate import validate_plate
from inference.validate.vin import validate_vin

RECORDS = [make_case_record(np.random.default_rng([11, i])) for i in range(40)]


@pytest.mark.parametrize("rec", RECORDS[:40:4])
def test_record_identifiers_are_valid(rec):
    check = validate_id_number(rec.id_number, today=date(2030, 1, 1))
    assert check.valid, check.problems
    assert check.birth_date == rec.birth_date
    assert check.sex == ("M" if rec.sex == "男" else "F")
    assert validate_vin(rec.vin).valid
    assert validate_plate(rec.plate).valid
    assert rec.plate[0] in rec.address[:3] or rec.plate[0] in "京沪津渝粤苏浙川鄂鲁豫湘陕辽闽冀皖"


def test_all_records_valid_and_ordered():
    for rec in RECORDS:
        assert validate_id_number(rec.id_number, today=date(2030, 1, 1)).valid
        assert validate_vin(rec.vin).valid, rec.vin
        assert validate_plate(rec.plate).valid, rec.plate
        assert validate_credit_code(rec.dealer_tax_id).valid, rec.dealer_tax_id
        assert (
            rec.manufacture_date
            <= rec.invoice_date
            <= rec.tax_date
            <= rec.registration_date
            <= rec.issue_date
        )
        assert rec.insurance_start <= rec.registration_date <= rec.insurance_end
        assert rec.id_valid_from <= rec.registration_date
        assert rec.id_valid_to is None or rec.id_valid_to > rec.registration_date
        # price incl. 13 % VAT, purchase tax 10 % of the price without VAT (amounts in fen)
        assert rec.price_excl_vat_cents + rec.vat_cents == rec.price_incl_vat_cents
        assert abs(rec.price_excl_vat_cents * 1.13 - rec.price_incl_vat_cents) <= 1
        assert abs(rec.price_excl_vat_cents * 0.10 - rec.purchase_tax_cents) <= 0.5
        assert rec.brand_model.startswith(rec.brand)


def test_amount_in_words():
    assert amount_in_words(15990000) == "壹拾伍万玖仟玖佰元整"
    assert amount_in_words(10050050) == "壹拾万零伍佰元伍角"
    assert amount_in_words(95000) == "玖佰伍拾元整"
    assert amount_in_words(100000001) == "壹佰万元零壹分"


# fields that several documents print: each must show the record's value
_SAME = {
    "车辆识别代号": "vin",
    "发动机号码": "engine_number",
    "号牌号码": "plate",
    "身份证号码": "id_number",
    "公民身份号码": "id_number",
    "所有人": "owner_name",
    "姓名": "owner_name",
    "购买方名称": "owner_name",
    "纳税人名称": "owner_name",
    "被保险人": "owner_name",
    "厂牌型号": "brand_model",
    "品牌型号": "brand_model",
}


def test_every_type_and_page_renders_consistently():
    rec = RECORDS[0]
    seen_vin = 0
    for doc_type in DocType:
        for page in PAGES[doc_type]:
            doc = render_document(np.random.default_rng(5), doc_type, page, rec)
            h, w = doc.image.shape[:2]
            assert doc.image.dtype == np.uint8 and doc.image.ndim == 3
            assert doc.doc_type == doc_type and doc.page == page
            if doc_type is not DocType.other and page in ("main", "front", "1"):
                assert doc.fields, (doc_type, page)
            for name, fb in doc.fields.items():
                x1, y1, x2, y2 = fb.box_xyxy
                assert 0 <= x1 < x2 <= w and 0 <= y1 < y2 <= h, (doc_type, name, fb)
                if name in _SAME:
                    assert fb.text == rec.to_dict()[_SAME[name]], (doc_type, name, fb.text)
            seen_vin += "车辆识别代号" in doc.fields
            # every string printed is recorded with its ink box: each value's text is printed (a wrapped
            # value as consecutive lines), and so are the labels the values come after
            printed = [p.text for p in doc.printed]
            joined = "".join(printed)
            assert all(p.text and p.box_xyxy[0] < p.box_xyxy[2] for p in doc.printed)
            for name, fb in doc.fields.items():
                assert fb.text in joined, (doc_type, page, name, fb.text)
            if doc_type is DocType.vehicle_license and page == "main":
                assert "号牌号码" in joined and "车辆识别代号" in joined
    assert seen_vin >= 5  # 行驶证, 登记证书, 发票, 购置税, 保单, 合格证
    assert (
        render_document(np.random.default_rng(5), "sales_invoice", None, rec).fields["价税合计"].text
        == "¥" + f"{rec.price_incl_vat_cents // 100}.{rec.price_incl_vat_cents % 100:02d}"
    )


def test_unknown_page_is_rejected():
    with pytest.raises(ValueError):
        render_document(np.random.default_rng(0), DocType.id_card, "middle")


def test_generator_labels_inside_image_and_deterministic():
    a = list(iter_samples("documents", 6, seed=3))
    b = list(iter_samples("documents", 6, seed=3))
    captures = set()
    for (_, sa), (_, sb) in zip(a, b, strict=True):
        assert encode_image(sa.image, sa.ext) == encode_image(sb.image, sb.ext)
        assert sa.label == sb.label
        h, w = sa.image.shape[:2]
        for x, y in sa.label["corners"]:
            assert 0 <= x <= w and 0 <= y <= h
        for fb in sa.label["fields"].values():
            x1, y1, x2, y2 = fb["box_xyxy"]
            assert 0 <= x1 <= x2 < w and 0 <= y1 <= y2 < h
        assert sa.label["record"]["vin"]
        captures.add(sa.label["capture"])
    assert captures <= {"photo", "scan"}


def test_generator_scan_and_type_options():
    gen = DocumentGenerator(doc_types=["vehicle_license"], scan_fraction=1.0)
    s = gen.sample(np.random.default_rng([1, 0]), 0)
    assert s.label["doc_type"] == "vehicle_license" and s.label["capture"] == "scan"
    with pytest.raises(ValueError):
        DocumentGenerator(scan_fraction=2.0)


def test_a_29_february_registration_prints_its_inspection_stamp():
    """The licence's back page prints the inspection month six years on: a leap-day registration has no 29
    February then, and must still render (seed 403 of the calibration data met one)."""
    from dataclasses import replace

    rng = np.random.default_rng(0)
    rec = replace(make_case_record(rng), registration_date=date(2024, 2, 29))
    doc = render_document(rng, DocType.vehicle_license, "secondary", rec)
    assert doc.fields["检验有效期至"].text.startswith("检验有效期至2030年02月")


def test_a_page_on_a_dark_mat_keeps_its_pixels_in_an_even_margin():
    from datasets.documents.capture import apply_capture, on_mat, plan_capture

    page = np.full((300, 200, 3), 235, np.uint8)
    page[100:120, 20:180] = 30  # a text line
    mat, corners = on_mat(np.random.default_rng(0), page, margin=(0.05, 0.05), level=(20, 21))
    m = 10  # 5% of the page's width
    assert mat.shape == (300 + 2 * m, 200 + 2 * m, 3)
    assert np.array_equal(mat[m : m + 300, m : m + 200], page)
    border = np.concatenate([mat[:m].reshape(-1, 3), mat[-m:].reshape(-1, 3), mat[:, :m].reshape(-1, 3)])
    assert (border == border[0]).all() and border.max() <= 20 + 6
    assert corners.tolist() == [[m, m], [m + 200, m], [m + 200, m + 300], [m, m + 300]]
    plan = plan_capture(np.random.default_rng(1), (200, 300), "photo")
    shot, _ = apply_capture(plan, mat, corners)
    assert shot.shape[:2] == plan.out_wh[::-1]
    # the page lands where the plan puts the document: the capture's centre is paper, not mat
    cx, cy = np.mean(plan.dst, axis=0).round().astype(int)
    assert shot[cy, cx].mean() > 120


@pytest.mark.parametrize(("scale", "quality", "enhanced"), [(1.0, 0, False), (1.4, 90, False), (1.4, 85, True)])
def test_a_scanner_app_upload_is_the_page_alone_at_its_scale(scale, quality, enhanced):
    """The page cut out along its corners at ``scale`` times its size in the photo; enhanced, its paper is white."""
    import cv2

    from datasets.documents.capture import apply_capture, corners, plan_capture, scanner_upload

    rng = np.random.default_rng(7)
    doc = render_document(rng, DocType.vehicle_license, "main")
    plan = plan_capture(rng, doc.image.shape[1::-1], "photo")
    photo, _ = apply_capture(plan, doc.image)
    quad = np.float32(corners(plan))
    upload = scanner_upload(photo, quad, scale, quality, enhanced)
    w = max(np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[2] - quad[3]))
    h = max(np.linalg.norm(quad[3] - quad[0]), np.linalg.norm(quad[2] - quad[1]))
    assert upload.shape == (round(h * scale), round(w * scale), 3)
    paper = np.median(cv2.cvtColor(upload, cv2.COLOR_BGR2GRAY))
    assert (paper >= 250) == enhanced
