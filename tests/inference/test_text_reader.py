from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from datasets.fonts import font
from inference.ops.ctc import ctc_greedy_decode, ctc_topk_decode
from inference.ops.geometry import iou_xyxy, order_corners, warp_quad
from inference.stages.text import TextReader
from inference.types import Frame, InvalidImageError


def _render(lines: list[tuple[str, tuple[int, int]]], size_wh=(900, 400)) -> np.ndarray:
    img = Image.new("RGB", size_wh, (235, 235, 230))
    draw = ImageDraw.Draw(img)
    for text, xy in lines:
        draw.text(xy, text, fill=(20, 20, 20), font=font("cjk_sans", 56))
    return np.ascontiguousarray(np.asarray(img)[:, :, ::-1])


@pytest.fixture(scope="module")
def reader(engine):
    return TextReader(engine)


def test_reads_rendered_lines_in_order_with_boxes(reader):
    image = _render([("车辆识别代号", (60, 60)), ("LSVAM4187C2184847", (60, 220))])
    result = reader.read(Frame.from_array(image))
    texts = [line.read.text for line in result.lines]
    assert texts == ["车辆识别代号", "LSVAM4187C2184847"]
    first, second = result.lines
    assert first.box_xyxy[1] < second.box_xyxy[1]
    assert 40 <= first.box_xyxy[0] <= 80 and first.box_xyxy[2] > 300
    assert all(0.5 < c.confidence <= 1.0 for c in second.read.chars)
    assert set(result.timings_ms) == {"text_det", "text_rec"}
    assert [m.name for m in result.models] == ["text-det", "text-rec"]


def test_blank_frame_gives_no_lines(reader):
    result = reader.read(Frame.from_array(np.full((240, 320, 3), 128, np.uint8)))
    assert result.lines == ()


def test_read_line_of_a_tight_crop(reader):
    crop = _render([("京A12345", (10, 5))], size_wh=(260, 80))
    assert reader.read_line(crop).text == "京A12345"


def test_ctc_decode_collapses_runs_and_keeps_alternatives():
    vocab = ["<blank>", "A", "B", "8"]
    probs = np.array([
        [0.1, 0.8, 0.05, 0.05],
        [0.1, 0.7, 0.1, 0.1],   # same run as above: one "A", best step 0.8
        [0.9, 0.05, 0.03, 0.02],
        [0.1, 0.1, 0.5, 0.3],   # "B" with "8" as the next alternative
        [0.8, 0.1, 0.05, 0.05],
        [0.1, 0.6, 0.2, 0.1],   # a second "A" after a blank
    ])
    read = ctc_greedy_decode(probs, vocab, top_k=3)
    assert read.text == "ABA"
    assert read.chars[0].confidence == pytest.approx(0.8)
    assert read.chars[1].alternatives[0] == ("8", pytest.approx(0.3))
    assert len(read.chars[1].alternatives) == 2
    with pytest.raises(ValueError, match="shape"):
        ctc_greedy_decode(probs[:, :3], vocab)


def test_ctc_decode_marks_a_gap_where_a_character_may_have_gone_unread():
    """'ABNNWA' read 'ABNWA': the second N never won a step, but the steps it took leave a gap twice the line's
    spacing before W; what they held is kept on W (a repeated character is often read once)."""
    vocab = ["<blank>", "A", "B", "N", "W", "8"]
    probs = np.full((13, len(vocab)), 0.01)
    probs[:, 0] = 0.95
    for step, cls in ((1, 1), (3, 2), (5, 3), (9, 4), (11, 1)):
        probs[step] = 0.01
        probs[step, cls] = 0.95
    probs[7, 5], probs[7, 0] = 0.1, 0.85  # '8' a little in the gap
    probs[6, 3], probs[6, 0] = 0.05, 0.9
    probs /= probs.sum(1, keepdims=True)
    top = np.argsort(-probs, 1)[:, :4]
    reads = ctc_greedy_decode(probs, vocab, top_k=3), ctc_topk_decode(np.take_along_axis(probs, top, 1), top, vocab)
    for read in reads:
        assert read.text == "ABNWA"
        gap = read.chars[3].skipped_before
        assert gap is not None and [c for c, _ in gap[:2]] == ["8", "N"]
        assert all(c.skipped_before is None for k, c in enumerate(read.chars) if k != 3)


