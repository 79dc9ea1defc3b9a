"""Result types of the document pre-review (frozen, slotted; pixels of the uploaded page)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from ..types import BoxXYXY

# per character of a value read: (char, probability) pairs, the recogniser's choice first
Alternatives = tuple[tuple[str, float], ...]
# A checksum says that a character is wrong, not which: an alternative is tried there (and a common word is looked
# for with it, lexicon.py) only when the recogniser found it at least this likely relative to the character it read
# (a plate's grammar does say which). On the 400 documents of dev seeds 6601 and 6602 (4,063 fields), against 0.2:
# 0.1 read 4 more fields right, 0.05 6 and 0.02 9 (VINs and ID numbers whose S/5, 8/B, G/6 or 0/8 was read the wrong
# way, the right one at 2% to 16% of the read). At 0.1 and 0.05 one ID number whose checksum failed became another
# valid one, also wrong; at 0.02 two readings fit there and it is left failing, as before. Nothing read right at 0.2
# changed.
PLAUSIBLE = 0.02


class DocType(StrEnum):
    id_card = "id_card"  # 居民身份证
    vehicle_license = "vehicle_license"  # 机动车行驶证
    registration_certificate = "registration_certificate"  # 机动车登记证书
    sales_invoice = "sales_invoice"  # 机动车销售统一发票
    purchase_tax = "purchase_tax"  # 车辆购置税完税证明
    insurance_policy = "insurance_policy"  # 交强险保单
    conformity_certificate = "conformity_certificate"  # 机动车整车出厂合格证
    other = "other"


DOC_NAMES: dict[DocType, tuple[str, str]] = {
    DocType.id_card: ("居民身份证", "ID card"),
    DocType.vehicle_license: ("机动车行驶证", "vehicle licence (行驶证)"),
    DocType.registration_certificate: ("机动车登记证书", "vehicle registration certificate"),
    DocType.sales_invoice: ("机动车销售统一发票", "vehicle sales invoice"),
    DocType.purchase_tax: ("车辆购置税完税证明", "vehicle purchase tax certificate"),
    DocType.insurance_policy: ("交强险保单", "compulsory traffic insurance policy"),
    DocType.conformity_certificate: ("机动车整车出厂合格证", "certificate of conformity"),
    DocType.other: ("其他材料", "other document"),
}


class Severity(StrEnum):
    info = "info"
    warning = "warning"  # the citizen should fix it, an officer may accept it
    error = "error"  # must be corrected before the business can proceed
    refer = "refer"  # an officer must look (possible forgery, unreadable evidence)


class Decision(StrEnum):
    passed = "pass"
    needs_correction = "needs_correction"
    refer_to_officer = "refer_to_officer"


@dataclass(frozen=True, slots=True)
class DocClass:
    doc_type: DocType
    page: str
    confidence: float
    top: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class TamperRegion:
    box_xyxy: BoxXYXY
    score: float
    # patch (the learned patch model) | noise_void | copy_move | flat_blocks | pasted_seam | quiet_field | tinted_field
    # (pixel forensics) | line_patch (the patch model on a patch centred on a text line, a cue round the lines)
    cue: str = "patch"


@dataclass(frozen=True, slots=True)
class ForensicRegion:
    cue: str  # noise_void | copy_move | flat_blocks | pasted_seam | quiet_field | tinted_field | line_patch
    box_xyxy: BoxXYXY
    # void pixels, duplicated windows (sampled) at the copy's displacement, the pixels of flat blocks, a seam's colour
    # step, a quiet field's noise in percent of the paper's round it, or a line patch's tamper probability in per mille
    size: int


@dataclass(frozen=True, slots=True)
class Forensics:
    """Pixel forensics of one page (see ``forensics.py``)."""

    score: float  # the stronger cue in [0, 1)
    void_px: int
    duplicated_windows: int
    noise_sigma: float
    noise_checked: bool  # False: the page's noise was flattened (block compression) or absent
    analysed: bool  # False: the page is too large to analyse
    regions: tuple[ForensicRegion, ...] = ()
    elapsed_ms: float = 0.0
    seams: int = 0  # pasted-seam rectangles reported (at most 4; needs the reader's line boxes)
    quiet_fields: int = 0  # line boxes much quieter than the paper round them (at most 4; needs the line boxes)
    tinted_fields: int = 0  # line boxes on paper of another tint than the paper round them (at most 4; needs them)
    compressed: bool | None = None  # the page went through JPEG (its 8x8 grid found); None: could not tell
    # every void region found (at most 4, largest first), reported or not: the void-in-line cue weighs them again
    voids: tuple[ForensicRegion, ...] = ()
    whitened: bool = False  # an app lifted the paper to white or one flat tone: the noise cues did not judge it
    flat_blocks: int = 0  # a JPEG page's 8x8 blocks of paper left flat in one cluster (an edit), 0 when none


@dataclass(frozen=True, slots=True)
class AuthenticityResult:
    verdict: str  # genuine | screen_recapture | photocopy | tampered
    scores: Mapping[str, float]  # per alarm: the forged kinds and "forensic" (pixel forensics, a tamper alarm)
    thresholds: Mapping[str, float]  # those the page was judged at (a whitened page's floors: ``page_thresholds``)
    tamper_regions: tuple[TamperRegion, ...] = ()
    patch_side_px: float = 0.0
    heatmap: tuple[tuple[float, float, float], ...] = ()  # (x, y, p_tampered) per patch, top-left in page px
    elapsed_ms: float = 0.0
    forensics: Forensics | None = None
    alarm: str = ""  # the alarm behind a forged verdict (its score over its threshold is the highest)


@dataclass(frozen=True, slots=True)
class QualityIssue:
    code: str  # text_blur | blur | dark | overexposed | glare | small | text_small | cropped | unreadable
    value: float
    limit: float


@dataclass(frozen=True, slots=True)
class QualityReport:
    sharpness: float
    brightness: float
    glare_fraction: float
    size_wh: tuple[int, int]
    border_touch: float
    issues: tuple[QualityIssue, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.issues


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One field read off a document: text as normalised by the rules, the OCR confidence and validity."""

    name: str  # canonical name: vin, owner_name, id_number, plate, engine_number, ...
    label: str  # the printed label the value was found by
    text: str
    confidence: float
    valid: bool = True
    problems: tuple[str, ...] = ()
    box_xyxy: BoxXYXY | None = None
    raw: str = ""
    # per character of ``text``: (character, probability) best first, the character itself first; empty when
    # the reader gave none or the value cannot be lined up with them (a value joined from several lines)
    alternatives: tuple[tuple[tuple[str, float], ...], ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentRead:
    """Everything known about one uploaded page."""

    source: str
    doc: DocClass
    quality: QualityReport
    authenticity: AuthenticityResult | None
    fields: Mapping[str, FieldValue] = field(default_factory=lambda: MappingProxyType({}))
    timings_ms: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    # False: no document was recognised in the upload (no printed title, hardly any text; ``classify.
    # shows_a_document``): a wrong file, or one too poor to show a document. It is typed ``other``, with no
    # authenticity verdict and no fields: nothing on it is a document's to judge.
    is_document: bool = True
    # the upload was read turned this many degrees clockwise (a page photographed sideways or upside down,
    # ``orientation.py``); its boxes are in the upload's pixels all the same
    turned_degrees: int = 0
    # every page of its document the upload shows, when more than one (an ID card copied front and back on one
    # sheet, ``classify.pages_shown``): the fields of each are read, and each counts as uploaded
    pages_shown: tuple[str, ...] = ()
    # printed fields (their labels, as ``fields`` keys them) found blank: the label read as printed and no ink where
    # its value is printed (``cells.blank_cell``): a value erased, or a page that never had it
    blank_fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    message_zh: str
    message_en: str
    documents: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    evidence: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class CaseReview:
    business: str
    decision: Decision
    documents: tuple[DocumentRead, ...]
    findings: tuple[Finding, ...]
    missing: tuple[str, ...]
    notice_zh: str
    notice_en: str
    timings_ms: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
