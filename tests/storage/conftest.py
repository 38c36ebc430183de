"""Fixtures for storage tests: a real database file and a clock the test moves by hand."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from storage import Store, User


class FakeClock:
    """A clock that stands still until the test moves it."""

    def __init__(self, start: datetime = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "bot.db"


@pytest.fixture
def store(db_path: Path, clock: FakeClock) -> Iterator[Store]:
    with Store.open(db_path, clock=clock) as opened:
        yield opened


def keeping_user(store: Store, external_id: int = 1001) -> User:
    """A Telegram user who said their messages may be kept."""
    user = store.ensure_user("telegram", external_id, external_id)
    return store.set_consent(user.id, True)


def all_tables(path: Path) -> list[str]:
    """Every table in the file, from sqlite_master: FTS tables and their shadow tables too."""
    with sqlite3.connect(path) as connection:
        return [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]


def every_cell(path: Path) -> Iterator[tuple[str, str, Any]]:
    """(table, column, value) for every cell of every table, read with a plain connection."""
    connection = sqlite3.connect(path)
    connection.text_factory = bytes  # read text as stored, even if it is not valid UTF-8
    try:
        for table in all_tables(path):
            cursor = connection.execute(f'SELECT * FROM "{table}"')
            names = [column[0] for column in cursor.description]
            for row in cursor:
                for name, value in zip(names, row, strict=True):
                    yield table, name, value
    finally:
        connection.close()


def cells_containing(path: Path, needle: str) -> list[tuple[str, str]]:
    """(table, column) of every cell whose text or bytes contain `needle` (any case)."""
    wanted = needle.lower().encode()
    found = []
    for table, column, value in every_cell(path):
        if isinstance(value, bytes | str):
            data = value if isinstance(value, bytes) else value.encode()
            if wanted in data.lower():
                found.append((table, column))
        elif isinstance(value, int) and str(value) == needle:
            found.append((table, column))
    return found
