"""The inbox: each update committed as it came before Telegram is told it arrived, then handled
from there, one user's in order, each marked done with what handling it caused.

Polling confirms an update to Telegram only by asking for the next ones (a higher offset), and
the poller asks only once `take` has returned, that is once the updates are committed. A
webhook answers 200 only after `take`. An update stored before is not handled again, whatever
path it comes back by; one stopped half-way stays waiting and is handled at the next start.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence

from telegram import Bot, Update

from bot.telegram._order import UserQueues
from bot.telegram._patience import patiently
from storage import Store

logger = logging.getLogger(__name__)

CONCURRENT_UPDATES = 16  # updates handled at once, one at a time per user


class Inbox:
    """Stores raw updates, hands each to `handle` once, and marks what `handle` did not."""

    def __init__(self, store: Store, bot: Bot, handle: Callable[[Update], Awaitable[bool]]):
        """`handle(update)` returns True when it marked the update done itself (with its
        effects, in their transaction); otherwise it is marked done once `handle` returns."""
        self.store = store
        self.bot = bot
        self._handle = handle
        self._queues = UserQueues(self._run, CONCURRENT_UPDATES)

    async def take(self, updates: Sequence[dict]) -> int:
        """Commit updates as they came (waiting out storage faults), then queue the new ones
        for handling; how many were new. Return only once they are committed."""
        rows = [(u["update_id"], json.dumps(u, ensure_ascii=True)) for u in updates]
        return await self.take_rows(rows, patient=True)

    async def take_rows(self, rows: Sequence[tuple[int, str]], *, patient: bool) -> int:
        """`take` for (id, JSON) rows; patient=False tries once and lets a fault go up."""
        if patient:
            fresh = await patiently(self.store.store_updates, rows, what="storing updates")
        else:
            fresh = await asyncio.to_thread(self.store.store_updates, rows)
        known = set(fresh)
        for update_id, payload in rows:
            if update_id in known:
                known.discard(update_id)  # once, even if Telegram sent it twice in one batch
                await self._queue(update_id, payload)
        return len(fresh)

    async def resume(self) -> int:
        """Queue what the last run stored but did not finish; how many."""
        waiting = await patiently(self.store.waiting_updates, what="reading the inbox")
        for update_id, payload in waiting:
            await self._queue(update_id, payload)
        if waiting:
            logger.info("inbox: %d update(s) left by the last run", len(waiting))
        return len(waiting)

    async def _queue(self, update_id: int, payload: str) -> None:
        try:
            update = Update.de_json(json.loads(payload), self.bot)
        except Exception as error:
            # By id only: the update may hold someone's words, and the error may quote them.
            logger.warning("update %s could not be read (%s); set aside", update_id, _kind(error))
            await patiently(self.store.skip_update, update_id, what="setting an update aside")
            return
        self._queues.submit(_key(update), update)

    async def _run(self, update: object) -> None:
        assert isinstance(update, Update)
        if not await self._handle(update):
            await patiently(self.store.claim_update, update.update_id, what="marking done")

    @property
    def busy(self) -> int:
        """How many users' updates are queued or being handled."""
        return self._queues.busy

    async def idle(self) -> None:
        """Return once every queued update has been handled."""
        await self._queues.idle()

    async def stop(self, grace: float) -> int:
        """Give updates being handled `grace` seconds, then stop; how many were cut off."""
        return await self._queues.stop(grace)


def _key(update: Update) -> Hashable:
    """Whose turn an update is: its user (or chat); an update from nobody runs on its own."""
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return ("update", update.update_id)


def _kind(error: BaseException) -> str:
    return type(error).__name__
