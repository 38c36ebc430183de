"""The closed-loop harness drives a real PTB bot, in process and as a subprocess."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes, MessageHandler, filters

from tests.fakes.bot_api import FakeBotAPI
from tests.fakes.echo_bot import build_echo_application
from tests.fakes.load import FIRST_USER_ID, closed_loop
from tests.fakes.runners import ECHO_BOT, bot_process, in_process


async def test_every_message_is_answered_and_timed(api: FakeBotAPI) -> None:
    def make_text(user_id: int, index: int) -> str:
        return f"{user_id}/{index}"

    async with in_process(build_echo_application(api.token, api.base_url)):
        result = await closed_loop(api, users=4, messages=5, make_text=make_text)

    assert (result.messages, result.errors, len(result.latencies)) == (20, 0, 20)
    assert all(latency > 0 for latency in result.latencies)
    assert 0 < result.p50 <= result.p99 <= result.seconds
    assert result.per_second == result.messages / result.seconds
    for user_id in range(FIRST_USER_ID, FIRST_USER_ID + 4):
        assert [m.text for m in api.sent(user_id)] == [f"{user_id}/{i}" for i in range(5)]


async def test_prepare_runs_first_and_several_replies_make_one_round_trip(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    application = builder.build()

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text("Welcome")

    async def twice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text("Thinking...")
        await update.message.reply_text(f"Answer to {update.message.text}")

    application.add_handler(CommandHandler("start", start))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, twice))

    async def consent(user_id: int) -> None:
        api.push_text(user_id, "/start")
        await api.wait_for_messages(user_id, 1)

    async with in_process(application):
        result = await closed_loop(
            api, users=3, messages=2, prepare=consent, replies_per_message=2, first_user_id=77
        )

    assert (result.messages, result.errors) == (6, 0)
    assert [m.text for m in api.sent(77)] == [
        "Welcome",
        "Thinking...",
        "Answer to message 0 from 77",
        "Thinking...",
        "Answer to message 1 from 77",
    ]


async def test_a_silent_bot_counts_one_error_per_user(
    api: FakeBotAPI, builder: ApplicationBuilder
) -> None:
    async with in_process(builder.build()):  # no handlers: never replies
        result = await closed_loop(api, users=3, messages=4, reply_timeout=0.2)

    assert (result.messages, result.errors) == (0, 3)
    assert result.per_second == 0 and result.latencies == []


async def test_a_bot_in_a_subprocess_is_driven_the_same_way(api: FakeBotAPI) -> None:
    async with bot_process(api, ECHO_BOT) as bot:
        result = await closed_loop(api, users=3, messages=3)
        assert bot.cpu_seconds() > 0

    assert (result.messages, result.errors) == (9, 0)
