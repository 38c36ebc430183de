"""Updates from different users run concurrently; one user's updates run in the order sent."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable

logger = logging.getLogger(__name__)


class UserQueues:
    """One queue and one worker per user: a user's updates are handled one after another, in
    the order they were submitted, and at most `limit` users' updates at once overall.

    `handle` is awaited for each item; what it raises is logged and the queue goes on (the
    item is then handled as far as it goes; the inbox keeps it if it was not marked done).
    """

    def __init__(self, handle: Callable[[object], Awaitable[None]], limit: int = 16):
        self._handle = handle
        self._slots = asyncio.Semaphore(limit)
        self._queues: dict[Hashable, deque[object]] = {}
        self._workers: set[asyncio.Task] = set()

    def submit(self, key: Hashable, item: object) -> None:
        """Queue an item behind the same key's earlier ones."""
        queue = self._queues.get(key)
        if queue is not None:
            queue.append(item)
            return
        self._queues[key] = deque([item])
        worker = asyncio.create_task(self._work(key), name=f"updates of {key!r}")
        self._workers.add(worker)
        worker.add_done_callback(self._workers.discard)

    @property
    def busy(self) -> int:
        """How many keys have work queued or running."""
        return len(self._queues)

    async def _work(self, key: Hashable) -> None:
        queue = self._queues[key]
        try:
            while queue:
                async with self._slots:
                    try:
                        await self._handle(queue[0])
                    except Exception:
                        logger.exception("handling an update failed")
                queue.popleft()
        finally:
            self._queues.pop(key, None)

    async def idle(self) -> None:
        """Return once nothing is queued or running."""
        while self._workers:
            await asyncio.wait(set(self._workers))

    async def stop(self, grace: float) -> int:
        """Let running work finish for up to `grace` seconds, then cancel the rest; how many
        workers were cancelled (what they held stays in the inbox for the next start)."""
        if self._workers:
            await asyncio.wait(set(self._workers), timeout=grace)
        late = set(self._workers)
        for worker in late:
            worker.cancel()
        for worker in late:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await worker
        return len(late)
