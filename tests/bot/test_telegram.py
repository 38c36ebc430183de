"""The real python-telegram-bot Application against a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.config import Settings
from bot.startup import make_advisor
from bot.telegram import build_application
from dialogues import plain
from storage import Busy
from tests.fakes.bot_api import FakeBotAPI

USER = 1001
OTHER = 1002
STAFF = 9001
STAFF_CHAT = -100500


@dataclass
class Running:
    """A bot running in the test's loop against the fake API, with its database file."""

    api: FakeBotAPI
    application: Application
    db: Path

    async def say(self, text: str, user: int = USER, count: int = 1):
        """Send text as a user; wait for `count` replies; return them."""
        self.api.push_text(user, text)
        return await self.api.wait_for_messages(user, count)

    async def press(self, label: str, user: int = USER, count: int = 1):
        """Press the newest button with this label; wait for `count` replies."""
        self.api.push_button(user, label)
        return await self.api.wait_for_messages(user, count)

    async def consent(self, user: int = USER) -> None:
        """Get a user through the welcome, agreeing to messages being kept."""
        await self.say("/start", user)
        await self.press("✅ OK, keep my messages", user)

    def rows(self, sql: str, *params):
        with sqlite3.connect(self.db) as db:
            return db.execute(sql, params).fetchall()


def settings_for(api: FakeBotAPI, db: Path, **extra) -> Settings:
    values = {
        "token": api.token,
        "api_base_url": api.base_url,
        "db_path": db,
        "staff_user_ids": frozenset({STAFF}),
        "staff_chat_id": STAFF_CHAT,
        "rate_limit": False,
    }
    return Settings(**(values | extra))


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        server.add_chat(STAFF_CHAT, "Network staff", "supergroup")
        yield server


@pytest.fixture
async def running(api, tmp_path) -> AsyncIterator[Running]:
    db = tmp_path / "bot.db"
    application = build_application(settings_for(api, db), make_advisor(settings_for(api, db)))
    errors: list[BaseException] = []

    async def record(update, context):
        errors.append(context.error)

    application.add_error_handler(record)
    service = application.bot_data["service"]
    await service.start()  # as `python -m bot run` does
    try:
        yield Running(api, application, db)
    finally:
        await service.close()
    assert not errors, f"unhandled errors: {errors!r}"


async def test_start_consent_and_menu(running):
    (welcome,) = await running.say("/start")
    assert "What I keep" in welcome.visible_text
    assert "✅ OK, keep my messages" in [label for row in welcome.buttons() for label in row]
    (thanks,) = await running.press("✅ OK, keep my messages")
    assert "What would you like to do?" in thanks.visible_text
    assert thanks.parse_mode == "HTML"
    assert running.rows("SELECT consent FROM users") == [(1,)]


async def test_the_command_menu_is_set_at_start_with_staff_commands_for_staff_only(running):
    everyone = {c["command"] for c in running.api.commands()}
    assert {"triage", "readiness", "nasss", "sips", "team", "plan", "forget", "help"} <= everyone
    assert not everyone & {"queue", "take", "close", "reply"}
    staff_private = {c["command"] for c in running.api.commands({"type": "chat", "chat_id": STAFF})}
    assert {"queue", "mine", "take", "show", "reply", "note", "close", "stats"} <= staff_private
    assert "triage" in staff_private  # staff may use the bot like anyone else
    in_staff_chat = running.api.commands({"type": "chat", "chat_id": STAFF_CHAT})
    staff_chat = {c["command"] for c in in_staff_chat}
    assert {"queue", "take", "close"} <= staff_chat and "triage" not in staff_chat
    assert running.api.commands({"type": "chat", "chat_id": OTHER}) == []


async def test_a_triage_by_button_presses(running):
    await running.consent()
    await running.say("/triage")
    for label in (
        "Innovator or provider",
        "Piloting or testing",
        "Yes, technology is central",
        "One organisation",
    ):
        await running.press(label)
    (result,) = await running.press("Skip this one")
    assert "NASSS" in result.visible_text
    assert "technology is central" in result.visible_text
    assert running.rows("SELECT kind FROM assessments") == [("triage",)]


async def test_typed_numbers_labels_and_near_spellings_choose_buttons_as_in_the_terminal(running):
    await running.consent()
    await running.say("/triage")
    (stage,) = await running.say("1")  # the first button of the role question
    assert "Piloting or testing" in [label for row in stage.buttons() for label in row]
    await running.say("piloting")
    (reach,) = await running.say("yes technology is central")
    assert "One organisation" in [label for row in reach.buttons() for label in row]
    await running.say("/menu")
    (card,) = await running.say("staff turnover")
    labels = [label for row in card.buttons() for label in row]
    (part,) = await running.say(str(labels.index("Figures") + 1))  # a card's button by number
    assert "30.8%" in part.visible_text


