"""The renderers' font files, and text made safe to draw in them."""

from __future__ import annotations

import pytest

from bot.fonts import REPLACEMENT, _code_points, drawable_text, font_file


@pytest.mark.parametrize("style", ["regular", "bold", "italic"])
def test_every_style_has_a_font_file_inside_matplotlib(style):
    path = font_file(style)
    assert path.is_file()
    assert path.suffix == ".ttf"
    assert "matplotlib" in str(path)


@pytest.mark.parametrize(
    "text",
    [
        "Siân's scheme in Ynys Môn: dŵr, tŷ, ŷd",
        "Łódź, Gdańsk, Kraków: źdźbło, żółw",
        "Καλημέρα, Ελλάδα",
        "Привет, как дела?",
        "Zoë, Chloé, naïve café, £210,000 - 30.8 per cent",
    ],
)
def test_text_the_font_covers_is_kept_as_written(text):
    assert drawable_text(text) == text
    assert drawable_text(text, "bold") == text


def test_a_run_of_missing_glyphs_becomes_one_replacement_mark():
    assert (
        drawable_text("Great 👍👍 work 中文 done") == f"Great {REPLACEMENT} work {REPLACEMENT} done"
    )


def test_emoji_sequences_collapse_to_a_single_mark():
    family = "👨\u200d👩\u200d👧"
    thumbs = "👍🏽"
    flag = "🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f"
    assert drawable_text(f"a {family} b {thumbs} c {flag} d") == (
        f"a {REPLACEMENT} b {REPLACEMENT} c {REPLACEMENT} d"
    )


def test_decomposed_accents_are_composed():
    assert drawable_text("w\u0302 e\u0301") == "ŵ é"


def test_control_characters_are_removed_and_tabs_become_spaces():
    assert drawable_text("a\x00b\x07c\td\r\ne") == "abc d\ne"


def test_a_lone_surrogate_is_replaced_rather_than_breaking_encoding():
    assert drawable_text("x\ud800y") == f"x{REPLACEMENT}y"


def test_each_face_is_checked_against_its_own_glyphs():
    # DejaVu Sans Oblique covers fewer scripts than the upright face.
    only_regular = sorted(_code_points("regular") - _code_points("italic"))
    char = next(chr(p) for p in only_regular if chr(p).isalpha())
    assert drawable_text(char) == char
    assert drawable_text(char, "italic") == REPLACEMENT
