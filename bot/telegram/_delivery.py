"""Getting replies to Telegram: retries on flood control, server errors and time-outs, each
bounded; a user who blocked the bot is marked; a reply Telegram refuses (400) is given up at
once and never holds back the next; whatever cannot be sent now stays in the outbox for later."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
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
from storage import Busy, DatabaseGone, is_transient

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
# Seconds between looks at the outbox when nobody wakes the sender: what the web review or
# the command line queued (a close, a reply) goes within about this. One indexed read.
LOOK_EVERY = 1.0
RETRY_EVERY = 30.0  # seconds before a reply that could not go now is tried again

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
    """The one sender: every reply goes out from here, one at a time, oldest first, each
    written down as sent (committed) before the next send begins.

    A reply Telegram took whose "sent" mark was not yet committed when the process died is
    sent again at the next start (at least once, never lost). With one send at a time that is
    at most one reply at any moment, so a kill -9 sends at most one reply twice. Handlers
    only commit replies to the outbox and call `wake`; the sender reads the outbox (the one
    list of what is still to send, whoever queued it: a handler, the last run, the web review
    or the command line) and sends it in order, so each person's replies keep their order. A
    reply that cannot go now (Telegram down, flood control past its retries) holds back that
    person's later ones for RETRY_EVERY seconds, and no one else's.

    The price is throughput: one reply per round trip to Telegram plus one short commit
    (see README). The mark is committed on the event loop itself when the store is free
    within NOTE_WAIT, else by a thread, waiting storage faults out.
    """

    def __init__(self, bot: Bot, advisor: Advisor, renderer: Renderer):
        self.bot = bot
        self.advisor = advisor
        self.renderer = renderer
        self._wake = asyncio.Event()
        self._unstored: deque[Outgoing] = deque()  # replies not in the outbox (after /forget)
        self._held: dict[int | None, float] = {}  # person (None: staff) -> retry after (loop time)
        self._stopping = False
        self._task: asyncio.Task | None = None
        self.last_refusal = ""  # Telegram's reason for the last reply it refused, in its words

    # --- the sender --------------------------------------------------------------------------

    def start(self) -> asyncio.Task:
        """Start sending: first what the last run left in the outbox, then what comes."""
        self._task = asyncio.create_task(self._run(), name="sender")
        return self._task

    def wake(self, unstored: tuple[Outgoing, ...] = ()) -> None:
        """Replies were committed to the outbox (and these, not stored, are to go too)."""
        self._unstored.extend(o for o in unstored if o.outbox_id is None)
        self._wake.set()

    async def stop(self, grace: float) -> None:
        """Let the send under way finish and be written down (up to `grace` seconds), then
        stop; what is not sent stays in the outbox for the next start."""
        self._stopping = True
        self._wake.set()
        task = self._task
        if task is None or task.done():
            return
        with contextlib.suppress(TimeoutError, asyncio.CancelledError, Exception):
            await asyncio.wait_for(asyncio.shield(task), grace)
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _run(self) -> None:
        while not self._stopping:
            try:
                progress = await self.send_queued()
            except DatabaseGone:
                raise
            except Exception:
                logger.exception("sending failed; trying again in %.0f s", LOOK_EVERY)
                progress = False
            if progress or self._stopping:
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(LOOK_EVERY):
                    await self._wake.wait()

    async def send_queued(self) -> bool:
        """One pass over the outbox, oldest first; True if any reply was dealt with (sent or
        given up), so that a new pass may find more."""
        self._wake.clear()  # before reading: a reply committed after the read wakes the next pass
        progress = False
        while self._unstored and not self._stopping:
            await self.deliver(self._unstored.popleft())
            progress = True
        queued = await self._on_loop_or_patiently(
            self.advisor.queued, None, what="reading the outbox"
        )
        loop = asyncio.get_running_loop()
        now = loop.time()
        self._held = {who: until for who, until in self._held.items() if until > now}
        for outgoing in queued:
            if self._stopping:
                break
            if outgoing.user_id in self._held or outgoing.chat_id is None:
                continue  # in order: this person's older reply goes first, at its retry
            try:
                result = await self.deliver(outgoing)
            except DatabaseGone:
                raise
            except Exception as error:  # never let one reply stop everyone's
                logger.exception("reply to user %s could not be sent", outgoing.user_id)
                await patiently(
                    self.advisor.not_yet, outgoing, type(error).__name__, what="noting a failure"
                )
                result = Delivery.LATER
            if result is Delivery.LATER:
                self._held[outgoing.user_id] = loop.time() + RETRY_EVERY
            else:
                progress = True
        return progress

    # --- one reply ---------------------------------------------------------------------------

    async def deliver_all(self, replies: tuple[Outgoing, ...]) -> bool:
        """Send replies one after another; stop at the first that cannot go now (order
        matters); a reply given up for good does not hold back the next."""
        for outgoing in replies:
            if await self.deliver(outgoing) is Delivery.LATER:
                return False
        return True

    async def deliver(self, outgoing: Outgoing) -> Delivery:
        """Send one reply and write down how it went; how it went."""
        if outgoing.chat_id is None:
            return Delivery.SENT
        try:
            await self._send(outgoing)
        except Undeliverable as error:
            return await self._give_up(outgoing, Delivery(error.status), str(error))
        except TelegramError as error:
            timed_out = isinstance(error, TimedOut)
            logger.warning("reply to user %s not sent yet: %s", outgoing.user_id, error)
            tries = await patiently(
                self.advisor.not_yet, outgoing, str(error), timed_out, what="noting a failed send"
            )
            if timed_out and tries >= MAX_TIMEOUTS:
                reason = f"Telegram did not answer in time, {tries} times"
                return await self._give_up(outgoing, Delivery.FAILED, reason)
            return Delivery.LATER
        if outgoing.outbox_id is not None:
            await self._note_sent(outgoing)
        return Delivery.SENT

    async def _note_sent(self, outgoing: Outgoing) -> None:
        """Write down that Telegram took the reply, before anything else is sent."""
        await self._on_loop_or_patiently(
            self.advisor.delivered_all, [outgoing], what="noting a sent reply"
        )

    @staticmethod
    async def _on_loop_or_patiently(call: Callable[..., T], *args: object, what: str) -> T:
        """`call(*args, wait=NOTE_WAIT)` on the event loop: short, and no thread to wake; if
        the store is busy (another thread's transaction, another process's write lock, a
        fault), `call(*args)` in a thread, waiting faults out."""
        try:
            return call(*args, wait=NOTE_WAIT)
        except Exception as error:
            if not (isinstance(error, Busy) or is_transient(error)):
                raise
        return await patiently(call, *args, what=what)

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
        if outgoing.followup_id is not None or outgoing.about_user_id is not None:
            await patiently(self.advisor.posted, outgoing, message_id, what="noting a staff post")
