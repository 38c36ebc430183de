"""What a button does, as a value: one codec between actions and Telegram's callback data.

Every button the bot shows is made from one of these frozen actions with `encode`, and every
press is read back with `decode`; nothing else builds or parses callback data. The wire form
is short (Telegram allows 64 bytes) and stays readable in logs and transcripts: a tag, then
the fields, separated by colons. Old buttons keep working because the tags never change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Literal, get_args

from dialogues._types import Option

CALLBACK_LIMIT = 64  # bytes of callback data Telegram carries
_ID = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")  # ids in the YAML, and flow/step names
_REFERENCE = re.compile(r"^[A-Z]{1,3}-[0-9A-Z]{1,12}$")  # SA-XXXXXX, C-XXXXXX

Place = Literal["back", "menu", "help", "here"]  # here: the question the user was on
StaffVerb = Literal["show", "close", "take", "nonote"]
QueueFilter = Literal["open", "mine", "new"]


WORDS = ("skip", "more", "keep")  # an Answer's choices that are not an option's number


class ButtonDataError(ValueError):
    """An action that cannot be carried by a button (too long, or a malformed id)."""


@dataclass(frozen=True)
class Navigate:
    """Back, Menu or Help."""

    to: Place


@dataclass(frozen=True)
class Answer:
    """The `choice`-th option of the step shown with sequence number `seq`, its Skip, its
    "What do these mean?" (`more`), or Keep (the answer given before, shown again when they
    come Back to a typed-answer step)."""

    seq: int
    choice: int | Literal["skip", "more", "keep"]


@dataclass(frozen=True)
class Open:
    """Start a journey, at its start or at one of its entry steps."""

    flow: str
    step: str | None = None


@dataclass(frozen=True)
class Resume:
    """Carry on a journey left half done, or start it again."""

    flow: str
    carry_on: bool


@dataclass(frozen=True)
class Topic:
    """The answer card for a factor or framework."""

    id: str


@dataclass(frozen=True)
class Detail:
    """A factor's longer explanation (buttons sent before cards had parts)."""

    id: str


@dataclass(frozen=True)
class CardPart:
    """One part of a card behind its first screen ('why', 'do', 'reading', ...), and its page."""

    topic: str
    part: str
    page: int | None = None


@dataclass(frozen=True)
class Parts:
    """A framework's domains, sections or components; with `part`, that one on its own."""

    id: str
    part: str | None = None


@dataclass(frozen=True)
class ReadingEntry:
    """One entry of the further-reading list."""

    id: str


@dataclass(frozen=True)
class Term:
    """One glossary entry; with `topic`, opened from that card, which it leads back to."""

    id: str
    topic: str | None = None


@dataclass(frozen=True)
class Listing:
    """A browse list, and the page of it (None: the first, and the list has no pages)."""

    name: str
    page: int | None = None


@dataclass(frozen=True)
class RecordPage:
    """One page of what a journey keeps (the SIPS record, a section a page)."""

    flow: str
    page: int


@dataclass(frozen=True)
class Rate:
    """Whether an answer card helped."""

    topic: str
    helpful: bool


@dataclass(frozen=True)
class Keep:
    """Keep the text typed at the free-text step shown with sequence number `seq` as its answer,
    after the bot answered it as a question."""

    seq: int


@dataclass(frozen=True)
class NoneOfThese:
    """None of the topics offered in a 'did you mean' was it."""


@dataclass(frozen=True)
class Staff:
    """A button under a follow-up notice in the staff chat."""

    verb: StaffVerb
    reference: str


@dataclass(frozen=True)
class StaffPage:
    """A page of the staff queue (all open, mine, or nobody's)."""

    which: QueueFilter
    page: int


@dataclass(frozen=True)
class StaffDraft:
    """Reopen a closed follow-up and send the reply kept as this draft."""

    id: int


@dataclass(frozen=True)
class StaffCancel:
    """Do nothing after all (a closing note, a reopen)."""


@dataclass(frozen=True)
class LeaveThread:
    """The person goes back to the bot from a follow-up thread with the team."""

    reference: str


@dataclass(frozen=True)
class RateThread:
    """How the person says the team's follow-up went."""

    reference: str
    helpful: bool


Action = (
    Navigate
    | Answer
    | Open
    | Resume
    | Topic
    | Detail
    | CardPart
    | Parts
    | ReadingEntry
    | Term
    | Listing
    | RecordPage
    | Rate
    | Keep
    | NoneOfThese
    | Staff
    | StaffPage
    | StaffDraft
    | StaffCancel
    | LeaveThread
    | RateThread
)
STAFF_ACTIONS: tuple[type, ...] = (Staff, StaffPage, StaffDraft, StaffCancel)

# The tag each action travels under. These are published in every chat the bot has written
# to, so a tag is never reused for something else.
_TAGS: dict[type, str] = {
    Navigate: "n",
    Answer: "s",
    Open: "f",
    Resume: "rs",
    Topic: "t",
    Detail: "d",
    CardPart: "c",
    Parts: "p",
    ReadingEntry: "r",
    Term: "g",
    Listing: "l",
    RecordPage: "rp",
    Rate: "fb",
    Keep: "k",
    NoneOfThese: "x",
    Staff: "st",
    StaffPage: "sq",
    StaffDraft: "sd",
    StaffCancel: "sx",
    LeaveThread: "th",
    RateThread: "tr",
}
_TYPES = {tag: kind for kind, tag in _TAGS.items()}
assert len(_TYPES) == len(_TAGS), "two actions share a tag"


