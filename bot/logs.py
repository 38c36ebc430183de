"""Logging for the entry points: stderr only, ids and state names, never tokens or user text.

Two guards stand between a log record and stderr, whoever wrote the record:
- raw Telegram data among a record's arguments (an update, a list of them, a JSON body) is
  replaced by what it is, e.g. "update 812 (message)": python-telegram-bot logs the whole of
  an update it cannot parse, at CRITICAL, and an update holds what the user wrote;
- the formatted text (message, arguments, exception and stack alike) has the token and
  anything shaped like one replaced, so no path, a traceback through a redirect included,
  can print it.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from telegram import TelegramObject, Update

# A bot token looks like 123456789:AA...; it appears in Bot API URLs, the colon maybe escaped.
_TOKEN = re.compile(r"\d{5,}(?::|%3[Aa])[A-Za-z0-9_-]{30,}")
REDACTED = "<token>"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Strings longer than this, from python-telegram-bot's own records, are data, not words.
LONG_TEXT = 60


class RedactingFormatter(logging.Formatter):
    """Formats a record, then takes the token (and anything shaped like one) out of all of it."""

    def __init__(self, fmt: str = FORMAT, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        # Longest first, so that the whole token goes before the part after its colon.
        self._secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        """The text with every secret and token-shaped string replaced."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN.sub(REDACTED, text)


class WithoutUserData(logging.Filter):
    """Replace raw Telegram data in a record's arguments by a description of it (ids, types)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.args:
            return True
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        ours = not record.name.startswith("telegram")
        described = tuple(_describe(arg, ours) for arg in args)
        if any(new is not old for new, old in zip(described, args, strict=True)):
            record.args = described
        return True


def _describe(value: Any, ours: bool) -> Any:
    """The value itself if it cannot hold what a user wrote, else what it is."""
    if isinstance(value, Update):
        return _update_summary(value.update_id, [k for k in value.to_dict() if k != "update_id"])
    if isinstance(value, TelegramObject):
        return f"<{type(value).__name__}>"
    if isinstance(value, dict):
        if "update_id" in value:
            return _update_summary(value["update_id"], [k for k in value if k != "update_id"])
        return value if ours else f"<data: {len(value)} fields>"
    if isinstance(value, list | tuple):
        ids = [item.get("update_id") for item in value if isinstance(item, dict)]
        if ids and all(isinstance(i, int) for i in ids):
            return f"updates {', '.join(map(str, ids))}"
        if ours and not any(isinstance(item, dict | list | tuple) for item in value):
            return value  # e.g. migration names
        return f"<data: {len(value)} items>"
    if isinstance(value, bytes | bytearray):
        return f"<data: {len(value)} bytes>"
    if isinstance(value, str) and not ours and (len(value) > LONG_TEXT or "{" in value):
        return f"<data: {len(value)} characters>"
    return value


def _update_summary(update_id: Any, kinds: list[str]) -> str:
    return f"update {update_id} ({', '.join(kinds) or 'empty'})"


def setup_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    """Log to stderr through both guards; quiet the HTTP libraries; uncaught errors logged too.

    `secrets` (the bot token) are redacted wherever they appear, as well as the part of the
    token after its colon.
    """
    secrets = list(secrets)
    words = secrets + [s.partition(":")[2] for s in secrets if ":" in s]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(FORMAT, words))
    handler.addFilter(WithoutUserData())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "aiohttp", "telegram.ext.Updater"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # At DEBUG, python-telegram-bot logs every update and every request's parameters (what
    # users wrote and what we answered), and its base URL, which holds the token.
    logging.getLogger("telegram").setLevel(max(logging.INFO, root.level))
    # A record that cannot be formatted is dropped: logging would print it raw, arguments and all.
    logging.raiseExceptions = False
    # An exception nobody caught would otherwise be printed by Python itself, unredacted.
    sys.excepthook = _log_uncaught
    threading.excepthook = lambda hook: _log_uncaught(
        hook.exc_type, hook.exc_value or hook.exc_type(), hook.exc_traceback
    )


def _log_uncaught(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    logging.getLogger("bot").critical(
        "stopped by an uncaught %s", kind.__name__, exc_info=(kind, error, trace)
    )
