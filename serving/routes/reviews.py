"""POST /v1/reviews: pre-review of a case's uploaded documents (images or PDFs of scanned pages) against an
optional application; answers findings, notices in Chinese and English and a decision."""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from inference.documents.review import Application, ApplicationError, business_of, review_case
from inference.documents.types import CaseReview, DocumentRead, FieldValue, Finding
from inference.types import Frame

from .. import client_json
from ..admission import Busy
from ..deps import ReadyRuntimeDep
from ..images import FORMAT_NAMES, UploadError, image_pages
from ..pdf import is_pdf, pdf_pages
from ..schemas import ErrorOut

router = APIRouter(prefix="/v1", tags=["reviews"])
# a refused case is sent again after this: the queue is full, and a place frees as each review ends (a 4-page case
# takes about 1.5 s on 2 cores, benchmarks/results/reviews.md)
BUSY_RETRY_SECONDS = 5


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class FieldOut(_Out):
    name: str
    label: str
    text: str
    confidence: float
    valid: bool
    problems: list[str]
    box_xyxy: list[float] | None

    @classmethod
    def of(cls, v: FieldValue) -> FieldOut:
        return cls(
            name=v.name,
            label=v.label,
            text=v.text,
            confidence=round(v.confidence, 4),
            valid=v.valid,
            problems=list(v.problems),
            box_xyxy=list(v.box_xyxy) if v.box_xyxy else None,
        )


class TamperRegionOut(_Out):
    box_xyxy: list[float]
    score: float
    cue: str = Field(
        description="patch (learned patch model), noise_void, copy_move (a region copied within the page, byte for "
        "byte, or by its print on a page that went through JPEG: the region and where it was copied to or from), "
        "flat_blocks (a JPEG's paper left flat), pasted_seam, tinted_field or quiet_field (pixel forensics), "
        "line_patch (the learned patch model on a text line)"
    )


class AuthenticityOut(_Out):
    verdict: str
    alarm: str  # the alarm behind a forged verdict ("forensic": pixel forensics), "" for genuine
    scores: dict[str, float]
    thresholds: dict[str, float]
    tamper_regions: list[TamperRegionOut]


class QualityOut(_Out):
    ok: bool
    issues: list[str]
    sharpness: float
    brightness: float
    glare_fraction: float


class DocumentOut(_Out):
    file: str
    is_document: bool = Field(description="False: no document was recognised in the file (a wrong file)")
    pages_shown: list[str] = Field(
        description="every page of its document the file shows, when more than one (an ID card copied front and back "
        "on one sheet); empty when it shows one"
    )
    turned_degrees: int = Field(
        description="the page was read turned this many degrees clockwise (photographed sideways or upside down); "
        "boxes are in the uploaded image's pixels all the same"
    )
    blank_fields: list[str] = Field(
        description="printed fields blank where their value is printed (the label read, no ink where the value "
        "goes: erased, or never printed); the review refers them to an officer on a page it can read"
    )
    doc_type: str
    page: str
    confidence: float
    quality: QualityOut
    authenticity: AuthenticityOut | None
    fields: dict[str, FieldOut]
    timings_ms: dict[str, float]

    @classmethod
    def of(cls, d: DocumentRead) -> DocumentOut:
        a = d.authenticity
        auth = (
            None
            if a is None
            else AuthenticityOut(
                verdict=a.verdict,
                alarm=a.alarm,
                scores={k: round(v, 4) for k, v in a.scores.items()},
                thresholds=dict(a.thresholds),
                tamper_regions=[
                    TamperRegionOut(box_xyxy=list(r.box_xyxy), score=round(r.score, 4), cue=r.cue)
                    for r in a.tamper_regions
                ],
            )
        )
        q = d.quality
        return cls(
            file=d.source,
            is_document=d.is_document,
            turned_degrees=d.turned_degrees,
            pages_shown=list(d.pages_shown),
            blank_fields=list(d.blank_fields),
            doc_type=d.doc.doc_type.value,
            page=d.doc.page,
            confidence=round(d.doc.confidence, 4),
            quality=QualityOut(
                ok=q.ok,
                issues=[i.code for i in q.issues],
                sharpness=round(q.sharpness, 1),
                brightness=round(q.brightness, 1),
                glare_fraction=round(q.glare_fraction, 4),
            ),
            authenticity=auth,
            fields={k: FieldOut.of(v) for k, v in d.fields.items() if not k.startswith("_")},
            timings_ms={k: round(v, 1) for k, v in d.timings_ms.items()},
        )


class FindingOut(_Out):
    rule: str
    severity: str
    message_zh: str
    message_en: str
    documents: list[str]
    fields: list[str]
    evidence: dict[str, str]

    @classmethod
    def of(cls, f: Finding) -> FindingOut:
        return cls(
            rule=f.rule,
            severity=f.severity.value,
            message_zh=f.message_zh,
            message_en=f.message_en,
            documents=list(f.documents),
            fields=list(f.fields),
            evidence=dict(f.evidence),
        )


