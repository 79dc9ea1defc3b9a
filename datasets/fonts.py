"""Fonts for rendering: Debian's fonts-noto-cjk (Chinese) and fonts-dejavu-core (Latin), which
`make install` installs. Looked up by path so the same files render the same pixels everywhere."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

FONT_FILES: dict[str, tuple[str, int]] = {
    # name -> (path, face index inside a .ttc collection; 2 = the Simplified Chinese face)
    "cjk_sans": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    "cjk_sans_bold": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    "cjk_serif": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    "cjk_serif_bold": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2),
    "latin_sans": ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
    "latin_sans_bold": ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 0),
    "latin_condensed_bold": ("/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf", 0),
    "latin_mono": ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 0),
    "latin_mono_bold": ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf", 0),
}


class FontMissingError(FileNotFoundError):
    pass


def font_path(name: str) -> tuple[Path, int]:
    try:
        path, face = FONT_FILES[name]
    except KeyError:
        raise KeyError(f"unknown font {name!r}; expected one of {sorted(FONT_FILES)}") from None
    p = Path(path)
    if not p.is_file():
        raise FontMissingError(
            f"font {name!r} not found at {p}: install Debian packages fonts-noto-cjk and fonts-dejavu-core "
            "(`make install` does it)"
        )
    return p, face


@lru_cache(maxsize=256)
def font(name: str, size_px: int) -> ImageFont.FreeTypeFont:
    path, face = font_path(name)
    return ImageFont.truetype(str(path), size=max(1, int(size_px)), index=face)
