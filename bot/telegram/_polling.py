"""Long polling of our own: the offset moves past an update only once the inbox has it.

python-telegram-bot's Updater confirms a batch (asks with a higher offset) as soon as it has
queued it in memory, so a crash loses whatever was still waiting there. Here each batch is
committed to the inbox first; Telegram keeps undelivered updates for a day, so waiting out a
storage fault before asking again loses nothing.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.telegram._inbox import Inbox

logger = logging.getLogger(__name__)

POLL_SECONDS = 10  # long-polling time-out asked of Telegram
READ_MARGIN = 10.0  # seconds beyond it before the poll itself is given up
NETWORK_WAITS = (0.5, 1.0, 2.0, 5.0, 10.0)  # seconds between polls while Telegram is unreachable
CONFLICT_WINDOW = 5.0  # seconds of repeated 409s before concluding another process polls


class PollingStopped(Exception):
    """Polling cannot go on (another process polls this token, or the token is refused)."""


async def poll(bot: Bot, inbox: Inbox) -> None:
    """Fetch updates into the inbox until cancelled; PollingStopped when it must give up."""
    offset: int | None = None
    failures = 0
    conflict_since: float | None = None
    last_conflict = 0.0
    loop = asyncio.get_running_loop()
    while True:
        try:
            raw = await bot.do_api_request(
                "get_updates",
                api_kwargs={
                    "offset": offset,
                    "timeout": POLL_SECONDS,
                    "allowed_updates": list(Update.ALL_TYPES),
                },
                read_timeout=POLL_SECONDS + READ_MARGIN,
            )
        except Conflict:
            now = loop.time()
            if conflict_since is None or now - last_conflict > CONFLICT_WINDOW:
                conflict_since = now  # a new run of conflicts, not one long one
            last_conflict = now
            if now - conflict_since >= CONFLICT_WINDOW:
                raise PollingStopped(
                    "409 Conflict from Telegram for "
                    f"{CONFLICT_WINDOW:g} s: another process is polling with this bot token "
                    "(an old host still running?). Only one may run; stopping this one."
                ) from None
            logger.warning("409 Conflict from Telegram: is another process using this token?")
            await asyncio.sleep(0.5)
            continue
        except InvalidToken:
            raise PollingStopped("Telegram refused the bot token (TELEGRAM_BOT_TOKEN)") from None
        except RetryAfter as error:
            await asyncio.sleep(_seconds(error.retry_after))
            continue
        except (NetworkError, TelegramError) as error:
            wait = NETWORK_WAITS[min(failures, len(NETWORK_WAITS) - 1)]
            failures += 1
            logger.warning("getUpdates failed (%s); polling again in %.1f s", _name(error), wait)
            await asyncio.sleep(wait)
            continue
        failures = 0
        updates = [u for u in raw or () if isinstance(u, dict) and _id(u) is not None]
        if len(updates) != len(raw or ()):
            logger.warning(
                "getUpdates returned %d item(s) without an update id", len(raw) - len(updates)
            )
        if updates:
            await inbox.take(updates)  # returns only once they are committed
            offset = max(_id(u) for u in updates) + 1


def _id(update: dict) -> int | None:
    value = update.get("update_id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _seconds(retry_after: object) -> float:
    seconds = getattr(retry_after, "total_seconds", None)
    return float(seconds() if seconds else retry_after)  # type: ignore[arg-type]


def _name(error: BaseException) -> str:
    return type(error).__name__
