"""Logging for the entry points: stderr only, ids and state names, never tokens or user text."""

from __future__ import annotations

import logging
import re
import sys

# A bot token looks like 123456789:AA...; it appears in Bot API URLs.
_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")


class RedactTokens(logging.Filter):
    """Replace anything shaped like a bot token in a log record with a placeholder."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _TOKEN.search(message):
            record.msg = _TOKEN.sub("<token>", message)
            record.args = None
        return True


def setup_logging(level: str = "INFO") -> None:
    """Log to stderr, quiet the HTTP libraries, redact tokens as a last line of defence."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "aiohttp", "telegram.ext.Updater"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # At DEBUG, python-telegram-bot logs every update and every request's parameters (what
    # users wrote and what we answered), and its base URL, which holds the token.
    logging.getLogger("telegram").setLevel(max(logging.INFO, root.level))
