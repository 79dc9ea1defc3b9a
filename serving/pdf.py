"""PDF uploads of scanned pages -> one :class:`Frame` per page, with limits checked before rendering.

A page is rendered at ``dpi`` but never beyond ``max_side_px`` on its longest side; a PDF with more than
``max_pages`` pages, or a page larger than ``max_page_inches`` on a side (a "huge page" that would render
to a giant bitmap), is refused with 413 before any pixel is drawn. A file that pdfium cannot open is 400.
"""

from __future__ import annotations

import threading

import numpy as np
import pypdfium2 as pdfium

from inference.types import Frame

from .images import UploadError

PDF_MAGIC = b"%PDF-"
# pdfium is not thread-safe: one document at a time per process
_PDFIUM_LOCK = threading.Lock()


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip().startswith(PDF_MAGIC)


def pdf_pages(
    data: bytes,
    max_bytes: int,
    max_pages: int = 10,
    max_page_inches: float = 20.0,
    dpi: float = 200.0,
    max_side_px: int = 2200,
) -> list[Frame]:
    if not data:
        raise UploadError(400, "the upload is empty")
    if len(data) > max_bytes:
        raise UploadError(413, f"the upload has {len(data)} bytes; the limit is {max_bytes}")
    with _PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as err:
            raise UploadError(400, f"the PDF could not be opened ({err}); it may be corrupt or encrypted") from None
        try:
            n = len(pdf)
            if n == 0:
                raise UploadError(400, "the PDF has no pages")
            if n > max_pages:
                raise UploadError(
                    413, f"the PDF has {n} pages; the limit is {max_pages}: upload each document separately"
                )
            frames = []
            for i in range(n):
                page = pdf[i]
                try:
                    w_pt, h_pt = page.get_size()
                    if max(w_pt, h_pt) / 72.0 > max_page_inches:
                        raise UploadError(
                            413,
                            f"page {i + 1} is {w_pt / 72:.0f}x{h_pt / 72:.0f} inches; the limit "
                            f"is {max_page_inches:.0f} inches a side",
                        )
                    if min(w_pt, h_pt) <= 0:
                        raise UploadError(400, f"page {i + 1} has no area")
                    scale = min(dpi / 72.0, max_side_px / max(w_pt, h_pt))
                    try:
                        bitmap = page.render(scale=scale, rev_byteorder=False)
                        rgb = bitmap.to_numpy()
                    except pdfium.PdfiumError as err:
                        raise UploadError(400, f"page {i + 1} could not be rendered ({err})") from None
                    bgr = np.ascontiguousarray(rgb[:, :, :3]) if rgb.ndim == 3 else rgb
                    frames.append(Frame.from_array(bgr))
                finally:
                    page.close()
            return frames
        finally:
            pdf.close()
