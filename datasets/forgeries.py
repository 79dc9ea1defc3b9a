"""Genuine / forged document twins (kind "forgeries").

Each pair starts from ONE flat rendered document. The genuine twin is captured as is; the forged twin is a
screen recapture, a photocopy or a tampered copy of the same pixels, captured with the SAME capture plan
(same desk, light, blur, noise, geometry), so the only difference a model can learn is the forgery cue.
Tampering is digital by default (``tamper_stage="digital"``): the forger edits the uploaded capture itself
(the genuine twin's pixels), so the twins are byte-identical outside the tamper mask and the edit keeps its
traces (pasted noise and light from elsewhere, clean typed glyphs, smooth inpainting). ``tamper_stage=
"print"`` edits the flat document before the capture (an altered document printed and photographed): the
capture then spreads one noise and light field over everything, which pixel forensics cannot see; such
edits are left to the field cross-checks (the mask is the edit carried through the capture, grown by its
blur footprint).

Pairing: sample ``2k`` is the genuine twin and ``2k + 1`` the forged twin of pair ``k``. Both are built from a
generator seeded by ``(dataset seed, k)``. The dataset seed is the ``pair_seed`` option or, by default, read
back from the per-sample generator the core passes (``default_rng([seed, index])`` keeps its entropy), so
the twins match whatever the order and the number of worker processes.
"""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np

from datasets.core import Sample
from datasets.documents import (
    DocType,
    FieldBox,
    RenderedDocument,
    make_case_record,
    random_doc_type,
    random_page,
    render_document,
)
from datasets.documents.capture import (
    CapturePlan,
    apply_capture,
    corners,
    on_mat,
    plan_capture,
    transform_box,
    transform_fields,
)
from datasets.fonts import font

AUTHENTICITY = ("genuine", "screen_recapture", "photocopy", "tampered")
TAMPER_KINDS = ("copy_move", "splice", "text_replace", "inpaint")
TAMPER_STAGES = ("digital", "print")
_PAIR_SALT = 0x7F0A6E  # keeps the pair generator apart from the core's per-sample generators
_MAT_SALT = 0x3A7D11  # the mat draws: their own stream, so a set built without mats is the same pairs as before


class PairSeedError(ValueError):
    pass


def _dataset_seed(rng: np.random.Generator, index: int) -> int:
    entropy = getattr(rng.bit_generator.seed_seq, "entropy", None)
    if isinstance(entropy, list | tuple) and len(entropy) == 2 and int(entropy[1]) == index:
        return int(entropy[0])
    raise PairSeedError(
        "cannot recover the dataset seed from this generator; construct ForgeryGenerator with "
        "pair_seed=<seed> so genuine/forged twins share their source"
    )


# ------------------------------------------------------------------------------------------------ helpers


def _as_h(a2x3: np.ndarray) -> np.ndarray:
    return np.vstack([a2x3, [0.0, 0.0, 1.0]])


def _doc_corners(w: int, h: int) -> np.ndarray:
    return np.asarray([[0, 0], [w, 0], [w, h], [0, h]], np.float32)


def _pad_box(box: tuple[int, int, int, int], pad: int, w: int, h: int) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = box
    return max(0, x1 - pad), max(0, y1 - pad), min(w, x2 + pad), min(h, y2 + pad)


def _candidates(doc: RenderedDocument) -> list[str]:
    """Fields worth forging: real values with some area."""
    out = []
    for name, fb in doc.fields.items():
        x1, y1, x2, y2 = fb.box_xyxy
        if len(fb.text) >= 2 and fb.text != "——" and (x2 - x1) >= 20 and (y2 - y1) >= 8:
            out.append(name)
    return out


def _check_stage(tamper_stage: str) -> None:
    if tamper_stage not in TAMPER_STAGES:
        raise ValueError(f"tamper_stage must be one of {TAMPER_STAGES}, got {tamper_stage!r}")


def _captured(doc: RenderedDocument, image: np.ndarray, h_mat: np.ndarray) -> RenderedDocument:
    """``doc`` as seen in its capture ``image``: the field boxes carried through the homography."""
    wh = (image.shape[1], image.shape[0])
    fields = {n: FieldBox(fb.text, tuple(transform_box(fb.box_xyxy, h_mat, wh))) for n, fb in doc.fields.items()}
    return RenderedDocument(image, doc.doc_type, doc.page, fields, doc.record)


