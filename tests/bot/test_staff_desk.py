"""The staff desk through the real Application and a fake Bot API: threads with the person,
taking, the queue, closing with a note, reopening, and the notice kept up to date."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram.ext import AIORateLimiter

from bot.startup import make_advisor
from bot.telegram import build_application
from tests.bot.test_telegram import STAFF_CHAT, USER, Running, settings_for
from tests.fakes.bot_api import FakeBotAPI

SAM, ASHA = 9001, 9002
STAFF = frozenset({SAM, ASHA})
NAMES = {SAM: "sam", ASHA: "asha"}


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        server.add_chat(STAFF_CHAT, "Network staff", "supergroup")
        yield server


@pytest.fixture
async def desk(api, tmp_path) -> AsyncIterator[Running]:
    db = tmp_path / "bot.db"
    settings = settings_for(api, db, staff_user_ids=STAFF, staff_names=NAMES)
    application = build_application(settings, make_advisor(settings))
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


async def ask_for_follow_up(running: Running, note: str, user: int = USER) -> tuple[str, object]:
    """A person asks the team to get in touch; the reference and the staff-chat notice."""
    await running.consent(user)
    await running.say("/team", user)
    await running.say(note, user)
    (done,) = await running.press("Message me here", user)
    reference = done.visible_text.split("reference is ")[1].split(".")[0]
    notices = await running.api.wait_for_messages(STAFF_CHAT, 1)
    return reference, notices[-1]


def staff_says(running: Running, staff: int, text: str) -> None:
    running.api.push_group_text(STAFF_CHAT, staff, text)


async def staff_chat(running: Running, count: int = 1):
    return await running.api.wait_for_messages(STAFF_CHAT, count)


def reply_to(running: Running, user: int, chat_id: int, message, text: str) -> None:
    """A Telegram reply (swipe left) to one of the bot's messages."""
    chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
    running.api.push_raw(
        {
            "message": {
                "message_id": 50_000 + message.message_id,
                "date": 1_700_000_000,
                "chat": chat,
                "from": {"id": user, "is_bot": False, "first_name": "Someone"},
                "text": text,
                "reply_to_message": message.result,
            }
        }
    )


def reply_targets(running: Running) -> list[int | None]:
    """Which message each sendMessage to the staff chat replied to."""
    return [
        (call.params.get("reply_parameters") or {}).get("message_id")
        for call in running.api.calls("sendMessage")
        if str(call.params.get("chat_id")) == str(STAFF_CHAT)
    ]


async def test_the_persons_answers_reach_the_staff_chat_under_the_notice(desk):
    reference, notice = await ask_for_follow_up(desk, "Can someone help us grow our scheme?")
    assert reference in notice.visible_text and "nobody has it yet" in notice.visible_text
    assert notice.buttons() == [["🙋 Take", "Transcript", "Close"]]

    staff_says(desk, SAM, f"/reply {reference} Happy to help. What number can we call?")
    (team,) = await desk.api.wait_for_messages(USER, 1)
    assert "What number can we call?" in team.visible_text
    assert "reply here" in team.visible_text.lower()
    assert team.buttons() == [["↩ Back to the bot"]]
    (sent,) = await staff_chat(desk)
    assert f"Sent to {reference}" in sent.visible_text
    await desk.api.wait_for_calls("editMessageText", 1)
    assert "waiting for the person" in desk.api.sent(STAFF_CHAT)[0].visible_text

    # A plain message goes to the thread, not to the matcher.
    (passed,) = await desk.say("07700 900123, after 2pm")
    assert "Passed to the network team" in passed.visible_text
    (post,) = await staff_chat(desk)
    assert "07700 900123, after 2pm" in post.visible_text and reference in post.visible_text
    # And so does a Telegram reply to the team's message.
    reply_to(desk, USER, USER, team, "Or email me instead")
    (passed,) = await desk.api.wait_for_messages(USER, 1)
    assert "Passed to the network team" in passed.visible_text
    (post,) = await staff_chat(desk)
    assert "Or email me instead" in post.visible_text
    # Both are replies to the notice, and the notice says the person answered.
    assert reply_targets(desk)[-2:] == [notice.message_id, notice.message_id]
    await desk.api.wait_for_calls("editMessageText", 2)
    assert "the person answered" in desk.api.sent(STAFF_CHAT)[0].visible_text

    staff_says(desk, SAM, f"/show {reference}")
    (shown,) = await staff_chat(desk)
    assert "07700 900123" in shown.visible_text and "Or email me instead" in shown.visible_text
    assert "What number can we call?" in shown.visible_text


