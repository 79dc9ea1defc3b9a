"""Document stages: image quality (measured), patch grids, authenticity thresholds, title classification,
the trained classifiers on rendered pages, and the real 行驶证 specimen read end to end."""

from __future__ import annotations

import json
from dataclasses import replace

import cv2
import numpy as np
import pytest

from inference.documents.authenticity import ALARMS, FORGED_KINDS, combine, thresholds_for, validate_thresholds
from inference.documents.classify import classify_by_text, fuse, shows_a_document, split_label
from inference.documents.preprocess import auth_scale, patch_grid, to_chw
from inference.documents.quality import measure
from inference.documents.types import DocType
from inference.types import Frame


def _page(w: int = 1200, h: int = 900, seed: int = 0) -> np.ndarray:
    """A sharp synthetic page: light paper with dark text-like strokes."""
    rng = np.random.default_rng(seed)
    img = np.full((h, w, 3), 225, np.uint8)
    for _ in range(60):
        x, y = int(rng.integers(50, w - 300)), int(rng.integers(50, h - 60))
        cv2.putText(img, "LGB95P2T0HV157558", (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (30, 30, 30), 2)
    return img


def _glare(img: np.ndarray) -> np.ndarray:
    out = img.copy()
    cv2.circle(out, (600, 450), 220, (255, 255, 255), -1)
    return out


QUALITY_CASES = [
    ("sharp page", lambda: _page(), (), set()),
    ("blurred", lambda: cv2.GaussianBlur(_page(), (0, 0), 6), (), {"blur"}),
    ("dark", lambda: (_page() * 0.2).astype(np.uint8), (), {"dark"}),
    ("glare", lambda: _glare(_page()), (), {"glare"}),
    ("small", lambda: cv2.resize(_page(), (400, 300), interpolation=cv2.INTER_AREA), (), {"small"}),
    ("text cut by the border", lambda: _page(), ((0.0, 100.0, 300.0, 140.0),), {"cropped"}),
]


@pytest.mark.parametrize(("name", "make", "boxes", "issues"), QUALITY_CASES, ids=[c[0] for c in QUALITY_CASES])
def test_quality(name, make, boxes, issues):
    report = measure(make(), boxes)
    assert {i.code for i in report.issues} == issues
    assert report.ok is (not issues)


@pytest.mark.parametrize(
    ("size_wh", "patch", "stride", "n"),
    [
        ((224, 224), 112, 112, 4),
        ((250, 112), 112, 112, 3),
        ((100, 300), 112, 112, 0),
        ((336, 224), 112, 84, 12),
    ],
)
def test_patch_grid_covers_the_page(size_wh, patch, stride, n):
    grid = list(patch_grid(size_wh, patch, stride))
    assert len(grid) == n
    if grid:
        assert max(x for x, _ in grid) == size_wh[0] - patch and max(y for _, y in grid) == size_wh[1] - patch


def test_auth_scale_and_tensor():
    img = np.zeros((2000, 1000, 3), np.uint8)
    small, s = auth_scale(img, 1280)
    assert small.shape[:2] == (1280, 640) and s == pytest.approx(0.64)
    x = to_chw(np.full((2, 4, 4, 3), 255, np.uint8))
    assert x.shape == (2, 3, 4, 4) and np.allclose(x, 1.0)


def test_patch_tensor_is_the_float32_scaling_of_each_channel():
    """The look-up gives, bit for bit, the float32 scaling the models were trained with, each channel in its plane."""
    images = np.random.default_rng(1).integers(0, 256, (3, 7, 5, 3), dtype=np.uint8)
    images[0, 0, 0] = (0, 128, 255)
    want = ((images.astype(np.float32) * (1.0 / 255.0) - 0.5) / 0.5).transpose(0, 3, 1, 2)
    got = to_chw(images)
    assert got.dtype == np.float32 and got.flags.c_contiguous and np.array_equal(got, want)
    assert tuple(got[0, :, 0, 0]) == (-1.0, want[0, 1, 0, 0], 1.0) and want[0, 1, 0, 0] != 0.0
    assert np.array_equal(to_chw(images.astype(np.float32)), want)  # not bytes: scaled as they are


@pytest.mark.parametrize("alarms", [FORGED_KINDS, ALARMS])
def test_thresholds_hold_the_false_alarm_budget(alarms):
    rng = np.random.default_rng(0)
    scores = [{k: float(v) for k, v in zip(alarms, rng.uniform(0, 0.5, len(alarms)), strict=True)} for _ in range(1200)]
    th = thresholds_for(scores, 0.01)
    assert set(th) == set(alarms)
    raised = sum(any(s[k] >= th[k] for k in alarms) for s in scores)
    assert raised / len(scores) <= 0.01


def test_tamper_alarms_share_the_tamper_budget():
    """The patches and the forensics split tampering's third of the budget: with both, the tamper threshold is
    set higher than with the patches alone, and the other kinds keep theirs."""
    rng = np.random.default_rng(1)
    same = rng.uniform(0, 0.8, 3000)
    both = thresholds_for([{k: float(v) for k in ALARMS} for v in same], 0.03)
    patches = thresholds_for([{k: float(v) for k in FORGED_KINDS} for v in same], 0.03)
    assert both["tampered"] == both["forensic"] > patches["tampered"] == both["photocopy"] == patches["photocopy"]


@pytest.mark.parametrize(
    ("page_kinds", "expected"),
    [
        (("screen_recapture", "photocopy"), {"screen_recapture": 0.9, "photocopy": 0.7, "tampered": 0.3}),
        (("photocopy",), {"screen_recapture": 0.2, "photocopy": 0.7, "tampered": 0.3}),
        ((), {"screen_recapture": 0.2, "photocopy": 0.4, "tampered": 0.3}),
    ],
)
def test_combine_uses_the_page_view_only_for_its_kinds(page_kinds, expected):
    patch = {"screen_recapture": 0.2, "photocopy": 0.4, "tampered": 0.3, "forensic": 0.8}
    page = {"genuine": 0.0, "screen_recapture": 0.9, "photocopy": 0.7, "tampered": 0.99}
    # never tampering from the page view; the forensic alarm passes through
    assert combine(patch, page, page_kinds) == pytest.approx({**expected, "forensic": 0.8})


@pytest.mark.parametrize(("inside", "screen"), [(0.5, 0.9), ("at the support", 0.9), (0.1, 0.2), (None, 0.9)])
def test_the_page_view_counts_for_screens_where_the_patches_within_the_page_support_it(inside, screen):
    """A page on a dark folder is framed as a screen's picture is: the page view's screen probability counts only
    where the patches within the page see a screen too; the photocopy view does not depend on it."""
    from inference.documents.authenticity import SCREEN_INSIDE, SCREEN_INSIDE_SUPPORT

    inside = SCREEN_INSIDE_SUPPORT if inside == "at the support" else inside
    assert inside is None or (inside >= SCREEN_INSIDE_SUPPORT) == (screen == 0.9)  # the cases sit where they say
    patch = {"screen_recapture": 0.2, "photocopy": 0.4, "tampered": 0.3}
    if inside is not None:
        patch[SCREEN_INSIDE] = inside
    out = combine(patch, {"screen_recapture": 0.9, "photocopy": 0.7}, ("screen_recapture", "photocopy"))
    assert out["screen_recapture"] == pytest.approx(screen) and out["photocopy"] == pytest.approx(0.7)
    assert out.get(SCREEN_INSIDE) == inside  # kept beside the scores


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"tampered": 0.6}, None),
        ({"tampered": 1.5}, "in \\(0, 1\\)"),
        ({"forged": 0.5}, "unknown"),
    ],
)
def test_validate_thresholds(values, error):
    if error:
        with pytest.raises(ValueError, match=error):
            validate_thresholds(values)
    else:
        assert validate_thresholds(values) == values


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["机动车销售统一发票", "发票联"], ("sales_invoice", "1")),
        (["中华人民共和国机动车行驶证"], ("vehicle_license", "main")),
        (["档案编号", "核定载人数"], ("vehicle_license", "secondary")),
        (["机动车登记证书", "V.转移登记摘要信息栏"], ("registration_certificate", "2")),
        (["机动车登记证书", "5.车辆识别代号"], ("registration_certificate", "1")),
        (["公民身份号码"], ("id_card", "front")),
        (["签发机关", "有效期限"], ("id_card", "back")),
        # a keyword with one character misread (a copied page's small print), not with two
        (["档系编号440150842326", "车辆识别代号L6W7759V3RL633826"], ("vehicle_license", "secondary")),
        (["汽室编号310161787915"], None),
        # the labels other documents print near the keywords are not taken for them
        (["机动车登记编号", "登记机关", "发证机关", "合格证编号", "机器编号", "被保险人身份证号码"], None),
        (["车辆购置税完税证明"], ("purchase_tax", "1")),
        (["机动车交通事故责任强制保险单"], ("insurance_policy", "1")),
        (["机动车整车出厂合格证"], ("conformity_certificate", "1")),
        (["维修结算单"], None),
    ],
)
def test_classify_by_text(texts, expected):
    got = classify_by_text(texts)
    assert (None if got is None else (got.doc_type.value, got.page)) == expected


