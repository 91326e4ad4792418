"""Fonts and ink shared by the handout's pictures and pages: TrueType search (DejaVu, Liberation,
a CJK font for Chinese names), and text made safe for the PDF's fonts."""

from __future__ import annotations

import glob
import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path






def _font_file(bold: bool = False) -> str | None:
    if bold:
        names = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf")
    else:
        names = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf")
    return _find_font(names)


def _pil_font(size: int, bold: bool = False):
    from PIL import ImageFont

    path = _font_file(bold)
    if path:
        return ImageFont.truetype(path, size)
    try:
        return ImageFont.load_default(size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))



# --------------------------------------------------------------------------------------------
# fonts and text safety for the PDF


_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"),
              str(Path.home() / ".local/share/fonts"), "/Library/Fonts", "C:/Windows/Fonts")


@lru_cache(maxsize=32)
def _find_font(names: tuple[str, ...]) -> str | None:
    for name in names:
        for root in _FONT_DIRS:
            hits = glob.glob(os.path.join(root, "**", name), recursive=True)
            if hits:
                return sorted(hits)[0]
    return None


_CJK_FONTS = ("wqy-zenhei.ttc", "wqy-microhei.ttc", "NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf",
              "DroidSansFallbackFull.ttf")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LATIN1 = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"',
                         "\u201d": '"', "\u2026": "...", "\u2192": "->", "\u2212": "-", "\u00a0": " "})


def _clean(text) -> str:
    """Text safe to place in the PDF: no control characters, tabs as spaces."""
    return _CONTROL.sub("", str(text).replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n"))


def _latin1(text: str) -> str:
    """For the core fonts only: typographic marks to ASCII, accents kept, anything else left out."""
    text = text.translate(_LATIN1)
    out = []
    for ch in text:
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(base)
    return re.sub(r"[ ]{2,}", " ", "".join(out))


def _is_cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)
