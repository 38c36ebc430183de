"""Getting replies to Telegram: retries on flood control, server errors and time-outs, each
bounded; a user who blocked the bot is marked; a reply Telegram refuses (400) is given up at
once and never holds back the next; whatever cannot be sent now stays in the outbox for later."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from enum import StrEnum
from typing import TypeVar

from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.service import Advisor, Outgoing
from bot.telegram._patience import patiently
from bot.telegram._render import Renderer
from storage import Busy, is_transient

logger = logging.getLogger(__name__)

ATTEMPTS = 4  # tries per send before the reply is left in the outbox for the next sweep
# A send that timed out may have reached Telegram (it was only slow to answer): trying again
# may deliver it twice, so it is tried again once in a delivery, and given up after three.
TIMEOUT_RETRIES = 1
MAX_TIMEOUTS = 3
BACKOFF = (0.5, 1.0, 2.0)  # seconds between tries after a server error or time-out
MAX_FLOOD_WAIT = 120.0  # never sleep longer than this on one 429, whatever Telegram says
# Seconds the event loop may wait for the store (another thread's transaction, another
# process's write lock) to write down a sent reply itself, before a thread does it instead.
NOTE_WAIT = 0.005

T = TypeVar("T")


class Delivery(StrEnum):
    """How delivering one reply went."""

    SENT = "sent"
    BLOCKED = "blocked"  # the user blocked the bot
    FAILED = "failed"  # Telegram refused it for good (400), or it timed out too often
    LATER = "later"  # not now (Telegram down, flood control): it stays in the outbox


class Undeliverable(Exception):
    """Telegram refused for good: the user blocked the bot, the chat does not exist, or the
    request itself is one Telegram will never accept (400)."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status = status


def _seconds(retry_after: float | timedelta) -> float:
    value = retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after
    return min(float(value), MAX_FLOOD_WAIT)


def plain_reason(error: BaseException) -> str:
    """Telegram's description of a refusal without its "Bad Request: " prefix, e.g.
    "message is too long"."""
    text = str(error)
    for prefix in ("Bad Request: ", "Forbidden: "):
        if text.lower().startswith(prefix.lower()):
            text = text[len(prefix) :]
    return (text[:1].lower() + text[1:])[:200]  # it reads inside a sentence


async def with_retries(call: Callable[[], Awaitable[T]], what: str) -> T:
    """Run one Bot API call, retrying what is worth retrying; raise Undeliverable or the error.

    ChatMigrated and BadRequest go up to the caller, who knows what the request was.
    """
    timeouts = 0
    for attempt in range(ATTEMPTS):
        try:
            return await call()
        except RetryAfter as error:
            wait = _seconds(error.retry_after)
            logger.warning("flood control on %s: waiting %.1f s", what, wait)
            await asyncio.sleep(wait)
        except Forbidden as error:
            raise Undeliverable("blocked", plain_reason(error)) from None
        except ChatMigrated:
            raise
        except BadRequest as error:
            if "chat not found" in str(error).lower():
                raise Undeliverable("failed", plain_reason(error)) from None
            raise
        except TimedOut:
            timeouts += 1
            if timeouts > TIMEOUT_RETRIES or attempt == ATTEMPTS - 1:
                raise
            logger.warning("%s timed out, trying once more", what)
        except NetworkError as error:  # 5xx answers, refused connections
            if attempt == ATTEMPTS - 1:
                raise
            logger.warning("%s failed (%s), retrying", what, type(error).__name__)
            await asyncio.sleep(BACKOFF[min(attempt, len(BACKOFF) - 1)])
    raise NetworkError(f"{what}: still flood-controlled after {ATTEMPTS} tries")


