"""Telegram's HTML parse mode: visible text and entities, or the error Telegram gives.

Follows the rules in the Bot API's "Formatting options": only the listed tags, `span` only
with class "tg-spoiler", the named entities &lt; &gt; &amp; &quot; and every numeric one.
A `&` that starts no known entity stays literal, as in Telegram's own parser. Offsets and
lengths are in UTF-16 code units, as Telegram counts them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Tag name -> entity type (None: the tag is allowed but makes no entity of its own).
TAG_ENTITIES: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}

_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_NAME = re.compile(r"[^\s>/]*")
_ATTRIBUTE = re.compile(r"""\s*([^\s=>/"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")


class HtmlError(ValueError):
    """Markup Telegram would refuse; the message is Telegram's own wording after the prefix."""


@dataclass(frozen=True)
class _Open:
    name: str
    attributes: dict[str, str]
    offset: int  # UTF-16 offset in the visible text where the tag's content starts


def utf16_len(text: str) -> int:
    """Length of text in UTF-16 code units, the unit Telegram measures text in."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(markup: str) -> tuple[str, list[dict]]:
    """Visible text and MessageEntity dicts for HTML markup; raise HtmlError if Telegram would."""
    out: list[str] = []
    entities: list[dict] = []
    stack: list[_Open] = []
    position = 0  # UTF-16 offset in the visible text
    i = 0
    while i < len(markup):
        char = markup[i]
        if char == "&":
            match = _ENTITY.match(markup, i)
            decoded = _decode_entity(match) if match else None
            if decoded is not None:
                out.append(decoded)
                position += utf16_len(decoded)
                i = match.end()  # type: ignore[union-attr]
                continue
        if char != "<":
            out.append(char)
            position += utf16_len(char)
            i += 1
            continue
        byte_offset = len(markup[:i].encode())
        close = markup.find(">", i)
        if markup.startswith("</", i):
            if close < 0:
                raise HtmlError(f"Unclosed end tag at byte offset {byte_offset}")
            if not stack:
                raise HtmlError(f"Unexpected end tag at byte offset {byte_offset}")
            name = markup[i + 2 : close].strip().lower()
            opened = stack.pop()
            if name and name != opened.name:
                raise HtmlError(
                    f'Unmatched end tag at byte offset {byte_offset}, expected "</{opened.name}>", '
                    f'found "</{name}>"'
                )
            if position > opened.offset:
                _add_entity(entities, _entity(opened, position))
            i = close + 1
            continue
        name = _TAG_NAME.match(markup, i + 1).group(0).lower()  # type: ignore[union-attr]
        if close < 0:
            raise HtmlError(f"Unclosed start tag at byte offset {byte_offset}")
        if name not in TAG_ENTITIES:
            raise HtmlError(f'Unsupported start tag "{name}" at byte offset {byte_offset}')
        attributes = _attributes(markup[i + 1 + len(name) : close])
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset}')
        stack.append(_Open(name, attributes, position))
        i = close + 1
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return _strip("".join(out), entities)


def _decode_entity(match: re.Match[str]) -> str | None:
    decimal, hexadecimal, named = match.groups()
    if named:
        return _NAMED[named]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _attributes(source: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(source.rstrip("/")):
        name, double, single, bare = match.groups()
        found[name.lower()] = next((v for v in (double, single, bare) if v is not None), "")
    return found


def _entity(opened: _Open, end: int) -> dict:
    kind = TAG_ENTITIES[opened.name]
    entity: dict = {"type": kind, "offset": opened.offset, "length": end - opened.offset}
    if kind == "text_link":
        entity["url"] = opened.attributes.get("href", "")
    elif kind == "blockquote" and "expandable" in opened.attributes:
        entity["type"] = "expandable_blockquote"
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = opened.attributes.get("emoji-id", "")
    elif kind == "code" and opened.attributes.get("class", "").startswith("language-"):
        entity["type"] = "pre"
        entity["language"] = opened.attributes["class"].removeprefix("language-")
    return entity


def _add_entity(entities: list[dict], entity: dict) -> None:
    """Add an entity; <pre><code class="language-x">…</code></pre> makes one pre entity."""
    last = entities[-1] if entities else None
    if (
        last is not None
        and entity["type"] == "pre"
        and last["type"] in ("pre", "code")
        and (last["offset"], last["length"]) == (entity["offset"], entity["length"])
    ):
        last["type"] = "pre"
        return
    entities.append(entity)


def _strip(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Telegram trims surrounding whitespace; shift and clip the entities to match."""
    lead = utf16_len(text) - utf16_len(text.lstrip())
    stripped = text.strip()
    size = utf16_len(stripped)
    kept = []
    for entity in sorted(entities, key=lambda e: (e["offset"], -e["length"])):
        start = max(0, entity["offset"] - lead)
        end = min(size, entity["offset"] + entity["length"] - lead)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept
