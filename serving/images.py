"""Turning uploaded bytes into a :class:`Frame`, or a clear reason why not."""

from __future__ import annotations

import io
import warnings

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from inference.types import Frame

SUPPORTED_FORMATS = {"JPEG", "PNG", "BMP", "WEBP", "TIFF"}


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
    # Read the header first: the size is checked before any pixel is decoded (decompression bombs).
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt, (w, h) = probe.format, probe.size
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError, OSError):
        raise UploadError(
            415, "the upload is not an image in a supported format (JPEG, PNG, BMP, WEBP, TIFF)"
        ) from None
    if fmt not in SUPPORTED_FORMATS:
        raise UploadError(415, f"image format {fmt} is not supported; send JPEG, PNG, BMP, WEBP or TIFF")
    if w * h > max_pixels:
        raise UploadError(413, f"the image has {w}x{h} pixels; the limit is {max_pixels} pixels")
    if fmt == "JPEG" and not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        raise UploadError(400, "the JPEG file is truncated (no end-of-image marker): upload it again")
    if fmt == "PNG" and b"IEND" not in data[-32:]:
        raise UploadError(400, "the PNG file is truncated (no IEND chunk): upload it again")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise UploadError(400, f"the {fmt} image could not be decoded; it may be corrupt")
    return Frame.from_array(image)