async def test_a_free_text_question_is_answered_with_the_right_factor(running):
    await running.consent()
    (card,) = await running.say("staff turnover")
    assert card.visible_text.startswith("Recruiting staff")
    (figures,) = await running.press("Figures")
    assert "30.8%" in figures.visible_text
    assert running.rows("SELECT matched FROM messages WHERE direction = 'in' AND kind = 'text'")[0][
        0
    ].startswith('["workforce"')


async def test_user_text_is_escaped_in_html_replies(running):
    await running.consent()
    await running.say("/team")
    await running.say("<b>Help</b> & <script>alert(1)</script> with our co-op")
    await running.press("Message me here")
    notice = (await running.api.wait_for_messages(STAFF_CHAT, 1))[0]
    assert "<script>" in notice.visible_text  # shown as typed, not taken as markup
    assert "&lt;script&gt;" in notice.text


async def test_staff_commands_are_unknown_commands_for_everyone_else(running):
    await running.consent()
    (answer,) = await running.say("/queue")
    assert "don't know /queue" in answer.visible_text
    running.api.push_group_text(STAFF_CHAT, OTHER, "/queue")
    await asyncio.sleep(0.3)
    assert running.api.sent(STAFF_CHAT) == []


async def test_stats_for_staff(running):
    await running.consent()
    await running.say("staff turnover")
    running.api.push_text(STAFF, "/stats")
    (stats,) = await running.api.wait_for_messages(STAFF, 1)
    assert "Last 7 days" in stats.visible_text and "Last 30 days" in stats.visible_text
    assert "Recruitment and turnover" in stats.visible_text


async def test_stale_and_forged_buttons(running):
    await running.consent()
    for data in ("s:1:0", "nonsense", "t:not-a-topic", "x" * 64):
        running.api.push_callback(USER, data)
        (reply,) = await running.api.wait_for_messages(USER, 1)
        assert "expired" in reply.visible_text
    assert running.api.unanswered_callbacks() == []


async def test_things_the_bot_cannot_read_get_a_helpful_reply(running):
    await running.consent()
    answers = running.application.bot_data["service"].advisor.engine.dialogues.messages.unsupported
    for push, what in (
        (running.api.push_sticker, "sticker"),
        (running.api.push_photo, "photo"),
        (running.api.push_voice, "voice"),
        (running.api.push_location, "location"),
        (running.api.push_contact, "contact"),
        (running.api.push_document, "document"),
        (lambda user: running.api.push_edited_text(user, "changed my mind"), "edited"),
    ):
        push(USER)
        (reply,) = await running.api.wait_for_messages(USER, 1)
        assert reply.visible_text == plain(answers[what]), what


async def test_a_group_chat_gets_a_pointer_to_a_private_chat(running):
    running.api.add_chat(-42, "Some group", "group")
    running.api.push_group_text(-42, USER, "/start")
    (pointer,) = await running.api.wait_for_messages(-42, 1)
    assert "private" in pointer.visible_text
    assert running.rows("SELECT count(*) FROM users") == [(0,)]


async def test_charts_and_documents_are_sent_as_photo_and_file(running):
    await running.consent()
    await running.say("/readiness")
    await running.press("Start")
    for _ in range(6):
        await running.press("Yes")
    photo, text = await running.press("No", count=2)  # one priority: profile and it fit a screen
    assert photo.photo and photo.photo.startswith(b"\x89PNG")
    assert "readiness profile" in photo.visible_text
    assert "Your priorities" in text.visible_text
    (document,) = await running.press("📄 My plan (PDF)")
    assert document.document.startswith(b"%PDF") and document.filename.endswith(".pdf")


async def test_flood_control_server_errors_and_time_outs_are_retried_and_sent_once(running):
    await running.consent()
    running.api.fail_next("sendMessage", "flood", retry_after=1)
    running.api.fail_next("sendMessage", "server")
    running.api.fail_next("sendMessage", "bad_gateway")
    (menu,) = await running.say("/menu")
    assert "What would you like to do?" in menu.visible_text
    await asyncio.sleep(0.2)
    assert len([m for m in running.api.sent(USER) if "What would you like" in m.visible_text]) == 2
    assert running.rows("SELECT count(*) FROM messages WHERE text = '/menu'") == [(1,)]
    assert running.rows("SELECT count(*) FROM outbox") == [(0,)]


