"""Make any str safe to store: no NUL bytes, no lone surrogates, length capped with a marker."""

from __future__ import annotations

import json
import re
from typing import Any

# Telegram's own limit for one message, so a real message is never cut; counted in code points,
# which is never more than Telegram's UTF-16 count.
MAX_TEXT_CHARS = 4096
TRUNCATION_MARKER = "… [truncated]"
REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")  # one C-speed scan instead of a loop in Python


def safe_text(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """The text as stored: NUL and lone surrogates replaced, cut to `limit` with a visible marker.

    Valid surrogate pairs (as some JSON decoders leave them) are joined into one character;
    emoji, right-to-left text and combining marks are kept exactly. Idempotent.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    if _SURROGATE.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    text = text.replace("\x00", REPLACEMENT)
    if len(text) > limit:
        text = text[: limit - len(TRUNCATION_MARKER)] + TRUNCATION_MARKER
    return text


def safe_optional(text: str | None, limit: int = MAX_TEXT_CHARS) -> str | None:
    """safe_text, letting None through."""
    return None if text is None else safe_text(text, limit)


def safe_data(value: Any) -> Any:
    """A JSON-like value with every string in it (keys too) made safe by safe_text."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        return {safe_text(str(key)): safe_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [safe_data(item) for item in value]
    return value


def dump_json(value: Any) -> str:
    """JSON as stored: ASCII-only, so any str (even a lone surrogate) survives the round trip."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
