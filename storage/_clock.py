"""Times as stored: UTC ISO 8601 text of one fixed width, so text order is time order."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, time

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def as_text(moment: datetime) -> str:
    """A moment as stored, e.g. '2026-01-31T09:05:00.000000+00:00'."""
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_text(text: str) -> datetime:
    """A stored moment back as an aware datetime."""
    return datetime.fromisoformat(text)


def day_text(moment: datetime) -> str:
    """The UTC day of a moment, e.g. '2026-01-31' (the key of the daily counts)."""
    return moment.astimezone(UTC).date().isoformat()


def start_of(day_or_moment: date | datetime) -> datetime:
    """A date as midnight UTC; an aware datetime unchanged."""
    if isinstance(day_or_moment, datetime):
        if day_or_moment.tzinfo is None:
            raise ValueError("times must be timezone-aware")
        return day_or_moment
    return datetime.combine(day_or_moment, time(0), tzinfo=UTC)


def register_clock(connection: sqlite3.Connection, clock: Clock = utc_now) -> None:
    """Give SQL on this connection clock_now(): the clock's time as stored. The staff review's
    queries count back from it, not SQLite's 'now', so a test sets the time it reads."""
    connection.create_function("clock_now", 0, lambda: as_text(clock()))
