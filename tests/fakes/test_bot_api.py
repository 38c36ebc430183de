"""The fake Bot API against the real python-telegram-bot Application (and raw HTTP where needed)."""

from __future__ import annotations

import asyncio
import datetime as dtm
import socket
import time

import aiohttp
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes import bot_api
from tests.fakes._updates import sample_png
from tests.fakes.bot_api import FakeBotAPI, WaitTimeout
from tests.fakes.echo_bot import build_echo_application, echo
from tests.fakes.runners import ECHO_BOT, bot_process, in_process

USER = 1001


def echo_app(builder: ApplicationBuilder) -> Application:
    """The echo bot's handler on an application from this builder."""
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return application


def collect_errors(application: Application) -> list[Exception]:
    """Every exception the application's error handler receives, in order."""
    errors: list[Exception] = []

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)

    application.add_error_handler(on_error)
    return errors


async def eventually(check, timeout: float = 5.0) -> None:
    """Wait until check() is true."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def free_port() -> int:
    """A TCP port nothing listens on right now (python-telegram-bot's webhook needs a number)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ------------------------------------------------------------------ round trips with PTB


async def test_echo_round_trip(api: FakeBotAPI) -> None:
    async with in_process(build_echo_application(api.token, api.base_url, api.base_file_url)):
        api.push_text(USER, "Where do I start with <scaling> & spread?")
        [reply] = await api.wait_for_messages(USER, 1)

    assert reply.text == "Where do I start with <scaling> & spread?"
    assert reply.method == "sendMessage" and reply.parse_mode is None
    assert [m.message_id for m in api.sent(USER)] == [reply.message_id]
    assert {"getMe", "deleteWebhook", "getUpdates"} <= {c.method for c in api.calls()}
    assert api.pending_updates() == []  # confirmed by the next getUpdates


async def test_a_command_arrives_with_its_entity_and_arguments(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    application = builder.build()

    async def show(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(f"showing {' '.join(context.args)}")

    application.add_handler(CommandHandler("show", show))
    async with in_process(application):
        api.push_text(USER, "/show SA-0042")
        [reply] = await api.wait_for_messages(USER, 1)

    assert reply.text == "showing SA-0042"


async def test_a_pressed_button_is_answered_and_its_message_edited(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    application = builder.build()

    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = [[InlineKeyboardButton("Yes", callback_data="c:yes")]]
        await update.message.reply_text(
            "Keep my messages?", reply_markup=InlineKeyboardMarkup(keyboard)
        )

    async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(f"You chose {update.callback_query.data}")

    application.add_handler(CommandHandler("menu", menu))
    application.add_handler(CallbackQueryHandler(choose))
    async with in_process(application):
        api.push_text(USER, "/menu")
        [question] = await api.wait_for_messages(USER, 1)
        assert question.buttons() == [["Yes"]]
        api.push_button(USER, "Yes")
        await api.wait_for_calls("editMessageText", 1)

    assert api.unanswered_callbacks() == []
    [edited] = api.sent(USER)
    assert edited.visible_text == "You chose c:yes"
    assert edited.reply_markup is None and len(edited.edits) == 1


async def test_photo_and_document_uploads_are_recorded_and_downloadable(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    application = builder.build()
    chart = sample_png(20, 10)

    async def files(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_photo(chart, caption="Your <b>readiness</b>", parse_mode="HTML")
        await update.message.reply_document(b"%PDF-1.4 plan", filename="sips-plan.pdf")

    application.add_handler(CommandHandler("files", files))
    async with in_process(application):
        api.push_text(USER, "/files")
        photo, document = await api.wait_for_messages(USER, 2)
        downloaded = await (
            await application.bot.get_file(document.result["document"]["file_id"])
        ).download_as_bytearray()

    assert photo.method == "sendPhoto" and photo.photo == chart
    assert photo.caption == "Your <b>readiness</b>" and photo.visible_text == "Your readiness"
    assert photo.result["photo"][0]["width"] == 20
    assert document.document == b"%PDF-1.4 plan" and document.filename == "sips-plan.pdf"
    assert bytes(downloaded) == b"%PDF-1.4 plan"


async def test_users_other_messages_reach_the_bot_as_ptb_objects(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    application = builder.build()
    seen: list[str] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        kinds = ("sticker", "photo", "voice", "location", "contact", "document", "text")
        kind = next(k for k in kinds if getattr(message, k))
        seen.append(f"{'edited ' if update.edited_message else ''}{kind} {message.chat.type}")

    application.add_handler(MessageHandler(filters.ALL, record))
    async with in_process(application):
        api.push_text(USER, "first")
        api.push_sticker(USER)
        api.push_photo(USER, caption="our team")
        api.push_voice(USER)
        api.push_location(USER)
        api.push_contact(USER)
        api.push_document(USER)
        api.push_edited_text(USER, "first, corrected")
        api.push_group_text(-100777, USER, "hello group")
        await eventually(lambda: len(seen) == 9)

    assert seen == [
        "text private",
        "sticker private",
        "photo private",
        "voice private",
        "location private",
        "contact private",
        "document private",
        "edited text private",
        "text group",
    ]


# ------------------------------------------------------------------ faults


async def test_flood_is_retried_by_aio_rate_limiter_and_delivered_once(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    application = echo_app(builder.rate_limiter(AIORateLimiter(max_retries=2)))
    api.fail_next("sendMessage", "flood", retry_after=1)
    async with in_process(application):
        started = time.monotonic()
        api.push_text(USER, "hello")
        [reply] = await api.wait_for_messages(USER, 1)
        waited = time.monotonic() - started

    assert reply.text == "hello"
    assert [c.status for c in api.calls("sendMessage")] == [429, 200]
    assert waited >= 1.0  # retry_after honoured (AIORateLimiter adds 0.1 s)


async def test_aio_rate_limiter_does_not_retry_unless_max_retries_is_set(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    application = echo_app(builder.rate_limiter(AIORateLimiter()))
    errors = collect_errors(application)
    api.fail_next("sendMessage", "flood", retry_after=7)
    async with in_process(application):
        api.push_text(USER, "hello")
        await eventually(lambda: errors)

    [error] = errors
    assert isinstance(error, RetryAfter) and error.retry_after == dtm.timedelta(seconds=7)
    assert api.sent(USER) == []


async def test_aio_rate_limiter_leaves_server_errors_to_the_caller(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    api.add_user(USER)
    api.fail_next("sendMessage", "server")
    async with builder.rate_limiter(AIORateLimiter(max_retries=3)).build() as application:
        with pytest.raises(NetworkError):
            await application.bot.send_message(USER, "hello")

    assert [c.status for c in api.calls("sendMessage")] == [500]  # tried once, not retried


@pytest.mark.parametrize(
    ("kind", "raised"),
    [
        ("server", NetworkError),
        ("bad_gateway", NetworkError),
        ("blocked", Forbidden),
        ("not_found", BadRequest),
        ("flood", RetryAfter),
    ],
)
async def test_each_fault_raises_this_ptb_exception_and_delivers_nothing(
    api: FakeBotAPI, builder: ApplicationBuilder, kind: str, raised: type[Exception]
) -> None:
    api.add_user(USER)
    api.fail_next("sendMessage", kind)
    async with builder.build() as application:
        with pytest.raises(raised) as caught:
            await application.bot.send_message(USER, "hello")
        await application.bot.send_message(USER, "again")  # the fault was used up

    assert type(caught.value) is raised  # exactly this class, not a subclass
    assert [m.text for m in api.sent(USER)] == ["again"]


async def test_a_migrated_group_answers_with_its_new_id_and_the_new_one_takes_posts(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    api.add_chat(-500, "Staff")
    api.migrate_chat(-500, -100500)
    async with builder.build() as application:
        with pytest.raises(ChatMigrated) as caught:
            await application.bot.send_message(-500, "hello")
        await application.bot.send_message(-100500, "hello again")

    assert caught.value.new_chat_id == -100500
    assert [m.text for m in api.sent(-100500)] == ["hello again"]
    assert api.sent(-500) == []


async def test_a_group_the_bot_was_removed_from_answers_403(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    api.add_chat(-500, "Staff")
    async with builder.build() as application:
        sent = await application.bot.send_message(-500, "hello")
        api.remove_bot(-500)
        with pytest.raises(Forbidden, match="kicked"):
            await application.bot.send_message(-500, "hello")
        with pytest.raises(Forbidden, match="kicked"):
            await application.bot.edit_message_text("edited", -500, sent.message_id)

    assert [m.text for m in api.sent(-500)] == ["hello"]


async def test_a_held_request_raises_timed_out_and_delivers_nothing(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    api.add_user(USER)
    api.fail_next("sendMessage", "timeout", hold=2.0)
    async with builder.read_timeout(0.3).build() as application:
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await application.bot.send_message(USER, "hello")
        assert time.monotonic() - started < 1.5

    assert issubclass(TimedOut, NetworkError)
    assert api.sent(USER) == []


async def test_a_late_answer_with_deliver_still_sends_the_message(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    api.add_user(USER)
    api.fail_next("sendMessage", "timeout", hold=0.5, deliver=True)
    async with builder.read_timeout(0.2).build() as application:
        with pytest.raises(TimedOut):
            await application.bot.send_message(USER, "hello")
        [late] = await api.wait_for_messages(USER, 1, timeout=3)

    assert late.text == "hello"  # Telegram got it: a client that retries sends it twice


async def test_a_failing_handler_reaches_the_error_handler_and_polling_goes_on(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    application = echo_app(builder)
    errors = collect_errors(application)
    api.fail_next("sendMessage", "blocked")
    async with in_process(application):
        api.push_text(USER, "first")
        await eventually(lambda: errors)
        api.push_text(USER, "second")
        [reply] = await api.wait_for_messages(USER, 1)

    assert [type(e) for e in errors] == [Forbidden]
    assert "blocked by the user" in str(errors[0])
    assert reply.text == "second"


async def test_a_blocked_user_gets_403_until_unblocked(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    api.add_user(USER)
    api.block(USER)
    async with builder.build() as application:
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await application.bot.send_message(USER, "hello")
        api.unblock(USER)
        await application.bot.send_message(USER, "welcome back")

    assert [m.text for m in api.sent(USER)] == ["welcome back"]


async def test_unknown_chats_methods_and_tokens_are_refused_as_telegram_does(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    async with builder.build() as application:
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await application.bot.send_message(424242, "hello")
        with pytest.raises(EndPointNotFound):
            await application.bot.do_api_request("sendCarrierPigeon")
    with pytest.raises(InvalidToken):
        async with ApplicationBuilder().token("1:wrong").base_url(api.base_url).build():
            pass


# ------------------------------------------------------------------ updates, offsets, restarts


async def test_an_unconfirmed_update_is_redelivered_to_a_new_application(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    first = echo_app(builder)
    async with in_process(first):
        await api.wait_for_calls("getUpdates", 1)  # the long poll is waiting at the server
        api.fail_next("getUpdates", "server", times=1000)  # the confirming poll never lands
        update_id = api.push_text(USER, "hello")
        await api.wait_for_messages(USER, 1)
    assert [u["update_id"] for u in api.pending_updates()] == [update_id]

    api.clear_faults()
    second = echo_app(
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
    )
    async with in_process(second):
        [again] = await api.wait_for_messages(USER, 1)
        await eventually(lambda: not api.pending_updates())

    assert again.text == "hello"
    assert [m.text for m in api.sent(USER)] == ["hello", "hello"]


async def test_drop_pending_updates_loses_what_arrived_while_the_bot_was_down(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    api.push_text(USER, "sent while the bot was down")
    application = echo_app(builder)
    async with application:
        await application.start()
        await application.updater.start_polling(drop_pending_updates=True)
        await api.wait_for_calls("getUpdates", 1)
        await application.updater.stop()
        await application.stop()

    assert api.pending_updates() == [] and api.sent(USER) == []


async def test_ptb_confirms_an_update_before_its_handler_finishes(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    application = builder.build()
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        entered.set()
        await release.wait()

    application.add_handler(MessageHandler(filters.TEXT, slow))
    async with in_process(application):
        api.push_text(USER, "hello")
        await asyncio.wait_for(entered.wait(), 5)
        await eventually(lambda: not api.pending_updates())
        release.set()
    # A SIGKILL while `slow` runs would lose this update: Telegram has already forgotten it.


async def test_get_updates_honours_offset_limit_and_long_polling(api: FakeBotAPI) -> None:
    first, second, third = (api.push_text(USER, text) for text in ("a", "b", "c"))
    async with aiohttp.ClientSession() as http:

        async def get_updates(**params) -> list[int]:
            async with http.post(f"{api.base_url}{api.token}/getUpdates", json=params) as response:
                return [u["update_id"] for u in (await response.json())["result"]]

        assert await get_updates(limit=2) == [first, second]
        assert await get_updates() == [first, second, third]  # nothing confirmed yet
        assert await get_updates(offset=second) == [second, third]  # `first` now forgotten
        assert await get_updates(offset=third + 1, timeout=0) == []

        started = time.monotonic()
        assert await get_updates(timeout=0.3) == []
        assert time.monotonic() - started >= 0.3

        poll = asyncio.create_task(get_updates(timeout=10))
        await asyncio.sleep(0.1)
        fourth = api.push_text(USER, "d")
        assert await asyncio.wait_for(poll, 2) == [fourth]  # woken at once


async def test_a_second_poller_ends_the_first_with_a_conflict(api: FakeBotAPI) -> None:
    url = f"{api.base_url}{api.token}/getUpdates"
    async with aiohttp.ClientSession() as http:
        first = asyncio.create_task(http.post(url, json={"timeout": 5}))
        await api.wait_for_calls("getUpdates", 1)
        async with http.post(url, json={"timeout": 0}) as second:
            assert second.status == 200
        async with await asyncio.wait_for(first, 2) as response:
            body = await response.json()

    assert response.status == 409 and "terminated by other getUpdates" in body["description"]


async def test_a_killed_bot_process_is_replaced_and_answers_what_arrived_meanwhile(
    api: FakeBotAPI,
) -> None:
    async with bot_process(api, ECHO_BOT) as bot:
        api.push_text(USER, "before")
        await api.wait_for_messages(USER, 1, timeout=10)
        # The reply usually lands before the poll that confirms its update; killing the bot in
        # between would get "before" redelivered (and answered twice) by the next process.
        await eventually(lambda: not api.pending_updates())
        bot.kill()
        assert await bot.wait() == -9
    api.push_text(USER, "while down")
    async with bot_process(api, ECHO_BOT):
        [reply] = await api.wait_for_messages(USER, 1, timeout=10)

    assert reply.text == "while down"


# ------------------------------------------------------------------ webhook


async def test_webhook_delivery_needs_the_right_secret(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    application = echo_app(builder)
    port = free_port()
    async with application:
        await application.start()
        await application.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="telegram",
            secret_token="s3cret-Token_1",
            webhook_url=f"http://127.0.0.1:{port}/telegram",
        )
        try:
            assert api.webhook()["url"] == f"http://127.0.0.1:{port}/telegram"
            refused = api.push_text(USER, "no secret")
            assert await api.deliver_webhook(refused, secret=None) == 403
            assert await api.deliver_webhook(refused, secret="wrong") == 403
            accepted = api.push_text(USER, "with secret")
            assert await api.deliver_webhook(accepted) == 200
            [reply] = await api.wait_for_messages(USER, 1)
        finally:
            await application.updater.stop()
            await application.stop()

    assert reply.text == "with secret"
    assert [m.text for m in api.sent(USER)] == ["with secret"]
    assert [u["update_id"] for u in api.pending_updates()] == [refused]


async def test_get_updates_is_refused_while_a_webhook_is_set(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    async with builder.build() as application:
        await application.bot.set_webhook("http://127.0.0.1:9/hook", secret_token="abc")
        info = await application.bot.get_webhook_info()
        with pytest.raises(Exception, match="webhook is active") as caught:
            await application.bot.get_updates()
        await application.bot.delete_webhook()
        assert await application.bot.get_updates() == ()

    assert info.url == "http://127.0.0.1:9/hook"
    assert type(caught.value).__name__ == "Conflict"


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<blink>old</blink>", 'Unsupported start tag "blink"'),
        ("<b>crossed <i>tags</b></i>", 'Unmatched end tag at byte offset 18, expected "</i>"'),
        ("if a < b then", "Unclosed start tag"),
    ],
)
async def test_malformed_html_is_refused(
    api: FakeBotAPI, builder: ApplicationBuilder, text: str, complaint: str
) -> None:
    api.add_user(USER)
    async with builder.build() as application:
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities") as caught:
            await application.bot.send_message(USER, text, parse_mode="HTML")

    assert complaint.lower() in str(caught.value).lower()  # PTB rewrites the case
    assert api.sent(USER) == []


async def test_well_formed_html_comes_back_as_text_and_entities(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    api.add_user(USER)
    async with builder.build() as application:
        message = await application.bot.send_message(
            USER, "<b>Evidence</b> &amp; <i>co-production</i> &lt;3", parse_mode="HTML"
        )

    assert message.text == "Evidence & co-production <3"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 0, 8),
        ("italic", 11, 13),
    ]


async def test_telegram_limits_are_enforced(api: FakeBotAPI, builder: ApplicationBuilder) -> None:
    api.add_user(USER)
    too_long_data = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    async with builder.build() as application:
        bot = application.bot
        await bot.send_message(USER, "é" * 4096)
        await bot.send_message(
            USER,
            "ok",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("x", callback_data="é" * 32)]]
            ),
        )
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(USER, "x" * 4097)
        with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
            await bot.send_message(USER, "<b> </b>", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(USER, "pick", reply_markup=too_long_data)
        with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
            await bot.send_photo(USER, sample_png(), caption="c" * 1025)
        with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
            await bot.send_photo(USER, b"not an image")
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text(
                "ok",
                USER,
                api.sent(USER)[-1].message_id,
                reply_markup=(
                    InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 32)]])
                ),
            )

    assert len(api.sent(USER)) == 2


async def test_the_other_methods_answer_in_shapes_ptb_parses(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    api.add_user(USER, first_name="Amira", username="amira_shares")
    api.add_chat(-100123, "Network staff", "supergroup")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Close", callback_data="close:7")]])
    async with builder.build() as application:
        bot = application.bot
        me = await bot.get_me()
        message = await bot.send_message(-100123, "New follow-up SA-7", reply_markup=keyboard)
        without_buttons = await bot.edit_message_reply_markup(-100123, message.message_id)
        assert await bot.send_chat_action(USER, "typing") is True
        private, group = await bot.get_chat(USER), await bot.get_chat(-100123)
        assert await bot.delete_message(-100123, message.message_id) is True
        with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
            await bot.delete_message(-100123, message.message_id)
        assert await bot.delete_my_commands() is True
        assert await bot.log_out() is True and await bot.close() is True

    assert me.username == "scaling_advisor_test_bot" and me.is_bot
    assert message.chat.type == "supergroup" and message.reply_markup == keyboard
    assert without_buttons.reply_markup is None
    assert (private.username, group.title) == ("amira_shares", "Network staff")
    [staff_post] = api.sent(-100123)
    assert staff_post.deleted and staff_post.edits[0]["reply_markup"]["inline_keyboard"]


async def test_a_callback_query_can_be_answered_once(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    api.add_user(USER)
    async with builder.build() as application:
        await application.bot.send_message(USER, "Pick one")
        api.push_callback(USER, "forged:data")
        [update] = await application.bot.get_updates()
        assert update.callback_query.data == "forged:data"
        assert await update.callback_query.answer("Noted") is True
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await update.callback_query.answer()

    assert api.unanswered_callbacks() == []


async def test_raw_updates_are_queued_as_given(api: FakeBotAPI) -> None:
    first = api.push_raw({"my_chat_member": {"chat": {"id": USER, "type": "private"}}})
    second = api.push_raw({"update_id": first + 10, "message": {"message_id": 1}})

    third = api.push_text(USER, "after")

    assert [u["update_id"] for u in api.pending_updates()] == [first, second, third]
    assert (second, third) == (first + 10, first + 11)
    with pytest.raises(ValueError, match="below the next id"):
        api.push_raw({"update_id": first, "message": {"message_id": 2}})


async def test_commands_menu_is_stored_per_scope(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    async with builder.build() as application:
        await application.bot.set_my_commands([("start", "Begin"), ("help", "What I can do")])
        with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
            await application.bot.set_my_commands([("Start", "Capital letters are refused")])
        listed = await application.bot.get_my_commands()

    assert [(c.command, c.description) for c in listed] == [
        ("start", "Begin"),
        ("help", "What I can do"),
    ]
    assert api.commands()[0] == {"command": "start", "description": "Begin"}


# ------------------------------------------------------------------ the fake itself


async def test_wait_for_messages_says_what_did_arrive(api: FakeBotAPI) -> None:
    api.add_user(USER)
    with pytest.raises(WaitTimeout, match=r"got 0: \[\]; failed calls") as caught:
        await api.wait_for_messages(USER, 1, timeout=0.1)

    assert f"chat {USER}" in str(caught.value)


async def test_the_server_can_run_in_a_thread_of_its_own() -> None:
    with FakeBotAPI.in_thread() as api:
        async with in_process(build_echo_application(api.token, api.base_url)):
            api.push_text(USER, "from another loop")
            [reply] = await api.wait_for_messages(USER, 1)

    assert reply.text == "from another loop"


async def test_the_control_endpoint_drives_a_server_in_another_process(api: FakeBotAPI) -> None:
    echo_bot = build_echo_application(api.token, api.base_url)
    async with in_process(echo_bot), aiohttp.ClientSession() as http:
        push = {"user_id": USER, "text": "over HTTP"}
        async with http.post(f"{api.url}/_fake/push_text", json=push) as response:
            assert (await response.json())["ok"]
        await api.wait_for_messages(USER, 1)
        async with http.get(f"{api.url}/_fake/sent", params={"chat_id": USER}) as response:
            sent = (await response.json())["result"]

    assert [m["text"] for m in sent] == ["over HTTP"]


async def test_a_simulated_round_trip_delays_every_answer() -> None:
    async with FakeBotAPI(latency=0.2) as slow, aiohttp.ClientSession() as http:
        started = time.monotonic()
        async with http.get(f"{slow.base_url}{slow.token}/getMe") as response:
            assert (await response.json())["result"]["is_bot"] is True

    assert time.monotonic() - started >= 0.2


def test_the_module_exports_what_it_names() -> None:
    assert all(hasattr(bot_api, name) for name in bot_api.__all__)
    assert {"FakeBotAPI", "SentMessage", "Call", "WaitTimeout", "FaultKind"} <= set(bot_api.__all__)
