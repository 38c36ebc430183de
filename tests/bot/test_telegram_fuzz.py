"""2,000 random and hostile updates through the real Application: nothing unhandled, still alive."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.startup import make_advisor
from bot.telegram import _app as telegram_app
from bot.telegram import build_application
from tests.bot.test_telegram import STAFF, STAFF_CHAT, settings_for
from tests.fakes.bot_api import FakeBotAPI

USERS = (2001, 2002, 2003, STAFF)
UPDATES_PER_EXAMPLE = 500
EXAMPLES = 4  # 4 x 500 = 2,000 updates

hostile_text = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "",
            " ",
            "/",
            "/start@SomeOtherBot",
            "/reply",
            "/show ../../etc/passwd",
            "/close SA-ZZZZZZ",
            "<b>unclosed",
            "&amp; &lt;script&gt;",
            "'; DROP TABLE users; --",
            "🙂" * 300,
            "\u202eRTL override\u202c",
            "Z\u0351\u0352\u0353algo",
            "\x00\x01\x02 nulls",
            "x" * 10_000,
            "staff turnover",
            "yes",
            "1",
        ]
    ),
)
callback_data = st.one_of(
    st.text(min_size=1, max_size=20).filter(lambda s: len(s.encode()) <= 64),
    st.sampled_from(["n:back", "n:menu", "s:0:0", "s:1:0", "t:workforce", "fb:evidence:1"]),
    st.sampled_from(["l:reading:99", "f:sips:update", "st:close:SA-AAAAAA", "st:show:x"]),
)
action = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(USERS), hostile_text),
    st.tuples(st.just("text"), st.sampled_from(USERS), hostile_text),
    st.tuples(st.just("button"), st.sampled_from(USERS), callback_data),
    st.tuples(st.just("press"), st.sampled_from(USERS), st.integers(0, 30)),
    st.tuples(st.just("media"), st.sampled_from(USERS), st.integers(0, 6)),
    st.tuples(st.just("edited"), st.sampled_from(USERS), hostile_text),
    st.tuples(st.just("group"), st.sampled_from(USERS), hostile_text),
    st.tuples(st.just("staff_chat"), st.sampled_from(USERS), hostile_text),
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    # Shrinking 500 updates would take many minutes; the failing example's errors say enough.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(action, min_size=UPDATES_PER_EXAMPLE, max_size=UPDATES_PER_EXAMPLE))
def test_random_and_hostile_updates_never_go_unhandled(tmp_path_factory, actions):
    db = tmp_path_factory.mktemp("fuzz") / "bot.db"
    # This is about every update being handled, not pacing: groups' 20 posts a minute (kept
    # even with BOT_RATE_LIMIT=off, tested in test_staff_desk) would make it take minutes.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(telegram_app, "STAFF_CHAT_POSTS_PER_MINUTE", 100_000)
        errors = asyncio.run(_run(actions, db))
    assert errors == [], errors[:5]
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


async def _run(actions, db) -> list[str]:
    async with FakeBotAPI() as api:
        api.add_chat(STAFF_CHAT, "Network staff", "supergroup")
        api.add_chat(-77, "Another group", "group")
        settings = settings_for(api, db)
        application = build_application(settings, make_advisor(settings))
        errors: list[str] = []

        async def record(update, context):
            errors.append(repr(context.error))

        application.add_error_handler(record)
        service = application.bot_data["service"]
        await service.start()
        try:
            for kind, user, payload in actions:
                _push(api, kind, user, payload)
            await _until_idle(api, application)
            # Still alive and answering, for everyone.
            for user in USERS[:3]:
                api.mark_read(user)
                api.push_text(user, "/help")
                replies = await api.wait_for_messages(user, 1, timeout=10)
                assert replies
        finally:
            await service.close()
        return errors


def _push(api: FakeBotAPI, kind: str, user: int, payload) -> None:
    if kind == "text":
        api.push_text(user, payload[:4096] or ".")
    elif kind == "button" and api.sent(user):  # a callback needs a message it is under
        api.push_callback(user, payload)
    elif kind in ("press", "button"):
        buttons = [b for m in api.sent(user)[-3:] for row in (m.buttons() or []) for b in row]
        if buttons:
            api.push_button(user, buttons[payload % len(buttons)])
        else:
            api.push_text(user, "/start")
    elif kind == "media":
        pushes = (
            api.push_sticker,
            api.push_photo,
            api.push_voice,
            api.push_location,
            api.push_contact,
            api.push_document,
            lambda u: api.push_text(u, "/menu"),
        )
        pushes[payload](user)
    elif kind == "edited":
        api.push_text(user, "first version")  # an edit needs a message to edit
        api.push_edited_text(user, payload[:4096] or ".")
    elif kind == "group":
        api.push_group_text(-77, user, payload[:4096] or ".")
    else:
        api.push_group_text(STAFF_CHAT, user, payload[:4096] or ".")


async def _until_idle(api: FakeBotAPI, application, timeout: float = 120.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    quiet_since = None
    while True:
        busy = api.pending_updates() or application.bot_data["service"].inbox.busy
        if busy:
            quiet_since = None
        else:
            quiet_since = quiet_since or loop.time()
            if loop.time() - quiet_since > 0.5:
                return
        assert loop.time() < deadline, "updates were still being handled"
        await asyncio.sleep(0.05)