# ------------------------------------------------------------------------------------------------ tampering


def _mutate_text(rng: np.random.Generator, text: str) -> str:
    """A plausible forged value: change 1-2 characters to others of the same class."""
    chars = list(text)
    positions = [i for i, c in enumerate(chars) if c.isalnum()]
    if not positions:
        return text + "1"
    for _ in range(int(rng.integers(1, 3))):
        i = positions[int(rng.integers(len(positions)))]
        c = chars[i]
        if c.isdigit():
            chars[i] = str((int(c) + int(rng.integers(1, 10))) % 10)
        elif c.isascii():
            chars[i] = "ABCDEFGHJKLMNPRSTUVWXYZ"[int(rng.integers(23))]
        else:
            chars[i] = "王李张刘陈杨黄赵周吴徐孙马朱胡郭林何高罗"[int(rng.integers(20))]
    new = "".join(chars)
    return new if new != text else new + "0"


def _ink_mask(img: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Pixels of printed strokes inside ``box`` (darker than the local paper), as uint8 0/255 full-size."""
    x1, y1, x2, y2 = box
    grey = cv2.cvtColor(img[y1:y2, x1:x2], cv2.COLOR_BGR2GRAY).astype(np.float32)
    paper = float(np.percentile(grey, 85))
    local = (grey < paper - 28).astype(np.uint8) * 255
    local = cv2.dilate(local, np.ones((3, 3), np.uint8), iterations=2)
    mask = np.zeros(img.shape[:2], np.uint8)
    mask[y1:y2, x1:x2] = local
    return mask


def _inpaint(
    rng: np.random.Generator, img: np.ndarray, doc: RenderedDocument, name: str
) -> tuple[np.ndarray, np.ndarray, dict[str, FieldBox]]:
    h, w = img.shape[:2]
    box = _pad_box(doc.fields[name].box_xyxy, 2, w, h)
    mask = _ink_mask(img, box)
    out = cv2.inpaint(
        img, mask, float(rng.uniform(2, 6)), cv2.INPAINT_TELEA if rng.random() < 0.5 else cv2.INPAINT_NS
    )
    fields = dict(doc.fields)
    fields[name] = FieldBox("", doc.fields[name].box_xyxy)
    return out, mask, fields


def _text_replace(
    rng: np.random.Generator, img: np.ndarray, doc: RenderedDocument, name: str
) -> tuple[np.ndarray, np.ndarray, dict[str, FieldBox]]:
    h, w = img.shape[:2]
    old = doc.fields[name]
    x1, y1, x2, y2 = _pad_box(old.box_xyxy, 2, w, h)
    # erase: inpaint the strokes (a forger's clone/heal tool), then print the new value on top
    ink = _ink_mask(img, (x1, y1, x2, y2))
    stroke = img[ink > 0]
    colour = np.median(stroke, axis=0) if len(stroke) else np.array([30, 30, 30], np.float64)
    erased = cv2.inpaint(img, ink, 3, cv2.INPAINT_TELEA)
    new_text = _mutate_text(rng, old.text)
    face = str(
        rng.choice(
            ["cjk_sans", "cjk_sans_bold", "cjk_serif", "latin_sans"]
            if new_text.isascii()
            else ["cjk_sans", "cjk_sans_bold", "cjk_serif", "cjk_serif_bold"]
        )
    )
    target_h = max(6, int((y2 - y1 - 4) * rng.uniform(0.85, 1.1)))
    f = font(face, max(6, int(target_h / 0.8)))
    left, top, right, bottom = f.getbbox(new_text)
    from PIL import Image, ImageDraw  # local: only tampering needs PIL here

    glyphs = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(glyphs).text((-left, -top), new_text, font=f, fill=255)
    alpha = np.asarray(glyphs, np.float32) / 255.0
    scale = target_h / alpha.shape[0]
    new_w = max(1, int(alpha.shape[1] * scale * rng.uniform(0.9, 1.1)))
    new_w = min(new_w, w - x1 - 1)
    alpha = cv2.resize(alpha, (new_w, target_h), interpolation=cv2.INTER_AREA)
    alpha = cv2.GaussianBlur(alpha, (0, 0), float(rng.uniform(0.3, 0.8)))
    tx = int(np.clip(x1 + 2 + rng.integers(-3, 4), 0, w - new_w - 1))
    ty = int(np.clip(y1 + 2 + rng.integers(-2, 3), 0, h - target_h - 1))
    tint = np.clip(colour + rng.normal(0, 18, 3), 0, 160).astype(np.float32)
    out = erased.astype(np.float32)
    region = out[ty : ty + target_h, tx : tx + new_w]
    a = alpha[..., None] * rng.uniform(0.85, 1.0)
    region[:] = region * (1 - a) + tint * a
    out_u8 = np.clip(out + 0.5, 0, 255).astype(np.uint8)
    mask = ink.copy()
    mask[ty : ty + target_h, tx : tx + new_w] = np.maximum(
        mask[ty : ty + target_h, tx : tx + new_w], (alpha > 0.02).astype(np.uint8) * 255
    )
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    new_box = (min(x1, tx), min(y1, ty), max(x2, tx + new_w), max(y2, ty + target_h))
    fields = dict(doc.fields)
    fields[name] = FieldBox(new_text, new_box)
    return out_u8, mask, fields


def _paste(img: np.ndarray, patch: np.ndarray, x: int, y: int) -> tuple[np.ndarray, np.ndarray]:
    h, w = img.shape[:2]
    ph, pw = min(patch.shape[0], h - y), min(patch.shape[1], w - x)
    out = img.copy()
    mask = np.zeros((h, w), np.uint8)
    # feather the seam a little, as a forger's soft brush would; the mask covers the whole pasted rect
    a = np.ones((ph, pw), np.float32)
    a = cv2.GaussianBlur(np.pad(a, 2)[:, :], (0, 0), 1.0)[2:-2, 2:-2][..., None]
    out[y : y + ph, x : x + pw] = np.clip(
        patch[:ph, :pw] * a + img[y : y + ph, x : x + pw] * (1 - a) + 0.5, 0, 255
    ).astype(np.uint8)
    mask[y : y + ph, x : x + pw] = 255
    return out, mask


def _copy_move(
    rng: np.random.Generator, img: np.ndarray, doc: RenderedDocument, name: str
) -> tuple[np.ndarray, np.ndarray, dict[str, FieldBox]]:
    h, w = img.shape[:2]
    target = doc.fields[name]
    tx1, ty1, tx2, ty2 = target.box_xyxy
    others = [n for n in _candidates(doc) if n != name]
    fields = dict(doc.fields)
    if others:
        src_name = others[int(rng.integers(len(others)))]
        sx1, sy1, sx2, sy2 = doc.fields[src_name].box_xyxy
        patch = img[sy1:sy2, sx1:sx2].astype(np.float32)
        out, mask = _paste(img, patch, tx1, ty1)
        ph, pw = min(sy2 - sy1, h - ty1), min(sx2 - sx1, w - tx1)
        covers = pw >= tx2 - tx1
        text = (
            doc.fields[src_name].text
            if covers
            else doc.fields[src_name].text + target.text[len(doc.fields[src_name].text) :]
        )
        fields[name] = FieldBox(text, (tx1, ty1, max(tx2, tx1 + pw), max(ty2, ty1 + ph)))
        return out, mask, fields
    # nothing to copy from: clone a patch of the page over the field (hides it)
    pw, ph = tx2 - tx1, ty2 - ty1
    sx, sy = int(rng.integers(0, max(1, w - pw))), int(rng.integers(0, max(1, h - ph)))
    out, mask = _paste(img, img[sy : sy + ph, sx : sx + pw].astype(np.float32), tx1, ty1)
    fields[name] = FieldBox("", target.box_xyxy)
    return out, mask, fields


def _splice(
    rng: np.random.Generator,
    img: np.ndarray,
    doc: RenderedDocument,
    name: str,
    capture: CapturePlan | None = None,
) -> tuple[np.ndarray, np.ndarray, dict[str, FieldBox]]:
    """Paste the same field from another (genuine-looking) document of the same type and page, scaled to the
    field's box. With ``capture`` (a digital edit of a capture) the donor is another photo or scan of the
    same mode: its own light, blur and noise."""
    donor = render_document(rng, doc.doc_type, doc.page, make_case_record(rng))
    if capture is not None:
        dh, dw = donor.image.shape[:2]
        donor_img, h_d = apply_capture(plan_capture(rng, (dw, dh), capture.mode), donor.image)
        donor = _captured(donor, donor_img, h_d)
    fields = dict(doc.fields)
    h, w = img.shape[:2]
    tx1, ty1, tx2, ty2 = doc.fields[name].box_xyxy
    if name in donor.fields:
        dh, dw = donor.image.shape[:2]
        dx1, dy1, dx2, dy2 = _pad_box(donor.fields[name].box_xyxy, 3, dw, dh)
        x, y = max(0, tx1 - 3), max(0, ty1 - 3)
        bx2, by2 = min(w, tx2 + 3), min(h, ty2 + 3)
        patch = donor.image[dy1:dy2, dx1:dx2]
        if patch.shape[:2] != (by2 - y, bx2 - x):
            patch = cv2.resize(patch, (bx2 - x, by2 - y), interpolation=cv2.INTER_LINEAR)
        patch = patch.astype(np.float32)
        text = donor.fields[name].text
    else:  # donor layouts differ (e.g. "other"): take any donor region of the field's size
        dh, dw = donor.image.shape[:2]
        pw, ph = min(tx2 - tx1, dw - 1), min(ty2 - ty1, dh - 1)
        sx, sy = int(rng.integers(0, dw - pw)), int(rng.integers(0, dh - ph))
        patch = donor.image[sy : sy + ph, sx : sx + pw].astype(np.float32)
        x, y, text = tx1, ty1, ""
    out, mask = _paste(img, patch, x, y)
    ph, pw = min(patch.shape[0], h - y), min(patch.shape[1], w - x)
    fields[name] = FieldBox(text, (min(x, tx1), min(y, ty1), max(tx2, x + pw), max(ty2, y + ph)))
    return out, mask, fields


_TAMPER = {"copy_move": _copy_move, "splice": _splice, "text_replace": _text_replace, "inpaint": _inpaint}


# ------------------------------------------------------------------------------------------------ photocopy


def photocopy(rng: np.random.Generator, img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A print-and-copy of ``img``: grey, contrast crushed, halftoned, toner specks, skewed on the copy paper
    with a dark lid-shadow edge. Returns the copy and the 3x3 map page -> copy pixels."""
    h, w = img.shape[:2]
    g = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0
    lo, hi = rng.uniform(0.2, 0.4), rng.uniform(0.72, 0.9)
    g = np.clip((g - lo) / (hi - lo), 0, 1) ** rng.uniform(0.8, 1.3)
    # amplitude-modulated halftone screen at 45 degrees: mid-greys become dot patterns, text stays solid
    period = rng.uniform(3.0, 5.5)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    u, v = (xx + yy) / math.sqrt(2), (xx - yy) / math.sqrt(2)
    screen = 0.5 + 0.25 * (np.cos(2 * np.pi * u / period) + np.cos(2 * np.pi * v / period))
    g = np.clip((g - screen) * rng.uniform(3, 6) + 0.5, 0, 1)
    # toner: dark specks, drum streaks, dropouts in solid areas
    specks = (rng.random((h, w)) < rng.uniform(0.0003, 0.002)).astype(np.float32)
    specks = cv2.dilate(specks, np.ones((2, 2), np.uint8))
    g = np.minimum(g, 1 - specks * rng.uniform(0.5, 0.9))
    if rng.random() < 0.6:
        x = int(rng.integers(0, w))
        g[:, x : x + int(rng.integers(1, 4))] *= rng.uniform(0.75, 0.92)
    drop = rng.random((h, w)) < 0.01
    g = np.where(drop & (g < 0.3), g + 0.3, g)
    g = cv2.GaussianBlur(g, (0, 0), rng.uniform(0.4, 0.8))
    # onto the copy sheet: small skew and offset, the glass edge leaves a dark band on one side
    margin = int(0.04 * max(w, h))
    cw, ch = w + 2 * margin, h + 2 * margin
    angle = rng.uniform(-2.0, 2.0)
    a = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    a[:, 2] += (margin + rng.uniform(-margin / 2, margin / 2), margin + rng.uniform(-margin / 2, margin / 2))
    sheet = cv2.warpAffine(
        g, a, (cw, ch), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=1.0
    )
    side = int(rng.integers(4))
    ramp = np.linspace(1, 0, margin, dtype=np.float32) ** 2 * rng.uniform(0.3, 0.8)
    if side == 0:
        sheet[:, :margin] *= 1 - ramp[None, :]
    elif side == 1:
        sheet[:, -margin:] *= 1 - ramp[None, ::-1]
    elif side == 2:
        sheet[:margin] *= 1 - ramp[:, None]
    else:
        sheet[-margin:] *= 1 - ramp[::-1, None]
    sheet *= rng.uniform(0.9, 1.0)
    out = cv2.cvtColor(np.clip(sheet * 255 + 0.5, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
    return out, _as_h(a)


# ------------------------------------------------------------------------------------------------ screen


def screen_recapture(rng: np.random.Generator, img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``img`` shown on an LCD: resampled to the panel's pixel grid, each pixel drawn as R, G, B sub-pixel
    stripes with a dark grid gap, panel gamut/gamma and raised black level, refresh banding, a bezel and
    glare. The camera's resampling of that grid makes moiré. Returns the screen object and the 3x3 map
    page -> object pixels."""
    h, w = img.shape[:2]
    panel_w = int(rng.integers(420, 760))
    s = panel_w / w
    panel_h = max(2, int(round(h * s)))
    lcd = cv2.resize(img, (panel_w, panel_h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    # gamut: a panel matrix, gamma, a colour cast and greyish blacks
    m = np.eye(3, dtype=np.float32) + rng.normal(0, 0.05, (3, 3)).astype(np.float32)
    lcd = np.clip(lcd @ m.T, 0, 1) ** rng.uniform(0.8, 1.2)
    lcd = lcd * np.asarray(
        [rng.uniform(1.0, 1.12), rng.uniform(0.95, 1.05), rng.uniform(0.85, 1.0)], np.float32
    )
    black = rng.uniform(0.04, 0.12)
    lcd = black + (1 - black) * np.clip(lcd, 0, 1)
    k = int(rng.choice([3, 4]))
    big = cv2.resize(lcd, (panel_w * k, panel_h * k), interpolation=cv2.INTER_NEAREST)
    # sub-pixel stripes with some cross-talk, a dark gap row; normalised so the panel keeps its brightness
    stripes = np.full((k, k, 3), 0.3, np.float32)
    for c in range(3):  # BGR image: the R stripe (leftmost) is channel 2
        stripes[:, c, 2 - c] = 1.0
    stripes[-1, :, :] *= 0.55
    stripes /= stripes.mean(axis=(0, 1), keepdims=True)
    big *= np.tile(stripes, (panel_h, panel_w, 1))
    big = cv2.GaussianBlur(big, (0, 0), 0.35 * k)  # the camera lens, at panel scale
    rows = np.arange(panel_h * k, dtype=np.float32)
    band = 1 + rng.uniform(0.02, 0.08) * np.sin(2 * np.pi * rows / rng.uniform(60, 400) + rng.uniform(0, 6.3))
    big *= band[:, None, None]
    # bezel and body
    bez = int(panel_w * k * rng.uniform(0.03, 0.08))
    oh, ow = panel_h * k + 2 * bez, panel_w * k + 2 * bez
    obj = np.empty((oh, ow, 3), np.float32)
    obj[:] = rng.uniform(0.02, 0.12)
    cv2.rectangle(obj, (2, 2), (ow - 3, oh - 3), tuple(float(v) for v in rng.uniform(0.2, 0.45, 3)), 3)
    obj[bez : bez + panel_h * k, bez : bez + panel_w * k] = big
    # glare: a broad reflection on the glass
    yy, xx = np.mgrid[0:oh, 0:ow].astype(np.float32)
    cx, cy = rng.uniform(0.2, 0.8) * ow, rng.uniform(0.2, 0.8) * oh
    r = rng.uniform(0.15, 0.4) * max(ow, oh)
    obj += (rng.uniform(0.1, 0.35) * np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))))[..., None]
    out = np.clip(obj * 255 + 0.5, 0, 255).astype(np.uint8)
    a = np.asarray([[k * panel_w / w, 0, bez], [0, k * panel_h / h, bez], [0, 0, 1]], np.float64)
    return out, a


# ------------------------------------------------------------------------------------------------ generator


def _label(
    doc: RenderedDocument,
    fields: dict[str, FieldBox],
    plan: CapturePlan,
    h_total: np.ndarray,
    authenticity: str,
    tamper_kind: str | None,
    pair_id: str,
    doc_corners_img: list[list[float]],
) -> dict[str, Any]:
    return {
        "authenticity": authenticity,
        "tamper_kind": tamper_kind,
        "doc_type": doc.doc_type.value,
        "page": doc.page,
        "pair_id": pair_id,
        "capture": plan.mode,
        "corners": doc_corners_img,
        "fields": transform_fields(dict(fields), h_total, plan.out_wh),
        "record": doc.record.to_dict() if doc.record is not None else None,
    }


def _mat(mat_seed: list[int] | None, obj: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``obj`` on the pair's dark mat (the same margin and tint for both twins: a fresh generator from
    ``mat_seed``) and the 3x3 map obj -> mat; without a seed, ``obj`` and the identity."""
    if mat_seed is None:
        return obj, np.eye(3)
    out, page = on_mat(np.random.default_rng(mat_seed), obj)
    shift = np.eye(3)
    shift[:2, 2] = page[0]
    return out, shift


def _capture(
    plan: CapturePlan, flat: np.ndarray, mat_seed: list[int] | None, page_corners: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The flat page captured by ``plan``, lying on the pair's mat when it has one (:func:`_mat`), and the 3x3 map
    page -> captured image."""
    obj, shift = _mat(mat_seed, flat)
    image, h_obj = apply_capture(plan, obj, _project_pts(shift, page_corners))
    return image, h_obj @ shift


def _project_pts(h_mat: np.ndarray, pts: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(np.asarray([pts], np.float32), np.asarray(h_mat, np.float64))[0]


def _project(h_mat: np.ndarray, pts: np.ndarray) -> list[list[float]]:
    return [[round(float(x), 2), round(float(y), 2)] for x, y in _project_pts(h_mat, pts)]


def make_pair(
    rng: np.random.Generator,
    index: int,
    authenticity: str | None = None,
    tamper_kind: str | None = None,
    doc_type: DocType | str | None = None,
    tamper_stage: str = "digital",
    mat_seed: list[int] | None = None,
) -> tuple[Sample, Sample]:
    """The genuine and the forged twin of pair ``index``, both from ``rng`` (one source document).

    With ``mat_seed`` the paper lies on a dark mat (a folder, a desk pad) when photographed or scanned: the genuine
    page, the photocopy's sheet and the tampered page (the genuine capture edited) alike; a screen keeps its own
    bezel. The mat's frame then marks neither twin, as a screen's bezel must not teach "a dark frame is a screen"."""
    _check_stage(tamper_stage)
    if doc_type is None:
        doc_type = random_doc_type(rng)
    doc_type = DocType(doc_type)
    doc = render_document(rng, doc_type, random_page(rng, doc_type))
    if authenticity is None:
        authenticity = str(rng.choice(["screen_recapture", "photocopy", "tampered"], p=[0.25, 0.25, 0.5]))
    if authenticity not in AUTHENTICITY[1:]:
        raise ValueError(f"forged authenticity must be one of {AUTHENTICITY[1:]}, got {authenticity!r}")
    candidates = _candidates(doc)
    if authenticity == "tampered":
        if not candidates:  # a page with nothing to alter: fall back to a recapture
            authenticity = "screen_recapture"
        elif tamper_kind is None:
            tamper_kind = str(rng.choice(TAMPER_KINDS))
        elif tamper_kind not in TAMPER_KINDS:
            raise ValueError(f"tamper_kind must be one of {TAMPER_KINDS}, got {tamper_kind!r}")
    if authenticity != "tampered":
        tamper_kind = None
    mode = "photo" if authenticity == "screen_recapture" else ("scan" if rng.random() < 0.35 else "photo")
    h, w = doc.image.shape[:2]
    plan = plan_capture(rng, (w, h), mode)
    pair_id = f"pair{index:06d}"
    page_corners = _doc_corners(w, h)

    genuine_img, h_gen = _capture(plan, doc.image, mat_seed, page_corners)
    genuine = Sample(
        genuine_img,
        _label(doc, doc.fields, plan, h_gen, "genuine", None, pair_id, corners(plan)),
        mask=np.zeros(genuine_img.shape[:2], np.uint8),
        ext="png",
    )

    mask_out = np.zeros(genuine_img.shape[:2], np.uint8)
    fields = doc.fields
    if authenticity == "tampered" and tamper_kind is not None:
        name = candidates[int(rng.integers(len(candidates)))]
        edit = _TAMPER[tamper_kind]
        if tamper_stage == "digital":  # the upload itself is edited: h_total = identity on capture pixels
            seen = _captured(doc, genuine_img, h_gen)
            extra = {"capture": plan} if tamper_kind == "splice" else {}
            forged_img, mask_out, fields = edit(rng, genuine_img, seen, name, **extra)
            mask_out = (mask_out > 0).astype(np.uint8) * 255
            h_total = np.eye(3)
        else:
            forged_flat, flat_mask, fields = edit(rng, doc.image, doc, name)
            forged_img, h_total = _capture(plan, forged_flat, mat_seed, page_corners)
            # the edited region through the capture, grown by how far the capture spreads a pixel
            warped = cv2.warpPerspective(flat_mask, h_total, plan.out_wh, flags=cv2.INTER_LINEAR)
            r = plan.blur_radius
            mask_out = cv2.dilate((warped > 0).astype(np.uint8) * 255, np.ones((2 * r + 1, 2 * r + 1), np.uint8))
        doc_corners_img = corners(plan)
    else:
        effect = screen_recapture if authenticity == "screen_recapture" else photocopy
        obj, a = effect(rng, doc.image)
        if effect is photocopy:  # the copy's sheet lies where the original would
            obj, shift = _mat(mat_seed, obj)
            a = shift @ a
        obj_corners = _project_pts(a, page_corners)
        forged_img, h_obj = apply_capture(plan, obj, obj_corners)
        h_total = h_obj @ a
        doc_corners_img = _project(h_total, page_corners)
    label = _label(doc, fields, plan, h_total, authenticity, tamper_kind, pair_id, doc_corners_img)
    if tamper_kind is not None:
        label["tampered_fields"] = [name]
        label["tamper_stage"] = tamper_stage
    forged = Sample(forged_img, label, mask=mask_out, ext="png")
    if mat_seed is not None:
        genuine.label["on_mat"] = True
        if authenticity != "screen_recapture":
            forged.label["on_mat"] = True
    return genuine, forged


class ForgeryGenerator:
    """Kind "forgeries": even indices genuine, odd indices the forged twin of the previous index.

    Options: ``pair_seed`` (the dataset seed; by default read back from the core's per-sample generator),
    ``doc_types`` (restrict the source documents), ``tamper_stage`` (``digital``: the capture is edited;
    ``print``: the document is edited before its capture), ``mat`` (the share of pairs whose paper lies on a dark
    mat, drawn from a stream of its own: 0 gives the same pairs as before the option)."""

    kind = "forgeries"
    # 3: the seller's taxpayer number is a valid credit code (GB 32100); 2: tampering edits the capture (digital);
    # 1 edited the flat page before its capture
    version = 3

    def __init__(
        self,
        pair_seed: int | None = None,
        doc_types: list[str] | None = None,
        tamper_stage: str = "digital",
        mat: float = 0.0,
    ) -> None:
        _check_stage(tamper_stage)
        if not 0.0 <= mat <= 1.0:
            raise ValueError(f"mat is a share of pairs in [0, 1], got {mat!r}")
        self.mat = float(mat)
        self.pair_seed = pair_seed
        self.tamper_stage = tamper_stage
        self.doc_types = [DocType(t) for t in doc_types] if doc_types else None
        self._cache: tuple[tuple[int, int], tuple[Sample, Sample]] | None = None

    def pair_rng(self, seed: int, pair_index: int) -> np.random.Generator:
        return np.random.default_rng([seed, pair_index, _PAIR_SALT])

    def mat_seed(self, seed: int, pair_index: int) -> list[int] | None:
        if self.mat <= 0.0 or np.random.default_rng([seed, pair_index, _MAT_SALT]).random() >= self.mat:
            return None
        return [seed, pair_index, _MAT_SALT, 1]

    def sample(self, rng: np.random.Generator, index: int) -> Sample:
        seed = self.pair_seed if self.pair_seed is not None else _dataset_seed(rng, index)
        key = (seed, index // 2)
        if self._cache is None or self._cache[0] != key:
            prng = self.pair_rng(*key)
            doc_type = None
            if self.doc_types:
                doc_type = self.doc_types[int(prng.integers(len(self.doc_types)))]
            pair = make_pair(
                prng, index // 2, doc_type=doc_type, tamper_stage=self.tamper_stage, mat_seed=self.mat_seed(*key)
            )
            self._cache = (key, pair)
        return self._cache[1][index % 2]