@pytest.mark.parametrize(
    ("texts", "tops", "expected"),
    [
        (["中华人民共和国机动车行驶证", "号牌号码"], [0.0, 0.1], ("vehicle_license", "main")),
        # a 行驶证's main page copied under its secondary page, whose small 档案编号 was misread twice: the main
        # page's title, a line of its own, is found half way down the sheet
        (
            ["号牌号码", "挡室编号110192912939", "中华人民共和国机动车行驶证", "车辆识别代号"],
            [0.0, 0.0, 0.57, 0.84],
            ("vehicle_license", "main"),
        ),
        (["号牌号码", "机动车登记证书", "车辆识别代号"], [0.0, 0.6, 0.8], ("registration_certificate", "1")),
        # a title named inside a longer line below the top third is not the page's title
        (["维修结算单", "客户", "凭机动车行驶证原件办理"], [0.0, 0.2, 0.7], None),
        (["维修结算单", "客户", "机动车行驶证复印件"], [0.0, 0.2, 0.7], None),
        # an ID card's back by its large title when nothing else of it was read (a copy too small): as a line of its
        # own only, never inside another document's value
        (["中华人民凭和国", "居民身份证"], [0.0, 0.55], ("id_card", "back")),
        (["机动车所有人/身份证明名称/号码", "张梅/居民身份证/330106199001011234"], [0.1, 0.15], None),
        # a title in the top third wins over a title lower down
        (["机动车销售统一发票", "发票代码", "机动车登记证书"], [0.0, 0.1, 0.6], ("sales_invoice", "1")),
    ],
)
def test_classify_by_text_with_the_lines_places(texts, tops, expected):
    got = classify_by_text(texts, tops)
    assert (None if got is None else (got.doc_type.value, got.page)) == expected


