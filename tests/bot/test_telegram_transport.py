"""The aiohttp transport and the retry policy, each on its own."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.telegram._aiohttp import AiohttpRequest
from bot.telegram._delivery import Undeliverable, with_retries
from tests.fakes.bot_api import FakeBotAPI

USER = 1001


async def test_a_bot_on_aiohttp_sends_text_and_files():
    async with FakeBotAPI() as api:
        api.push_text(USER, "hello")  # so the chat exists
        bot = Bot(api.token, base_url=api.base_url, request=AiohttpRequest(2))
        async with bot:
            me = await bot.get_me()
            assert me.is_bot
            await bot.send_message(USER, "<b>Hi</b> &amp; welcome", parse_mode="HTML")
            await bot.send_document(USER, b"%PDF-1.4 test", filename="plan.pdf", caption="Plan")
        text, document = api.sent(USER)
        assert text.visible_text == "Hi & welcome"
        assert document.document == b"%PDF-1.4 test" and document.filename == "plan.pdf"


async def test_a_hung_request_times_out():
    async with FakeBotAPI() as api:
        api.push_text(USER, "hello")
        api.fail_next("sendMessage", "timeout", hold=3)
        bot = Bot(api.token, base_url=api.base_url, request=AiohttpRequest(1, timeout=0.3))
        async with bot:
            with pytest.raises(TimedOut):
                await bot.send_message(USER, "anyone there?")


async def test_a_refused_connection_is_a_network_error():
    bot = Bot("123456:" + "x" * 35, base_url="http://127.0.0.1:9/bot", request=AiohttpRequest(1))
    with pytest.raises(NetworkError):
        async with bot:
            pass


async def test_retries_wait_out_flood_control_and_server_errors(monkeypatch):
    slept: list[float] = []

    async def fake_sleep(seconds):
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    failures = [RetryAfter(timedelta(seconds=3)), NetworkError("502"), TimedOut()]

    async def call():
        if failures:
            raise failures.pop(0)
        return "sent"

    assert await with_retries(call, "test") == "sent"
    assert slept == [3.0, 1.0]  # a time-out is tried again at once: Telegram was only slow


async def test_a_send_that_times_out_twice_is_left_for_later():
    calls = []

    async def call():
        calls.append(1)
        raise TimedOut()

    with pytest.raises(TimedOut):
        await with_retries(call, "test")
    assert len(calls) == 2  # each try may have reached Telegram: at most two copies


async def test_retries_give_up_after_a_few_server_errors(monkeypatch):
    monkeypatch.setattr(
        asyncio,
        "sleep",
        lambda seconds: asyncio.get_running_loop().create_future() if False else _noop(),
    )

    async def call():
        raise NetworkError("500")

    with pytest.raises(NetworkError):
        await with_retries(call, "test")


async def _noop():
    return None


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), "blocked"),
        (BadRequest("Chat not found"), "failed"),
    ],
)
async def test_permanent_refusals_are_undeliverable(error, status):
    async def call():
        raise error

    with pytest.raises(Undeliverable) as caught:
        await with_retries(call, "test")
    assert caught.value.status == status


async def test_other_bad_requests_are_raised_for_the_caller():
    async def call():
        raise BadRequest("Can't parse entities: unclosed tag")

    with pytest.raises(BadRequest):
        await with_retries(call, "test")
