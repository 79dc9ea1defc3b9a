"""Smoke training of the document classifiers on a handful of images, ONNX export with labels in the
metadata, and ONNX/PyTorch parity that fails on mismatch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch
import yaml

from training import documents


def _config(tmp_path, task: str, train: list[dict], test_seeds: list[int] | None = None, calibration=None):
    cfg = {
        "name": f"{task}-smoke",
        "version": "smoke",
        "task": task,
        "data": {
            "train": train,
            "val_fraction": 0.25,
            "test_seeds": test_seeds or [999],
            **({"calibration": calibration} if calibration else {}),
        },
        "epochs": 1,
        "batch": 4,
        "lr": 0.003,
        "patches_per_image": 2,
        "seed": 0,
        "export_file": f"{task}.onnx",
    }
    path = tmp_path / f"{task}.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return documents.DocConfig.load(path)


def _parity(model, cfg, tmp_path):
    out = documents.export_onnx(model, cfg, tmp_path / "m.onnx")
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    meta = session.get_modelmeta().custom_metadata_map
    assert json.loads(meta["labels"]) == list(cfg.labels)
    assert int(meta["input_size"]) == cfg.input_size
    s = cfg.input_size
    x = np.random.default_rng(0).uniform(-1, 1, (3, 3, s, s)).astype(np.float32)
    (onnx_out,) = session.run(None, {"x": x})
    with torch.no_grad():
        torch_out = documents.ExportWrapper(model).eval()(torch.from_numpy(x)).numpy()
    assert onnx_out.shape == (3, len(cfg.labels))
    np.testing.assert_allclose(onnx_out, torch_out, atol=1e-4, rtol=1e-3)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """A handful of documents and forgery twins, built once for the module."""
    from datasets.core import build

    root = tmp_path_factory.mktemp("data")
    build("documents", 6, 11, root / "docs", progress=False)
    build("forgeries", 4, 12, root / "forg", progress=False)
    build("forgeries", 4, 13, root / "calib", progress=False)
    return {
        "docs": {"kind": "documents", "dir": str(root / "docs"), "n": 6, "seed": 11},
        "forg": {"kind": "forgeries", "dir": str(root / "forg"), "n": 4, "seed": 12},
        "calib": {"kind": "forgeries", "dir": str(root / "calib"), "n": 4, "seed": 13},
    }


def test_doc_type_smoke_train_export_and_parity(tmp_path, data):
    cfg = _config(tmp_path, "doc_type", [data["docs"]])
    model, metrics, post = documents.train_doc_type(cfg, threads=2, max_steps=2)
    assert 0.0 <= metrics["synthetic_val_accuracy"] <= 1.0 and post == {"kind": "argmax"}
    _parity(model, cfg, tmp_path)


def test_authenticity_smoke_train_calibrate_export_and_parity(tmp_path, data):
    cfg = _config(tmp_path, "authenticity", [data["forg"], data["docs"]])
    model, metrics, post = documents.train_authenticity(cfg, threads=2, max_steps=2)
    assert 0.0 <= metrics["synthetic_val_patch_accuracy"] <= 1.0
    assert set(post["thresholds"]) == {"screen_recapture", "photocopy", "tampered", "forensic"}
    assert all(0.0 < v < 1.0 for v in post["thresholds"].values())
    _parity(model, cfg, tmp_path)


def test_calibration_splits_add_their_genuine_pages_to_the_thresholds(tmp_path, data):
    plain = _config(tmp_path, "authenticity", [data["forg"], data["docs"]])
    more = _config(tmp_path, "authenticity", [data["forg"], data["docs"]], calibration=[data["calib"]])
    assert more.calibration and more.calibration[0].seed == 13
    pages = [documents.train_authenticity(c, threads=2, max_steps=1)[2]["calibration_pages"] for c in (plain, more)]
    assert pages[1] - pages[0] == 2  # the calibration split's two genuine twins (its forged twins are not used)


def test_split_options_reach_the_generator(tmp_path):
    """A split's generator options (the forgeries' mat share) are part of its build: a build without them is
    another data set and is built again."""
    from datasets.core import is_built

    out = tmp_path / "f"
    train = [{"kind": "forgeries", "dir": str(out), "n": 2, "seed": 21, "options": {"mat": 1.0}}]
    cfg = _config(tmp_path, "authenticity", train)
    assert cfg.train[0].options == (("mat", 1.0),)
    documents.prepare_data(cfg)
    assert is_built(out, "forgeries", 2, 21, mat=1.0) and not is_built(out, "forgeries", 2, 21)
    labels = [json.loads(line) for line in (out / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    assert labels[0]["on_mat"] is True


def test_calibration_seeds_must_be_unseen(tmp_path):
    train = [{"kind": "documents", "dir": "d", "n": 1, "seed": 5}]
    with pytest.raises(ValueError, match="calibration seed"):
        _config(tmp_path, "doc_type", train, calibration=[{"kind": "documents", "dir": "c", "n": 1, "seed": 5}])
    with pytest.raises(ValueError, match="test seed"):
        _config(
            tmp_path,
            "doc_type",
            train,
            test_seeds=[7],
            calibration=[{"kind": "documents", "dir": "c", "n": 1, "seed": 7}],
        )


def test_page_authenticity_smoke_train_calibrate_export_and_parity(tmp_path, data):
    cfg = _config(tmp_path, "authenticity_page", [data["forg"], data["docs"]])
    model, metrics, post = documents.train_authenticity_page(cfg, threads=2, max_steps=2)
    assert cfg.labels == ("genuine", "screen_recapture", "photocopy")
    assert post["kind"] == "combined_with_patches" and set(post["thresholds"]) == {
        "screen_recapture",
        "photocopy",
        "tampered",
        "forensic",
    }
    assert set(post["page_kinds"]) <= {"screen_recapture", "photocopy"}
    assert set(post["heldout_detection"]) == {"screen_recapture", "photocopy"}
    _parity(model, cfg, tmp_path)


@pytest.mark.parametrize(
    ("task", "name"), [("authenticity", "doc-authenticity"), ("authenticity_page", "doc-authenticity-page")]
)
def test_calibrate_stage_sets_the_shipped_models_thresholds_again(tmp_path, data, task, name):
    import shutil

    import models

    catalog_dir = tmp_path / "models"
    shutil.copytree(models.CATALOG_PATH.parent, catalog_dir, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    catalog_path = catalog_dir / "catalog.yaml"
    before = {m["name"]: m for m in yaml.safe_load(catalog_path.read_text(encoding="utf-8"))["models"]}
    _config(tmp_path, task, [data["forg"], data["docs"]], calibration=[data["calib"]])
    cfg_path = tmp_path / f"{task}.yaml"
    raw = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
    cfg_path.write_text(yaml.safe_dump({**raw, "name": name}), encoding="utf-8")
    entry = documents.run(cfg_path, catalog_path=catalog_path, stage="calibrate")
    after = {m["name"]: m for m in yaml.safe_load(catalog_path.read_text(encoding="utf-8"))["models"]}
    assert entry["sha256"] == before[name]["sha256"]  # the weights are the shipped ones
    assert set(entry["postprocess"]["thresholds"]) == {"screen_recapture", "photocopy", "tampered", "forensic"}
    # set on the smoke pages, not the shipped run's hundreds
    assert entry["postprocess"]["calibration_pages"] < before[name]["postprocess"]["calibration_pages"]
    assert entry["origin"]["calibrated"]["command"].endswith("--stage calibrate")
    assert after[name]["postprocess"] == entry["postprocess"]
    assert {k: v for k, v in after.items() if k != name} == {k: v for k, v in before.items() if k != name}


def test_calibrate_stage_is_for_the_authenticity_models(tmp_path, data):
    _config(tmp_path, "doc_type", [data["docs"]])
    with pytest.raises(ValueError, match="only the authenticity models"):
        documents.run(tmp_path / "doc_type.yaml", stage="calibrate")


def test_patch_labels_follow_the_tamper_mask():
    mask = np.zeros((300, 300), np.uint8)
    mask[100:160, 100:200] = 255
    assert documents._patch_label("tampered", mask, 90, 90, 112) == documents.AUTH_LABELS.index("tampered")
    assert documents._patch_label("tampered", mask, 0, 180, 112) == documents.AUTH_LABELS.index("genuine")
    assert documents._patch_label("tampered", mask, 195, 0, 112) is None  # a sliver: left out
    assert documents._patch_label("photocopy", None, 0, 0, 112) == documents.AUTH_LABELS.index("photocopy")


def test_a_paste_is_labelled_by_its_seam():
    mask = np.zeros((400, 400), np.uint8)
    mask[100:300, 100:300] = 255  # a pasted block larger than a patch
    seam = documents.seam_of(mask)
    assert seam[100, 150] and seam[200, 100] and not seam[200, 200] and not seam[50, 50]
    tampered, genuine = documents.AUTH_LABELS.index("tampered"), documents.AUTH_LABELS.index("genuine")
    assert documents._patch_label("tampered", mask, 144, 144, 112, seam) is None  # inside: looks captured
    assert documents._patch_label("tampered", mask, 50, 150, 112, seam) == tampered  # across the left border
    assert documents._patch_label("tampered", mask, 288, 288, 112, seam) is None  # a corner sliver
    assert documents._patch_label("tampered", mask, 0, 0, 90, seam) == genuine


def test_test_seeds_must_differ_from_training_seeds(tmp_path):
    with pytest.raises(ValueError, match="held apart"):
        _config(tmp_path, "doc_type", [{"kind": "documents", "dir": "d", "n": 1, "seed": 5}], test_seeds=[5])


def test_batchnorm_momentum_is_raised():
    model = documents.make_model(4)
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert bns and all(m.momentum == pytest.approx(0.1) for m in bns)


def test_residual_patchnet_sees_the_noise_an_edit_removes(tmp_path):
    """The residual input is fixed (not trained), zero on flat and on linearly shaded patches and not on noise;
    the exported ONNX computes what the PyTorch model does."""
    model = documents.make_model(4, "patchnet_residual").eval()
    assert model.noise_kernel.requires_grad is False and "noise_kernel" not in dict(model.named_parameters())
    ramp = torch.linspace(-1, 1, 32).expand(1, 3, 32, 32).contiguous()
    res = torch.nn.functional.conv2d(ramp, model.noise_kernel, padding=1, groups=3)[..., 1:-1, 1:-1]
    assert float(res.abs().max()) < 1e-5
    noise = ramp + torch.randn(1, 3, 32, 32, generator=torch.Generator().manual_seed(0)) * (2 / 127.5)
    res = torch.nn.functional.conv2d(noise, model.noise_kernel, padding=1, groups=3)[..., 1:-1, 1:-1]
    assert 0.1 < float(res.std()) < 1.0  # two grey levels of noise come out at a scale the first layer sees
    cfg = _config(tmp_path, "authenticity", [{"kind": "forgeries", "dir": "f", "n": 1, "seed": 1}])
    _parity(model, cfg, tmp_path)
    with pytest.raises(ValueError, match="arch must be one of"):
        documents.make_model(4, "resnet")


def test_calibration_pages_expect_colour_unless_of_no_listed_type(tmp_path):
    from training.documents import colour_expected, listed

    split = tmp_path / "split"
    (split / "images").mkdir(parents=True)
    rows = [
        {"file": "images/a.png", "doc_type": "vehicle_license", "page": "main"},
        {"file": "images/b.png", "doc_type": "other", "page": "1"},
        {"file": "images/c.png", "doc_type": "registration_certificate", "page": "2"},  # black but for a mark
        {"file": "images/d.png", "doc_type": "registration_certificate", "page": "1"},
    ]
    (split / "labels.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    pages = [split / "images" / f"{name}.png" for name in "abcd"] + [tmp_path / "office" / "scan.jpg"]
    assert [colour_expected(p) for p in pages] == [True, False, False, True, True]  # no labels: a listed document
    assert [listed(p) for p in pages] == [True, False, True, True, True]


def test_catalog_thresholds_are_set_on_the_scores_the_review_computes(engine, quiet_line_pages, tmp_path):
    """Both calibrations of training (the patch model's and the combined one) score their genuine pages as the
    review does, the cues round the text lines included: calibration pages with one line's paper quieter pass
    review at the forensic threshold set on them; scored without the lines, as the patches and the page forensics
    alone score them, the threshold would sit under them."""
    import cv2

    from inference.documents.authenticity import DEFAULT_STRIDE, alarm_scores, thresholds_for
    from inference.documents.preprocess import doc_thumbnail, to_chw
    from inference.documents.reader import DocumentReader
    from inference.types import Frame

    paths = []
    for i, image in enumerate(quiet_line_pages):
        paths.append(tmp_path / f"{i:02d}.png")
        cv2.imwrite(str(paths[-1]), image)
    patches, page = engine.load("doc-authenticity"), engine.load("doc-authenticity-page")

    def run(batch):
        return patches.run({patches.input_names[0]: batch})[0]

    def page_probs(image):
        size = int(page.metadata.get("input_size", "128"))
        return page.run({page.input_names[0]: to_chw(doc_thumbnail(image, size)[None])})[0][0]

    reader = DocumentReader(engine)
    reviewed = max(reader.check_authenticity(Frame(image)).scores["forensic"] for image in quiet_line_pages)
    for post in (
        documents.calibrate_patches(run, paths, 0.01),
        documents.calibrate_combined(page_probs, paths, 0.01, documents.CATALOG_PATH),
    ):
        assert reviewed < post["thresholds"]["forensic"]
    labels = json.loads(patches.metadata["labels"])
    without_lines = thresholds_for([alarm_scores(im, run, labels, DEFAULT_STRIDE)[0] for im in quiet_line_pages], 0.01)
    assert reviewed >= without_lines["forensic"]


@pytest.mark.parametrize(
    ("view", "kept"),
    [
        ("silent", True),  # the page view adds nothing and costs nothing: a tie keeps it
        ("alarms on genuine pages", False),  # it raises the genuine pages: fewer held-out screens at the budget
    ],
)
def test_the_page_view_is_kept_unless_it_finds_fewer_held_out_pages(data, view, kept):
    """Which kinds the page view is trusted with, from held-out screens and copies at the combined thresholds."""
    import hashlib

    import cv2

    def rows(split):
        return [json.loads(line) for line in (Path(split["dir"]) / "labels.jsonl").read_text("utf-8").splitlines()]

    genuine = [Path(data["docs"]["dir"]) / r["file"] for r in rows(data["docs"])]
    genuine += [Path(data[k]["dir"]) / r["file"] for k in ("forg", "calib") for r in rows(data[k])
                if r["authenticity"] == "genuine"]
    forged = [(Path(data[k]["dir"]) / r["file"], r["authenticity"]) for k in ("forg", "calib") for r in rows(data[k])
              if r["authenticity"] in ("screen_recapture", "photocopy")]
    assert any(kind == "screen_recapture" for _, kind in forged)
    raised = {hashlib.sha256(cv2.imread(str(p), cv2.IMREAD_COLOR).tobytes()).hexdigest() for p in genuine}

    def page_probs(image):
        alarm = view != "silent" and hashlib.sha256(image.tobytes()).hexdigest() in raised
        return np.asarray([0.0, 1.0, 1.0] if alarm else [1.0, 0.0, 0.0], np.float32)

    post = documents.calibrate_combined(page_probs, genuine, 0.01, documents.CATALOG_PATH, forged)
    rates = post["heldout_detection"]["screen_recapture"]  # the patches find the held-out screens
    assert rates["patches"] > 0
    assert (rates["patches+page"] == rates["patches"]) is kept
    assert ("screen_recapture" in post["page_kinds"]) is kept
