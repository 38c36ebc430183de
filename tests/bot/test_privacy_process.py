"""Privacy on the real `python -m bot run` process and its real database files.

What a person typed, once it is not kept, must be in no table and in no file of the database
(bot.db, bot.db-wal) within seconds; /forget works before consent, and a repeated /forget
brings nobody back.
"""

from __future__ import annotations

import asyncio
import sqlite3
import struct
from pathlib import Path

import pytest

from tests.bot.processes import free_port, until_listening, webhook_env
from tests.fakes.bot_api import FakeBotAPI
from tests.fakes.runners import REAL_BOT, bot_process

# A Telegram id above 2**32, so SQLite stores it in six bytes we can look for.
USER = 7_340_012_345
OTHER = 1002
NAME = "Jane Dolittle"
ADDRESS = "12 Acacia Avenue, Leeds LS6 2AB"
PHONE = "07700 900461"
SCRUB_WITHIN = 5.0  # seconds


@pytest.fixture
async def api():
    async with FakeBotAPI() as server:
        yield server


def database_bytes(db: Path) -> bytes:
    """Every file of the database, raw: the main file, the write-ahead log, its index."""
    return b"".join(p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name))


def traces(db: Path, *needles: str, user: int | None = None) -> list[str]:
    """Which needles (and the user's id, as text or as SQLite stores it) the files still hold."""
    raw = database_bytes(db).lower()
    found = [n for n in needles if n.lower().encode() in raw]
    if user is not None:
        if str(user).encode() in raw:
            found.append(f"{user} as text")
        if struct.pack(">q", user)[2:] in raw:  # a 6-byte big-endian integer record
            found.append(f"{user} as an integer")
    return found


async def until_clean(db: Path, *needles: str, user: int | None = None) -> float:
    """Seconds until no file of the database holds the needles; fails after SCRUB_WITHIN."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while found := traces(db, *needles, user=user):
        assert loop.time() - start < SCRUB_WITHIN, f"still in the files: {found}"
        await asyncio.sleep(0.1)
    return loop.time() - start


def cells_holding(db: Path, needle: str) -> list[str]:
    with sqlite3.connect(db) as connection:
        tables = [
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        found = []
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                if any(needle.lower() in str(value).lower() for value in row):
                    found.append(table)
        return found


async def press(api: FakeBotAPI, user: int, label: str) -> list:
    api.push_button(user, label)
    return await api.wait_for_messages(user, 1, timeout=15)


async def say(api: FakeBotAPI, user: int, text: str) -> list:
    api.push_text(user, text)
    return await api.wait_for_messages(user, 1, timeout=15)


async def test_declined_what_they_type_is_in_no_table_and_no_file(api, tmp_path):
    db = tmp_path / "bot.db"
    async with bot_process(api, REAL_BOT, {"BOT_DB": str(db)}, ready_timeout=60):
        await say(api, USER, "/start")
        await press(api, USER, "🚫 Don't keep my messages")
        await say(api, USER, "/triage")
        for label in (
            "Innovator or provider",
            "Piloting or testing",
            "Yes, technology is central",
            "One organisation",
        ):
            await press(api, USER, label)
        result = await say(api, USER, f"{NAME} at {ADDRESS} says the kit is too fiddly")
        assert "What fits" in result[0].visible_text and "Acacia" in result[0].visible_text
        await say(api, USER, f"I am {NAME}, {ADDRESS}, phone {PHONE}: staff turnover?")
        # Someone else keeps talking meanwhile, as on a live bot.
        await say(api, OTHER, "/start")

        waited = await until_clean(db, NAME, "Acacia", PHONE)
        for needle in (NAME, "Acacia", PHONE):
            assert cells_holding(db, needle) == [], needle
        # They still get the whole service: their place and their choices are kept.
        with sqlite3.connect(db) as connection:
            (consent,) = connection.execute(
                "SELECT consent FROM users WHERE external_id = ?", (USER,)
            ).fetchone()
        assert consent == 0
    assert waited < SCRUB_WITHIN


async def test_forget_leaves_nothing_in_the_files_within_seconds(api, tmp_path):
    db = tmp_path / "bot.db"
    async with bot_process(api, REAL_BOT, {"BOT_DB": str(db)}, ready_timeout=60):
        await say(api, OTHER, "/start")
        await press(api, OTHER, "✅ OK, keep my messages")
        await say(api, USER, "/start")
        await press(api, USER, "✅ OK, keep my messages")
        await say(api, USER, f"I am {NAME} of {ADDRESS} and staff turnover is our worry")
        await say(api, USER, "/team")
        await say(api, USER, f"Please ring {NAME} about funding")
        await press(api, USER, "By phone")
        await say(api, USER, PHONE)
        assert database_bytes(db).count(b"Acacia") > 0

        await say(api, USER, "/forget")
        (done,) = await press(api, USER, "🗑 Yes, erase everything")
        assert "erased everything" in done.visible_text
        assert "request to the team" in done.visible_text  # what was erased, named
        for _ in range(5):  # others carry on
            await say(api, OTHER, "what about co-production")

        waited = await until_clean(db, NAME, "Acacia", PHONE, user=USER)
        with sqlite3.connect(db) as connection:
            assert connection.execute(
                "SELECT count(*) FROM users WHERE external_id = ?", (USER,)
            ).fetchone() == (0,)
    assert waited < SCRUB_WITHIN


async def test_forget_before_consent_erases_what_was_typed(api, tmp_path):
    db = tmp_path / "bot.db"
    async with bot_process(api, REAL_BOT, {"BOT_DB": str(db)}, ready_timeout=60):
        await say(api, USER, f"hello, I am {NAME} of {ADDRESS}")  # before choosing
        await say(api, USER, "/forget")
        (done,) = await press(api, USER, "🗑 Yes, erase everything")
        assert "erased everything" in done.visible_text
        await until_clean(db, NAME, "Acacia", user=USER)
        with sqlite3.connect(db) as connection:
            assert connection.execute("SELECT count(*) FROM users").fetchone() == (0,)


async def test_a_repeated_forget_brings_nobody_back(api, tmp_path):
    db = tmp_path / "bot.db"
    port = free_port()
    env = webhook_env(db, port, LISTEN_ADDRESS="127.0.0.1")
    async with bot_process(api, REAL_BOT, env, ready_timeout=60):
        await until_listening(port)

        async def deliver(update_id: int) -> dict:
            body = next(u for u in api.pending_updates() if u["update_id"] == update_id)
            assert await api.deliver_webhook(body) == 200
            await api.wait_for_messages(USER, 1)
            return body

        await deliver(api.push_text(USER, "/start"))
        await deliver(api.push_button(USER, "✅ OK, keep my messages"))
        await deliver(api.push_text(USER, f"I am {NAME}"))
        await deliver(api.push_text(USER, "/forget"))
        erase = await deliver(api.push_button(USER, "🗑 Yes, erase everything"))
        await until_clean(db, NAME, user=USER)

        # Telegram did not get our 200 in time and delivers the same update again.
        assert await api.deliver_webhook(erase) == 200
        await asyncio.sleep(0.5)
        with sqlite3.connect(db) as connection:
            assert connection.execute("SELECT count(*) FROM users").fetchone() == (0,)
            assert connection.execute("SELECT count(*) FROM states").fetchone() == (0,)
        assert traces(db, NAME, user=USER) == []