async def test_staff_reply_to_the_persons_post_reaches_them(desk):
    reference, _ = await ask_for_follow_up(desk, "Please call")
    staff_says(desk, SAM, f"/reply {reference} When suits you?")
    await desk.api.wait_for_messages(USER, 1)
    await staff_chat(desk)
    await desk.say("Tuesday")
    (post,) = await staff_chat(desk)
    reply_to(desk, ASHA, STAFF_CHAT, post, "Tuesday at 10 then")
    (to_user,) = await desk.api.wait_for_messages(USER, 1)
    assert "Tuesday at 10 then" in to_user.visible_text


async def test_take_by_a_second_member_of_staff_shows_in_the_queue(desk):
    first, _ = await ask_for_follow_up(desk, "First request")
    second, notice = await ask_for_follow_up(desk, "Second request", user=USER + 1)
    desk.api.push_button(ASHA, "🙋 Take", notice.message_id, STAFF_CHAT)
    (taken,) = await staff_chat(desk)
    assert f"{second} is now with asha" in taken.visible_text
    staff_says(desk, SAM, f"/take {first} @asha")
    await staff_chat(desk)
    staff_says(desk, SAM, "/queue")
    (queue,) = await staff_chat(desk)
    assert "Open follow-ups: 2" in queue.visible_text
    assert queue.visible_text.count("with asha") == 2 and "waited" in queue.visible_text
    staff_says(desk, ASHA, "/mine")
    (mine,) = await staff_chat(desk)
    assert first in mine.visible_text and second in mine.visible_text
    staff_says(desk, SAM, "/queue new")
    (nobody,) = await staff_chat(desk)
    assert "Nothing waiting here" in nobody.visible_text
    await desk.api.wait_for_calls("editMessageText", 2)
    notice_now = next(m for m in desk.api.sent(STAFF_CHAT) if m.message_id == notice.message_id)
    assert "taken, with asha" in notice_now.visible_text
    actions = desk.rows("SELECT action, staff_name FROM staff_actions WHERE action = 'take'")
    assert actions == [("take", "asha"), ("take", "sam")]


async def test_closing_asks_for_a_note_edits_the_notice_and_tells_the_person(desk):
    reference, notice = await ask_for_follow_up(desk, "Please get in touch")
    staff_says(desk, SAM, f"/reply {reference} We'll call you tomorrow.")
    await desk.api.wait_for_messages(USER, 1)
    await staff_chat(desk)
    desk.api.push_button(SAM, "Close", notice.message_id, STAFF_CHAT)
    (ask,) = await staff_chat(desk)
    assert "closing note" in ask.visible_text.lower() or "note" in ask.visible_text
    assert ask.buttons() == [["No note", "Cancel"]]
    reply_to(desk, SAM, STAFF_CHAT, ask, "Called back, all sorted")
    (closed,) = await staff_chat(desk)
    assert f"{reference} is closed (Called back, all sorted)" in closed.visible_text
    (told,) = await desk.api.wait_for_messages(USER, 1)
    assert reference in told.visible_text and "closed" in told.visible_text
    assert told.buttons()[0] == ["👍", "👎"]
    rows = desk.rows("SELECT status, close_note, closed_by_login FROM followups")
    assert rows == [("closed", "Called back, all sorted", "sam")]
    await desk.api.wait_for_calls("editMessageText", 2)
    notice_now = desk.api.sent(STAFF_CHAT)[0]
    assert "closed" in notice_now.visible_text and "Called back" in notice_now.visible_text

    # The person rates it, and after closing the bot answers their questions again.
    desk.api.push_button(USER, "👍", told.message_id)
    await desk.api.wait_for_messages(USER, 1)
    (rated,) = await staff_chat(desk)
    assert "👍" in rated.visible_text
    assert desk.rows("SELECT rating FROM followups") == [(1,)]
    (answer,) = await desk.say("how do we recruit and keep care staff?")
    assert "Passed to the network team" not in answer.visible_text
    assert "Recruit" in answer.visible_text or "staff" in answer.visible_text.lower()
    await asyncio.sleep(0.2)
    assert desk.rows("SELECT status FROM followups") == [("closed",)]


