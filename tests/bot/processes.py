"""Helpers for tests that run `python -m bot run` against the fake Bot API."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from pathlib import Path

from tests.fakes.bot_api import FakeBotAPI

KEEP = "✅ OK, keep my messages"


async def consent(api: FakeBotAPI, user: int) -> None:
    """The user says hello and agrees to their messages being kept."""
    api.push_text(user, "/start")
    await api.wait_for_messages(user, 1, timeout=10)
    api.push_button(user, KEEP)
    await api.wait_for_messages(user, 1, timeout=10)


def rows(db: Path, sql: str, *params) -> list[tuple]:
    """Rows of a query on the bot's database file (opened and closed each time)."""
    connection = sqlite3.connect(db, timeout=30)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


async def until(check, timeout: float = 10.0, what: str = "the condition") -> None:
    """Wait until check() is true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, f"waited {timeout:g} s for {what}"
        await asyncio.sleep(0.05)


async def until_outbox_empty(db: Path, timeout: float = 10.0) -> None:
    """Wait until the bot has noted every reply as delivered."""
    await until(lambda: rows(db, "SELECT count(*) FROM outbox") == [(0,)], timeout, "the outbox")


def inbound_texts(db: Path, user: int) -> list[str]:
    """What a user wrote, as stored, oldest first."""
    return [
        text
        for (text,) in rows(
            db,
            "SELECT m.text FROM messages m JOIN users u ON u.id = m.user_id"
            " WHERE u.external_id = ? AND m.direction = 'in' ORDER BY m.id",
            user,
        )
    ]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def webhook_env(db: Path, port: int, **extra: str) -> dict[str, str]:
    """The environment of a bot process in webhook mode on this port, plus any extra settings."""
    return {
        "BOT_DB": str(db),
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "PORT": str(port),
        **extra,
    }


async def until_listening(port: int, timeout: float = 10.0, host: str = "127.0.0.1") -> None:
    """Wait until something accepts connections on host:port."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection(host, port)
            writer.close()
            return
        except OSError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.05)