async def test_a_user_who_blocked_the_bot_is_marked_and_nothing_crashes(running):
    await running.consent()
    running.api.block(USER)
    running.api.push_text(USER, "/help")
    await running.api.wait_for_calls("sendMessage", 1)
    await asyncio.sleep(0.3)
    assert running.rows("SELECT blocked FROM users") == [(1,)]
    assert running.rows("SELECT status FROM messages WHERE direction='out' ORDER BY id DESC")[
        0
    ] == ("blocked",)
    running.api.unblock(USER)
    (menu,) = await running.say("/menu")
    assert "What would you like" in menu.visible_text
    assert running.rows("SELECT blocked FROM users") == [(0,)]


async def test_one_users_messages_are_answered_in_order(running):
    await running.consent()
    await running.consent(OTHER)
    for n in range(5):
        running.api.push_text(USER, f"/help {n}")
        running.api.push_text(OTHER, "/menu")
    replies = await running.api.wait_for_messages(USER, 5)
    assert all("What I can do" in r.visible_text for r in replies)
    inbound = running.rows(
        "SELECT text FROM messages m JOIN users u ON u.id = m.user_id"
        " WHERE u.external_id = ? AND direction = 'in' AND text LIKE '/help%' ORDER BY m.id",
        USER,
    )
    assert [t for (t,) in inbound] == [f"/help {n}" for n in range(5)]


async def test_one_reply_is_sent_at_a_time_so_a_crash_leaves_at_most_one_unknown(running):
    users = (USER, OTHER, 1003)
    for user in users:
        await running.consent(user)
    before = len(running.api.calls("sendMessage"))
    # Telegram takes 1.5 s to answer the next send: nothing else may be sent meanwhile.
    running.api.fail_next("sendMessage", "timeout", hold=1.5, deliver=True)
    for user in users:
        running.api.push_text(user, "/help")
    await asyncio.sleep(1.0)
    (held,) = running.api.calls("sendMessage")[before:]
    assert held.status == 0  # still unanswered, and the only send under way
    for user in users:
        await running.api.wait_for_messages(user, 1)
    assert len(running.api.calls("sendMessage")) == before + len(users)
    assert running.rows("SELECT count(*) FROM outbox") == [(0,)]


async def test_replies_being_noted_as_sent_at_shutdown_are_noted_before_the_store_closes(
    api, tmp_path
):
    db = tmp_path / "bot.db"
    advisor = make_advisor(settings_for(api, db))
    application = build_application(settings_for(api, db), advisor)
    service = application.bot_data["service"]
    note = advisor.delivered_all

    def slowly(batch, wait=None):
        if wait is not None:  # the note on the event loop finds the store busy...
            raise Busy("the connection is in use")
        time.sleep(0.5)  # ...and a worker thread writes it down, slowly
        return note(batch)

    advisor.delivered_all = slowly
    await service.start()
    api.push_text(USER, "/start")
    await api.wait_for_messages(USER, 1)
    await service.close()  # while the reply is being noted as sent
    with sqlite3.connect(db) as connection:
        # Not noted, it would be sent again at the next start.
        assert connection.execute("SELECT count(*) FROM outbox").fetchone() == (0,)


async def test_a_database_that_cannot_be_written_is_waited_out_with_nothing_confirmed(
    running, caplog
):
    """SQLite refusing every write as a read-only database does (PRAGMA query_only gives the
    same SQLITE_READONLY a read-only file does; a root-run suite cannot make one by mode bits,
    and a file system cannot be remounted read-only while the bot has files open on it)."""
    await running.consent()
    store = running.application.bot_data["service"].advisor.store
    before = len(running.api.sent(USER))
    store.db.execute("PRAGMA query_only = ON")
    try:
        running.api.push_text(USER, "/help")
        running.api.push_text(USER, "/menu")
        await asyncio.sleep(2)
        assert len(running.api.pending_updates()) == 2, "confirmed without being stored"
        assert len(running.api.sent(USER)) == before  # no apology either
    finally:
        store.db.execute("PRAGMA query_only = OFF")
    help_, menu = await running.api.wait_for_messages(USER, 2, timeout=15)
    assert "What I can do" in help_.visible_text and "What would you like" in menu.visible_text
    assert "storage unavailable (SQLITE_READONLY" in caplog.text
    await asyncio.sleep(0.5)
    assert len(running.api.sent(USER)) == before + 2  # each once
