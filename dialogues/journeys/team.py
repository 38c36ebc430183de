"""Talk to the network team: a follow-up reference for the user, a notice for staff."""

from __future__ import annotations

from dialogues._conversation import Conversation
from dialogues._markup import plain
from dialogues._registry import Journey
from dialogues._types import FollowUpRequested


def team(convo: Conversation) -> None:
    """Make a follow-up reference, tell the user, and ask the service to notify staff."""
    answers = convo.state.answers
    convo.state.followups += 1
    reference = convo.ctx.followup_reference
    convo.state.followup_refs.append(reference)
    contact = answers.get("contact") or ""
    detail = (answers.get("detail") or "").strip()
    how = f"{contact}: {detail}" if detail else plain(convo.flow_text("contact_here"))
    convo.record(FollowUpRequested(reference, answers.get("note") or "", how))
    convo.say(convo.flow_text("done", reference=reference), [convo.menu_row()])


JOURNEY = Journey(
    name="team",
    computes={"team": team},
    texts={"done": ("reference",), "contact_here": ()},
)
