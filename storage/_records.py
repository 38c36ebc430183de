"""What storage hands back: small frozen dataclasses, never database rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

CHANNELS = ("telegram", "terminal")
DIRECTIONS = ("in", "out")
INBOUND_KINDS = ("text", "button", "command", "other")
# Why a typed question went unanswered: nothing matched, or the bot asked "did you mean".
UNANSWERED_REASONS = ("nothing", "unsure")
OUTBOUND_KINDS = ("text", "picture", "document", "staff")
DELIVERY_STATUSES = ("pending", "sent", "failed", "blocked")
# An update in the inbox: waiting to be handled, handled, or kept as it came (unreadable).
INBOX_STATUSES = ("new", "done", "skipped")
ASSESSMENT_KINDS = ("readiness", "nasss", "sips", "triage")
FOLLOWUP_STATUSES = ("open", "closed")
# Where an open follow-up is: nobody has it yet, someone has, the team wrote and waits for the
# person, the person answered (the team's turn).
FOLLOWUP_STAGES = ("new", "taken", "waiting", "answered")
# "login" and "locked" come from the web view's door (storage/review/plugins/staff_login.py).
STAFF_ACTIONS = (
    "queue",
    "show",
    "reply",
    "note",
    "close",
    "stats",
    "search",
    "export",
    "take",
    "reopen",
    "read",
    "login",
    "locked",
)
# What a staff-side outbox row is: a notice of a follow-up, the person's words in a thread, a
# question to staff (close note?), an answer to a staff command, an edit of a notice.
POST_KINDS = ("notice", "thread", "prompt", "answer", "edit")
# What a message the bot posted in the staff chat was, for the answers that come back to it.
STAFF_MESSAGE_PURPOSES = ("notice", "thread", "prompt")


@dataclass(frozen=True)
class User:
    """Someone talking to the bot, on one channel.

    consent: None = not asked yet, True = keep their messages, False = do not keep them.
    """

    id: int
    channel: str
    external_id: int
    chat_id: int | None
    consent: bool | None
    blocked: bool
    first_seen: datetime
    last_seen: datetime

    @property
    def keeps_messages(self) -> bool:
        """True only once the user has said their messages may be kept."""
        return self.consent is True


@dataclass(frozen=True)
class Session:
    """A spell of conversation: it ends after SESSION_GAP of silence."""

    id: int
    reference: str
    user_id: int
    started_at: datetime
    last_at: datetime
    message_count: int


@dataclass(frozen=True)
class Message:
    """One inbound ("in") or outbound ("out") message; status is set on outbound ones only."""

    id: int
    user_id: int
    session_reference: str | None
    direction: str
    kind: str
    text: str
    at: datetime
    status: str | None = None
    error: str | None = None
    matched: tuple[str, ...] = ()
    step: str | None = None


@dataclass(frozen=True)
class Assessment:
    """A completed readiness check, NASSS check, SIPS record or triage."""

    id: int
    user_id: int
    kind: str
    answers: dict[str, Any]
    result: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class StaffNote:
    """A note a member of staff added to a follow-up (staff_id None: the command line)."""

    staff_id: int | None
    text: str
    at: datetime
    staff_name: str | None = None

    @property
    def by(self) -> str:
        """Who wrote it, in words: a name, a Telegram id, or the command line."""
        return self.staff_name or (str(self.staff_id) if self.staff_id else "command line")


@dataclass(frozen=True)
class FollowUp:
    """A request to be contacted by the network team, and what staff did about it."""

    id: int
    reference: str
    user_id: int
    note: str
    contact: str
    status: str
    created_at: datetime
    closed_at: datetime | None = None
    closed_by: int | None = None
    close_note: str | None = None
    notes: tuple[StaffNote, ...] = ()
    stage: str = "new"
    assigned_to: str | None = None
    rating: bool | None = None
    updated_at: datetime | None = None
    closed_by_name: str | None = None

    @property
    def progress(self) -> str:
        """new / taken / waiting / answered while open; closed once closed."""
        return "closed" if self.status == "closed" else self.stage


@dataclass(frozen=True)
class Inbound:
    """What a user sent, for Store.record_turn: text (a button by its label), kind, where."""

    text: str
    kind: str
    update_id: int | None = None
    matched: tuple[str, ...] = ()
    step: str | None = None  # where the user is after it, e.g. "triage.role"
    unanswered: str | None = None  # one of UNANSWERED_REASONS, else None
    margin: int | None = None  # answered with a low margin: points between it and the runner-up


@dataclass(frozen=True)
class Outbound:
    """A reply for Store.record_turn: its text for the transcript, and the whole reply."""

    text: str
    kind: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Queued:
    """A reply waiting in the outbox: who it is for and the reply itself, as plain data."""

    id: int
    user_id: int
    chat_id: int | None
    message_id: int | None
    payload: dict[str, Any]
    created_at: datetime
    attempts: int = 0
    followup_id: int | None = None
    post: str | None = None
    edit_message_id: int | None = None
    reply_to_message_id: int | None = None


@dataclass(frozen=True)
class StaffAction:
    """One entry of the audit trail: who (None: the command line) did what, about what."""

    id: int
    staff_id: int | None
    action: str
    reference: str | None
    detail: str | None
    at: datetime
    staff_name: str | None = None


@dataclass(frozen=True)
class TopicCount:
    """How often a topic (a factor or framework id) came up."""

    topic_id: str
    count: int


@dataclass(frozen=True)
class Stats:
    """Figures for the last `days` days (since `since`, a UTC day), from anonymous counts."""

    days: int
    since: date
    conversations: int
    messages_in: int
    messages_out: int
    new_users: int
    top_topics: tuple[TopicCount, ...]
    feedback_helpful: int
    feedback_unhelpful: int
    followups_opened: int
    followups_closed: int
    followups_open_now: int
    followups_rated_good: int = 0
    followups_rated_bad: int = 0


@dataclass(frozen=True)
class Unanswered:
    """A text someone typed that matched no topic, several, or whose answer was unhelpful."""

    id: int
    text: str
    at: datetime
    step: str | None
    matched: tuple[str, ...]
    unhelpful: bool
