"""`python -m bot run` as a real process: killed mid-journey, restarted, and in webhook mode."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys

import pytest

from tests.bot.processes import (
    consent,
    free_port,
    until_listening,
    until_outbox_empty,
    webhook_env,
)
from tests.fakes.bot_api import FakeBotAPI
from tests.fakes.runners import REAL_BOT, bot_process

USER = 1001


@pytest.fixture
async def api():
    async with FakeBotAPI() as server:
        yield server


def step_of(db, user: int = USER) -> str:
    with sqlite3.connect(db) as connection:
        (step,) = connection.execute(
            "SELECT s.step FROM states s JOIN users u ON u.id = s.user_id WHERE u.external_id = ?",
            (user,),
        ).fetchone()
    return step


async def test_killed_mid_journey_a_new_process_continues_at_the_same_step(api, tmp_path):
    env = {"BOT_DB": str(tmp_path / "bot.db")}
    async with bot_process(api, REAL_BOT, env) as bot:
        await _consent(api)
        api.push_text(USER, "/triage")
        await api.wait_for_messages(USER, 1)
        api.push_button(USER, "Innovator or provider")
        await api.wait_for_messages(USER, 1)
        await _until_outbox_empty(tmp_path / "bot.db")
        bot.kill()
        await bot.wait()
    assert step_of(tmp_path / "bot.db") == "triage.stage"

    async with bot_process(api, REAL_BOT, env):
        # The buttons sent by the first process still work in the second.
        api.push_button(USER, "Piloting or testing")
        (next_question,) = await api.wait_for_messages(USER, 1)
        assert "2 of 4" in next_question.visible_text
    assert step_of(tmp_path / "bot.db") == "triage.kind"


async def test_a_reply_cut_off_by_a_crash_is_sent_after_the_restart(api, tmp_path):
    env = {"BOT_DB": str(tmp_path / "bot.db")}
    async with bot_process(api, REAL_BOT, env) as bot:
        await _consent(api)
        api.fail_next("sendMessage", "timeout", hold=30)  # Telegram hangs on the reply...
        api.push_text(USER, "/help")
        await api.wait_for_calls("sendMessage", 3)
        await asyncio.sleep(0.3)
        bot.kill()  # ...and the bot dies waiting for it
        await bot.wait()
    api.clear_faults()
    assert not [m for m in api.sent(USER) if "What I can do" in (m.visible_text or "")]

    async with bot_process(api, REAL_BOT, env):
        (resent,) = await api.wait_for_messages(USER, 1, timeout=10)
        assert "What I can do" in resent.visible_text
    with sqlite3.connect(tmp_path / "bot.db") as db:
        assert db.execute("SELECT count(*) FROM outbox").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM messages WHERE text = '/help'").fetchone() == (1,)


async def test_webhook_mode_answers_only_with_the_right_secret(api, tmp_path):
    port = free_port()
    env = webhook_env(tmp_path / "bot.db", port, WEBHOOK_SECRET="right-secret_123")
    async with bot_process(api, REAL_BOT, env):
        hook = api.webhook()
        assert hook["url"].endswith("/telegram") and hook["secret_token"] == "right-secret_123"
        await until_listening(port)

        wrong = api.push_text(USER, "/start")
        assert await api.deliver_webhook(wrong, secret="wrong-secret") == 403
        missing = api.push_text(USER, "/start")
        assert await api.deliver_webhook(missing, secret=None) == 403
        await asyncio.sleep(0.3)
        assert api.sent(USER) == []
        with sqlite3.connect(tmp_path / "bot.db") as db:
            assert db.execute("SELECT count(*) FROM users").fetchone() == (0,)

        right = api.push_text(USER, "/start")
        assert await api.deliver_webhook(right) == 200
        (welcome,) = await api.wait_for_messages(USER, 1)
        assert "What I keep" in welcome.visible_text


@pytest.mark.long_wait(30)
async def test_webhook_mode_answers_200_only_once_stored_and_503_while_it_cannot_store(
    api, tmp_path
):
    db = tmp_path / "bot.db"
    port = free_port()
    env = webhook_env(db, port, WEBHOOK_SECRET="right-secret_123")
    async with bot_process(api, REAL_BOT, env):
        await until_listening(port)
        first = api.push_text(USER, "/start")
        assert await api.deliver_webhook(first) == 200
        # Committed before the answer: the update is in the inbox the moment 200 arrives.
        with sqlite3.connect(db) as connection:
            stored = connection.execute("SELECT update_id FROM inbox").fetchall()
        assert (first,) in stored
        await api.wait_for_messages(USER, 1)

        locker = sqlite3.connect(db, isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        second = api.push_text(USER, "/help")
        assert await api.deliver_webhook(second) == 503  # after the 10 s busy timeout
        locker.execute("ROLLBACK")
        locker.close()
        with sqlite3.connect(db) as connection:
            assert (second,) not in connection.execute("SELECT update_id FROM inbox").fetchall()
        assert second in [u["update_id"] for u in api.pending_updates()]  # Telegram keeps it
        assert await api.deliver_webhook(second) == 200  # ...and sends it again
        (help_text,) = await api.wait_for_messages(USER, 1)
        assert "What I can do" in help_text.visible_text


async def _consent(api: FakeBotAPI) -> None:
    await consent(api, USER)


async def _until_outbox_empty(db) -> None:
    await until_outbox_empty(db)


async def test_logs_hold_neither_the_token_nor_what_users_wrote(api, tmp_path):
    marker = "my-secret-marker-9f3a"
    env = {"BOT_DB": str(tmp_path / "bot.db"), "LOG_LEVEL": "DEBUG"}
    async with bot_process(api, REAL_BOT, env) as bot:
        await _consent(api)
        api.push_text(USER, f"staff turnover {marker}")
        await api.wait_for_messages(USER, 1)
        await asyncio.sleep(0.2)
        log = bot.stderr()
    assert "now at" in log  # it did log, at DEBUG: ids and state names
    assert api.token not in log
    assert api.token.split(":")[1] not in log
    assert marker not in log


def test_the_procfile_starts_the_bot_with_the_contract_command():
    from tests.content_copy import REPO

    lines = (REPO / "Procfile").read_text().splitlines()
    assert lines == ["web: python -m bot run --webhook", "worker: python -m bot run"]


async def test_the_web_process_refuses_to_poll(api, tmp_path):
    from tests.fakes.runners import ROOT

    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--webhook",
        cwd=ROOT,
        env={**os.environ, **api.bot_env(), "BOT_DB": str(tmp_path / "bot.db")},
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1 and b"WEBHOOK_URL is not set" in err
    assert api.calls("getUpdates") == []


async def test_webhook_mode_listens_on_the_listen_address(api, tmp_path):
    port = free_port()
    env = webhook_env(tmp_path / "bot.db", port, LISTEN_ADDRESS="127.0.0.2")
    async with bot_process(api, REAL_BOT, env):
        await until_listening(port, host="127.0.0.2")
        with pytest.raises(OSError):
            await asyncio.open_connection("127.0.0.1", port)
