"""Telegram HTML: escaping user text, checking markup, splitting long messages."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dialogues._markup import Markup, check_html, check_template, fill, plain, split_text


def test_fill_escapes_values_but_not_markup():
    text = fill("<b>{name}</b> {safe}", name="<script>&", safe=Markup("<i>ok</i>"))
    assert text == "<b>&lt;script&gt;&amp;</b> <i>ok</i>"


def test_a_missing_placeholder_renders_empty_rather_than_crashing():
    assert fill("a{missing}b") == "ab"


def test_check_template_reports_unknown_placeholders_and_bad_braces():
    assert check_template("{a} {b}", {"a"}) == ["unknown placeholder {b}"]
    assert check_template("{a", {"a"})[0].startswith("bad braces")


def test_check_html_accepts_telegrams_subset():
    assert check_html('<b>x</b> <i>y</i> <a href="https://scie.org.uk">z</a> &amp; &lt;') == []


def test_check_html_refuses_what_telegram_refuses():
    assert "tag <div> is not allowed (use b, i, u, code or a)" in check_html("<div>x</div>")
    assert "unclosed tag <b>" in check_html("<b>x")
    assert check_html("a & b") == ["a bare '&' (write &amp;)"]
    assert check_html("</i>")


def test_plain_strips_tags_and_unescapes():
    assert plain('<b>Hi</b> &amp; <a href="x">there</a>') == "Hi & there"


def test_short_text_is_not_split():
    assert split_text("hello", 100) == ["hello"]


def test_split_prefers_paragraph_boundaries():
    parts = split_text("a" * 60 + "\n\n" + "b" * 60, 100)
    assert parts == ["a" * 60 + "\n\n", "b" * 60] or [p.strip() for p in parts] == [
        "a" * 60,
        "b" * 60,
    ]


def test_split_closes_and_reopens_tags():
    text = "<b>" + "word " * 100 + "</b>"
    parts = split_text(text, 120)
    assert len(parts) > 1
    for part in parts:
        assert len(part) <= 120
        assert check_html(part) == [], part


@given(
    st.lists(
        st.sampled_from(["word", "<b>bold</b>", "&amp;", "\n\n", "\n", " ", "é"]), max_size=400
    )
)
def test_split_parts_are_within_the_limit_and_well_formed(pieces):
    text = "".join(pieces)
    if check_html(text):
        return
    parts = split_text(text, 200)
    for part in parts:
        assert len(part) <= 200
        assert check_html(part) == []
    assert "".join(plain(p) for p in parts).replace("\n", "").replace(" ", "") == plain(
        text
    ).replace("\n", "").replace(" ", "")


def test_check_html_reads_braces_as_text():
    """A '{' someone typed, echoed in a reply, is text, not a broken template."""
    assert check_html("for “{”: the topics below") == []
    assert check_template("for {x", {"x"})
