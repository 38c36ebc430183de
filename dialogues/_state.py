"""A user's conversation state: plain JSON-serialisable data with a version."""

from __future__ import annotations

import contextlib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

STATE_VERSION = 1
BACK_LIMIT = 30  # positions remembered for Back; older ones fall off
HISTORY_LIMIT = 5  # results kept per assessment kind, for "what changed" and the plan


class Position(BaseModel):
    """Where a user is: a step of a flow, and the item within a series step."""

    model_config = ConfigDict(frozen=True)

    flow: str
    step: str
    index: int = 0


class Result(BaseModel):
    """A completed assessment, kept so that a repeat can show what changed."""

    model_config = ConfigDict(frozen=True)

    date: str
    answers: dict[str, Any]
    result: dict[str, Any]
    at: str | None = None  # when, to the minute (ISO); results kept before this have only date


class Thread(BaseModel):
    """A follow-up thread with the network team: while open, what the person types goes to it."""

    reference: str
    last: str  # ISO time of the last message in it, either way; it ends after a quiet period
    open: bool = True  # False once the team closed it (a reply to their message reopens it)


class Draft(BaseModel):
    """A journey left half done: where the user was and what they had answered."""

    at: Position
    answers: dict[str, Any]
    started: str  # when they began it, to the minute (ISO)
    back: list[Position] = Field(default_factory=list)  # the way Back within it, oldest first


class State(BaseModel):
    """Everything the engine needs to carry from one event to the next."""

    model_config = ConfigDict(validate_assignment=False)

    v: int = STATE_VERSION
    at: Position = Position(flow="welcome", step="consent")
    back: list[Position] = Field(default_factory=list)
    answers: dict[str, Any] = Field(default_factory=dict)
    consent: bool | None = None
    seq: int = 0  # bumped whenever a step is shown; step buttons carry it, so old ones expire
    pending: str | None = None  # a question asked before consent, answered right after it
    pending_command: str | None = None  # ... or a journey's command, started right after it
    typed: str | None = None  # a question typed at a free-text step, kept if they choose to
    # The buttons of the last screen, as (label, data): a number or label typed on Telegram
    # picks one of them, as it does in the terminal chat (which numbers the same buttons).
    shown: list[tuple[str, str]] = Field(default_factory=list)
    # The last few results per assessment, for "what changed" and the plan. Storage keeps the
    # full record too, but only for users who agreed to it: this copy gives everyone the same
    # service, and goes with the rest of the state on /forget.
    results: dict[str, list[Result]] = Field(default_factory=dict)
    followups: int = 0
    # What /forget must own up to: the references of the requests to the team they made, and of
    # the threads they wrote in (their words went to the staff chat with that reference).
    followup_refs: list[str] = Field(default_factory=list)
    wrote_to_team: list[str] = Field(default_factory=list)
    thread: Thread | None = None
    innovation: str | None = None  # its name, for the plan's cover; "" once asked and skipped
    # Readiness, NASSS and SIPS answers as they are given, by flow, until the journey ends.
    drafts: dict[str, Draft] = Field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The state as plain data for storage."""
        return self.model_dump(mode="json")


def restore(data: dict[str, Any] | None) -> tuple[State, bool]:
    """Rebuild a stored state; (state, True) when it had to be reset because it was unreadable.

    A state from an older version keeps what is still meaningful (consent and results) and is
    otherwise started afresh; the engine apologises and shows the menu.
    """
    if not data:
        return State(), False
    if data.get("v") == STATE_VERSION:
        try:
            return State.model_validate(data), False
        except ValidationError:
            pass
    kept: dict[str, Any] = {}
    if isinstance(data.get("consent"), bool):
        kept["consent"] = data["consent"]
    # What /forget tells them it erased stays true of a state that had to be reset.
    for name in ("followups", "followup_refs", "wrote_to_team"):
        with contextlib.suppress(ValidationError):
            kept.update(State.model_validate({name: data.get(name)}).model_dump(include={name}))
    try:
        state = State.model_validate({**kept, "results": data.get("results") or {}})
    except ValidationError:
        state = State.model_validate(kept)
    return state, True
