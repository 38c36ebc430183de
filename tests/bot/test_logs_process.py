"""The real `python -m bot run` at DEBUG, with a real-shaped token, through failures whose
tracebacks carry the Bot API URL (a redirect loop, a refused connection) and a webhook update
of the wrong shape: the log never holds the token, nor what the user wrote.
"""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web

from tests.bot.processes import free_port, until_listening, webhook_env
from tests.bot.test_privacy_process import until_clean
from tests.fakes.bot_api import FakeBotAPI
from tests.fakes.runners import REAL_BOT, bot_process

USER = 1001
WORDS = "Mrs Zanzibar-Quill of 4 Lilac Close"


class Proxy:
    """Forwards to the fake Bot API; or answers every call with a redirect to itself."""

    def __init__(self, api: FakeBotAPI):
        self.api = api
        self.redirect_sends = False
        self.redirected = 0
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port = free_port()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        """Stop listening: from now on every connection is refused."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if self.redirect_sends:
            self.redirected += 1
            raise web.HTTPTemporaryRedirect(str(request.url))
        assert self._session is not None
        async with self._session.request(
            request.method,
            self.api.url + request.path_qs,
            data=await request.read(),
            headers={"Content-Type": request.headers.get("Content-Type", "application/json")},
        ) as answer:
            body = await answer.read()
            return web.Response(body=body, status=answer.status, content_type="application/json")


@pytest.fixture
async def api():
    async with FakeBotAPI() as server:
        yield server


def assert_clean(log: str, token: str) -> None:
    assert token not in log
    assert token.split(":")[1] not in log
    assert token.split(":")[1][:12] not in log
    assert "Zanzibar" not in log and "Lilac" not in log


def failures(log: str) -> int:
    return log.count("getUpdates failed")


async def until(condition, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.1)


@pytest.mark.long_wait(20)
async def test_a_running_bot_through_a_redirect_loop_then_refused_logs_no_token_or_words(
    api, tmp_path
):
    token = api.token
    assert len(token.split(":")[1]) >= 35  # shaped like a real one
    proxy = Proxy(api)
    await proxy.start()
    env = {
        "TELEGRAM_API_BASE_URL": proxy.base_url,
        "LOG_LEVEL": "DEBUG",
        "BOT_DB": str(tmp_path / "bot.db"),
    }
    try:
        async with bot_process(api, REAL_BOT, env, ready_timeout=60) as bot:
            api.push_text(USER, "/start")
            await api.wait_for_messages(USER, 1, timeout=15)
            api.push_text(USER, WORDS)
            await api.wait_for_messages(USER, 1, timeout=15)
            proxy.redirect_sends = True
            await until(lambda: failures(bot.stderr()) >= 2)
            assert proxy.redirected
            await proxy.stop()  # Telegram unreachable: connection refused
            before = failures(bot.stderr())
            await until(lambda: failures(bot.stderr()) > before)
            log = bot.stderr()
    finally:
        await proxy.stop()
    assert "NetworkError" in log  # the failures were logged...
    assert_clean(log, token)  # ...without the token or the words


@pytest.mark.parametrize("fault", ["refused", "redirect loop"])
async def test_start_up_through_a_failing_api_logs_the_traceback_without_the_token(
    api, tmp_path, fault
):
    proxy = Proxy(api)
    if fault == "redirect loop":
        proxy.redirect_sends = True
        await proxy.start()
    env = {
        **api.bot_env(),
        "TELEGRAM_API_BASE_URL": proxy.base_url,  # nobody listens there when refused
        "BOT_DB": str(tmp_path / "bot.db"),
        "LOG_LEVEL": "DEBUG",
    }
    try:
        process = await asyncio.create_subprocess_exec(
            *_python(),
            "-m",
            "bot",
            "run",
            env={**_base_env(), **env},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(process.communicate(), 90)
    finally:
        await proxy.stop()
    log = err.decode(errors="replace")
    assert process.returncode == 1
    assert "stopped on an error" in log and "Traceback" in log
    assert ("TooManyRedirects" if fault == "redirect loop" else "Connect") in log
    assert_clean(log, api.token)


async def test_a_webhook_update_of_the_wrong_shape_is_logged_by_id_only(api, tmp_path):
    port = free_port()
    env = webhook_env(tmp_path / "bot.db", port, LISTEN_ADDRESS="127.0.0.1", LOG_LEVEL="DEBUG")
    async with bot_process(api, REAL_BOT, env, ready_timeout=60) as bot:
        await until_listening(port)
        broken = {
            "update_id": 777001,
            "message": {"message_id": 5, "date": "soon", "chat": WORDS, "text": WORDS},
        }
        assert await api.deliver_webhook(broken) == 200  # stored, then handled as bad data
        await until(lambda: "777001" in bot.stderr())
        # Set aside without what it held: no table and no file of the database keeps the words.
        await until_clean(tmp_path / "bot.db", "Zanzibar", "Lilac")
        log = bot.stderr()
    assert "777001" in log  # what went wrong, by update id...
    assert_clean(log, api.token)  # ...and not what was in it


def _python() -> list[str]:
    import sys

    return [sys.executable]


def _base_env() -> dict[str, str]:
    import os

    from tests.fakes.runners import ROOT

    return {**os.environ, "PYTHONPATH": str(ROOT)}