@pytest.mark.parametrize(
    ("texts", "page_found", "shows"),
    [
        (["中华人民共和国机动车行驶证"], False, True),  # a title alone: a document, however little else was read
        (["签发机关"], False, True),
        (["维修结算单", "客户", "车牌号", "金额", "日期"], False, True),  # no listed title, but a form's lines
        (["收 据", "2019-11-05", "人民币(大写)", "盖章"], True, True),  # a small receipt found on a desk
        (["收 据", "2019-11-05", "人民币(大写)", "盖章"], False, False),  # the same lines with no paper round them
        (["京A12345"], True, False),  # a white car taken for a sheet of paper, with its plate
        (["京A12345"], False, False),  # a car's plate
        (["京A12345", "大众", "4S店", "禁止停车"], False, False),  # a street scene: a few signs
        (["京A12345", "A", "1", "大", "众", "x"], False, False),  # single characters are not lines of text
        ([], True, False),
    ],
    ids=[
        "title", "id-back-keyword", "form-lines", "receipt-on-a-desk", "receipt-lines-alone", "white-car", "plate",
        "few-signs", "single-characters", "nothing",
    ],
)
def test_shows_a_document(texts, page_found, shows):
    assert shows_a_document(texts, page_found=page_found) is shows


REG_TITLE = ["机动车登记证书", "5.车辆识别代号"]


@pytest.mark.parametrize(
    ("model", "texts", "expected"),
    [
        # the title settles the type; a sure model keeps its page (the title heads both pages)
        (("registration_certificate", "2", 0.99), REG_TITLE, ("registration_certificate", "2")),
        # an unsure model takes the title's page
        (("registration_certificate", "2", 0.6), REG_TITLE, ("registration_certificate", "1")),
        # a title of another type overrules the model, however sure
        (("other", "1", 0.99), ["机动车销售统一发票"], ("sales_invoice", "1")),
        # no title: the model
        (("vehicle_license", "main", 0.7), ["维修结算单"], ("vehicle_license", "main")),
        # neither: other
        (None, ["维修结算单"], ("other", "1")),
    ],
)
def test_fuse_model_and_printed_title(model, texts, expected):
    from inference.documents.types import DocClass

    doc = DocClass(DocType(model[0]), model[1], model[2]) if model else None
    got = fuse(doc, texts)
    assert (got.doc_type.value, got.page) == expected


def test_split_label():
    assert split_label("vehicle_license/secondary") == (DocType.vehicle_license, "secondary")
    assert split_label("other") == (DocType.other, "1")


# ------------------------------------------------------------------------------------ trained models


@pytest.fixture(scope="module")
def rendered():
    from datasets.documents import PAGES, make_case_record, render_document

    rng = np.random.default_rng(123)
    record = make_case_record(rng)
    return {(t.value, p): render_document(rng, t, p, record).image for t, pages in PAGES.items() for p in pages}


def _need(engine, name: str) -> None:
    if name not in engine.catalog:
        pytest.skip(f"model {name} is not in the catalog (train it: chayan train ...)")


def test_doc_type_model_labels_and_output(engine, rendered):
    _need(engine, "doc-type")
    from inference.documents.classify import DocumentClassifier

    clf = DocumentClassifier(engine)
    assert len(clf.labels) == 11 and all(split_label(lb)[0] in DocType for lb in clf.labels)
    probs = clf.probabilities(list(rendered.values()))
    assert probs.shape == (len(rendered), 11) and np.allclose(probs.sum(1), 1, atol=1e-4)


