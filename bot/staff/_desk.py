"""The staff desk: a staff command (or button, or reply to a post) in, what to send out.

Each command is one transaction, like Advisor.handle: what it changes, the answer to staff,
any message to the person and any edit of the follow-up's notice are committed together in
the outbox, then sent by the adapter. Closing, taking, noting, reopening and replying live
here once, for Telegram, the command line and the web review.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.service import TEAM_KEY, Advisor, Outgoing
from bot.staff._posts import StaffPosts, when
from dialogues import Markup, Reply, plain, reply_to_data, shorten
from dialogues import edges as texts
from dialogues.actions import Action, StaffCancel, StaffDraft, StaffPage, option
from dialogues.actions import Staff as StaffButton
from storage import (
    AlreadyClosed,
    BadReference,
    FollowUp,
    NotFound,
    normalise_reference,
)

logger = logging.getLogger(__name__)

# The commands only staff have (for anyone else they are unknown commands, as any other).
STAFF_COMMANDS = (
    "queue",
    "mine",
    "take",
    "show",
    "reply",
    "note",
    "close",
    "reopen",
    "stats",
    "staff",  # the list of staff commands (as /help gives staff), not in the menu
)
QUEUE_PAGE = 10  # follow-ups per /queue message; buttons page through the rest
TRANSCRIPT_MESSAGES = 60  # the newest messages /show lists
NEEDS_REFERENCE = ("take", "show", "reply", "note", "close", "reopen")


@dataclass(frozen=True)
class Staff:
    """A member of staff: their Telegram id (None on the command line or the web) and name."""

    id: int | None
    name: str | None


class StaffDesk:
    """Staff commands over the store; answers, person messages and notice edits queued."""

    def __init__(
        self,
        advisor: Advisor,
        posts: StaffPosts,
        staff_ids: frozenset[int] = frozenset(),
        names: Mapping[int, str] | None = None,
    ):
        self.advisor = advisor
        self.store = advisor.store
        self.engine = advisor.engine
        self.posts = posts
        self.staff_ids = staff_ids
        self.names = dict(names or {})

    # --- who --------------------------------------------------------------------------------

    def is_staff(self, user_id: int) -> bool:
        """Whether a Telegram user is on the staff list."""
        return user_id in self.staff_ids

    def member(self, user_id: int) -> Staff:
        """The member of staff with this Telegram id, named as in STAFF_USER_IDS."""
        return Staff(user_id, self.names.get(user_id) or str(user_id))

    # --- from the adapter -------------------------------------------------------------------

    def command(
        self, staff_id: int, chat_id: int, name: str, args: str, update_id: int | None = None
    ) -> tuple[Outgoing, ...]:
        """Run a staff command; everything it sends, queued in one transaction with the update
        marked done (a command Telegram delivers again has no second effect: nothing)."""
        staff = self.member(staff_id)
        with self.store.transaction():
            if not self._claim(update_id):
                return ()
            return tuple(self._command(staff, chat_id, name, args.strip()))

    def button(
        self, staff_id: int, chat_id: int, action: Action, update_id: int | None = None
    ) -> tuple[Outgoing, ...]:
        """A staff button, e.g. under a notice or a queue page."""
        staff = self.member(staff_id)
        with self.store.transaction():
            if not self._claim(update_id):
                return ()
            return tuple(self._button(staff, chat_id, action))

    def reply_to_post(
        self,
        staff_id: int,
        chat_id: int,
        message_id: int,
        text: str,
        update_id: int | None = None,
    ) -> tuple[Outgoing, ...] | None:
        """Staff replied to one of the bot's posts: to the person (a notice or their words), or
        the closing note (a close prompt); None when the post is about no follow-up."""
        staff = self.member(staff_id)
        with self.store.transaction():
            found = self.store.staff_message(chat_id, message_id)
            if found is None:
                return None
            if not self._claim(update_id):
                return ()
            reference, purpose = found
            if purpose == "prompt":
                return tuple(self._close(staff, chat_id, reference, text))
            return tuple(self._reply(staff, chat_id, reference, text))

    # --- the verbs, shared by every adapter ------------------------------------------------

    def close(self, staff: Staff, reference: str, note: str | None) -> list[Outgoing]:
        """Close a follow-up: recorded, the notice edited, the person told (with 👍/👎).

        Raises NotFound / BadReference / AlreadyClosed; the caller's transaction (or this one)
        holds it all.
        """
        with self.store.transaction():
            followup = self.store.close_followup(reference, staff.id, note, name=staff.name)
            outs = self.posts.refresh(followup)
            user = self.store.user(followup.user_id)
            if user.chat_id is not None:
                turn = self.engine.team_closed(
                    self.store.load_state(user.id), followup.reference, self.advisor.context()
                )
                outs += self._to_person(user.id, user.chat_id, turn.replies, turn, kind="text")
            logger.info("follow-up %s closed by %s", followup.reference, staff.name)
            return outs

    def take(self, staff: Staff, reference: str, assignee: str) -> tuple[FollowUp, list[Outgoing]]:
        """Give a follow-up to someone (staff's own name to take it); the notice edited."""
        with self.store.transaction():
            followup = self.store.take_followup(reference, assignee, staff.id, staff.name)
            return followup, self.posts.refresh(followup)

    def reopen(self, staff: Staff, reference: str) -> tuple[FollowUp, list[Outgoing]]:
        """Open a closed follow-up again; the notice edited."""
        with self.store.transaction():
            followup = self.store.reopen_followup(reference, staff.id, staff.name)
            return followup, self.posts.refresh(followup)

    def note(self, staff: Staff, reference: str, text: str) -> FollowUp:
        """Add a staff note to a follow-up."""
        return self.store.add_staff_note(reference, staff.id, text, name=staff.name)

    def write_to_person(self, staff: Staff, reference: str, text: str) -> list[Outgoing] | None:
        """Send staff's words to the person a reference leads to, opening a thread for their
        answer; None when nobody can be reached. Raises NotFound / BadReference."""
        with self.store.transaction():
            user_id, followup = self.store.person_for(reference)
            user = self.store.user(user_id)
            if user.chat_id is None:
                return None
            ref = normalise_reference(reference) or reference
            turn = self.engine.team_message(
                self.store.load_state(user_id), ref, text, self.advisor.context()
            )
            outs = self._to_person(
                user_id, user.chat_id, turn.replies, turn, kind="staff", said=text, team=ref
            )
            self.store.record_staff_action(staff.id, "reply", ref, name=staff.name)
            if followup is not None and followup.status == "open":
                outs += self.posts.refresh(self.store.set_followup_stage(ref, "waiting"))
            return outs

    # --- commands ---------------------------------------------------------------------------

    def _command(self, staff: Staff, chat_id: int, name: str, args: str) -> list[Outgoing]:
        typed, _, rest = args.partition(" ")
        rest = rest.strip()
        if name == "queue":
            which = typed.lower() if typed.lower() in ("mine", "new") else "open"
            return self._queue(staff, chat_id, which, 1)
        if name == "mine":
            return self._queue(staff, chat_id, "mine", 1)
        if name == "stats":
            return self._answer(chat_id, self._stats(staff))
        if name not in NEEDS_REFERENCE or not typed:
            return self._answer(chat_id, self._text(texts.STAFF_USAGE))
        reference = normalise_reference(typed)
        if reference is None:
            return self._answer(chat_id, self._not_found(shorten(typed, 30)))
        if name == "show":
            return self._answer(chat_id, self._show(staff, reference))
        if name == "take":
            return self._take(staff, chat_id, reference, rest)
        if name == "reopen":
            return self._reopen(staff, chat_id, reference)
        if name == "close" and not rest:
            return self._ask_close_note(chat_id, reference)
        if name == "close":
            return self._close(staff, chat_id, reference, rest)
        if not rest:
            return self._answer(chat_id, self._text(texts.STAFF_USAGE))
        if name == "note":
            return self._note(staff, chat_id, reference, rest)
        return self._reply(staff, chat_id, reference, rest)

    def _button(self, staff: Staff, chat_id: int, action: Action) -> list[Outgoing]:
        match action:
            case StaffButton("nonote", reference):
                return self._close(staff, chat_id, reference, None)
            case StaffButton(verb, reference):
                return self._command(staff, chat_id, verb, reference)
            case StaffPage(which, page):
                return self._queue(staff, chat_id, which, page)
            case StaffDraft(draft_id):
                draft = self.store.pop_draft(draft_id)
                if draft is None:
                    return self._answer(chat_id, self._text(texts.STAFF_CANCELLED))
                reference, text = draft
                _, outs = self.reopen(staff, reference)
                return outs + self._reply(staff, chat_id, reference, text)
            case StaffCancel():
                return self._answer(chat_id, self._text(texts.STAFF_CANCELLED))
        return []

    def _queue(self, staff: Staff, chat_id: int, which: str, page: int) -> list[Outgoing]:
        page = max(1, page)
        followups, total = self.store.followup_page(
            which, staff.name, (page - 1) * QUEUE_PAGE, QUEUE_PAGE
        )
        self.store.record_staff_action(staff.id, "queue", detail=which, name=staff.name)
        if not followups:
            return self._answer(chat_id, self._text(texts.STAFF_QUEUE_EMPTY))
        now = self.advisor.context().now
        lines = [
            self._text(
                texts.STAFF_QUEUE_LINE,
                reference=f.reference,
                status=self.posts.status(f),
                waited=waited(f.created_at, now),
                note=shorten(" ".join(f.note.split()), 90),
            )
            for f in followups
        ]
        pages = -(-total // QUEUE_PAGE)
        page_words = self._text(texts.STAFF_QUEUE_PAGE, page=page, pages=pages) if pages > 1 else ""
        text = self._text(
            texts.STAFF_QUEUE,
            title=self._text(texts.STAFF_QUEUE_TITLES[which]),
            count=total,
            page=page_words,
            items=Markup("\n".join(lines)),
        )
        buttons = ()
        if page < pages:
            more = option(self.posts.label(texts.STAFF_MORE), StaffPage(which, page + 1))
            buttons = ((more,),)
        return [self.posts.queue(chat_id, Reply(text, buttons), "answer")]

    def _show(self, staff: Staff, reference: str) -> Markup:
        try:
            messages = self.store.transcript(reference)
        except (NotFound, BadReference):
            return self._not_found(reference)
        self.store.record_staff_action(staff.id, "show", reference, name=staff.name)
        try:
            followup = self.store.followup(reference)
        except (NotFound, BadReference):
            followup = None
        who = {
            "in": self._text(texts.STAFF_WHO_USER),
            "out": self._text(texts.STAFF_WHO_BOT),
            "staff": self._text(texts.STAFF_WHO_TEAM),
        }
        lines = [
            self._text(
                texts.STAFF_TRANSCRIPT_LINE,
                when=when(m.at),
                who=who["staff" if m.kind == "staff" else m.direction],
                text=shorten(plain(m.text) if m.direction == "out" else m.text, 600),
            )
            for m in messages[-TRANSCRIPT_MESSAGES:]
        ]
        body = Markup("\n".join(lines)) if lines else self._text(texts.STAFF_NO_TRANSCRIPT)
        if followup is None:
            status, note, contact, notes = self._text(texts.STAFF_CONVERSATION), "-", "-", ""
        else:
            status, note, contact = self.posts.status(followup), followup.note, followup.contact
            notes = Markup(
                "".join(
                    self._text(texts.STAFF_TRANSCRIPT_NOTE, who=n.by, when=when(n.at), text=n.text)
                    for n in followup.notes
                )
            )
        return self._text(
            texts.STAFF_TRANSCRIPT,
            reference=reference,
            status=status,
            note=note,
            contact=contact,
            notes=notes,
            lines=body,
        )

    def _take(self, staff: Staff, chat_id: int, reference: str, rest: str) -> list[Outgoing]:
        assignee = staff.name or ""
        if rest:
            wanted = rest.split()[0].lstrip("@").lower()
            if wanted not in self.names.values():
                return self._answer(chat_id, self._text(texts.STAFF_UNKNOWN_NAME, name=wanted))
            assignee = wanted
        try:
            followup, outs = self.take(staff, reference, assignee)
        except (NotFound, BadReference):
            return self._answer(chat_id, self._not_found(reference))
        except AlreadyClosed:
            return self._answer(
                chat_id, self._text(texts.STAFF_ALREADY_CLOSED, reference=reference)
            )
        answer = self._text(texts.STAFF_TAKEN, reference=followup.reference, name=assignee)
        return outs + self._answer(chat_id, answer)

    def _reopen(self, staff: Staff, chat_id: int, reference: str) -> list[Outgoing]:
        try:
            _, outs = self.reopen(staff, reference)
        except (NotFound, BadReference):
            return self._answer(chat_id, self._not_found(reference))
        return outs + self._answer(chat_id, self._text(texts.STAFF_REOPENED, reference=reference))

    def _ask_close_note(self, chat_id: int, reference: str) -> list[Outgoing]:
        try:
            followup = self.store.followup(reference)
        except (NotFound, BadReference):
            return self._answer(chat_id, self._not_found(reference))
        if followup.status == "closed":
            return self._answer(
                chat_id, self._text(texts.STAFF_ALREADY_CLOSED, reference=reference)
            )
        buttons = (
            (
                option(
                    self.posts.label(texts.STAFF_NO_NOTE_BUTTON), StaffButton("nonote", reference)
                ),
                option(self.posts.label(texts.STAFF_CANCEL), StaffCancel()),
            ),
        )
        ask = Reply(self._text(texts.STAFF_CLOSE_ASK, reference=reference), buttons)
        return [self.posts.queue(chat_id, ask, "prompt", followup.id)]

    def _close(
        self, staff: Staff, chat_id: int, reference: str, note: str | None
    ) -> list[Outgoing]:
        try:
            outs = self.close(staff, reference, note)
        except (NotFound, BadReference):
            return self._answer(chat_id, self._not_found(reference))
        except AlreadyClosed:
            return self._answer(
                chat_id, self._text(texts.STAFF_ALREADY_CLOSED, reference=reference)
            )
        said = note or self._text(texts.STAFF_NO_NOTE)
        return outs + self._answer(
            chat_id, self._text(texts.STAFF_CLOSED, reference=reference, note=said)
        )

    def _note(self, staff: Staff, chat_id: int, reference: str, text: str) -> list[Outgoing]:
        try:
            self.note(staff, reference, text)
        except (NotFound, BadReference):
            return self._answer(chat_id, self._not_found(reference))
        return self._answer(chat_id, self._text(texts.STAFF_NOTED, reference=reference))

    def _reply(self, staff: Staff, chat_id: int, reference: str, text: str) -> list[Outgoing]:
        try:
            _, followup = self.store.person_for(reference)
        except (NotFound, BadReference):
            return self._answer(chat_id, self._not_found(reference))
        if followup is not None and followup.status == "closed":
            draft = self.store.save_draft(reference, staff.id, text)
            buttons = (
                (
                    option(self.posts.label(texts.STAFF_REOPEN_SEND), StaffDraft(draft)),
                    option(self.posts.label(texts.STAFF_CANCEL), StaffCancel()),
                ),
            )
            ask = Reply(self._text(texts.STAFF_REOPEN_ASK, reference=reference), buttons)
            return [self.posts.queue(chat_id, ask, "answer")]
        outs = self.write_to_person(staff, reference, text)
        if outs is None:
            return self._answer(chat_id, self._text(texts.STAFF_NO_PERSON, reference=reference))
        user_id, _ = self.store.person_for(reference)
        if self.store.user(user_id).blocked:
            answer = self._text(texts.STAFF_NOT_DELIVERED, reference=reference)
        else:
            answer = self._text(texts.STAFF_SENT, reference=reference)
        return outs + self._answer(chat_id, answer)

    def _stats(self, staff: Staff) -> Markup:
        self.store.record_staff_action(staff.id, "stats", name=staff.name)
        kb = self.engine.kb
        blocks = []
        for days in (7, 30):
            stats = self.store.stats(days)
            topics = ", ".join(
                f"{_topic_name(kb, t.topic_id)} ({t.count})" for t in stats.top_topics
            )
            blocks.append(
                self._text(
                    texts.STAFF_STATS_BLOCK,
                    days=days,
                    conversations=stats.conversations,
                    messages=stats.messages_in,
                    new_users=stats.new_users,
                    topics=topics or "-",
                    helpful=stats.feedback_helpful,
                    unhelpful=stats.feedback_unhelpful,
                    opened=stats.followups_opened,
                    closed=stats.followups_closed,
                    open_now=stats.followups_open_now,
                    rated_good=stats.followups_rated_good,
                    rated_bad=stats.followups_rated_bad,
                )
            )
        return self._text(texts.STAFF_STATS, week=blocks[0], month=blocks[1])

    # --- helpers ----------------------------------------------------------------------------

    def _claim(self, update_id: int | None) -> bool:
        """Mark the update done in this transaction; False if it was handled before."""
        if update_id is None or self.store.claim_update(update_id):
            return True
        logger.info("update %s handled before", update_id)
        return False

    def _to_person(
        self,
        user_id: int,
        chat_id: int,
        replies,
        turn,
        *,
        kind: str,
        said: str | None = None,
        team: str | None = None,
    ) -> list[Outgoing]:
        """Queue the engine's replies for the person (on their transcript if kept) and save
        their new state; `said` is what the transcript records instead of the whole text;
        `team`, the reference staff wrote to (they are told if Telegram refuses the reply)."""
        store = self.store
        store.save_state(user_id, turn.state.to_json(), turn.step)
        outs = []
        message_id = None
        for number, reply in enumerate(replies):
            # Staff's words split in parts stay one message on the transcript, which each part
            # is linked to (the last to go gives it its status).
            if said is None or number == 0:
                message_id = store.record_outbound(user_id, said or reply.text, kind=kind)
            payload = reply_to_data(reply) | ({TEAM_KEY: team} if team else {})
            outbox_id = store.enqueue(user_id, payload, chat_id=chat_id, message_id=message_id)
            outs.append(Outgoing(reply, chat_id, outbox_id, user_id, team_reference=team))
        return outs

    def _answer(self, chat_id: int, text: str) -> list[Outgoing]:
        return [self.posts.queue(chat_id, Reply(str(text)), "answer")]

    def _text(self, name: str, /, **values: object) -> Markup:
        return self.posts.text(name, **values)

    def _not_found(self, reference: str) -> Markup:
        return self._text(texts.STAFF_NOT_FOUND, reference=reference)


def waited(since: datetime, now: datetime) -> str:
    """How long since, in the largest whole unit: 40 min, 5 h, 3 d."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} d"


def _topic_name(kb, topic_id: str) -> str:
    topic = kb.topic(topic_id)
    return topic.short_title if topic else topic_id
