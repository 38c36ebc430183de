"""The advisor service: one inbound event in, the engine run, everything committed, replies out.

Each event is one transaction: the inbound message, the new state, what the engine asked to
record and the replies (queued in the outbox) are committed together before anything is sent;
the engine works the event out before that transaction begins (see Advisor.handle). Adapters
send the replies and then say they were delivered; whatever was not delivered is still in the
outbox after a crash and is sent on the next start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dialogues import (
    AssessmentDone,
    Button,
    Command,
    ConsentGiven,
    Context,
    Engine,
    Event,
    Feedback,
    FollowUpRequested,
    ForgetMe,
    Matched,
    Reply,
    SafetyInThread,
    Text,
    ThreadEnded,
    ThreadMessage,
    ThreadRated,
    Turn,
    Unanswered,
    reply_from_data,
    reply_to_data,
)
from dialogues.edges import STAFF_REFUSED
from storage import (
    BadReference,
    FollowUp,
    Inbound,
    NotFound,
    Outbound,
    Queued,
    Store,
    UnreadableState,
    User,
    new_followup_reference,
    utc_now,
)

if TYPE_CHECKING:
    from bot.staff import StaffPosts

logger = logging.getLogger(__name__)

# In a queued reply's payload: the reference a member of staff wrote to (a reply from the team).
TEAM_KEY = "team"
# ... and the person whose words a staff post carries, when no follow-up links it to them.
ABOUT_KEY = "about"


@dataclass(frozen=True)
class Sender:
    """Who an event came from: a channel, their id there, and the chat to answer in."""

    channel: str
    external_id: int
    chat_id: int | None


@dataclass(frozen=True)
class Outgoing:
    """A reply to deliver, and its place in the outbox (None: not stored, e.g. after /forget)."""

    reply: Reply
    chat_id: int | None
    outbox_id: int | None = None
    user_id: int | None = None  # None: for staff (the staff chat, or one of them)
    post: str | None = None  # for staff: notice, thread, prompt, answer or edit
    followup_id: int | None = None  # the follow-up a staff post is about
    edit_message_id: int | None = None  # an edit of this message rather than a new one
    reply_to_message_id: int | None = None  # sent as a reply to this message
    team_reference: str | None = None  # a reply from the team: the reference staff wrote to
    about_user_id: int | None = None  # a staff post of a person's words, with no follow-up


@dataclass(frozen=True)
class Handled:
    """What handling one event produced for the adapter to do."""

    user_id: int | None
    replies: tuple[Outgoing, ...]
    followups: tuple[FollowUp, ...] = ()
    posts: tuple[Outgoing, ...] = ()  # for the staff chat: notices, the person's thread messages
    step: str = ""
    duplicate: bool = False
    erased_posts: tuple[tuple[int, int], ...] = ()  # staff-chat posts about an erased user


# Times an event is worked out again outside the write transaction when the person's state
# changed meanwhile (see Advisor.handle); after that, inside it.
RERUNS = 2


@dataclass(frozen=True)
class _Start:
    """What an event was worked out from, outside the write transaction."""

    user_id: int | None  # None: their first contact
    text: str | None  # their state as stored
    turn: Turn  # what the engine made of the event from there


class _StateChanged(Exception):
    """The person's state changed while the engine worked on the event."""


def _kind(event: Event) -> str:
    if isinstance(event, Text):
        return "text"
    if isinstance(event, Button):
        return "button"
    if isinstance(event, Command):
        return "command"
    return "other"


def _outbound_kind(reply: Reply) -> str:
    return "picture" if reply.chart else "document" if reply.document else "text"


