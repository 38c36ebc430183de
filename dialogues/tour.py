"""Every message the engine can send: a walk that presses every button and types long answers.

`python -m bot check` measures what the walk collects against the phone screen, and so does a
test; a new journey, card or page is covered as soon as a button leads to it.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dialogues._engine import Engine
from dialogues._state import State
from dialogues._types import Button, Command, Context, Event, Reply, Text
from dialogues.actions import (
    CardPart,
    Detail,
    Listing,
    Open,
    Parts,
    Rate,
    ReadingEntry,
    Term,
    Topic,
    decode,
)

WALK_LIMIT = 20_000  # events per walk; far more than the content needs, so a loop still ends
STARTED = datetime(2026, 3, 3, 9, 30, tzinfo=UTC)
# Typed answers: a long one at the engine's own limit (the worst case for every echo of it),
# a word, and questions of the kinds people type in the middle of a journey.
LONG_ANSWER = " ".join(["Our Shared Lives scheme is spreading to a second area"] * 25)
TYPED = (LONG_ANSWER, "Yes", "how do we keep staff when we grow?", "What is NASSS?", "asdfgh")
# Buttons whose reply is the same wherever they are pressed (a card, its parts, a list, a rating):
# tried once, not once per place. Tried per place, the cards reachable from every question of a
# journey made the walk hit WALK_LIMIT twice (40,000 events, 20 s) and still not end; once each,
# the walk ends by itself, and finds every message the per-place walk found (compared when this
# was written).
PLACE_FREE = (Topic, Detail, CardPart, Parts, ReadingEntry, Term, Listing, Rate)


@dataclass(frozen=True)
class Seen:
    """One message the walk received: where the user was, what they did, and the reply."""

    flow: str
    step: str
    heard: str
    reply: Reply


def tour(engine: Engine) -> Iterator[Seen]:
    """Every distinct message at each step: from a first visit, and with journeys done once."""
    seen: set[tuple[str, str, str]] = set()
    done: list[State] = []
    for first in (None, "again"):
        start = None if first is None else _most_results(done)
        for sample in _walk(engine, start, done):
            key = (sample.flow, sample.step, sample.reply.text)
            if key not in seen or sample.reply.chart or sample.reply.document:
                seen.add(key)
                yield sample


def _walk(engine: Engine, start: State | None, done: list[State]) -> Iterator[Seen]:
    """Breadth first over (where the user is, what they do), each pair tried once."""
    clock = _Clock()
    tried: set[tuple[str, ...]] = set()
    queue: deque[tuple[State | None, Event]] = deque()
    for event in _openers(engine, start is None):
        queue.append((start, event))
    events = 0
    while queue and events < WALK_LIMIT:
        state, event = queue.popleft()
        events += 1
        turn = engine.handle(state, event, Context(clock.tick(), f"tour{events:06d}"))
        flow, step = _where(engine, state, event)
        for reply in turn.replies:
            yield Seen(flow, step, turn.heard, reply)
        after = turn.state
        if after.results:
            done.append(after)
        for follow in _next_events(engine, after, turn.replies):
            key = _key(after, follow)
            if key not in tried:
                tried.add(key)
                queue.append((after, follow))


def _where(engine: Engine, state: State | None, event: Event) -> tuple[str, str]:
    """The step a reply belongs to: where the user was, or the journey the button opened."""
    action = decode(event.data) if isinstance(event, Button) else None
    if isinstance(action, Open) and action.flow in engine.dialogues.flows:
        return action.flow, action.step or engine.dialogues.flows[action.flow].start
    if isinstance(event, Command) and (flow := engine.dialogues.flow_for_command(event.name)):
        return flow.id, flow.start
    at = state.at if state else State().at
    return at.flow, at.step


def _openers(engine: Engine, fresh: bool) -> list[Event]:
    """The first events: a new user's hello, or every command for someone who has consented."""
    if fresh:
        return [Command("start"), Text("hello"), Command("help")]
    names = ["start", "menu", "help", "restart", "back", "nonsense"]
    names += [name for name, _ in engine.commands()]
    return [Command(name) for name in dict.fromkeys(names)] + [Text(t) for t in TYPED]


def _next_events(engine: Engine, state: State, replies: tuple[Reply, ...]) -> Iterator[Event]:
    """Every button on the replies; typed answers where the step takes text."""
    for reply in replies:
        for row in reply.options:
            for option in row:
                yield Button(option.data)
    flow = engine.dialogues.flows.get(state.at.flow)
    step = flow.steps.get(state.at.step) if flow else None
    if step and (step.kind == "ask" or (step.kind == "series" and step.input == "ask")):
        yield from (Text(t) for t in TYPED)


def _key(state: State, event: Event) -> tuple[str, ...]:
    """What makes a try new: the place, and the event with the step counter taken out."""
    where = (state.at.flow, state.at.step, str(state.at.index), str(state.consent))
    if isinstance(event, Button) and isinstance(decode(event.data), PLACE_FREE):
        return ("anywhere", str(state.consent), "button", event.data)
    if isinstance(event, Button):
        data = re.sub(rf"(?<![0-9A-Za-z]){state.seq}(?![0-9A-Za-z])", "#", event.data)
        return (*where, "button", data)
    if isinstance(event, Text):
        return (*where, "text", event.text)
    return (*where, "command", event.name)


def _most_results(states: list[State]) -> State | None:
    """The state that has done the most journeys, resting at the menu, to walk again."""
    if not states:
        return None
    best = max(states, key=lambda s: (len(s.results), sum(len(r) for r in s.results.values())))
    return best.model_copy(deep=True)


class _Clock:
    """Minutes pass between events, so that dates and times in the replies vary as in life."""

    def __init__(self) -> None:
        self.now = STARTED

    def tick(self) -> datetime:
        self.now += timedelta(minutes=7)
        return self.now
