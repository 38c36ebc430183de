"""Erasing everything held about the user."""

from __future__ import annotations

from dialogues._conversation import Conversation
from dialogues._registry import Journey
from dialogues._state import State
from dialogues._types import ForgetMe


def forget(convo: Conversation) -> None:
    """Erase: the service deletes every row; the state starts again from nothing."""
    text = convo.flow_text("done")
    convo.record(ForgetMe())
    convo.state = State(seq=convo.state.seq + 1)
    convo.say(text)


JOURNEY = Journey(name="forget", computes={"forget": forget}, texts={"done": ()})