def test_authenticity_flags_a_screen_recapture(engine, rendered):
    _need(engine, "doc-authenticity")
    from datasets.documents.capture import apply_capture, plan_capture
    from datasets.forgeries import screen_recapture
    from inference.documents.authenticity import AuthenticityChecker

    checker = AuthenticityChecker(engine)
    assert checker.labels == ("genuine", "screen_recapture", "photocopy", "tampered")
    page = rendered[("sales_invoice", "1")]
    rng = np.random.default_rng(5)
    h, w = page.shape[:2]
    plan = plan_capture(rng, (w, h), "photo")
    genuine, _ = apply_capture(plan, page)
    obj, a = screen_recapture(rng, page)
    pts = cv2.perspectiveTransform(np.asarray([[[0, 0], [w, 0], [w, h], [0, h]]], np.float32), a)[0]
    screen, _ = apply_capture(plan, obj, pts)
    g, s = checker.check(Frame(genuine)), checker.check(Frame(screen))
    assert s.scores["screen_recapture"] > g.scores["screen_recapture"]
    assert s.verdict == "screen_recapture"
    assert len(s.heatmap) > 0 and s.patch_side_px > 0


def test_real_specimen_is_read_and_its_vin_reported(engine, realdev):
    from inference.documents.reader import DocumentReader

    row = next(
        json.loads(line)
        for line in (realdev / "labels.jsonl").read_text(encoding="utf-8").splitlines()
        if json.loads(line).get("kind") == "document"
    )
    image = cv2.imread(str(realdev / row["file"]), cv2.IMREAD_COLOR)
    doc = DocumentReader(engine).read(Frame(image), row["file"])
    assert (doc.doc.doc_type, doc.doc.page) == (DocType.vehicle_license, "main")
    got = {k: v.text for k, v in doc.fields.items()}
    assert got == {k: v for k, v in row["fields"].items()}
    vin = doc.fields["车辆识别代号"]
    assert not vin.valid and any("check digit" in p for p in vin.problems)
    if doc.authenticity is not None:  # a real photo of a printed original: in colour, nothing raised
        assert doc.authenticity.verdict == "genuine"
        assert doc.authenticity.scores["colourless"] < 0.2
        assert doc.authenticity.forensics is not None and doc.authenticity.forensics.seams == 0


def test_photos_of_cars_are_read_as_no_document(engine, realdev):
    """Real photos of cars and their plates (CCPD) sent in place of a document: the reader recognises no document
    in them, so they get no authenticity verdict and no fields (a screen or tamper verdict on a car photo would
    tell the citizen their document looks forged); the real 行驶证 specimen is a document."""
    from inference.documents.reader import DocumentReader

    reader = DocumentReader(engine)
    photos = sorted((realdev / "plates_full").glob("ccpd_0*.jpg"))[:10]
    reads = [reader.read(Frame(cv2.imread(str(p), cv2.IMREAD_COLOR)), p.name) for p in photos]
    assert len(reads) == 10 and sum(not r.is_document for r in reads) >= 9
    for r in reads:
        if not r.is_document:
            assert r.doc.doc_type is DocType.other and r.authenticity is None and not r.fields
    specimen = next((realdev / "documents").glob("*.jpg"))
    assert reader.read(Frame(cv2.imread(str(specimen), cv2.IMREAD_COLOR))).is_document


