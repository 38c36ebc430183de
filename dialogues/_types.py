"""The engine's vocabulary: events in; replies and effects out. Plain data, no I/O.

Adapters (Telegram, the terminal chat, tests) build events and render replies; the service
applies effects to storage. Text in a reply is a small subset of Telegram HTML (<b>, <i>, <a>,
<code>), with every piece of user-derived text already escaped by the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import TypeAdapter

# --- events -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """Something the user typed; `to_team` is the reference of the team's message it is a
    Telegram reply to, if it is one."""

    text: str
    to_team: str | None = None


@dataclass(frozen=True)
class Button:
    """A button the user pressed: the callback id the engine put on it."""

    data: str


@dataclass(frozen=True)
class Command:
    """A slash command, e.g. Command("triage") for /triage."""

    name: str
    args: str = ""


@dataclass(frozen=True)
class Unsupported:
    """Something the bot cannot read: a sticker, photo, voice note, location and so on."""

    what: Literal[
        "sticker",
        "photo",
        "voice",
        "audio",
        "video",
        "location",
        "contact",
        "document",
        "edited",
        "other",
    ]


Event = Text | Button | Command | Unsupported


@dataclass(frozen=True)
class Context:
    """What the engine may not find out for itself: the time, and a fresh follow-up reference."""

    now: datetime
    # Made by storage, the owner of every reference's format; used if the event asks the team.
    followup_reference: str = "SA-000000"


# --- replies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """A button: the label shown and the callback id (at most 64 bytes) sent back."""

    label: str
    data: str


@dataclass(frozen=True)
class ChartLevel:
    """One rating on a chart's scale, e.g. green / "Ready", with its bar length."""

    id: str
    label: str
    score: int


@dataclass(frozen=True)
class ChartRow:
    """One bar: what is rated and the id of its level (and the previous level, if any)."""

    label: str
    level: str
    previous: str | None = None


@dataclass(frozen=True)
class Chart:
    """A profile to draw: the renderer only draws, every word comes from here."""

    name: str
    title: str
    palette: Literal["readiness", "complexity"]
    levels: tuple[ChartLevel, ...]
    rows: tuple[ChartRow, ...]
    caption: str
    legend_previous: str = ""


@dataclass(frozen=True)
class DocSection:
    """A section of a document: a heading, paragraphs, bullets, an optional chart and table.

    A table's first row is its column headings (repeated on each page it spans).
    """

    heading: str
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    chart: Chart | None = None
    table: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Document:
    """A document to render (a PDF plan): plain text, no markup."""

    name: str
    title: str
    subtitle: str
    sections: tuple[DocSection, ...]
    footer: str


@dataclass(frozen=True)
class Reply:
    """One message to the user: text with optional buttons, a chart or a document."""

    text: str
    options: tuple[tuple[Option, ...], ...] = ()
    chart: Chart | None = None
    document: Document | None = None


# --- effects: what the service records ------------------------------------------------------


@dataclass(frozen=True)
class ConsentGiven:
    """The user chose whether their messages are kept."""

    keep_messages: bool


@dataclass(frozen=True)
class ForgetMe:
    """The user asked for everything about them to be erased."""


@dataclass(frozen=True)
class Matched:
    """The inbound text matched these topic ids (recorded on the message, counted for stats)."""

    ids: tuple[str, ...]


@dataclass(frozen=True)
class Unanswered:
    """The bot could not answer a question well: nothing matched, it had to ask "did you
    mean", or it answered with a low margin (`margin` points ahead of the runner-up): the
    content-improvement inbox for staff."""

    why: Literal["nothing", "unsure", "low-margin"]
    margin: int | None = None


@dataclass(frozen=True)
class Feedback:
    """The user said whether an answer card helped."""

    topic: str
    helpful: bool


AssessmentKind = Literal["readiness", "nasss", "sips", "triage"]
# The same, as values; storage keeps its own list, and the service's tests check the two agree.
ASSESSMENT_KINDS: tuple[str, ...] = get_args(AssessmentKind)


@dataclass(frozen=True)
class AssessmentDone:
    """A readiness check, NASSS check, SIPS record or triage was completed."""

    kind: AssessmentKind
    answers: dict[str, Any]
    result: dict[str, Any]


@dataclass(frozen=True)
class FollowUpRequested:
    """The user asked the network team to get in touch."""

    reference: str
    note: str
    contact: str


@dataclass(frozen=True)
class ThreadMessage:
    """The person wrote to the team in a follow-up thread (reopen: it had been closed)."""

    reference: str
    text: str
    reopen: bool = False


@dataclass(frozen=True)
class SafetyInThread:
    """The person wrote something the safety routes answered (danger, abuse, crisis, a
    complaint) in a thread with the team: the bot gave the signposts, and the team is told."""

    reference: str
    kind: str  # the routes.yaml entry's title: what the message reads as
    text: str


@dataclass(frozen=True)
class ThreadEnded:
    """A thread with the team ended for the person: they went back to the bot, or it went quiet."""

    reference: str
    why: Literal["person", "quiet"]


@dataclass(frozen=True)
class ThreadRated:
    """The person said how the team's follow-up went."""

    reference: str
    helpful: bool


Effect = (
    ConsentGiven
    | ForgetMe
    | Matched
    | Unanswered
    | Feedback
    | AssessmentDone
    | FollowUpRequested
    | ThreadMessage
    | SafetyInThread
    | ThreadEnded
    | ThreadRated
)


# --- replies as plain data, for the outbox --------------------------------------------------

_REPLY = TypeAdapter(Reply)


def reply_to_data(reply: Reply) -> dict[str, Any]:
    """A reply as JSON-ready data (so it can wait in the outbox)."""
    return _REPLY.dump_python(reply, mode="json")


def reply_from_data(data: dict[str, Any]) -> Reply:
    """A reply rebuilt from reply_to_data's output."""
    return _REPLY.validate_python(data)