async def test_a_safety_message_in_a_thread_gets_the_signposts_and_staff_are_told(desk):
    reference, _ = await ask_for_follow_up(desk, "Can someone call me about our pilot?")
    staff_says(desk, SAM, f"/reply {reference} Of course. How are things?")
    await desk.api.wait_for_messages(USER, 1)
    await staff_chat(desk)
    signposts, told = await desk.say("honestly i cant go on, i want to end my life", count=2)
    assert "116 123" in signposts.visible_text
    assert f"also gone to the network team ({reference})" in told.visible_text
    (post,) = await staff_chat(desk)
    assert reference in post.visible_text and "⚠️" in post.visible_text
    assert "i want to end my life" in post.visible_text
    assert "suicide" in post.visible_text  # what it reads as: the crisis entry's title


async def test_close_with_no_note_and_reply_to_a_closed_one_asks_to_reopen(desk):
    reference, _ = await ask_for_follow_up(desk, "Help please")
    staff_says(desk, SAM, f"/close {reference}")
    (ask,) = await staff_chat(desk)
    desk.api.push_button(SAM, "No note", ask.message_id, STAFF_CHAT)
    (closed,) = await staff_chat(desk)
    assert "(no note)" in closed.visible_text
    await desk.api.wait_for_messages(USER, 1)  # told it is closed
    staff_says(desk, SAM, f"/reply {reference} One more thing")
    (question,) = await staff_chat(desk)
    assert "Reopen it and send" in question.visible_text
    await asyncio.sleep(0.2)
    assert [m.visible_text for m in desk.api.sent(USER)][-1].startswith("The network team has")
    desk.api.push_button(SAM, "Reopen and send", question.message_id, STAFF_CHAT)
    (to_user,) = await desk.api.wait_for_messages(USER, 1)
    assert "One more thing" in to_user.visible_text
    assert desk.rows("SELECT status, stage FROM followups") == [("open", "waiting")]


async def test_a_reply_to_the_teams_message_after_closing_reopens_the_thread(desk):
    reference, _ = await ask_for_follow_up(desk, "Call me")
    staff_says(desk, SAM, f"/reply {reference} Done, we spoke.")
    (team,) = await desk.api.wait_for_messages(USER, 1)
    await staff_chat(desk)
    staff_says(desk, SAM, f"/close {reference} spoke on the phone")
    await staff_chat(desk)
    await desk.api.wait_for_messages(USER, 1)
    reply_to(desk, USER, USER, team, "Sorry, one more question for you")
    (passed,) = await desk.api.wait_for_messages(USER, 1)
    assert "Passed to the network team" in passed.visible_text
    (post,) = await staff_chat(desk)
    assert "reopened" in post.visible_text and "one more question" in post.visible_text
    assert desk.rows("SELECT status, stage FROM followups") == [("open", "answered")]


async def test_back_to_the_bot_ends_the_thread_and_staff_are_told(desk):
    reference, _ = await ask_for_follow_up(desk, "Call me")
    staff_says(desk, SAM, f"/reply {reference} Hello!")
    await desk.api.wait_for_messages(USER, 1)
    await staff_chat(desk)
    (back,) = await desk.press("↩ Back to the bot")
    assert "back with the bot" in back.visible_text
    (post,) = await staff_chat(desk)
    assert "went back to the bot" in post.visible_text
    (answer,) = await desk.say("how do we recruit and keep care staff?")
    assert "Passed to the network team" not in answer.visible_text