def test_calibrate_authenticity_for_an_office(engine, tmp_path, monkeypatch, capsys):
    """`chayan calibrate-authenticity FOLDER` takes the files the review takes (images, HEIC photos, PDF pages, in
    subfolders too; other files skipped) and writes thresholds that the settings load and validate."""
    _need(engine, "doc-authenticity")
    from PIL import Image

    from datasets.documents import random_doc_type, render_document
    from datasets.documents.capture import apply_capture, plan_capture
    from serving.cli import main
    from serving.settings import Settings
    from tests.serving.test_images import saved_as

    folder = tmp_path / "genuine"
    (folder / "phone").mkdir(parents=True)
    rng = np.random.default_rng(9)
    pages = []
    for _ in range(20):
        page = render_document(rng, random_doc_type(rng)).image
        page = cv2.resize(page, (page.shape[1] // 2, page.shape[0] // 2), interpolation=cv2.INTER_AREA)
        pages.append(apply_capture(plan_capture(rng, (page.shape[1], page.shape[0]), "scan"), page)[0])
    for i, image in enumerate(pages[:16]):
        cv2.imwrite(str(folder / f"{i:02d}.jpg"), image)
    for i, image in enumerate(pages[16:18]):
        (folder / "phone" / f"{i}.heic").write_bytes(saved_as(image, "HEIF", quality=90))
    first, *rest = (Image.fromarray(image[:, :, ::-1]) for image in pages[18:])
    first.save(folder / "scans.pdf", format="PDF", resolution=150, save_all=True, append_images=rest)
    (folder / "notes.txt").write_text("scanned at the counter, 2026-11", encoding="utf-8")
    out = tmp_path / "var" / "authenticity_thresholds.json"
    assert main(["calibrate-authenticity", str(folder), "--out", str(out)]) == 0
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["pages"] == 20 and set(saved["thresholds"]) == set(ALARMS)
    monkeypatch.setenv("CHAYAN_DATA_DIR", str(tmp_path / "var"))
    assert Settings().document_thresholds() == saved["thresholds"]
    out.write_text(json.dumps({"thresholds": {"tampered": 7}}), encoding="utf-8")
    with pytest.raises(ValueError, match="not valid"):
        Settings()
    # a file that is not what its name says stops the calibration, named, and nothing is written
    (folder / "phone" / "2.heic").write_bytes(b"not a photo")
    out.unlink()
    capsys.readouterr()
    assert main(["calibrate-authenticity", str(folder), "--out", str(out)]) == 2
    assert "2.heic" in capsys.readouterr().err and not out.exists()


def test_calibration_needs_enough_pages(engine, tmp_path):
    _need(engine, "doc-authenticity")
    from inference.documents.calibration import calibrate_pages

    pages = [Frame(np.full((400, 300, 3), 235, np.uint8))] * 3
    with pytest.raises(ValueError, match="office: 3 pages; calibration needs at least 20"):
        calibrate_pages(engine, pages, source="office")


def test_documents_use_the_tuned_recogniser_and_it_reads_document_lines_better(engine):
    _need(engine, "doc-text-rec")
    from datasets.documents.lines import line_crops
    from inference.documents.reader import DocumentReader
    from inference.stages.text import TOP_OUTPUTS, TextRecognizer

    shipped = DocumentReader(engine).text.recognizer
    assert shipped.model.entry.name == "doc-text-rec"
    # it outputs each step's most probable classes (training/text_rec.py), decoded without the distribution
    assert shipped.model.output_names == TOP_OUTPUTS
    crops = list(line_crops(777, 12))  # a seed no model was tuned on
    general, tuned = (TextRecognizer(engine.load(n), min_width=96) for n in ("text-rec", "doc-text-rec"))
    assert general.vocabulary == tuned.vocabulary
    right = {
        name: sum(r.text == c.text for r, c in zip(rec([c.image for c in crops]), crops, strict=True))
        for name, rec in (("general", general), ("tuned", tuned))
    }
    assert len(crops) > 80 and right["tuned"] > right["general"], right


def test_catalog_without_a_forensic_threshold_judges_forensics_with_the_tamper_one(tmp_path):
    """A catalog calibrated when the forensic score shared the tamper threshold keeps that behaviour."""
    import shutil

    import yaml

    from inference.documents.authenticity import AuthenticityChecker
    from inference.engine import Engine
    from models import CATALOG_PATH, ModelCatalog

    raw = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    entries = [e for e in raw["models"] if e["name"] == "doc-authenticity"]
    if not entries:
        pytest.skip("doc-authenticity is not in the catalog")
    entries[0]["postprocess"]["thresholds"] = {"screen_recapture": 0.4, "photocopy": 0.3, "tampered": 0.8}
    shutil.copy(CATALOG_PATH.parent / entries[0]["file"], tmp_path / entries[0]["file"])
    (tmp_path / "catalog.yaml").write_text(yaml.safe_dump({"models": entries}), encoding="utf-8")
    checker = AuthenticityChecker(Engine(ModelCatalog.load(tmp_path / "catalog.yaml")))
    assert checker.thresholds == {"screen_recapture": 0.4, "photocopy": 0.3, "tampered": 0.8, "forensic": 0.8}
    assert AuthenticityChecker(Engine(), thresholds={"forensic": 0.6}).thresholds["forensic"] == 0.6


def test_documents_use_the_quantised_detector_and_it_finds_the_lines_the_float_one_finds(engine):
    """The int8 detector (training/text_det.py) on the pages of a generated case no model was tuned on: nearly
    every line the float detector finds is found at the same place."""
    _need(engine, "doc-text-det")
    from benchmarks.documents import make_case
    from inference.documents.reader import OCR_MAX_SIDE, DocumentReader, text_page
    from inference.stages.text import TextDetector

    assert DocumentReader(engine).text.detector.model.entry.name == "doc-text-det"
    float_det, int8_det = TextDetector(engine.load("text-det")), TextDetector(engine.load("doc-text-det"))

    def boxes(det, page):
        return [(q[:, 0].min(), q[:, 1].min(), q[:, 0].max(), q[:, 1].max()) for q, _ in det(page)]

    def iou(a, b):
        iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
        ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
        inter = iw * ih
        return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)

    found = total = 0
    files, _ = make_case(9911, "complete")
    for _, image in files:
        page, _, _ = text_page(image, OCR_MAX_SIDE)
        want, got = boxes(float_det, page), boxes(int8_det, page)
        total += len(want)
        found += sum(any(iou(w, g) > 0.5 for g in got) for w in want)
    assert total > 100 and found >= 0.95 * total, (found, total)


def _detector_inputs(monkeypatch, reader) -> list[tuple[int, ...]]:
    """The input shapes the reader's detector runs on, recorded round its real session."""
    model, shapes = reader.text.detector.model, []
    run = model.run

    def recording(feeds):
        shapes.append(next(iter(feeds.values())).shape)
        return run(feeds)

    monkeypatch.setattr(model, "run", recording)
    return shapes


def test_a_sure_id_card_is_detected_on_a_smaller_input_with_the_same_fields(engine, rendered, monkeypatch):
    from inference.documents.reader import DET_SCALES, DocumentReader
    from inference.documents.types import DocClass

    _need(engine, "doc-text-det")
    reader = DocumentReader(engine)
    shapes = _detector_inputs(monkeypatch, reader)
    frame = Frame(rendered[("id_card", "front")])
    full = reader.ocr_page(frame)
    small = reader.ocr_page(frame, DocClass(DocType.id_card, "front", 0.99))
    unsure = reader.ocr_page(frame, DocClass(DocType.id_card, "front", 0.6))
    (_, _, h0, w0), (_, _, h1, w1), unsure_shape = shapes
    assert DET_SCALES[DocType.id_card] < 1.0 and unsure_shape == shapes[0]
    assert abs(h1 / h0 - DET_SCALES[DocType.id_card]) < 0.1 and abs(w1 / w0 - DET_SCALES[DocType.id_card]) < 0.1
    assert [ln.read.text for ln in unsure[1].lines] == [ln.read.text for ln in full[1].lines]

    def fields(ocr):
        page_image, text, _, _ = ocr
        return {k: v.text for k, v in reader.fields(page_image, text, DocType.id_card, "front").items()}

    want = fields(full)
    assert len(want) >= 5 and fields(small) == want
    # the same lines, read alike, come back in the page's pixels at either input size
    assert [ln.read.text for ln in small[1].lines] == [ln.read.text for ln in full[1].lines]
    for a, b in zip(small[1].lines, full[1].lines, strict=True):
        (ax1, ay1, ax2, ay2), (bx1, by1, bx2, by2) = a.box_xyxy, b.box_xyxy
        inter = max(0.0, min(ax2, bx2) - max(ax1, bx1)) * max(0.0, min(ay2, by2) - max(ay1, by1))
        assert inter / ((ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter) > 0.6


def test_a_page_whose_title_contradicts_the_sure_class_is_detected_again_at_full_size(engine, rendered, monkeypatch):
    from inference.documents.reader import DocumentReader
    from inference.documents.types import DocClass

    _need(engine, "doc-text-det")
    reader = DocumentReader(engine)
    shapes = _detector_inputs(monkeypatch, reader)
    frame = Frame(rendered[("insurance_policy", "1")])  # dense small print, taken for an ID card
    full = reader.ocr_page(frame)
    again = reader.ocr_page(frame, DocClass(DocType.id_card, "front", 0.99))
    assert len(shapes) == 3 and shapes[2] == shapes[0] and shapes[1][2] < shapes[0][2]
    assert [ln.read.text for ln in again[1].lines] == [ln.read.text for ln in full[1].lines]


def test_the_authenticity_check_beside_the_reading_judges_the_lines_read(engine, licence_capture):
    from inference.documents.reader import DocumentReader, line_boxes

    _need(engine, "doc-authenticity")
    reader = DocumentReader(engine)
    frame = Frame(licence_capture[0])
    read = reader.read(frame, "licence.jpg")
    doc = reader.classifier.classify(frame)
    _, text, to_image, _ = reader.ocr_page(frame, doc)
    after = reader.check_authenticity(frame, doc, line_boxes(text, to_image))
    assert read.authenticity is not None and after is not None and len(text.lines) > 10

    def timeless(a):
        return replace(a, elapsed_ms=0.0, forensics=replace(a.forensics, elapsed_ms=0.0) if a.forensics else None)

    assert timeless(read.authenticity) == timeless(after) and read.timings_ms["authenticity"] > 0


@pytest.mark.parametrize(
    "doc_type, page, colour, form",
    [
        (DocType.registration_certificate, "1", True, True),
        (DocType.registration_certificate, "2", False, True),  # a black table but for its red number
        (DocType.vehicle_license, "secondary", True, True),
        (DocType.id_card, "back", True, True),
        (DocType.other, "1", False, False),
        (None, "", True, True),  # not classified: taken for a listed document
    ],
)
def test_colour_is_expected_on_listed_pages_printed_in_colour(doc_type, page, colour, form):
    from inference.documents.authenticity import colour_expected, listed
    from inference.documents.types import DocClass

    doc = DocClass(doc_type, page, 0.99) if doc_type is not None else None
    assert (colour_expected(doc), listed(doc)) == (colour, form)


def test_a_page_printed_in_black_is_judged_for_copying_by_its_patches_alone(engine):
    """The 登记证书's page 2 is a black table with a small red number: its colour says nothing of a copy. A genuine
    photo of it that its colour measure finds copy-like is not raised; its photocopy twin is found by the patches."""
    from datasets.forgeries import make_pair
    from inference.documents.reader import DocumentReader

    _need(engine, "doc-authenticity")
    reader = DocumentReader(engine)
    assert reader.authenticity is not None
    pair = make_pair(np.random.default_rng(88045), 0, authenticity="photocopy", doc_type="registration_certificate")
    genuine, copy = (Frame(sample.image) for sample in pair)
    doc = reader.classifier.classify(genuine)
    assert (doc.doc_type, doc.page) == (DocType.registration_certificate, "2")
    # with its colour in the photocopy score, as the pages printed in colour are judged, it would be taken for a copy
    fused = reader.authenticity.scores(genuine.image, colour_expected=True)
    assert fused["photocopy"] >= reader.authenticity.thresholds["photocopy"] and fused["colourless"] > 0.3
    judged = reader.check_authenticity(genuine, doc)
    assert judged is not None and judged.verdict == "genuine"
    assert judged.scores["photocopy"] == judged.scores["photocopy_patches"] and judged.scores["colourless"] == 0.0
    found = reader.check_authenticity(copy)
    assert found is not None and found.verdict == "photocopy"


def test_office_calibration_scores_pages_as_the_review_does_with_their_lines(engine, quiet_line_pages):
    """An office whose genuine pages show a cue round their text lines (here the paper of one line quieter than
    the page's, as some printers leave it) gets thresholds its own pages pass in review; scored without the
    lines, as the patches and the page forensics alone score them, the forensic threshold would sit under them."""
    from inference.documents.authenticity import colour_expected, thresholds_for
    from inference.documents.calibration import calibrate_pages
    from inference.documents.reader import DocumentReader

    reader = DocumentReader(engine)
    pages = quiet_line_pages
    thresholds = calibrate_pages(engine, [Frame(image) for image in pages])["thresholds"]
    office = DocumentReader(engine, authenticity_thresholds=thresholds)
    reviewed = [office.check_authenticity(Frame(image)) for image in pages]
    assert all(r is not None and r.verdict == "genuine" for r in reviewed)
    without_lines = thresholds_for(
        [reader.authenticity.scores(im, colour_expected(reader.classifier.classify(Frame(im)))) for im in pages], 0.01
    )
    assert max(r.scores["forensic"] for r in reviewed) >= without_lines["forensic"]


def test_a_case_starts_its_costliest_pages_first(engine, rendered):
    """The reader's expected reading cost ranks a form above a 行驶证 above an ID card (the classifier's class), and
    the review starts a case's pages in that order while reporting them in the upload order."""
    import threading

    from inference.documents.reader import DocumentReader
    from inference.documents.review import review_case

    _need(engine, "doc-type")
    reader = DocumentReader(engine)
    names = [("id_card", "front"), ("vehicle_license", "main"), ("insurance_policy", "1"), ("id_card", "back")]
    pages = [(f"{t}_{p}.png", Frame(rendered[(t, p)])) for t, p in names]
    costs = [reader.reading_cost(frame) for _, frame in pages]
    assert costs[2] > costs[1] > costs[0] > costs[3]

    started: list[str] = []
    both_started = threading.Barrier(2, timeout=30)  # the first two pages run together, as on two workers

    def read(frame, source):
        started.append(source)
        if len(started) <= 2:
            both_started.wait()
        return reader.read(frame, source)

    result = review_case(read, pages, workers=2, cost=reader.reading_cost)
    assert set(started[:2]) == {pages[2][0], pages[1][0]} and set(started[2:]) == {pages[0][0], pages[3][0]}
    assert [d.source for d in result.documents] == [name for name, _ in pages]
    assert [d.doc.doc_type.value for d in result.documents] == [t for t, _ in names]
    in_order: list[str] = []
    review_case(lambda f, s: (in_order.append(s), reader.read(f, s))[1], pages, workers=1, cost=reader.reading_cost)
    assert in_order == [name for name, _ in pages]  # one worker: nothing to balance, the upload order


def test_a_planned_case_classifies_each_page_once(engine, rendered):
    """With the reader's plan, a case's pages are classified once: the class that ranks a page is the one it is read
    with, and the review is the one the cost alone gives."""
    from inference.documents.reader import DocumentReader
    from inference.documents.review import review_case

    _need(engine, "doc-type")
    reader = DocumentReader(engine)
    names = [("id_card", "front"), ("vehicle_license", "main"), ("insurance_policy", "1")]
    pages = [(f"{t}_{p}.png", Frame(rendered[(t, p)])) for t, p in names]
    classify, calls = reader.classifier.classify, []

    def counted(frame):
        calls.append(frame)
        return classify(frame)

    reader.classifier.classify = counted
    planned = review_case(reader.read, pages, workers=2, plan=reader.plan)
    assert len(calls) == len(pages) and {id(f) for f in calls} == {id(f) for _, f in pages}
    calls.clear()
    costed = review_case(reader.read, pages, workers=2, cost=reader.reading_cost)
    assert len(calls) == 2 * len(pages)  # once to rank the page, once more to read it
    assert [d.doc for d in planned.documents] == [d.doc for d in costed.documents]
    assert [dict(d.fields) for d in planned.documents] == [dict(d.fields) for d in costed.documents]
    assert planned.decision == costed.decision and [t for t, _ in names] == [
        d.doc.doc_type.value for d in planned.documents
    ]


def test_the_text_page_takes_the_corners_the_caller_found():
    """A page's corners are found once, for its text page and its authenticity check: the text page made from the
    corners given is the one made from its own search; given none (no page found), the photo is read as it is."""
    from inference.documents.page import find_page
    from inference.documents.reader import OCR_MAX_SIDE, text_page

    image = np.full((900, 1200, 3), 40, np.uint8)
    cv2.fillConvexPoly(image, np.array([[200, 100], [1000, 130], [980, 820], [180, 800]], np.int32), (235, 235, 235))
    quad = find_page(image)
    assert quad is not None
    own, own_map, own_found = text_page(image, OCR_MAX_SIDE)
    given, given_map, given_found = text_page(image, OCR_MAX_SIDE, quad=quad)
    assert own_found and given_found and np.array_equal(own, given)
    assert own_map((10.0, 20.0, 300.0, 60.0)) == given_map((10.0, 20.0, 300.0, 60.0))
    photo, photo_map, photo_found = text_page(image, OCR_MAX_SIDE, quad=None)
    assert not photo_found and photo.shape == image.shape and photo_map((1.0, 2.0, 3.0, 4.0)) == (1.0, 2.0, 3.0, 4.0)


def test_a_page_read_poorly_is_read_again_sharpened_for_its_fields(engine):
    """A page whose text the quality check finds blurred is read again from the photo sharpened, and the review
    takes its fields from that reading; its quality report stays the upload's. Pages that pass, or fail for
    another reason, keep their reading."""
    from datasets.documents import DocType as Rendered
    from datasets.documents import render_document
    from datasets.documents.capture import apply_capture, plan_capture
    from inference.documents.reader import REREAD_ISSUES, DocumentReader, page_class, sharpened
    from inference.documents.types import QualityIssue

    rng = np.random.default_rng(2)
    rendered = render_document(rng, Rendered.vehicle_license, "main")
    h, w = rendered.image.shape[:2]
    photo, _ = apply_capture(plan_capture(rng, (w, h), "photo"), rendered.image)
    frame = Frame(cv2.GaussianBlur(photo, (0, 0), 2.4))
    reader = DocumentReader(engine)
    cnn = reader.classifier.classify(frame)
    page_image, text, to_image, found = reader.ocr_page(frame, cnn)
    quality = reader.quality(frame, text, to_image, found, page_class(cnn, text))
    assert any(issue.code in REREAD_ISSUES for issue in quality.issues)
    first = (page_image, text, to_image)
    again = reader.reread_if_poor(frame, cnn, quality, first)
    sharp = reader.ocr_page(Frame(sharpened(frame.image)), cnn)
    lines = [ln.read.text for ln in again[1].lines]
    assert lines == [ln.read.text for ln in sharp[1].lines] and lines != [ln.read.text for ln in text.lines]
    assert np.array_equal(again[0], sharp[0])
    for issues in ((), (QualityIssue("glare", 0.3, 0.2),), (QualityIssue("dark", 40.0, 60.0),)):
        assert reader.reread_if_poor(frame, cnn, replace(quality, issues=issues), first) is first
    doc = reader.read(frame)
    assert doc.quality == quality and not doc.quality.ok
    want = reader.fields(sharp[0], sharp[1], doc.doc.doc_type, doc.doc.page)
    assert {k: v.text for k, v in doc.fields.items()} == {k: v.text for k, v in want.items()}
