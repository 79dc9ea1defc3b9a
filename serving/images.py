"""Turning uploaded bytes into a :class:`Frame`, or a clear reason why not.

Phones save photos as HEIC (iPhones by default): pillow-heif decodes them, its rotation applied as the phone
shows the photo. A transparent image is laid on white, as a viewer shows it. The other images are decoded by
OpenCV, which turns a JPEG by its EXIF orientation. A scanner's multi-page TIFF gives every page.
"""

from __future__ import annotations

import io
import re
import warnings

import cv2
import numpy as np
import pillow_heif
from PIL import Image, ImageOps

from inference.types import Frame

pillow_heif.register_heif_opener()

SUPPORTED_FORMATS = {"JPEG", "PNG", "BMP", "WEBP", "TIFF", "HEIF"}
FORMAT_NAMES = "JPEG, PNG, BMP, WEBP, TIFF or HEIC"
# the brands of an ISO media file's 'ftyp' box that hold a HEIF still image (HEIC from phones)
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1")
_ALPHA_MODES = ("RGBA", "RGBa", "LA", "La", "PA")
_HEIC_CUT = "the HEIC file could not be read; it may be truncated: upload it again"


class UploadError(ValueError):
    """An upload that cannot be used; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def decode_image(data: bytes, max_bytes: int, max_pixels: int) -> Frame:
    if not data:
        raise UploadError(400, "the upload is empty")
    if len(data) > max_bytes:
        raise UploadError(413, f"the upload has {len(data)} bytes; the limit is {max_bytes}")
    # Read the header first: the size is checked before any pixel is decoded (decompression bombs). The check is
    # ours, which names the size and the limit: Pillow's own warning is silenced, and its error (past twice its
    # limit, 179 megapixels) answered as ours would be, not as a file of no supported format.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt, (w, h), transparent = probe.format, probe.size, _transparent(probe)
    except Image.DecompressionBombError as err:
        raise UploadError(413, _too_many_pixels(str(err), max_pixels)) from None
    except Exception:  # noqa: BLE001 - any failure to parse a stranger's bytes is the upload's, never a 500
        if _is_heif(data):
            raise UploadError(400, _HEIC_CUT) from None
        raise UploadError(415, f"the upload is not an image in a supported format ({FORMAT_NAMES})") from None
    if fmt not in SUPPORTED_FORMATS:
        raise UploadError(415, f"image format {fmt} is not supported; send {FORMAT_NAMES}")
    if w * h > max_pixels:
        raise UploadError(413, f"the image has {w}x{h} pixels; the limit is {max_pixels} pixels")
    if fmt == "JPEG" and not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        raise UploadError(400, "the JPEG file is truncated (no end-of-image marker): upload it again")
    if fmt == "PNG" and b"IEND" not in data[-32:]:
        raise UploadError(400, "the PNG file is truncated (no IEND chunk): upload it again")
    if fmt == "HEIF" or transparent:
        image = _decode_pil(data)
    else:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None and fmt == "HEIF":
        raise UploadError(400, _HEIC_CUT)
    if image is None:
        raise UploadError(400, f"the {fmt} image could not be decoded; it may be corrupt")
    return Frame.from_array(image)


def image_pages(data: bytes, max_bytes: int, max_pixels: int, max_pages: int) -> list[Frame]:
    """Every page of an image upload: a scanner's multi-page TIFF holds several documents, and none is dropped (as a
    PDF's pages are not); any other image is one page (:func:`decode_image`)."""
    frame = decode_image(data, max_bytes, max_pixels)  # the header, the size limits and the first page
    if not data.startswith((b"II*\x00", b"MM\x00*")):
        return [frame]
    with Image.open(io.BytesIO(data)) as tiff:
        n = getattr(tiff, "n_frames", 1)
        if n == 1:
            return [frame]
        if n > max_pages:
            raise UploadError(413, f"the TIFF has {n} pages; the limit is {max_pages}: upload each document separately")
        frames = [frame]
        for i in range(1, n):
            try:
                tiff.seek(i)
                w, h = tiff.size
            except Exception:  # noqa: BLE001 - as the header's probe
                raise UploadError(400, f"page {i + 1} of the TIFF could not be read; it may be corrupt") from None
            if w * h > max_pixels:
                raise UploadError(413, f"page {i + 1} has {w}x{h} pixels; the limit is {max_pixels} pixels")
            try:
                bgr = _as_bgr(tiff)
            except Exception:  # noqa: BLE001 - as the header's probe
                raise UploadError(400, f"page {i + 1} of the TIFF could not be decoded; it may be corrupt") from None
            frames.append(Frame.from_array(bgr))
    return frames


def _is_heif(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def _too_many_pixels(pillow_message: str, max_pixels: int) -> str:
    """The 413 message for an image Pillow refuses to open for its size, which its message gives ('Image size
    (900000000 pixels) exceeds limit of ...')."""
    found = re.search(r"\((\d+) pixels\)", pillow_message)
    hard = 2 * (Image.MAX_IMAGE_PIXELS or 0)
    size = f"{int(found.group(1))} pixels" if found else f"over {hard} pixels"
    return f"the image has {size}; the limit is {min(max_pixels, hard) if hard else max_pixels} pixels"


def _transparent(image: Image.Image) -> bool:
    return image.mode in _ALPHA_MODES or "transparency" in image.info


def _as_bgr(image: Image.Image) -> np.ndarray:
    """``image`` as BGR, a transparent one laid on white as a viewer shows it (decoded as it is stored, its clear
    paper would be black under black ink)."""
    if _transparent(image):
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
    return cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2BGR)


def _decode_pil(data: bytes) -> np.ndarray | None:
    """A HEIC photo or a transparent image as BGR, turned as its orientation says; None when it cannot be decoded
    (a file cut short: its header reads, its image data does not)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return _as_bgr(ImageOps.exif_transpose(image))
    except Exception:  # noqa: BLE001 - as the header's probe: the upload's fault, answered with a 400
        return None
