"""Shared fixtures: the real knowledge, the real flows, and a `talk` helper for dialogue tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from dialogues import Button, Command, Context, Engine, Reply, Text, plain
from dialogues._types import Effect, Event

NOW = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    """Register long_wait beside the ordering that reads it."""
    config.addinivalue_line(
        "markers", "long_wait(seconds): mostly waits on a real process for that long; run first"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked long_wait first, longest first; the rest in their usual order.

    `make test` runs `pytest -n 2 --dist loadgroup`: every test is then its own unit, handed
    to the two workers in this order, so the long waits (a minute's write lock, repeated
    kills) start at once, one on each worker, and the rest of the suite runs beside them
    instead of waiting for them at the end. Every worker sorts alike, as xdist requires.
    """

    def waits(item: pytest.Item) -> float:
        marker = item.get_closest_marker("long_wait")
        return -float(marker.args[0]) if marker else 0.0

    items.sort(key=waits)  # stable: the others keep their order


@pytest.fixture(autouse=True, scope="session")
def ptb_timedelta_periods() -> None:
    """python-telegram-bot 22 warns on every RetryAfter unless time periods are timedeltas
    (the bot sets this itself at start-up; tests that build Bot objects directly need it too)."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")


@pytest.fixture(scope="session")
def engine() -> Engine:
    """One engine over the shipped YAML for the whole run (loading it is the slow part)."""
    return Engine.load()


@dataclass
class Talk:
    """Drives the engine like a user would: text, /commands and [button labels]."""

    engine: Engine
    state: dict[str, Any] | None = None
    now: datetime = NOW
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    history: list[Reply] = field(default_factory=list)

    def __call__(self, *inputs: str) -> list[str]:
        """Send each input in turn; return the plain texts of the replies to the last one."""
        for item in inputs:
            self.send(self.event_for(item))
        return self.texts

    def event_for(self, item: str) -> Event:
        """'/cmd args' is a command, '[label]' presses the button whose label contains it."""
        if item.startswith("/"):
            name, _, args = item[1:].partition(" ")
            return Command(name, args)
        if item.startswith("[") and item.endswith("]"):
            return Button(self.button(item[1:-1]))
        return Text(item)

    def send(self, event: Event) -> list[Reply]:
        """One event through the engine; the state is kept as JSON, as storage would keep it."""
        turn = self.engine.handle(
            self.state, event, Context(self.now, f"SA-T{len(self.history):05d}")
        )
        self.state = turn.state.to_json()
        self.replies = list(turn.replies)
        self.effects = list(turn.effects)
        self.history += self.replies
        return self.replies

    def button(self, label: str) -> str:
        """The callback data of the newest button whose label contains `label`."""
        for reply in reversed(self.history):
            for row in reversed(reply.options):
                for option in row:
                    if label.lower() in option.label.lower():
                        return option.data
        raise AssertionError(f"no button like {label!r} in {self.labels}")

    @property
    def texts(self) -> list[str]:
        """The plain text of each reply to the last input."""
        return [plain(r.text) for r in self.replies]

    @property
    def text(self) -> str:
        """All the replies to the last input as one plain text."""
        return "\n".join(self.texts)

    @property
    def labels(self) -> list[str]:
        """The labels of the buttons under the replies to the last input."""
        return [o.label for r in self.replies for row in r.options for o in row]

    @property
    def at(self) -> tuple[str, str]:
        """(flow, step) the user is on."""
        assert self.state is not None
        return self.state["at"]["flow"], self.state["at"]["step"]

    def effects_of(self, kind: type) -> Iterator[Any]:
        """The effects of one type from the last turn."""
        return (e for e in self.effects if isinstance(e, kind))


@pytest.fixture
def talk(engine: Engine) -> Talk:
    """A new user who has not said anything yet."""
    return Talk(engine)


@pytest.fixture
def user(talk: Talk) -> Talk:
    """A user who has said hello and agreed to their messages being kept."""
    talk("/start", "[OK, keep my messages]")
    return talk
