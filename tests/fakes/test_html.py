"""Telegram's HTML parse mode as the fake applies it: visible text, entities and refusals."""

from __future__ import annotations

import pytest

from tests.fakes._html import HtmlError, parse_html, utf16_len


def test_tags_become_entities_with_utf16_offsets() -> None:
    text, entities = parse_html("😀 <b>bold <i>both</i></b> <u>u</u>")

    assert text == "😀 bold both u"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "italic", "offset": 8, "length": 4},
        {"type": "underline", "offset": 13, "length": 1},
    ]


def test_the_four_named_entities_and_numeric_ones_are_decoded_and_others_kept() -> None:
    text, _ = parse_html("&lt;tag&gt; &amp; &quot;q&quot; &#169; &#x2014; &nbsp; AT&T")

    assert text == '<tag> & "q" © — &nbsp; AT&T'


def test_links_spoilers_quotes_and_code_blocks() -> None:
    text, entities = parse_html(
        '<a href="https://www.scie.org.uk">SCIE</a> <span class="tg-spoiler">s</span> '
        '<blockquote expandable>q</blockquote> <pre><code class="language-python">x</code></pre>'
    )

    assert text == "SCIE s q x"
    assert [e["type"] for e in entities] == ["text_link", "spoiler", "expandable_blockquote", "pre"]
    assert entities[0]["url"] == "https://www.scie.org.uk"
    assert entities[3]["language"] == "python"


def test_surrounding_whitespace_is_trimmed_and_entities_follow() -> None:
    text, entities = parse_html("\n  <b>Hi</b>  \n")

    assert text == "Hi"
    assert entities == [{"type": "bold", "offset": 0, "length": 2}]


@pytest.mark.parametrize(
    ("markup", "error"),
    [
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<script>x</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("é<b>x</i>", 'Unmatched end tag at byte offset 6, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("3 < 4", "Unclosed start tag at byte offset 2"),
    ],
)
def test_malformed_markup_is_refused_with_telegrams_words(markup: str, error: str) -> None:
    with pytest.raises(HtmlError) as caught:
        parse_html(markup)

    assert str(caught.value) == error


def test_utf16_length_counts_astral_characters_twice() -> None:
    assert utf16_len("a😀é") == 4
