"""Uploaded bytes decoded as the phone or scanner meant them, or refused with a clear status and reason."""

from __future__ import annotations

import io
import struct
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image

from serving.images import UploadError, decode_image, image_pages

LIMITS = {"max_bytes": 10_000_000, "max_pixels": 40_000_000}


def _page() -> np.ndarray:
    """A 120x200 BGR picture whose left half is white and right half dark blue: a turn shows where the halves go."""
    img = np.zeros((120, 200, 3), np.uint8)
    img[:, :100] = 255
    img[:, 100:] = (120, 30, 20)
    return img


def saved_as(img: np.ndarray, fmt: str, orientation: int = 1, **kw) -> bytes:
    """``img`` (BGR) saved as ``fmt`` (HEIF: as an iPhone saves a photo) with the EXIF orientation it is to be shown
    in. Importing this module registers the HEIC codec (``serving.images``)."""
    stored = Image.fromarray(img[:, :, ::-1])
    exif = stored.getexif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    stored.save(buf, format=fmt, exif=exif.tobytes(), **kw)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "HEIF"])
def test_a_photo_is_decoded_with_its_colours(fmt):
    frame = decode_image(saved_as(_page(), fmt, quality=90), **LIMITS)
    assert frame.image.shape == (120, 200, 3)
    assert np.abs(frame.image.astype(int) - _page().astype(int)).mean() < 6  # lossy, but BGR in BGR's place


@pytest.mark.parametrize("fmt", ["JPEG", "HEIF"])
def test_a_photo_stored_on_its_side_is_turned_as_its_orientation_says(fmt):
    # orientation 6: shown turned 90 degrees clockwise, so the stored left half is shown on top
    frame = decode_image(saved_as(_page(), fmt, orientation=6, quality=90), **LIMITS)
    assert frame.image.shape[:2] == (200, 120)
    grey = cv2.cvtColor(frame.image, cv2.COLOR_BGR2GRAY)
    assert grey[:100].mean() > 200 > 100 > grey[100:].mean()


def png_of_size(width: int, height: int) -> bytes:
    """A PNG whose header says ``width`` x ``height`` grey pixels, with one row of data: a decompression bomb's
    header in a hundred bytes (the size is judged from the header, before any pixel is decoded)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (12_000, 10_000),  # past Pillow's warning (89.5 megapixels), which was taken for an error: a 415
        (30_000, 30_000),  # past Pillow's error (twice that): its refusal was answered as no supported format, a 415
    ],
)
def test_an_image_of_too_many_pixels_is_a_413_that_names_its_size(width, height):
    with pytest.raises(UploadError) as err:
        decode_image(png_of_size(width, height), **LIMITS)
    assert err.value.status == 413, err.value.message
    assert f"{width * height} pixels" in err.value.message or f"{width}x{height}" in err.value.message
    assert "40000000" in err.value.message


def test_a_heic_cut_short_is_a_400_not_an_unsupported_type():
    data = saved_as(_page(), "HEIF", quality=90)
    with pytest.raises(UploadError) as err:
        decode_image(data[: len(data) // 2], **LIMITS)
    assert err.value.status == 400 and "truncated" in err.value.message


def test_a_heic_over_the_pixel_limit_is_refused_before_decoding():
    with pytest.raises(UploadError) as err:
        decode_image(saved_as(_page(), "HEIF", quality=50), max_bytes=10_000_000, max_pixels=100 * 100)
    assert err.value.status == 413 and "120" in err.value.message and "200" in err.value.message


def test_other_bytes_name_the_formats_sent_from_phones_too():
    with pytest.raises(UploadError) as err:
        decode_image(b"%!PS-Adobe-3.0 not an image", **LIMITS)
    assert err.value.status == 415 and "HEIC" in err.value.message


def _tiff(pages: list[np.ndarray]) -> bytes:
    first, *rest = (Image.fromarray(p[:, :, ::-1]) for p in pages)
    buf = io.BytesIO()
    first.save(buf, format="TIFF", save_all=True, append_images=rest, compression="tiff_lzw")
    return buf.getvalue()


def test_every_page_of_a_scanners_multi_page_tiff_is_kept():
    pages = [_page(), cv2.rotate(_page(), cv2.ROTATE_180), np.full((300, 240, 3), 90, np.uint8)]
    frames = image_pages(_tiff(pages), **LIMITS, max_pages=10)
    assert [f.image.shape for f in frames] == [p.shape for p in pages]
    assert all(np.array_equal(f.image, p) for f, p in zip(frames, pages, strict=True))  # lossless
    one = image_pages(saved_as(_page(), "JPEG", quality=90), **LIMITS, max_pages=10)
    assert len(one) == 1 and one[0].image.shape == (120, 200, 3)


def test_a_tiff_page_over_the_pixel_limit_is_refused_as_too_large():
    pages = [_page(), np.full((300, 240, 3), 90, np.uint8)]
    with pytest.raises(UploadError) as err:
        image_pages(_tiff(pages), max_bytes=10_000_000, max_pixels=300 * 200, max_pages=10)
    assert err.value.status == 413 and "page 2 has 240x300 pixels" in err.value.message


def test_a_tiff_over_the_page_limit_is_refused():
    with pytest.raises(UploadError) as err:
        image_pages(_tiff([_page()] * 4), **LIMITS, max_pages=3)
    assert err.value.status == 413 and "4 pages" in err.value.message and "limit is 3" in err.value.message


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "TIFF"])
def test_a_transparent_image_is_laid_on_white_as_a_viewer_shows_it(fmt):
    """A page cut out by a scanner app: opaque dark ink, clear paper. Decoded as stored, the clear paper is black
    (its colour values are 0) and the ink vanishes into it."""
    rgba = np.zeros((60, 80, 4), np.uint8)
    rgba[20:40, 10:70] = (20, 20, 20, 255)
    buf = io.BytesIO()
    Image.fromarray(rgba).save(buf, format=fmt, **({"lossless": True} if fmt == "WEBP" else {}))
    for frame in (decode_image(buf.getvalue(), **LIMITS), *image_pages(buf.getvalue(), **LIMITS, max_pages=2)):
        assert frame.image.shape == (60, 80, 3)
        assert frame.image[5, 5].tolist() == [255, 255, 255] and frame.image[30, 30].tolist() == [20, 20, 20]
