"""Run a bot under test against the fake Bot API: in the test's own loop, or as a subprocess.

async with in_process(application):          # polling in this event loop
    ...
async with bot_process(api, ECHO_BOT) as bot:  # `python -m ...` with api.bot_env()
    ...
    bot.kill()                                  # SIGKILL, mid-test if you like
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from telegram.ext import Application

from .bot_api import FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]
ECHO_BOT = ("-m", "tests.fakes.echo_bot")  # arguments after the interpreter
REAL_BOT = ("-m", "bot", "run")


@asynccontextmanager
async def in_process(
    application: Application, poll_timeout: int = 10
) -> AsyncIterator[Application]:
    """Initialize, start and poll with the application in this loop; stop it cleanly after."""
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0.0, timeout=poll_timeout)
        try:
            yield application
        finally:
            if application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()


class BotProcess:
    """A bot running as a child process, its stderr read from a pipe as it comes.

    A pipe, not a file: a test may limit the size of the files the child writes (a full disk)
    without its log failing too.
    """

    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process
        self._log = bytearray()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stderr is not None
        while chunk := await self.process.stderr.read(65536):
            self._log += chunk

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL: the bot gets no chance to confirm updates or close anything."""
        if self.process.returncode is None:
            self.process.kill()

    def terminate(self) -> None:
        """SIGTERM: the bot stops cleanly on it."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)

    async def wait(self, timeout: float = 10.0) -> int:
        """Wait for the process to end; return its exit code."""
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await asyncio.wait_for(self._reader, timeout)
        return code

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the process has used so far; Linux only (/proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stderr(self) -> str:
        """Everything the process wrote to stderr so far."""
        return self._log.decode(errors="replace")


@asynccontextmanager
async def bot_process(
    api: FakeBotAPI,
    args: Sequence[str] = ECHO_BOT,
    env: dict[str, str] | None = None,
    ready_timeout: float = 40.0,
) -> AsyncIterator[BotProcess]:
    """Start `python <args>` with api.bot_env() (plus env); yield once it polls the fake API.

    Ready means the fake has received a getUpdates or setWebhook call from the new process.
    On exit the process gets SIGTERM, then SIGKILL if it has not ended within 10 s.
    """
    environment = {**os.environ, **api.bot_env(), **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
    )
    before = len(api.calls("getUpdates")) + len(api.calls("setWebhook"))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=ROOT,
        env=environment,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    bot = BotProcess(process)
    try:
        await _wait_until_polling(api, bot, before, ready_timeout)
        yield bot
    finally:
        bot.terminate()
        try:
            await bot.wait(10.0)
        except TimeoutError:
            bot.kill()
            await bot.wait(10.0)


async def _wait_until_polling(
    api: FakeBotAPI, bot: BotProcess, before: int, timeout: float
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(api.calls("getUpdates")) + len(api.calls("setWebhook")) <= before:
        if bot.process.returncode is not None:
            raise RuntimeError(f"bot exited with {bot.process.returncode}:\n{bot.stderr()[-3000:]}")
        if loop.time() > deadline:
            raise TimeoutError(
                f"bot did not start polling in {timeout:g}s:\n{bot.stderr()[-3000:]}"
            )
        await asyncio.sleep(0.02)
