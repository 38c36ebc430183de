"""The pure dialogue engine and the journeys, written as YAML flows."""

from dialogues._content import DialogueContentError, Dialogues, load_all, load_dialogues
from dialogues._conversation import Settings
from dialogues._engine import Engine, Turn
from dialogues._markup import MESSAGE_LIMIT, plain, split_text
from dialogues._state import STATE_VERSION, State
from dialogues._types import (
    AssessmentDone,
    Button,
    Chart,
    ChartLevel,
    ChartRow,
    Command,
    ConsentGiven,
    Context,
    DocSection,
    Document,
    Effect,
    Event,
    Feedback,
    FollowUpRequested,
    ForgetMe,
    Matched,
    Option,
    Reply,
    Text,
    Unsupported,
)

__all__ = [
    "MESSAGE_LIMIT",
    "STATE_VERSION",
    "AssessmentDone",
    "Button",
    "Chart",
    "ChartLevel",
    "ChartRow",
    "Command",
    "ConsentGiven",
    "Context",
    "DialogueContentError",
    "Dialogues",
    "DocSection",
    "Document",
    "Effect",
    "Engine",
    "Event",
    "Feedback",
    "FollowUpRequested",
    "ForgetMe",
    "Matched",
    "Option",
    "Reply",
    "Settings",
    "State",
    "Text",
    "Turn",
    "Unsupported",
    "load_all",
    "load_dialogues",
    "plain",
    "split_text",
]