@pytest.mark.parametrize("top_k", [1, 2, 3])
def test_ctc_decode_from_each_steps_top_classes_reads_as_from_the_whole_distribution(top_k):
    """A recogniser ending in TopK (K = top_k + 1) gives the decoder all it uses: the same characters,
    confidences and alternatives; with fewer classes kept, fewer alternatives."""
    rng = np.random.default_rng(10 + top_k)
    vocab = ["<blank>", *(chr(0x4E00 + i) for i in range(2000))]
    for _ in range(40):
        steps = int(rng.integers(0, 50))
        logits = rng.normal(0, 3, (steps, len(vocab)))
        logits[:, 0] += rng.uniform(0, 6)  # blanks between characters, runs of one class
        probs = np.exp(logits - logits.max(1, keepdims=True))
        probs /= probs.sum(1, keepdims=True)
        top = np.argsort(-probs, axis=1, kind="stable")[:, : top_k + 1]
        want = ctc_greedy_decode(probs, vocab, top_k=top_k)
        got = ctc_topk_decode(np.take_along_axis(probs, top, 1), top, vocab, top_k=top_k)
        assert got == want
    one = ctc_topk_decode(np.take_along_axis(probs, top[:, :1], 1), top[:, :1], vocab, top_k=3)
    assert one.text == want.text and all(len(c.alternatives) == 0 for c in one.chars)
    with pytest.raises(ValueError, match="T, K"):
        ctc_topk_decode(probs[:, :2], top[:, :1], vocab)


@pytest.mark.parametrize("top_k", [1, 2, 4])
def test_ctc_alternatives_over_a_large_vocabulary_match_a_full_sort(top_k):
    rng = np.random.default_rng(top_k)
    vocab = ["<blank>", *(chr(0x4E00 + i) for i in range(5000))]
    probs = rng.dirichlet(np.full(len(vocab), 0.05), size=30)
    read = ctc_greedy_decode(probs, vocab, top_k=top_k)
    best = probs.argmax(axis=1)
    emitted = [t for t in range(len(best)) if best[t] != 0 and (t == 0 or best[t - 1] != best[t])]
    assert [c.char for c in read.chars] == [vocab[best[t]] for t in emitted]
    for char, t in zip(read.chars, emitted, strict=True):  # runs are one step long at this spread
        order = [int(k) for k in np.argsort(-probs[t], kind="stable") if k not in (0, best[t])][: top_k - 1]
        assert [a for a, _ in char.alternatives] == [vocab[k] for k in order]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [((0, 0, 10, 10), (0, 0, 10, 10), 1.0), ((0, 0, 10, 10), (5, 0, 15, 10), 1 / 3), ((0, 0, 1, 1), (2, 2, 3, 3), 0.0)],
)
def test_iou(a, b, expected):
    assert iou_xyxy(a, b) == pytest.approx(expected)


def test_order_corners_and_warp():
    shuffled = np.array([[100, 60], [10, 10], [10, 60], [100, 10]], np.float32)
    assert order_corners(shuffled).tolist() == [[10, 10], [100, 10], [100, 60], [10, 60]]
    image = np.zeros((80, 120, 3), np.uint8)
    image[10:60, 10:100] = 255
    out = warp_quad(image, order_corners(shuffled))
    assert out.shape == (50, 90, 3) and out[5:-5, 5:-5].min() == 255


@pytest.mark.parametrize(
    ("array", "error"),
    [
        (np.zeros((10, 10), np.uint8), None),
        (np.zeros((10, 10, 1), np.uint8), None),
        (np.zeros((10, 10, 4), np.uint8), None),
        (np.zeros((10, 10, 3), np.float32), InvalidImageError),
        (np.zeros((10, 10, 2), np.uint8), InvalidImageError),
        (np.zeros((0, 10, 3), np.uint8), InvalidImageError),
        ("not an array", InvalidImageError),
    ],
)
def test_frame_from_array(array, error):
    if error:
        with pytest.raises(error):
            Frame.from_array(array)
    else:
        frame = Frame.from_array(array)
        assert frame.image.shape == (10, 10, 3) and frame.size_wh == (10, 10)


