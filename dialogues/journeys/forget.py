"""Erasing everything held about the user, and telling them exactly what that was."""

from __future__ import annotations

from dialogues._cards import bullets
from dialogues._conversation import Conversation
from dialogues._markup import Markup
from dialogues._registry import Journey
from dialogues._state import State
from dialogues._types import ForgetMe


def forget(convo: Conversation) -> None:
    """Erase: the service deletes every row; the state starts again from nothing."""
    text = convo.flow_text("done", erased=erased(convo), staff_chat=_staff_chat(convo))
    convo.record(ForgetMe())
    convo.state = State(seq=convo.state.seq + 1)
    convo.say(text)


def erased(convo: Conversation) -> Markup:
    """What was held about this person, as bullets: only what there was."""
    state = convo.state
    held = []
    if state.consent:
        held.append(convo.flow_text("erased_messages"))
    if state.results or state.drafts or state.innovation:
        held.append(convo.flow_text("erased_answers"))
    if state.followups:
        held.append(convo.flow_text("erased_requests"))
    held.append(convo.flow_text("erased_place"))
    return bullets(convo, held)


def _staff_chat(convo: Conversation) -> Markup:
    """What the staff chat held about them, and what of it cannot be deleted; often nothing."""
    state = convo.state
    if not convo.settings.staff_chat:
        return Markup("")
    # A thread about something other than a request of theirs (staff writing to a
    # conversation): its posts are linked to the person instead (thread_posts).
    others = ", ".join(r for r in state.wrote_to_team if r not in state.followup_refs)
    if state.followups and others:
        line = convo.flow_text("staff_notices_and_threads", references=others)
    elif state.followups:
        line = convo.flow_text("staff_notices")
    elif others:
        line = convo.flow_text("staff_threads", references=others)
    else:
        return Markup("")
    return Markup(f"{line}\n\n")


JOURNEY = Journey(
    name="forget",
    computes={"forget": forget},
    texts={
        "done": ("erased", "staff_chat"),
        "erased_messages": (),
        "erased_answers": (),
        "erased_requests": (),
        "erased_place": (),
        "staff_notices": (),
        "staff_threads": ("references",),
        "staff_notices_and_threads": ("references",),
    },
)