async def test_reply_to_a_conversation_reference_reaches_the_person(desk):
    await desk.consent()
    await desk.say("how do we recruit and keep care staff?")
    (conversation,) = desk.rows("SELECT reference FROM sessions")
    staff_says(desk, SAM, f"/reply {conversation[0]} Would a call help?")
    (to_user,) = await desk.api.wait_for_messages(USER, 1)
    assert "Would a call help?" in to_user.visible_text
    (sent,) = await staff_chat(desk)
    assert "Sent to" in sent.visible_text
    await desk.say("Yes please")
    (post,) = await staff_chat(desk)
    assert "Yes please" in post.visible_text


async def test_forget_deletes_what_they_wrote_in_a_conversation_the_team_opened(desk):
    await desk.consent()
    await desk.say("how do we recruit and keep care staff?")
    (conversation,) = desk.rows("SELECT reference FROM sessions")
    staff_says(desk, SAM, f"/reply {conversation[0]} Would a call help?")
    await desk.api.wait_for_messages(USER, 1)
    await staff_chat(desk)
    await desk.say("Yes please, my number is 07700 900123")
    (post,) = await staff_chat(desk)
    assert desk.rows("SELECT count(*) FROM thread_posts") == [(1,)]
    await desk.say("/forget")
    (done,) = await desk.press("🗑 Yes, erase everything")
    assert conversation[0] in done.visible_text and "can't delete" not in done.visible_text
    await desk.api.wait_for_calls("deleteMessage", 1)
    (gone,) = [m for m in desk.api.sent(STAFF_CHAT) if m.message_id == post.message_id]
    assert gone.deleted
    assert desk.rows("SELECT count(*) FROM thread_posts") == [(0,)]
    assert desk.rows("SELECT count(*) FROM outbox WHERE payload LIKE '%07700%'") == [(0,)]


async def test_the_queue_pages_ten_at_a_time(desk):
    advisor = desk.application.bot_data["service"].advisor
    user = advisor.store.ensure_user("telegram", 777, 777)
    for n in range(30):
        advisor.store.create_followup(user.id, f"SA-Q{n:05d}", f"request {n}", "here")
    staff_says(desk, SAM, "/queue")
    (first,) = await staff_chat(desk)
    assert "Open follow-ups: 30" in first.visible_text and "page 1 of 3" in first.visible_text
    assert first.visible_text.count("SA-Q") == 10 and "SA-Q00000" in first.visible_text
    assert first.buttons() == [["More ›"]]
    desk.api.push_button(SAM, "More ›", first.message_id, STAFF_CHAT)
    (second,) = await staff_chat(desk)
    assert "page 2 of 3" in second.visible_text and "SA-Q00010" in second.visible_text
    desk.api.push_button(SAM, "More ›", second.message_id, STAFF_CHAT)
    (third,) = await staff_chat(desk)
    assert "page 3 of 3" in third.visible_text and "SA-Q00029" in third.visible_text
    assert third.buttons() == []


async def test_notes_show_in_show_with_the_name(desk):
    reference, _ = await ask_for_follow_up(desk, "Call me")
    staff_says(desk, ASHA, f"/note {reference} Tried twice, no answer")
    await staff_chat(desk)
    staff_says(desk, SAM, f"/show {reference}")
    (shown,) = await staff_chat(desk)
    assert "asha" in shown.visible_text and "Tried twice, no answer" in shown.visible_text


async def test_help_for_staff_lists_the_staff_commands(desk):
    await desk.consent(SAM)
    desk.api.push_text(SAM, "/help")
    replies = await desk.api.wait_for_messages(SAM, 2)
    assert "/take" in replies[-1].visible_text and "/queue" in replies[-1].visible_text
    await desk.consent()
    (theirs,) = await desk.say("/help")
    assert "/take" not in theirs.visible_text