class Deliverer:
    """Sends outgoing replies in order and tells the advisor how each went.

    A reply Telegram took but that is not yet written down as sent is sent again after a
    kill -9 (at least once, never lost), so each is written down the moment Telegram's
    answer arrives, in one short transaction on the event loop itself, while other sends go
    on. Handed to a worker thread, the note waited behind other storage work for the
    thread, the connection and the GIL: with ten users talking, 10-20 ms from Telegram's
    accept to our commit and about two replies sent twice per kill; on the loop, about as
    long as the answer takes to reach us (see README). Only if the store is busy for more
    than NOTE_WAIT (a long transaction, another process's write lock, a fault) does a
    thread write it down, with the others sent meanwhile, waiting faults out. Until written
    down a reply stays "in flight", so a sweep never sends it again.
    """

    def __init__(self, bot: Bot, advisor: Advisor, renderer: Renderer):
        self.bot = bot
        self.advisor = advisor
        self.renderer = renderer
        self._in_flight: set[int] = set()
        self._sent: list[Outgoing] = []
        self._flushing: asyncio.Task | None = None
        self.last_refusal = ""  # Telegram's reason for the last reply it refused, in its words

    async def deliver_all(self, replies: tuple[Outgoing, ...]) -> bool:
        """Send replies one after another; stop at the first that cannot go now (order
        matters); a reply given up for good does not hold back the next."""
        for outgoing in replies:
            if await self.deliver(outgoing) is Delivery.LATER:
                return False
        return True

    async def deliver(self, outgoing: Outgoing) -> Delivery:
        """Send one reply; how it went."""
        if outgoing.chat_id is None:
            return Delivery.SENT
        if outgoing.outbox_id is not None:
            if outgoing.outbox_id in self._in_flight:
                return Delivery.SENT  # someone else is sending it right now
            self._in_flight.add(outgoing.outbox_id)
        try:
            await self._send(outgoing)
        except Undeliverable as error:
            self._in_flight.discard(outgoing.outbox_id or 0)
            return await self._give_up(outgoing, Delivery(error.status), str(error))
        except TelegramError as error:
            self._in_flight.discard(outgoing.outbox_id or 0)
            timed_out = isinstance(error, TimedOut)
            logger.warning("reply to user %s not sent yet: %s", outgoing.user_id, error)
            tries = await patiently(
                self.advisor.not_yet, outgoing, str(error), timed_out, what="noting a failed send"
            )
            if timed_out and tries >= MAX_TIMEOUTS:
                reason = f"Telegram did not answer in time, {tries} times"
                return await self._give_up(outgoing, Delivery.FAILED, reason)
            return Delivery.LATER
        except BaseException:
            self._in_flight.discard(outgoing.outbox_id or 0)
            raise
        if outgoing.outbox_id is not None:
            self._note_sent(outgoing)
        return Delivery.SENT

    def _note_sent(self, outgoing: Outgoing) -> None:
        """Write down now that Telegram took the reply, or leave it to a thread (see above)."""
        # Behind a note of the same person's still waiting, so that after a crash their
        # replies are sent again in their order.
        if all(waiting.user_id != outgoing.user_id for waiting in self._sent):
            try:
                self.advisor.delivered_all([outgoing], wait=NOTE_WAIT)
            except Exception as error:
                if not (isinstance(error, Busy) or is_transient(error)):
                    self._in_flight.discard(outgoing.outbox_id or 0)
                    raise
            else:
                self._in_flight.discard(outgoing.outbox_id or 0)
                return
        self._sent.append(outgoing)
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush_while_sent())

    async def _give_up(self, outgoing: Outgoing, status: Delivery, reason: str) -> Delivery:
        if outgoing.user_id is None:  # for staff: the staff chat, or a member's own chat
            logger.error(
                "cannot post to staff chat %s (%s): follow-ups stay listed in /queue",
                outgoing.chat_id,
                reason,
            )
            status = Delivery.FAILED
        elif status is Delivery.BLOCKED:
            logger.info("reply to user %s undeliverable: blocked", outgoing.user_id)
        else:
            logger.error("reply to user %s given up: %s", outgoing.user_id, reason)
        if status is not Delivery.FAILED:
            await patiently(
                self.advisor.delivered, outgoing, status.value, reason, what="noting a refusal"
            )
            return status
        self.last_refusal = reason
        told = await patiently(self.advisor.refused, outgoing, reason, what="noting a refusal")
        await self.deliver_all(told)  # staff told why their reply did not go
        return status

    async def _flush_while_sent(self) -> None:
        while self._sent:
            await self.flush()

    async def drain(self) -> None:
        """At shutdown: wait for a write-down already under way, then write down the rest.

        Without the wait, the store could be closed under that write (its thread still
        running), and the replies in it would be sent again at the next start.
        """
        if self._flushing is not None and not self._flushing.done():
            with contextlib.suppress(Exception):
                await asyncio.shield(self._flushing)
        await self.flush()

    async def flush(self) -> None:
        """Write down every reply sent since the last flush."""
        batch, self._sent = self._sent, []
        if not batch:
            return
        try:
            await patiently(self.advisor.delivered_all, batch, what="noting sent replies")
        finally:
            for outgoing in batch:
                self._in_flight.discard(outgoing.outbox_id or 0)

    async def _send(self, outgoing: Outgoing) -> None:
        try:
            await self._send_to(outgoing)
        except ChatMigrated as error:
            moved_to = error.new_chat_id
            assert outgoing.chat_id is not None
            await patiently(
                self.advisor.chat_moved, outgoing.chat_id, moved_to, what="noting a chat move"
            )
            if outgoing.edit_message_id is not None:
                # The message to edit stayed behind in the old chat.
                raise Undeliverable("failed", f"the chat moved to {moved_to}") from None
            try:
                await self._send_to(replace(outgoing, chat_id=moved_to))
            except ChatMigrated:
                raise Undeliverable("failed", f"the chat moved again, from {moved_to}") from None

    async def _send_to(self, outgoing: Outgoing) -> None:
        chat_id = outgoing.chat_id
        assert chat_id is not None
        reply, render, bot = outgoing.reply, self.renderer, self.bot
        what = f"reply to user {outgoing.user_id}" if outgoing.user_id else "staff post"
        if outgoing.edit_message_id is not None:
            edited = outgoing.edit_message_id
            try:
                await with_retries(lambda: render.edit(bot, chat_id, edited, reply), what)
            except BadRequest as error:
                if "not modified" in str(error).lower():
                    return  # it already reads so
                # Too old, or deleted: the edit can never be made; the chat keeps the old one.
                raise Undeliverable("failed", plain_reason(error)) from None
            return
        to = outgoing.reply_to_message_id
        try:
            message_id = await with_retries(
                lambda: render.send(bot, chat_id, reply, reply_to=to), what
            )
        except BadRequest as error:
            if "can't parse entities" not in str(error).lower():
                raise Undeliverable("failed", plain_reason(error)) from None
            # The markup was refused (it should never be): the words matter more than bold.
            logger.error("Telegram refused a reply's markup (%s); sending it as plain text", error)
            try:
                message_id = await with_retries(
                    lambda: render.send(bot, chat_id, reply, html=False, reply_to=to), what
                )
            except BadRequest as again:
                raise Undeliverable("failed", plain_reason(again)) from None
        if outgoing.followup_id is not None:
            await patiently(self.advisor.posted, outgoing, message_id, what="noting a staff post")

    async def sweep(self, min_age: timedelta = timedelta(), *, handover: bool = False) -> int:
        """Send what is still in the outbox (after a restart, or a failed attempt).

        While the bot runs, only replies older than `min_age` are swept, so that a reply whose
        handler is about to send it is not sent twice. `handover`: only what another process
        (the web review, the command line) queued for the bot, which no handler here sends.
        """
        if handover:
            queued = await patiently(self.advisor.handed_over, what="reading the handover")
        else:
            queued = await patiently(self.advisor.queued, None, min_age, what="reading the outbox")
        sent = 0
        held: set[int | None] = set()
        for outgoing in queued:
            if outgoing.user_id in held:
                continue  # keep each user's replies in order: the rest wait for the next sweep
            result = await self.deliver(outgoing)
            if result is Delivery.LATER:
                held.add(outgoing.user_id)
            else:
                sent += 1
        if queued:
            logger.info("outbox sweep: %d of %d sent", sent, len(queued))
        return sent
