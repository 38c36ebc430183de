"""What the staff chat is told about follow-ups: the notice (edited as its status changes) and
what the person says in a thread, each queued in the outbox with the change that caused it."""

from __future__ import annotations

from datetime import datetime

from bot.service import ABOUT_KEY, Outgoing
from dialogues import (
    Dialogues,
    Markup,
    Reply,
    SafetyInThread,
    ThreadEnded,
    ThreadMessage,
    ThreadRated,
    fill,
    reply_to_data,
    shorten,
)
from dialogues import edges as texts
from dialogues.actions import Staff as StaffButton
from dialogues.actions import option
from storage import BadReference, FollowUp, NotFound, Store


def when(moment: datetime) -> str:
    """A time as staff read it: 03 Mar 14:05 (UTC)."""
    return f"{moment:%d %b %H:%M}"


class StaffPosts:
    """Posts for the staff chat; every method runs inside the caller's transaction."""

    def __init__(
        self, store: Store, dialogues: Dialogues, chat_id: int | None, quiet_hours: int = 72
    ):
        self.store = store
        self.dialogues = dialogues
        self.chat_id = chat_id
        self.quiet_hours = quiet_hours

    def text(self, name: str, /, **values: object) -> Markup:
        """A staff text from messages.yaml, filled (values escaped)."""
        return fill(self.dialogues.text(name), **values)

    def label(self, name: str) -> str:
        """A staff button label from messages.yaml."""
        return self.dialogues.label(name)

    def status(self, followup: FollowUp) -> Markup:
        """Where a follow-up is and who has it, e.g. "🙋 taken, with sam"."""
        stage = self.text(texts.STAFF_STAGES[followup.progress])
        who = followup.closed_by_name if followup.status == "closed" else followup.assigned_to
        holder = self.text(texts.STAFF_WITH, name=who) if who else self.text(texts.STAFF_NOBODY)
        return self.text(texts.STAFF_STATUS, stage=stage, who=holder)

    def notice(self, followup: FollowUp) -> Reply:
        """The follow-up's post in the staff chat, as it should read now."""
        ref = followup.reference
        show = option(self.label(texts.STAFF_SHOW), StaffButton("show", ref))
        if followup.status == "closed":
            text = self.text(
                texts.STAFF_FOLLOWUP_CLOSED,
                reference=ref,
                when=when(followup.created_at),
                note=followup.note,
                status=self.status(followup),
                close_note=followup.close_note or self.text(texts.STAFF_NO_NOTE),
            )
            return Reply(text, ((show,),))
        text = self.text(
            texts.STAFF_FOLLOWUP,
            reference=ref,
            when=when(followup.created_at),
            note=followup.note,
            contact=followup.contact,
            status=self.status(followup),
        )
        buttons = (
            option(self.label(texts.STAFF_TAKE), StaffButton("take", ref)),
            show,
            option(self.label(texts.STAFF_CLOSE), StaffButton("close", ref)),
        )
        return Reply(text, (buttons,))

    def announce(self, followup: FollowUp) -> list[Outgoing]:
        """Queue the notice of a new follow-up."""
        if self.chat_id is None:
            return []
        return [self.queue(self.chat_id, self.notice(followup), "notice", followup.id)]

    def refresh(self, followup: FollowUp) -> list[Outgoing]:
        """The follow-up's status changed: edit its notice (or the queued one, if not yet sent)."""
        reply = self.notice(followup)
        sent = self.store.staff_message_ids(followup.id)  # linked as soon as Telegram has it
        if not sent:
            waiting = self.store.queued_notice(followup.id)
            if waiting is not None:
                self.store.replace_payload(waiting, reply_to_data(reply))
            return []
        return [
            self.queue(chat_id, reply, "edit", followup.id, edit=message_id)
            for chat_id, message_id in sent
        ]

    def to_chat(
        self,
        text: str,
        followup: FollowUp | None = None,
        purpose: str = "answer",
        about: int | None = None,
    ) -> list[Outgoing]:
        """A line for the staff chat, under the follow-up's notice when there is one; `about`:
        the person whose words it carries, remembered for /forget when no follow-up is."""
        if self.chat_id is None:
            return []
        reply_to = None
        if followup is not None:
            notices = self.store.staff_message_ids(followup.id)
            reply_to = notices[0][1] if notices else None
        followup_id = followup.id if followup is not None else None
        about = about if followup is None else None
        return [
            self.queue(
                self.chat_id, Reply(text), purpose, followup_id, reply_to=reply_to, about=about
            )
        ]

    def person_said(self, user_id: int, effect: object) -> list[Outgoing]:
        """Something the person did in a thread, for the staff chat (and the follow-up)."""
        followup = self._followup(effect.reference)  # type: ignore[attr-defined]
        ref = effect.reference  # type: ignore[attr-defined]
        if isinstance(effect, ThreadMessage):
            outs: list[Outgoing] = []
            reopened = False
            if followup is not None:
                reopened = followup.status == "closed"
                if reopened:
                    followup = self.store.reopen_followup(ref, stage="answered")
                else:
                    followup = self.store.set_followup_stage(ref, "answered")
                outs += self.refresh(followup)
            name = texts.STAFF_THREAD_REOPENED if reopened else texts.STAFF_THREAD_IN
            words = shorten(effect.text, 3000)
            return outs + self.to_chat(
                self.text(name, reference=ref, text=words), followup, "thread", about=user_id
            )
        if isinstance(effect, SafetyInThread):
            words = shorten(effect.text, 3000)
            line = self.text(texts.STAFF_THREAD_SAFETY, reference=ref, kind=effect.kind, text=words)
            return self.to_chat(line, followup, "thread")
        if isinstance(effect, ThreadEnded):
            if effect.why == "person":
                line = self.text(texts.STAFF_THREAD_LEFT, reference=ref)
            else:
                line = self.text(texts.STAFF_THREAD_QUIET, reference=ref, hours=self.quiet_hours)
            return self.to_chat(line, followup)
        if isinstance(effect, ThreadRated) and followup is not None:
            self.store.rate_followup(ref, effect.helpful)
            rating = self.label(texts.RATE_GOOD if effect.helpful else texts.RATE_BAD)
            return self.to_chat(
                self.text(texts.STAFF_RATED, reference=ref, rating=rating), followup
            )
        return []

    def queue(
        self,
        chat_id: int,
        reply: Reply,
        post: str,
        followup_id: int | None = None,
        *,
        edit: int | None = None,
        reply_to: int | None = None,
        about: int | None = None,
    ) -> Outgoing:
        """Put a staff message in the outbox; what the adapter is to send."""
        outbox_id = self.store.enqueue_post(
            chat_id,
            reply_to_data(reply) | ({ABOUT_KEY: about} if about is not None else {}),
            post=post,
            followup_id=followup_id,
            edit_message_id=edit,
            reply_to_message_id=reply_to,
        )
        return Outgoing(
            reply, chat_id, outbox_id, None, post, followup_id, edit, reply_to, about_user_id=about
        )

    def _followup(self, reference: str) -> FollowUp | None:
        try:
            return self.store.followup(reference)
        except (NotFound, BadReference):
            return None  # a conversation (C-…), or a follow-up since forgotten