async def test_forget_also_removes_the_staff_chat_notice(desk):
    reference, notice = await ask_for_follow_up(desk, "Please call me about our scheme")
    staff_says(desk, SAM, f"/reply {reference} Hello")
    await desk.api.wait_for_messages(USER, 1)
    await staff_chat(desk)
    await desk.say("/forget")
    (done,) = await desk.press("🗑 Yes, erase everything")
    assert "erased everything" in done.visible_text
    assert "notices of your request" in done.visible_text  # what goes from the staff chat
    await desk.api.wait_for_calls("deleteMessage", 1)
    (post,) = [m for m in desk.api.sent(STAFF_CHAT) if m.message_id == notice.message_id]
    assert post.deleted
    for table in ("followups", "staff_messages", "staff_drafts"):
        assert desk.rows(f"SELECT count(*) FROM {table}") == [(0,)], table
    await asyncio.sleep(0.2)  # sent replies are written down in batches
    assert desk.rows("SELECT count(*) FROM outbox WHERE payload LIKE '%our scheme%'") == [(0,)]
    assert desk.rows("SELECT count(*) FROM outbox") == [(0,)]


@pytest.mark.parametrize("rate_limit", [True, False])
def test_groups_keep_twenty_posts_a_minute_even_with_the_rate_limit_off(tmp_path, rate_limit):
    settings = settings_for_limits(tmp_path, rate_limit)
    application = build_application(settings, make_advisor(settings))
    limiter = application.bot.rate_limiter
    assert isinstance(limiter, AIORateLimiter)
    assert (limiter._group_max_rate, limiter._group_time_period) == (20, 60)
    assert bool(limiter._base_limiter) is rate_limit  # the overall 30 a second: off for load tests


def settings_for_limits(tmp_path, rate_limit: bool):
    from bot.config import Settings

    return Settings(
        token="123:abc",
        db_path=tmp_path / "bot.db",
        staff_user_ids=STAFF,
        staff_chat_id=STAFF_CHAT,
        rate_limit=rate_limit,
    )


async def test_a_close_and_a_reply_from_the_web_reach_the_person_within_seconds(desk):
    """The web review (another process, here the plugin's own code on its own connection)
    hands its messages over in the outbox; the running bot sends them within a second or
    two, not at its 30-second sweep."""
    from storage.review.plugins import staff_actions

    reference, notice = await ask_for_follow_up(desk, "Please ring me")
    await asyncio.to_thread(staff_actions._engine)  # loaded once when the review starts
    loop = asyncio.get_running_loop()

    start = loop.time()
    said = await asyncio.to_thread(
        staff_actions._run,
        str(desk.db),
        "asha",
        "reply",
        reference,
        "Free on Tuesday?",
        STAFF_CHAT,
    )
    assert said == "done_reply"
    (to_user,) = await desk.api.wait_for_messages(USER, 1, timeout=4)
    assert "Free on Tuesday?" in to_user.visible_text
    assert loop.time() - start < 4

    start = loop.time()
    said = await asyncio.to_thread(
        staff_actions._run,
        str(desk.db),
        "asha",
        "close",
        reference,
        "Rang on Tuesday",
        STAFF_CHAT,
    )
    assert said == "done_close"
    (told,) = await desk.api.wait_for_messages(USER, 1, timeout=4)
    assert reference in told.visible_text and "closed" in told.visible_text
    assert loop.time() - start < 4
    edits = await desk.api.wait_for_calls("editMessageText", 2, timeout=4)
    assert "Rang on Tuesday" in str(edits[-1].params.get("text"))
    assert int(edits[-1].params["message_id"]) == notice.message_id
    await asyncio.sleep(1.5)  # nothing is sent twice by the next looks
    assert len(desk.api.sent(USER)) == len({m.message_id for m in desk.api.sent(USER)})
    assert [m.visible_text for m in desk.api.sent(USER)].count(told.visible_text) == 1
    assert desk.rows("SELECT count(*) FROM outbox") == [(0,)]
