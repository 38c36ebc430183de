"""The fonts the renderers draw with, and text made safe to draw in them.

Both renderers use DejaVu Sans, which ships inside matplotlib, so no system font is needed. It
covers Latin (Welsh, Polish and the rest), Greek and Cyrillic; what it lacks (emoji, CJK) is
drawn as one replacement character per run instead of failing or vanishing silently.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Literal

import matplotlib
from fontTools.ttLib import TTFont

Style = Literal["regular", "bold", "italic"]

_FILES: dict[Style, str] = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "italic": "DejaVuSans-Oblique.ttf",
}

REPLACEMENT = "\ufffd"

# Code points that only glue emoji together or pick their variant; alone they mean nothing.
_EMOJI_GLUE = frozenset(
    [
        0x200D,  # zero-width joiner
        0xFE0E,  # text presentation selector
        0xFE0F,  # emoji presentation selector
        0x20E3,  # combining keycap
        *range(0x1F3FB, 0x1F400),  # skin tone modifiers
        *range(0xE0020, 0xE0080),  # tag characters (subdivision flags)
    ]
)

# Categories the font may lack without anyone missing them: format characters such as zero-width
# spaces, and combining marks NFC could not fold into their letter.
_INVISIBLE = frozenset({"Cf", "Mn", "Me"})


def font_file(style: Style = "regular") -> Path:
    """The TTF file for a style of DejaVu Sans, from matplotlib's own data."""
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / _FILES[style]


@lru_cache(maxsize=len(_FILES))
def _code_points(style: Style) -> frozenset[int]:
    """Every code point the font for `style` has a glyph for."""
    with TTFont(font_file(style), lazy=True) as font:
        return frozenset(font.getBestCmap())


def drawable_text(text: str, style: Style = "regular") -> str:
    """The text composed (NFC), controls removed, and glyphs the font lacks replaced."""
    known = _code_points(style)
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text.replace("\r\n", "\n")):
        point = ord(char)
        if char in "\t\r":
            char = " "
        elif char == "\n":
            pass
        elif point in _EMOJI_GLUE or unicodedata.category(char) == "Cc":
            continue
        elif point not in known:
            if unicodedata.category(char) in _INVISIBLE or (out and out[-1] == REPLACEMENT):
                continue
            char = REPLACEMENT
        out.append(char)
    return "".join(out)
