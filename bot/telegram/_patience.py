"""Storage calls off the event loop that wait out passing faults instead of failing.

Another process holding the write lock, a full disk or a file made read-only clear by
themselves or by an operator; until then nothing is acknowledged and nothing is apologised for,
the call is simply tried again, a little later each time. A deleted database file is not a
passing fault: DatabaseGone goes up to stop the process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

from storage import is_transient

logger = logging.getLogger(__name__)

T = TypeVar("T")

FIRST_WAIT = 0.2  # seconds before the first retry
LONGEST_WAIT = 5.0  # seconds: the longest wait between tries, so recovery is soon noticed


async def patiently(call: Callable[..., T], *args: object, what: str) -> T:
    """Run `call(*args)` in a thread until it gets past any passing storage fault."""
    wait = FIRST_WAIT
    while True:
        try:
            return await asyncio.to_thread(call, *args)
        except Exception as error:
            if not is_transient(error):
                raise
            name = getattr(error, "sqlite_errorname", type(error).__name__)
            logger.warning(
                "storage unavailable (%s) while %s; trying again in %.1f s", name, what, wait
            )
        await asyncio.sleep(wait)
        wait = min(wait * 2, LONGEST_WAIT)
