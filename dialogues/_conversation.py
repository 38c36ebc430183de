"""The conversation during one turn: the state being changed and the replies being collected."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dialogues._content import ROLE, TRIAGE, Dialogues, FlowSpec, label, uses
from dialogues._markup import Markup, fill, plain
from dialogues._state import Result, State
from dialogues._types import Chart, Context, Document, Effect, Option, Reply
from dialogues.actions import Navigate, option
from knowledge import KnowledgeBase, Matcher

try:
    UK_TIME: ZoneInfo | UTC.__class__ = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # a system without the time-zone database: UTC is near enough
    UK_TIME = UTC

# Shared labels the navigation uses everywhere.
BACK = label("back")
MENU = label("menu")
HELP = label("help")
SKIP = label("skip")
WHERE_I_WAS = label("here")  # the label Navigate("here") is heard as


@dataclass(frozen=True)
class EngineSettings:
    """What the engine needs to know about how the service is run.

    Not read from the environment: the engine is pure. bot.config.Settings owns the
    environment contract and makes one of these (`Settings.engine_settings()`); the defaults
    here are the service's defaults too, and what tests and `check` run with.
    """

    retention_days: int = 365
    thread_quiet_hours: int = 72  # a follow-up thread ends after this long without a message
    staff_chat: bool = False  # whether requests and threads are posted to a staff chat


@dataclass
class Conversation:
    """One event's worth of work: the state after it, the replies to send, what to record."""

    state: State
    kb: KnowledgeBase
    dialogues: Dialogues
    matcher: Matcher
    ctx: Context
    settings: EngineSettings
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)

    # --- content --------------------------------------------------------------------------

    def text(self, name: str, /, **values: object) -> Markup:
        """A shared text from messages.yaml, filled with escaped values."""
        return fill(self.dialogues.text(name), **values)

    def label(self, name: str) -> str:
        """A shared button label from messages.yaml."""
        return self.dialogues.label(name)

    def flow(self, flow_id: str | None = None) -> FlowSpec:
        """A flow by id, or the one the user is in."""
        return self.dialogues.flows[flow_id or self.state.at.flow]

    def flow_text(self, name: str, /, flow_id: str | None = None, **values: object) -> Markup:
        """A text from a flow's `texts`, filled with escaped values."""
        return fill(self.flow(flow_id).texts[name], **values)

    def flow_label(self, name: str, flow_id: str | None = None) -> str:
        """A label from a flow's `labels`."""
        return self.flow(flow_id).labels[name]

    # --- output -----------------------------------------------------------------------------

    def say(
        self,
        text: str,
        options: Iterable[Sequence[Option]] = (),
        *,
        chart: Chart | None = None,
        document: Document | None = None,
    ) -> None:
        """Queue a reply."""
        rows = tuple(tuple(row) for row in options if row)
        self.replies.append(Reply(str(text), rows, chart, document))

    def record(self, effect: Effect) -> None:
        """Queue something for the service to store."""
        self.effects.append(effect)

    def nav_row(self, back: bool = True) -> tuple[Option, ...]:
        """The Back and Menu buttons that end every prompt."""
        row = [option(self.label(BACK), Navigate("back"))] if back else []
        return (*row, option(self.label(MENU), Navigate("menu")))

    def menu_row(self) -> tuple[Option, ...]:
        """The Menu button under replies that are not a step of a journey; in the middle of a
        journey (a card opened from a question), first the way back to that question."""
        menu = option(self.label(MENU), Navigate("menu"))
        if self.waiting_for_answer():
            return (option(self.label(WHERE_I_WAS), Navigate("here")), menu)
        return (menu,)

    @property
    def role(self) -> str | None:
        """Who they said they are (the triage's first answer), if they have said: the answer
        being given now, else the latest finished triage's."""
        if self.state.at.flow == TRIAGE and ROLE in self.state.answers:
            return self.state.answers[ROLE]
        done = self.state.results.get(TRIAGE) or []
        return done[-1].answers.get(ROLE) if done else None

    def waiting_for_answer(self) -> bool:
        """Whether the user is on a question of a journey (so an aside should lead back to it)."""
        flow = self.dialogues.flows.get(self.state.at.flow)
        step = flow.steps.get(self.state.at.step) if flow else None
        return step is not None and step.kind in ("choose", "ask", "series")

    # --- time ---------------------------------------------------------------------------------

    @property
    def today(self) -> str:
        """Today's date, ISO format, for records."""
        return self.ctx.now.date().isoformat()


def long_date(iso: str) -> str:
    """An ISO date as UK readers write it: 3 March 2026."""
    day = datetime.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def since(convo: Conversation, result: Result) -> str:
    """When an earlier result was made, as people say it in UK time after "since": "14:05
    today", "3 November", or "3 November 2025" from another year."""
    day, time = _when(convo, result)
    return plain(convo.text(TODAY_AT, time=time)) if time else day


def started(convo: Conversation, result: Result) -> str:
    """The same after "You started it": "at 14:05 today", "on 3 November"."""
    day, time = _when(convo, result)
    return plain(convo.text(AT_TODAY, time=time) if time else convo.text(ON_DAY, day=day))


def _when(convo: Conversation, result: Result) -> tuple[str, str | None]:
    """(the day in words, the time if it was today) of a result, in UK time."""
    now = convo.ctx.now.astimezone(UK_TIME)
    if result.at:
        moment = datetime.fromisoformat(result.at).astimezone(UK_TIME)
        if moment.date() == now.date():
            return "", f"{moment:%H:%M}"
        day = moment.date()
    else:  # kept before results had a time
        day = date.fromisoformat(result.date[:10])
    return (f"{day.day} {day:%B}" if day.year == now.year else f"{day.day} {day:%B %Y}"), None


def rows_of(options: Sequence[Option], columns: int) -> list[tuple[Option, ...]]:
    """Lay options out in rows of `columns` buttons."""
    return [tuple(options[i : i + columns]) for i in range(0, len(options), columns)]


RESUME = uses("resume", "where")
TODAY_AT = uses("today_at", "time")
AT_TODAY = uses("at_today", "time")
ON_DAY = uses("on_day", "day")
