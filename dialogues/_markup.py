"""Telegram's HTML subset: fill templates safely, validate markup, split long text, plain text."""

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterator
from html.parser import HTMLParser

MESSAGE_LIMIT = 4096  # Telegram's limit on a message's text
CAPTION_LIMIT = 1024  # ... and on a photo's or document's caption
ALLOWED_TAGS = {"b": (), "i": (), "u": (), "code": (), "a": ("href",)}

_FORMATTER = string.Formatter()
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


class Markup(str):
    """Text that is already valid HTML, so filling a template does not escape it again."""


def escape(text: str) -> Markup:
    """User or knowledge text made safe to put inside an HTML message."""
    return Markup(html.escape(text, quote=False))


def fill(template: str, /, **values: object) -> Markup:
    """Fill {placeholders}; plain strings are escaped, Markup is inserted as it is."""
    safe = {k: v if isinstance(v, Markup) else escape(str(v)) for k, v in values.items()}
    return Markup(template.format_map(_Lenient(safe)))


class _Lenient(dict):
    """A missing placeholder renders empty rather than raising; check_template catches it."""

    def __missing__(self, key: str) -> str:
        return ""


def placeholders(template: str) -> set[str]:
    """The names of the {placeholders} a template uses."""
    names = set()
    for _, name, _, _ in _FORMATTER.parse(template):
        if name is not None:
            names.add(name)
    return names


def check_template(template: str, allowed: set[str] | frozenset[str]) -> list[str]:
    """Problems with a template: bad braces, unknown placeholders, HTML Telegram would refuse."""
    try:
        used = placeholders(template)
    except ValueError as error:
        return [f"bad braces: {error} (write {{{{ and }}}} for literal braces)"]
    problems = [f"unknown placeholder {{{name}}}" for name in sorted(used - set(allowed))]
    problems += check_html(_FORMATTER.vformat(template, (), _Lenient()))
    return problems


def check_html(text: str) -> list[str]:
    """Problems with markup: tags Telegram does not support, unclosed tags, stray '&' or '<'.

    The text is checked as sent: a template is checked by check_template, braces and all.
    """
    checker = _TagChecker()
    try:
        checker.feed(text)
        checker.close()
    except ValueError as error:
        return [str(error)]
    problems = checker.problems
    if checker.open_tags:
        problems.append(f"unclosed tag <{checker.open_tags[-1]}>")
    return problems


class _TagChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open_tags: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> is not allowed (use b, i, u, code or a)")
            return
        for name, _ in attrs:
            if name not in ALLOWED_TAGS[tag]:
                self.problems.append(f"attribute {name!r} is not allowed on <{tag}>")
        self.open_tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags or self.open_tags[-1] != tag:
            self.problems.append(f"closing </{tag}> does not match an open tag")
            return
        self.open_tags.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data:
            self.problems.append("a bare '<' (write &lt;)")

    def unknown_decl(self, data: str) -> None:
        self.problems.append("a bare '<' (write &lt;)")

    def handle_entityref(self, name: str) -> None:
        if name not in {"lt", "gt", "amp", "quot"}:
            self.problems.append(f"&{name}; is not supported (use &lt; &gt; &amp; &quot;)")

    def handle_charref(self, name: str) -> None:
        pass

    def feed(self, data: str) -> None:
        for match in re.finditer(r"&", data):
            if not _ENTITY.match(data, match.start()):
                self.problems.append("a bare '&' (write &amp;)")
                break
        super().feed(data)


def plain(text: str) -> str:
    """HTML message text as plain text for the terminal."""
    return html.unescape(re.sub(r"</?(?:b|i|u|code|a)(?:\s[^>]*)?>", "", text))


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split text into parts under `limit`: at paragraphs, then lines, then words, never in a tag.

    Tags are closed at the end of a part and reopened at the start of the next.
    """
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit - 40):
        joined = f"{current}{piece}" if current else piece.lstrip("\n")
        if len(_balanced(joined)) > limit and current:
            parts.append(_balanced(current))
            current = _reopen(current) + piece.lstrip("\n")
        else:
            current = joined
    if current.strip():
        parts.append(_balanced(current))
    return [p for p in parts if p.strip()]


def _pieces(text: str, size: int) -> Iterator[str]:
    """Paragraphs (with their separators), cut further when one alone is too long."""
    for paragraph in re.split(r"(?<=\n\n)", text):
        if len(paragraph) <= size:
            yield paragraph
            continue
        for line in re.split(r"(?<=\n)", paragraph):
            while len(line) > size:
                cut = _safe_cut(line, size)
                yield line[:cut]
                line = line[cut:]
            yield line


def _safe_cut(line: str, size: int) -> int:
    """Where to cut an over-long line: a space if there is one, never inside a tag or entity."""
    cut = line.rfind(" ", 0, size)
    cut = cut if cut > size // 2 else size
    tag = line.rfind("<", 0, cut)
    if tag != -1 and line.find(">", tag) >= cut:
        cut = tag
    amp = line.rfind("&", 0, cut)
    if amp != -1 and cut - amp < 10 and ";" not in line[amp:cut]:
        cut = amp
    return max(cut, 1)


def _open_tags(text: str) -> list[str]:
    stack: list[str] = []
    for closing, name, attrs in re.findall(r"<(/?)(b|i|u|code|a)(\s[^>]*)?>", text):
        if closing:
            if name in stack:
                stack.remove(name)
        else:
            stack.append(name + (attrs or ""))
    return stack


def _balanced(text: str) -> str:
    """Close any tags left open at the end of a part."""
    return text + "".join(f"</{t.split()[0]}>" for t in reversed(_open_tags(text)))


def _reopen(text: str) -> str:
    """Reopen at the start of the next part the tags the previous part left open."""
    return "".join(f"<{t}>" for t in _open_tags(text))


def shorten(text: str, limit: int) -> str:
    """Plain text cut to `limit` characters at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip() + "…"
