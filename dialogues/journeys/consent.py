"""First contact's end: keep the user's choice on consent, then do what they asked first."""

from __future__ import annotations

from dialogues._asking import answer_question
from dialogues._conversation import Conversation
from dialogues._navigation import to_menu
from dialogues._registry import Journey
from dialogues._types import ConsentGiven


def consent(convo: Conversation) -> None:
    """Keep the choice, thank them, then answer what they asked first (or show the menu)."""
    keep = convo.state.answers.get("consent") == "keep"
    convo.state.consent = keep
    convo.record(ConsentGiven(keep))
    pending, convo.state.pending = convo.state.pending, None
    days = convo.settings.retention_days
    intro = convo.flow_text("kept" if keep else "not_kept", retention_days=days)
    if pending:
        convo.say(intro)
        answer_question(convo, pending)
    elif convo.state.pending_command:
        convo.say(intro)  # the engine starts the journey they asked for next
    else:
        to_menu(convo, intro)


JOURNEY = Journey(
    name="consent",
    computes={"consent": consent},
    texts={"kept": ("retention_days",), "not_kept": ()},
)