class ReviewOut(_Out):
    business: str
    decision: str
    notice_zh: str
    notice_en: str
    missing: list[str]
    findings: list[FindingOut]
    documents: list[DocumentOut]
    timings_ms: dict[str, float]

    @classmethod
    def of(cls, r: CaseReview) -> ReviewOut:
        return cls(
            business=r.business,
            decision=r.decision.value,
            notice_zh=r.notice_zh,
            notice_en=r.notice_en,
            missing=list(r.missing),
            findings=[FindingOut.of(f) for f in r.findings],
            documents=[DocumentOut.of(d) for d in r.documents],
            timings_ms={k: round(v, 1) for k, v in r.timings_ms.items()},
        )


def parse_application(text: str | None, business: str | None) -> Application | None:
    """The application form field (JSON) or just a business name; raises :class:`UploadError` 422."""
    try:
        if text:
            try:
                raw: Any = client_json.loads(text)
            except client_json.ClientJSONError as err:
                raise ApplicationError(f"the application is not valid JSON: {err}") from None
            return Application.from_dict(raw, business)
        if business:
            return Application(business_of(business))
    except ApplicationError as err:
        raise UploadError(422, str(err)) from None
    return None


def decode_upload(name: str, data: bytes, settings: Any) -> list[tuple[str, Frame]]:
    """The pages of one uploaded file, each named by the file (``name#p2`` for a PDF's or a TIFF's second page)."""
    try:
        if is_pdf(data):
            frames = pdf_pages(data, settings.max_upload_bytes, settings.max_pdf_pages, settings.max_pdf_page_inches)
        else:
            frames = image_pages(data, settings.max_upload_bytes, settings.max_image_pixels, settings.max_pdf_pages)
    except UploadError as err:
        if err.status == 415:
            raise UploadError(415, f"{name}: not a supported file; send {FORMAT_NAMES}, or PDF") from None
        raise UploadError(err.status, f"{name}: {err.message}") from None
    if len(frames) == 1:
        return [(name, frames[0])]
    return [(f"{name}#p{i + 1}", f) for i, f in enumerate(frames)]


_ERRORS: dict[int | str, dict[str, Any]] = {s: {"model": ErrorOut} for s in (400, 413, 415, 422, 503)}


@router.post("/reviews", response_model=ReviewOut, responses=_ERRORS)
async def create_review(
    runtime: ReadyRuntimeDep,
    files: Annotated[list[UploadFile] | None, File(description="document photos, scans or PDFs")] = None,
    application: Annotated[str | None, Form(description="application JSON")] = None,
    business: Annotated[str | None, Form(description="business type when no application is sent")] = None,
) -> ReviewOut:
    """Pre-review the uploaded documents of one case (multipart ``files``, optional ``application``)."""
    start = time.perf_counter()
    settings = runtime.settings
    try:
        if not files:
            raise UploadError(400, "no files were uploaded: send one or more documents in the field 'files'")
        if len(files) > settings.max_review_files:
            raise UploadError(413, f"{len(files)} files were uploaded; the limit is {settings.max_review_files}")
        app = parse_application(application, business)
        reader = runtime.documents
        if reader is None:
            raise HTTPException(503, detail="document reader not loaded")
        # decoded in turn too: a case waiting holds its uploads as sent, not as pages (a phone photo's 36 MB)
        async with runtime.reviews.slot():
            pages: list[tuple[str, Frame]] = []
            for k, upload in enumerate(files):
                data = await upload.read(settings.max_upload_bytes + 1)
                pages += await run_in_threadpool(decode_upload, upload.filename or f"file{k + 1}", data, settings)
            if len(pages) > settings.max_review_files * 2:
                raise UploadError(413, f"{len(pages)} pages in all; the limit is {settings.max_review_files * 2}")
            result = await run_in_threadpool(
                review_case,
                reader.read,
                pages,
                None,
                app,
                min(2, settings.inference_workers),
                plan=reader.plan,
                on=dt.date.today(),  # the documents must be valid today, unless the application names its day
            )
    except UploadError as err:
        runtime.store.audit("review", err.status, (time.perf_counter() - start) * 1000, err.message)
        raise HTTPException(err.status, detail=err.message) from None
    except Busy as busy:
        message = (
            f"the service is busy: its review queue is full ({busy.waiting} waiting); send this case again shortly"
        )
        runtime.store.audit("review", 503, (time.perf_counter() - start) * 1000, message)
        raise HTTPException(503, detail=message, headers={"Retry-After": str(BUSY_RETRY_SECONDS)}) from None
    out = ReviewOut.of(result)
    summary = f"decision={result.decision.value} docs=" + ",".join(d.doc.doc_type.value for d in result.documents)
    await run_in_threadpool(runtime.store.audit, "review", 200, (time.perf_counter() - start) * 1000, summary)
    return out