def encode(action: Action) -> str:
    """The callback data for an action; ButtonDataError if it would not fit or not read back."""
    tag = _TAGS[type(action)]
    match action:
        case Navigate(to):
            parts = [_literal(to, Place)]
        case Answer(seq, choice):
            parts = [_count(seq), choice if choice in WORDS else _count(choice)]
        case Resume(flow, carry_on):
            parts = [_id(flow), "1" if carry_on else "0"]
        case Open(flow, step):
            parts = [_id(flow), *([_id(step)] if step is not None else [])]
        case Topic(id) | Detail(id) | ReadingEntry(id):
            parts = [_id(id)]
        case Parts(id, part) | Term(id, part):
            parts = [_id(id), *([_id(part)] if part is not None else [])]
        case CardPart(topic, part, page):
            parts = [_id(topic), _id(part), *([_count(page)] if page is not None else [])]
        case Listing(name, page):
            parts = [_id(name), *([_count(page)] if page is not None else [])]
        case RecordPage(flow, page):
            parts = [_id(flow), _count(page)]
        case Rate(topic, helpful):
            parts = [_id(topic), "1" if helpful else "0"]
        case Keep(seq):
            parts = [_count(seq)]
        case NoneOfThese():
            parts = ["none"]
        case Staff(verb, reference):
            parts = [_literal(verb, StaffVerb), _reference(reference)]
        case StaffPage(which, page):
            parts = [_literal(which, QueueFilter), _count(page)]
        case StaffDraft(id):
            parts = [_count(id)]
        case StaffCancel():
            parts = ["no"]
        case LeaveThread(reference):
            parts = [_reference(reference)]
        case RateThread(reference, helpful):
            parts = [_reference(reference), "1" if helpful else "0"]
    data = ":".join([tag, *map(str, parts)])
    if len(data.encode()) > CALLBACK_LIMIT:
        raise ButtonDataError(f"{data!r} is over {CALLBACK_LIMIT} bytes")
    return data


def decode(data: str) -> Action | None:
    """The action a button's data stands for; None for anything not made by `encode`."""
    tag, _, rest = data.partition(":")
    kind = _TYPES.get(tag)
    if kind is None or len(data.encode()) > CALLBACK_LIMIT:
        return None
    parts = rest.split(":")
    try:
        action = _build(kind, parts)
        # Only the canonical form is accepted, so that each action has exactly one spelling.
        return action if encode(action) == data else None
    except (ButtonDataError, ValueError, TypeError):
        return None


def _build(kind: type, parts: list[str]) -> Action:
    """The action of type `kind` from the fields after the tag (checked again by encode)."""
    if kind is Answer and len(parts) == 2:
        seq, choice = parts
        return Answer(int(seq), choice if choice in WORDS else int(choice))
    if kind is Listing and len(parts) in (1, 2):
        return Listing(parts[0], int(parts[1]) if len(parts) == 2 else None)
    if kind in (Open, Parts, Term) and len(parts) in (1, 2):
        return kind(*parts)
    if kind is CardPart and len(parts) in (2, 3):
        return CardPart(parts[0], parts[1], int(parts[2]) if len(parts) == 3 else None)
    if kind is RecordPage and len(parts) == 2:
        return RecordPage(parts[0], int(parts[1]))
    if kind is Resume and len(parts) == 2 and parts[1] in ("0", "1"):
        return Resume(parts[0], parts[1] == "1")
    if kind is Rate and len(parts) == 2 and parts[1] in ("0", "1"):
        return Rate(parts[0], parts[1] == "1")
    if kind is Keep and len(parts) == 1:
        return Keep(int(parts[0]))
    if kind is NoneOfThese and parts == ["none"]:
        return NoneOfThese()
    if kind is StaffCancel and parts == ["no"]:
        return StaffCancel()
    if kind is StaffPage and len(parts) == 2:
        return StaffPage(parts[0], int(parts[1]))  # type: ignore[arg-type]
    if kind is StaffDraft and len(parts) == 1:
        return StaffDraft(int(parts[0]))
    if kind is RateThread and len(parts) == 2 and parts[1] in ("0", "1"):
        return RateThread(parts[0], parts[1] == "1")
    single = (Navigate, Topic, Detail, ReadingEntry, Staff, LeaveThread)
    if len(parts) == len(fields(kind)) and kind in single:
        return kind(*parts)
    raise ButtonDataError(f"{kind.__name__} does not read {parts!r}")


def _id(value: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise ButtonDataError(f"not an id: {value!r}")
    return value


def _reference(value: str) -> str:
    if not isinstance(value, str) or not _REFERENCE.match(value):
        raise ButtonDataError(f"not a reference: {value!r}")
    return value


def _count(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ButtonDataError(f"not a count: {value!r}")
    return value


def _literal(value: str, allowed: object) -> str:
    if value not in get_args(allowed):
        raise ButtonDataError(f"{value!r} is not one of {get_args(allowed)}")
    return value


ACTION_TYPES: tuple[type, ...] = tuple(_TAGS)


def option(label: str, action: Action) -> Option:
    """A button: what it says, and the action it carries."""
    return Option(label, encode(action))
