"""Closed-loop load on the Telegram path: 50 users x 20 messages through the fake Bot API.

Each contender runs as its own process (`python -m ...`, rate limiter off) against a fresh
FakeBotAPI in this process, which also drives the users: on a 2-core machine the bot gets a
core to itself, as in production, and its CPU time per message can be read from /proc. Two
lines are for comparison only: the echo bot in-process (bot, fake server and harness sharing
one event loop) and the echo bot with PTB's concurrent_updates. Contenders run in
interleaved rounds and the median round is shown: other work on a shared machine moves single
subprocess runs by up to +-30 %; bot CPU per message is the steadier figure.

The fake answers at loopback speed unless a contender sets `latency`: with a 30 ms round trip
a bot that handles one update at a time (PTB's default) manages about 1/RTT messages a second.

To add the real bot, append a Contender to CONTENDERS, e.g.
    Contender("scaling advisor", subprocess_bot(REAL_BOT, {"BOT_DB": path}),
              prepare=get_past_consent, replies_per_message=1)
and its ratio to the echo bot (the first contender) is printed after the figures.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from tests.bench._stats import report
from tests.fakes.bot_api import FakeBotAPI
from tests.fakes.echo_bot import build_echo_application
from tests.fakes.load import LoadResult, closed_loop
from tests.fakes.runners import ECHO_BOT, REAL_BOT, BotProcess, bot_process, in_process

USERS, MESSAGES, ROUNDS = 50, 20, 3
WARM_UP_USER = 9_000_001  # a few round trips before the clock starts, on other chats

Starter = Callable[[FakeBotAPI], AbstractAsyncContextManager[object]]


@dataclass(frozen=True)
class Contender:
    """A bot to load: how to start it against a fake API, and how to get users past its start."""

    name: str
    start: Starter
    prepare: Callable[[FakeBotAPI, int], Awaitable[None]] | None = None
    make_text: Callable[[int, int], str] | None = None
    replies_per_message: int = 1
    for_comparison_only: bool = False
    latency: float = 0.0  # simulated round trip to Telegram, seconds (FakeBotAPI(latency=...))


@dataclass(frozen=True)
class Run:
    """One measured run: the harness's figures and the bot's CPU time per message."""

    result: LoadResult
    cpu_ms_per_message: float | None  # None when the bot shares this process


def subprocess_bot(args: Sequence[str], env: dict[str, str] | None = None) -> Starter:
    """Start `python <args>` with the fake API's environment (see runners.bot_process)."""
    return lambda api: bot_process(api, args, env)


def in_process_echo(api: FakeBotAPI) -> AbstractAsyncContextManager[object]:
    """The echo bot polling in this process's event loop."""
    return in_process(build_echo_application(api.token, api.base_url))


def real_bot(api: FakeBotAPI) -> AbstractAsyncContextManager[object]:
    """`python -m bot run` with storage on, on a fresh database file for each run."""
    db = Path(tempfile.mkdtemp(prefix="bench-bot-")) / "bot.db"
    return bot_process(api, REAL_BOT, {"BOT_DB": str(db), "LOG_LEVEL": "WARNING"})


async def get_past_consent(api: FakeBotAPI, user_id: int) -> None:
    """A new user's first two steps: the welcome, then agreeing to messages being kept."""
    api.push_text(user_id, "/start")
    await api.wait_for_messages(user_id, 1, timeout=20)
    api.push_button(user_id, "✅ OK, keep my messages")
    await api.wait_for_messages(user_id, 1, timeout=20)


def questions(user_id: int, index: int) -> str:
    """Questions people type (the dev set), each user starting at a different one."""
    return QUESTIONS[(user_id * 7 + index) % len(QUESTIONS)]


QUESTIONS = [
    line.split("\t")[0]
    for line in (Path(__file__).parents[1] / "data" / "dev-questions.tsv").read_text().splitlines()
    if line and not line.startswith("#")
]

CONTENDERS: list[Contender] = [
    Contender("echo bot (subprocess)", subprocess_bot(ECHO_BOT)),
    Contender(
        "scaling advisor (subprocess)", real_bot, prepare=get_past_consent, make_text=questions
    ),
    Contender("echo bot (in-process)", in_process_echo, for_comparison_only=True),
    Contender(
        "echo bot, concurrent (subprocess)",
        subprocess_bot(ECHO_BOT, {"ECHO_CONCURRENT_UPDATES": "256"}),
        for_comparison_only=True,
    ),
]


async def measure(contender: Contender) -> Run:
    """Warm up, then run the closed loop once against a fresh fake API."""
    async with FakeBotAPI(latency=contender.latency) as api, contender.start(api) as bot:
        prepare = partial(contender.prepare, api) if contender.prepare else None
        load = partial(
            closed_loop,
            api,
            prepare=prepare,
            replies_per_message=contender.replies_per_message,
            **({"make_text": contender.make_text} if contender.make_text else {}),
        )
        await load(users=5, messages=5, first_user_id=WARM_UP_USER)
        cpu_before = bot.cpu_seconds() if isinstance(bot, BotProcess) else None
        result = await load(users=USERS, messages=MESSAGES)
        cpu_ms = None
        if isinstance(bot, BotProcess) and cpu_before is not None:
            cpu_ms = (bot.cpu_seconds() - cpu_before) / max(1, result.messages) * 1e3
    return Run(result, cpu_ms)


def median_run(runs: list[Run]) -> Run:
    """The run with the median throughput."""
    return sorted(runs, key=lambda run: run.result.per_second)[len(runs) // 2]


async def measure_all(contenders: list[Contender], rounds: int) -> dict[str, list[Run]]:
    """Every contender once per round, rounds interleaved so drift hits all alike."""
    runs: dict[str, list[Run]] = {c.name: [] for c in contenders}
    for _ in range(rounds):
        for contender in contenders:
            runs[contender.name].append(await measure(contender))
    return runs


def run() -> None:
    """Print messages per second, p50/p99 latency and bot CPU per message for each contender."""
    runs = asyncio.run(measure_all(CONTENDERS, ROUNDS))
    print(f"{USERS} users x {MESSAGES} messages, closed loop, median of {ROUNDS} rounds")
    for contender in CONTENDERS:
        chosen = median_run(runs[contender.name])
        rates = sorted(r.result.per_second for r in runs[contender.name])
        cpu = "" if chosen.cpu_ms_per_message is None else f"{chosen.cpu_ms_per_message:.2f} ms"
        print(
            f"{contender.name:44} {chosen.result.per_second:8.1f} msg/s"
            f"   (rounds {rates[0]:.0f}-{rates[-1]:.0f})   bot CPU/msg {cpu or 'n/a'}"
            f"   errors {chosen.result.errors}"
        )
        report(f"{contender.name} latency", chosen.result.latencies, unit="ms")
    baseline, *others = [c for c in CONTENDERS if not c.for_comparison_only]
    base = median_run(runs[baseline.name])
    for contender in others:
        mine = median_run(runs[contender.name])
        line = f"{contender.name} / {baseline.name}: throughput x{_ratio(mine, base):.2f}"
        if mine.cpu_ms_per_message and base.cpu_ms_per_message:
            line += f", CPU per message x{mine.cpu_ms_per_message / base.cpu_ms_per_message:.2f}"
        print(line + "   (target: throughput >= 0.7)")


def _ratio(mine: Run, base: Run) -> float:
    return mine.result.per_second / base.result.per_second if base.result.per_second else 0.0