@pytest.mark.parametrize(("shape", "expected"), [
    ((90, 600), (288, 1984)),      # thin VIN crop: short side brought up, long side capped (not 736x4907)
    ((720, 1160), (736, 1184)),    # a video frame: short side to 736
    ((3000, 4000), (1504, 1984)),  # a large photo: capped, never enlarged
    ((1000, 800), (992, 800)),     # big enough already: kept (to multiples of 32)
])
def test_text_detector_input_keeps_the_short_side_rule_and_caps_the_long_side(shape, expected):
    from inference.stages.text import _CappedDetPreProcess

    pre = _CappedDetPreProcess(736, 2000, [0.5] * 3, [0.5] * 3)
    out = pre.resize(np.zeros((*shape, 3), np.uint8))
    assert out.shape[:2] == expected


def test_text_detector_input_is_rapidocrs_normalisation_in_float32():
    from rapidocr.ch_ppocr_det.utils import DetPreProcess

    from inference.stages.text import _CappedDetPreProcess

    img = np.random.default_rng(0).integers(0, 256, (64, 96, 3), dtype=np.uint8)
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    ours = _CappedDetPreProcess(736, 2000, mean, std).normalize(img)
    theirs = DetPreProcess(736, "min", mean, std).normalize(img)
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(ours, theirs.astype(np.float32))  # the very values, by table look-up
    grey = img[:, :, :1].copy()  # one channel
    got = _CappedDetPreProcess(736, 2000, mean[:1], std[:1]).normalize(grey)
    assert got.shape == grey.shape
    np.testing.assert_array_equal(got, DetPreProcess(736, "min", mean[:1], std[:1]).normalize(grey).astype(np.float32))
    floats = img.astype(np.float32)  # not uint8: rapidocr's arithmetic, in float32
    got = _CappedDetPreProcess(736, 2000, mean, std).normalize(floats)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, theirs.astype(np.float32), rtol=0, atol=1e-6)


def test_concurrent_line_batches_read_the_same(engine):
    """Batches run two at a time give the very same reads, in the crops' order."""
    from inference.stages.text import TextRecognizer

    words = ["车辆识别代号", "LSVAM4187C2184847", "京A12345", "发动机号码", "2020年01月04日", "小型轿车", "汽油"]
    crops = [_render([(w, (10, 5))], size_wh=(60 + 60 * len(w), 80)) for w in words * 2]
    one = TextRecognizer(engine.load("text-rec"), batch_size=3)
    two = TextRecognizer(engine.load("text-rec"), batch_size=3, workers=2)
    a, b = one(crops), two(crops)
    assert [r.text for r in a] == [r.text for r in b]
    assert [r.text for r in a][:3] == words[:3]
    with pytest.raises(ValueError, match="workers"):
        TextRecognizer(engine.load("text-rec"), workers=0)


def test_wide_lines_are_read_in_batches_of_their_own(engine, monkeypatch):
    from inference.stages.text import REC_HEIGHT, TextRecognizer

    texts = ["京A12345", "车辆识别代号", "LSVAM4187C2184847", "发动机号码", "中华联合财产保险股份有限公司", "注册日期"]
    crops = [_render([(t, (10, 8))], size_wh=(70 * len(t) + 20, 80)) for t in texts]
    solo = 384
    wide = {i for i, c in enumerate(crops) if REC_HEIGHT * c.shape[1] / c.shape[0] >= solo}
    assert 0 < len(wide) < len(crops) - 1
    rec = TextRecognizer(engine.load("text-rec"), batch_size=2, min_width=96, solo_width=solo)
    shapes = []
    run = rec.model.run

    def recording(feeds):
        shapes.append(next(iter(feeds.values())).shape)
        return run(feeds)

    monkeypatch.setattr(rec.model, "run", recording)
    reads = rec(crops)
    assert [r.text for r in reads] == texts
    assert sorted(s[0] for s in shapes) == [1] * len(wide) + [2] * ((len(crops) - len(wide)) // 2)
    assert all(s[0] == 1 for s in shapes if s[3] >= solo) and shapes[0][3] == max(s[3] for s in shapes)
    # a line in a batch of its own is read as it is read alone
    for i in wide:
        assert rec([crops[i]])[0] == reads[i]