class Advisor:
    """The engine and the store together; shared by Telegram and the terminal chat."""

    def __init__(
        self,
        engine: Engine,
        store: Store,
        clock: Callable[[], datetime] = utc_now,
        followup_reference: Callable[[], str] = new_followup_reference,
        staff_chat: StaffPosts | None = None,
    ):
        self.engine = engine
        self.store = store
        self._clock = clock
        self._followup_reference = followup_reference
        self.staff_chat = staff_chat

    def context(self) -> Context:
        """The time and a fresh follow-up reference, for the engine."""
        return Context(self._clock(), self._followup_reference())

    def handle(self, sender: Sender, event: Event, update_id: int | None = None) -> Handled:
        """Run one event through the engine and commit everything it causes, atomically.

        The engine runs outside the write transaction, on the state as read just before, and
        one short transaction then stores what it made (the message in, the new state, the
        replies in the outbox, the update marked done). The write lock is held only for that:
        the sender's "sent" marks (bot/telegram/_delivery.py) queue behind it, and a reply
        sent whose mark is not yet committed is sent again after a crash.

        Nobody else handles this person's events meanwhile: Telegram updates run one user at
        a time (bot/telegram/_order.py), the terminal has one user. The staff desk can still
        write their state in between (a message from the team opens a thread), so the
        transaction checks that the state is still the one the engine started from and, if
        not, the event is worked out again; the last time inside the transaction.
        """
        for attempt in range(RERUNS + 1):
            start = None if attempt == RERUNS else self._start_of(sender, event)
            try:
                return self._commit(sender, event, update_id, start)
            except _StateChanged:
                logger.info("state changed while an event was handled; working it out again")
        raise AssertionError("unreachable: the last try runs inside the transaction")

    def _start_of(self, sender: Sender, event: Event) -> _Start:
        """The person's state as stored, and the turn the engine makes of it (no lock held)."""
        user, text = self.store.read_state(sender.channel, sender.external_id)
        turn = self.engine.handle(self._state(user, text), event, self.context())
        return _Start(user.id if user else None, text, turn)

    def _commit(
        self, sender: Sender, event: Event, update_id: int | None, start: _Start | None
    ) -> Handled:
        """The write transaction of `handle`; with `start` None the engine runs inside it."""
        store = self.store
        with store.transaction():
            if update_id is not None and (
                store.seen_update(sender.channel, update_id) or not store.claim_update(update_id)
            ):
                # Handled before (Telegram sent it again): whatever it produced that was not
                # delivered is in the outbox; handling it again would do everything twice.
                # Checked before the user is looked up, so that a repeated /forget does not
                # bring its sender back.
                logger.info("update %s handled before", update_id)
                return Handled(None, (), duplicate=True)
            user = store.ensure_user(sender.channel, sender.external_id, sender.chat_id)
            if user.blocked:
                store.set_blocked(user.id, False)
            if start is None:
                state = self._state(user, store.state_text(user.id))
                turn = self.engine.handle(state, event, self.context())
            elif start.user_id not in (None, user.id) or store.state_text(user.id) != start.text:
                raise _StateChanged  # rolls back: nothing of this try is kept
            else:
                turn = start.turn
            if any(isinstance(effect, ForgetMe) for effect in turn.effects):
                posts = tuple(store.staff_posts(user.id))
                store.forget(user.id, update_id)
                logger.info("user %s erased at their request", user.id)
                # Nothing about them may remain, so these replies are not queued.
                replies = tuple(Outgoing(r, sender.chat_id) for r in turn.replies)
                return Handled(None, replies, step=turn.step, erased_posts=posts)
            followups, posts = self._apply(user.id, turn)
            matched = tuple(i for e in turn.effects if isinstance(e, Matched) for i in e.ids)
            missed = next((e for e in turn.effects if isinstance(e, Unanswered)), None)
            inbound = Inbound(turn.heard, _kind(event), update_id, matched, turn.step)
            if missed is not None and missed.why == "low-margin":
                inbound = replace(inbound, margin=missed.margin)
            elif missed is not None:
                inbound = replace(inbound, unanswered=missed.why)
            outbound = [Outbound(r.text, _outbound_kind(r), reply_to_data(r)) for r in turn.replies]
            queued = store.record_turn(
                user.id, inbound, turn.state.to_json(), outbound, sender.chat_id
            )
            replies = tuple(
                Outgoing(reply, sender.chat_id, outbox_id, user.id)
                for reply, outbox_id in zip(turn.replies, queued, strict=True)
            )
        logger.info("user %s now at %s, %d replies", user.id, turn.step, len(replies))
        return Handled(user.id, replies, tuple(followups), tuple(posts), turn.step)

    def _state(self, user: User | None, text: str | None) -> dict[str, Any] | None:
        """The user's saved state; one that cannot be read becomes one the engine resets (to
        the menu, with an apology), keeping only the consent the users table holds."""
        if user is None:
            return None
        try:
            return self.store.decode_state(text, user.id)
        except UnreadableState:
            logger.warning("state of user %s unreadable; starting them at the menu", user.id)
            return {"consent": user.consent}

    def _apply(self, user_id: int, turn: Turn) -> tuple[list[FollowUp], list[Outgoing]]:
        """Record what the engine asked to be recorded; the new follow-ups, and the posts for
        the staff chat (queued in this transaction, like the replies)."""
        store = self.store
        followups: list[FollowUp] = []
        posts: list[Outgoing] = []
        staff = self.staff_chat
        for effect in turn.effects:
            if isinstance(effect, ConsentGiven):
                store.set_consent(user_id, effect.keep_messages)
            elif isinstance(effect, AssessmentDone):
                store.save_assessment(user_id, effect.kind, effect.answers, effect.result)
            elif isinstance(effect, Feedback):
                store.record_feedback(user_id, effect.topic, effect.helpful)
            elif isinstance(effect, FollowUpRequested):
                followup = store.create_followup(
                    user_id, effect.reference, effect.note, effect.contact
                )
                followups.append(followup)
                if staff is not None:
                    posts += staff.announce(followup)
            elif (
                isinstance(effect, ThreadMessage | SafetyInThread | ThreadEnded | ThreadRated)
                and staff
            ):
                posts += staff.person_said(user_id, effect)
        return followups, posts

    def queued(self, user_id: int | None = None, wait: float | None = None) -> tuple[Outgoing, ...]:
        """Replies still waiting to be delivered (one user's, or everyone's), oldest first
        (`wait`: raise Busy rather than wait longer than that for the store)."""
        return tuple(_outgoing(q) for q in self.store.outbox(user_id, wait=wait))

    def say(
        self, user_id: int, reply: Reply, kind: str = "staff", update_id: int | None = None
    ) -> Outgoing | None:
        """Queue a message that did not come from the engine (a reply from the network team).

        With the update that asked for it, None if that update was handled before.
        """
        user = self.store.user(user_id)
        with self.store.transaction():
            if update_id is not None and not self.store.claim_update(update_id):
                return None
            message_id = self.store.record_outbound(user_id, reply.text, kind=kind)
            outbox_id = self.store.enqueue(
                user_id, reply_to_data(reply), chat_id=user.chat_id, message_id=message_id
            )
        return Outgoing(reply, user.chat_id, outbox_id, user_id)

    def posted(self, outgoing: Outgoing, message_id: int) -> None:
        """A staff post about a follow-up went out as this message: remember it, so that a
        reply to it finds the follow-up and the notice can be edited."""
        linked = outgoing.post in ("notice", "thread", "prompt")
        if linked and outgoing.followup_id is not None and outgoing.chat_id is not None:
            self.store.link_post(outgoing.chat_id, message_id, outgoing.followup_id, outgoing.post)
        elif outgoing.about_user_id is not None and outgoing.chat_id is not None:
            self.store.link_thread_post(outgoing.chat_id, message_id, outgoing.about_user_id)

    def delivered(self, outgoing: Outgoing, status: str = "sent", error: str | None = None):
        """The adapter is done with a reply: sent, or given up on (failed, blocked)."""
        if outgoing.outbox_id is not None:
            self.store.dequeue(outgoing.outbox_id, status, error)
        if status == "blocked" and outgoing.user_id is not None:
            self.store.set_blocked(outgoing.user_id, True)
            logger.info("user %s has blocked the bot", outgoing.user_id)

    def refused(self, outgoing: Outgoing, reason: str) -> tuple[Outgoing, ...]:
        """Telegram will never take this reply: mark it failed and, if it was staff's words to
        a person, queue a line telling the staff chat why (in the same transaction)."""
        with self.store.transaction():
            self.delivered(outgoing, "failed", reason)
            reference, staff = outgoing.team_reference, self.staff_chat
            if reference is None or staff is None:
                return ()
            try:
                _, followup = self.store.person_for(reference)
            except (NotFound, BadReference):
                followup = None
            text = staff.text(STAFF_REFUSED, reference=reference, reason=reason)
            return tuple(staff.to_chat(str(text), followup))

    def chat_moved(self, chat_id: int, moved_to: int) -> None:
        """Telegram moved a chat to a new id (a group became a supergroup): what is queued
        for it, and the staff chat itself, follow it there, now and after a restart."""
        moved = self.store.move_chat(chat_id, moved_to)
        staff = self.staff_chat
        if staff is not None and staff.chat_id == chat_id:
            staff.chat_id = moved_to
            logger.warning("the staff chat %s moved to %s; posting there", chat_id, moved_to)
        else:
            logger.warning("chat %s moved to %s", chat_id, moved_to)
        if moved:
            logger.info("%d queued message(s) moved to chat %s", moved, moved_to)

    def delivered_all(self, outgoings: list[Outgoing], wait: float | None = None) -> None:
        """Several replies were sent: drop them from the outbox in one transaction (`wait`:
        raise Busy rather than wait longer than that for the store, see Store.transaction)."""
        with self.store.transaction(wait=wait):
            for outgoing in outgoings:
                if outgoing.outbox_id is not None:
                    self.store.dequeue(outgoing.outbox_id)

    def not_yet(self, outgoing: Outgoing, error: str, timed_out: bool = False) -> int:
        """A delivery failed for now; the reply stays queued for the next attempt. How many
        of its tries timed out (and so may have reached Telegram)."""
        if outgoing.outbox_id is None:
            return 0
        return self.store.retry_later(outgoing.outbox_id, error, timed_out)


def _outgoing(queued: Queued) -> Outgoing:
    payload = dict(queued.payload)
    team = payload.pop(TEAM_KEY, None)
    about = payload.pop(ABOUT_KEY, None)
    return Outgoing(
        reply_from_data(payload),
        queued.chat_id,
        queued.id,
        queued.user_id,
        queued.post,
        queued.followup_id,
        queued.edit_message_id,
        queued.reply_to_message_id,
        team,
        about,
    )
