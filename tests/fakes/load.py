"""A closed-loop load on a bot through the fake Bot API: every user waits for each reply.

Each simulated user sends a message, waits until the bot's reply(ies) reach the fake server,
then sends the next one. Latency is measured from the push to the arrival of the last reply,
both timed inside the fake server's process. It works for any bot that answers each message
with a fixed number of messages, in process or as a subprocess (see runners.py).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from tests.bench._stats import percentile

from .bot_api import FakeBotAPI, WaitTimeout

FIRST_USER_ID = 5_000_001


def numbered_text(user_id: int, index: int) -> str:
    """The default message: distinct for every user and turn."""
    return f"message {index} from {user_id}"


@dataclass(frozen=True)
class LoadResult:
    """What one closed-loop run measured; latencies are in seconds."""

    messages: int  # round trips completed
    seconds: float
    errors: int  # messages that got no (or not enough) reply in time
    latencies: Sequence[float] = field(repr=False)

    @property
    def per_second(self) -> float:
        """Completed round trips per second."""
        return self.messages / self.seconds if self.seconds else 0.0

    @property
    def p50(self) -> float:
        """Median latency in seconds."""
        return statistics.median(self.latencies) if self.latencies else float("nan")

    @property
    def p99(self) -> float:
        """99th percentile latency in seconds."""
        return percentile(self.latencies, 0.99) if self.latencies else float("nan")

    def line(self, name: str) -> str:
        """One printable line: name, messages per second, p50 and p99 in milliseconds."""
        return (
            f"{name:44} {self.per_second:8.1f} msg/s   p50 {self.p50 * 1e3:7.1f} ms   "
            f"p99 {self.p99 * 1e3:7.1f} ms   n={self.messages} errors={self.errors}"
        )


async def closed_loop(
    api: FakeBotAPI,
    users: int = 50,
    messages: int = 20,
    make_text: Callable[[int, int], str] = numbered_text,
    *,
    prepare: Callable[[int], Awaitable[None]] | None = None,
    replies_per_message: int = 1,
    first_user_id: int = FIRST_USER_ID,
    reply_timeout: float = 10.0,
) -> LoadResult:
    """Drive `users` users concurrently, `messages` messages each, one at a time per user.

    prepare(user_id), if given, runs for every user before the clock starts (to get past a
    consent step, say); whatever it leaves unread in the chat is ignored. A user whose reply
    does not come within reply_timeout counts one error and stops.
    """
    user_ids = [first_user_id + n for n in range(users)]
    if prepare is not None:
        await asyncio.gather(*(prepare(user_id) for user_id in user_ids))
    for user_id in user_ids:
        api.mark_read(user_id)
    latencies: list[float] = []
    errors = 0

    async def simulate(user_id: int) -> None:
        nonlocal errors
        for index in range(messages):
            pushed_at = time.perf_counter()
            api.push_text(user_id, make_text(user_id, index))
            try:
                replies = await api.wait_for_messages(user_id, replies_per_message, reply_timeout)
            except WaitTimeout:
                errors += 1
                return
            latencies.append(replies[replies_per_message - 1].received_at - pushed_at)

    started = time.perf_counter()
    await asyncio.gather(*(simulate(user_id) for user_id in user_ids))
    seconds = time.perf_counter() - started
    return LoadResult(len(latencies), seconds, errors, latencies)
