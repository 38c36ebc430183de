"""What the journeys share: keeping a result, the latest earlier one, the buttons under a result."""

from __future__ import annotations

from typing import Any

from dialogues._content import label
from dialogues._conversation import Conversation, rows_of
from dialogues._registry import Jump
from dialogues._state import HISTORY_LIMIT, Result
from dialogues._types import AssessmentDone, Option
from dialogues.actions import Open, option

PLAN = label("plan")
PLAN_FLOW = Jump("plan")


def remember(convo: Conversation, kind: str, answers: dict[str, Any], result: dict[str, Any]):
    """Keep the result in the state (for comparisons and the plan) and record it for storage."""
    records = convo.state.results.setdefault(kind, [])
    at = convo.ctx.now.isoformat(timespec="minutes")
    records.append(Result(date=convo.today, answers=answers, result=result, at=at))
    del records[:-HISTORY_LIMIT]
    convo.state.drafts.pop(kind, None)  # done: nothing half done to carry on
    convo.record(AssessmentDone(kind, answers, result))


def previous(convo: Conversation, kind: str) -> Result | None:
    """The latest completed result of this kind, if any."""
    records = convo.state.results.get(kind) or []
    return records[-1] if records else None


def end_buttons(convo: Conversation, *extra: Option) -> list[tuple[Option, ...]]:
    """The buttons under a journey's result: its own, then the plan, then the menu."""
    return [*rows_of(list(extra), 2), (plan_button(convo),), convo.menu_row()]


def plan_button(convo: Conversation) -> Option:
    """The button that makes the plan (PDF)."""
    return option(convo.label(PLAN), opens(PLAN_FLOW))


def opens(jump: Jump) -> Open:
    """The button action that opens a jump's flow (at its step, if it names one)."""
    return Open(jump.flow, jump.step)
