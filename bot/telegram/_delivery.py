"""Getting replies to Telegram: retries on flood control, server errors and time-outs; a user
who blocked the bot is marked; whatever cannot be sent now stays in the outbox for later."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.service import Advisor, Outgoing
from bot.telegram._render import Renderer

logger = logging.getLogger(__name__)

ATTEMPTS = 4  # tries per send before the reply is left in the outbox for the next sweep
BACKOFF = (0.5, 1.0, 2.0)  # seconds between tries after a server error or time-out
MAX_FLOOD_WAIT = 120.0  # never sleep longer than this on one 429, whatever Telegram says
ACK_DELAY = 0.05  # seconds: sent replies are written down together this often

T = TypeVar("T")


class Undeliverable(Exception):
    """Telegram refused for good: the user blocked the bot, or the chat does not exist."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status = status


def _seconds(retry_after: float | timedelta) -> float:
    value = retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after
    return min(float(value), MAX_FLOOD_WAIT)


async def with_retries(call: Callable[[], Awaitable[T]], what: str) -> T:
    """Run one Bot API call, retrying what is worth retrying; raise Undeliverable or the error."""
    for attempt in range(ATTEMPTS):
        try:
            return await call()
        except RetryAfter as error:
            wait = _seconds(error.retry_after)
            logger.warning("flood control on %s: waiting %.1f s", what, wait)
            await asyncio.sleep(wait)
        except Forbidden as error:
            raise Undeliverable("blocked", str(error)) from None
        except BadRequest as error:
            if "chat not found" in str(error).lower():
                raise Undeliverable("failed", str(error)) from None
            raise
        except NetworkError as error:  # includes TimedOut and 5xx answers
            if attempt == ATTEMPTS - 1:
                raise
            logger.warning("%s failed (%s), retrying", what, type(error).__name__)
            await asyncio.sleep(BACKOFF[min(attempt, len(BACKOFF) - 1)])
    raise NetworkError(f"{what}: still flood-controlled after {ATTEMPTS} tries")


class Deliverer:
    """Sends outgoing replies in order and tells the advisor how each went.

    Replies that went out are acknowledged in batches (one transaction every ACK_DELAY), which
    under load saves a database write and a thread hop per message. Until acknowledged a reply
    stays "in flight", so a sweep never sends it again; a crash before the batch is written
    means it is sent again after the restart (at least once, never lost).
    """

    def __init__(self, bot: Bot, advisor: Advisor, renderer: Renderer):
        self.bot = bot
        self.advisor = advisor
        self.renderer = renderer
        self._in_flight: set[int] = set()
        self._sent: list[Outgoing] = []
        self._flushing: asyncio.Task | None = None

    async def deliver_all(self, replies: tuple[Outgoing, ...]) -> bool:
        """Send replies one after another; stop at the first that cannot go now (order matters)."""
        for outgoing in replies:
            if not await self.deliver(outgoing):
                return False
        return True

    async def deliver(self, outgoing: Outgoing) -> bool:
        """Send one reply; True once Telegram has it (or it can never be delivered)."""
        if outgoing.chat_id is None:
            return True
        if outgoing.outbox_id is not None:
            if outgoing.outbox_id in self._in_flight:
                return True  # someone else is sending it right now
            self._in_flight.add(outgoing.outbox_id)
        try:
            await self._send(outgoing)
        except Undeliverable as error:
            logger.info("reply to user %s undeliverable: %s", outgoing.user_id, error.status)
            await asyncio.to_thread(self.advisor.delivered, outgoing, error.status, str(error))
            self._in_flight.discard(outgoing.outbox_id or 0)
            return True
        except TelegramError as error:
            logger.warning("reply to user %s not sent yet: %s", outgoing.user_id, error)
            await asyncio.to_thread(self.advisor.not_yet, outgoing, str(error))
            self._in_flight.discard(outgoing.outbox_id or 0)
            return False
        except BaseException:
            self._in_flight.discard(outgoing.outbox_id or 0)
            raise
        if outgoing.outbox_id is not None:
            self._sent.append(outgoing)
            if self._flushing is None or self._flushing.done():
                self._flushing = asyncio.create_task(self._flush_soon())
        return True

    async def _flush_soon(self) -> None:
        await asyncio.sleep(ACK_DELAY)
        await self.flush()

    async def flush(self) -> None:
        """Write down every reply sent since the last flush (also called at shutdown)."""
        batch, self._sent = self._sent, []
        if not batch:
            return
        try:
            await asyncio.to_thread(self.advisor.delivered_all, batch)
        finally:
            for outgoing in batch:
                self._in_flight.discard(outgoing.outbox_id or 0)

    async def _send(self, outgoing: Outgoing) -> None:
        chat_id = outgoing.chat_id
        assert chat_id is not None
        what = f"reply to user {outgoing.user_id}"
        try:
            await with_retries(lambda: self.renderer.send(self.bot, chat_id, outgoing.reply), what)
        except BadRequest as error:
            # The markup was refused (it should never be): the words matter more than bold.
            logger.error("Telegram refused a reply's markup (%s); sending it as plain text", error)
            await with_retries(
                lambda: self.renderer.send(self.bot, chat_id, outgoing.reply, html=False), what
            )

    async def sweep(self, min_age: timedelta = timedelta()) -> int:
        """Send what is still in the outbox (after a restart, or a failed attempt).

        While the bot runs, only replies older than `min_age` are swept, so that a reply whose
        handler is about to send it is not sent twice.
        """
        queued = await asyncio.to_thread(self.advisor.queued, None, min_age)
        sent = 0
        held: set[int | None] = set()
        for outgoing in queued:
            if outgoing.user_id in held:
                continue  # keep each user's replies in order: the rest wait for the next sweep
            if await self.deliver(outgoing):
                sent += 1
            else:
                held.add(outgoing.user_id)
        if queued:
            logger.info("outbox sweep: %d of %d sent", sent, len(queued))
        return sent
