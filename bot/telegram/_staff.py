"""The network team's desk in Telegram: follow-ups posted to the staff chat, and staff commands.

Only the Telegram user ids in STAFF_USER_IDS are staff. For anyone else these commands are
unknown commands like any other (the engine answers them).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode

from bot.service import Advisor, Outgoing
from bot.telegram._delivery import Deliverer, Delivery, with_retries
from bot.telegram._patience import patiently
from dialogues import Markup, Reply, fill, plain, split_text
from dialogues import edges as texts
from dialogues.actions import Staff, encode
from storage import AlreadyClosed, BadReference, FollowUp, NotFound, normalise_reference

logger = logging.getLogger(__name__)

COMMANDS = ("queue", "show", "reply", "note", "close", "stats", "staff")
STAFF_CHAT_POSTS_PER_MINUTE = 20  # Telegram's limit for a group is 20 messages a minute
TRANSCRIPT_MESSAGES = 60  # the newest messages shown by /show


class MinuteLimit:
    """At most `rate` events in any 60 seconds; waits (never drops) when the limit is reached."""

    def __init__(self, rate: int, clock=time.monotonic, sleep=asyncio.sleep):
        self.rate = rate
        self._clock = clock
        self._sleep = sleep
        self._times: deque[float] = deque()

    async def wait(self) -> None:
        """Return when one more event fits in the window."""
        while True:
            now = self._clock()
            while self._times and now - self._times[0] >= 60:
                self._times.popleft()
            if len(self._times) < self.rate:
                self._times.append(now)
                return
            await self._sleep(60 - (now - self._times[0]) + 0.01)


class StaffDesk:
    """Staff commands, staff-chat replies and follow-up notices."""

    def __init__(
        self,
        bot: Bot,
        advisor: Advisor,
        deliverer: Deliverer,
        staff_ids: frozenset[int],
        staff_chat_id: int | None,
    ):
        self.bot = bot
        self.advisor = advisor
        self.store = advisor.store
        self.deliverer = deliverer
        self.staff_ids = staff_ids
        self.chat_id = staff_chat_id
        self.dialogues = advisor.engine.dialogues
        self._posts = MinuteLimit(STAFF_CHAT_POSTS_PER_MINUTE)

    def is_staff(self, user_id: int) -> bool:
        """Whether a Telegram user is on the staff list."""
        return user_id in self.staff_ids

    def _text(self, name: str, **values: object) -> Markup:
        return fill(self.dialogues.text(name), **values)

    # --- notices to the staff chat ----------------------------------------------------------

    async def notify(self, followup: FollowUp) -> None:
        """Post a new follow-up to the staff chat, with buttons, and remember the post."""
        if self.chat_id is None:
            logger.info("follow-up %s opened (no staff chat configured)", followup.reference)
            return
        text = self._text(
            texts.STAFF_FOLLOWUP,
            reference=followup.reference,
            note=followup.note,
            contact=followup.contact,
            user=f"#{followup.user_id}",
            when=f"{followup.created_at:%d %b %H:%M}",
        )
        buttons = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        self.dialogues.label(texts.STAFF_SHOW),
                        callback_data=encode(Staff("show", followup.reference)),
                    ),
                    InlineKeyboardButton(
                        self.dialogues.label(texts.STAFF_CLOSE),
                        callback_data=encode(Staff("close", followup.reference)),
                    ),
                ]
            ]
        )
        message = await self._post(self.chat_id, text, buttons)
        if message is not None:
            await patiently(
                self.store.link_staff_message,
                self.chat_id,
                message.message_id,
                followup.reference,
                what="noting a staff post",
            )

    async def remove_posts(self, posts: Sequence[tuple[int, int]]) -> None:
        """Delete staff-chat notices about a user who asked to be forgotten (best effort)."""
        for chat_id, message_id in posts:
            try:
                await with_retries(
                    lambda c=chat_id, m=message_id: self.bot.delete_message(c, m), "delete post"
                )
            except Exception as error:  # e.g. older than 48 hours: Telegram refuses
                logger.warning("could not delete a staff post: %s", type(error).__name__)

    async def _post(
        self, chat_id: int, text: str, buttons: InlineKeyboardMarkup | None = None
    ) -> Message | None:
        """Send to a staff member or the staff chat, within the group rate limit."""
        last = None
        for part in split_text(text):
            if chat_id == self.chat_id:
                await self._posts.wait()
            try:
                last = await with_retries(
                    lambda part=part: self.bot.send_message(
                        chat_id, part, parse_mode=ParseMode.HTML, reply_markup=buttons
                    ),
                    "staff post",
                )
            except Exception as error:  # a staff post must never break a user's turn
                logger.error("staff post to %s failed: %s", chat_id, type(error).__name__)
                return None
        return last

    # --- commands -------------------------------------------------------------------------------

    async def command(
        self, staff_id: int, chat_id: int, name: str, args: str, update_id: int | None = None
    ) -> None:
        """Run a staff command and answer in the chat it came from.

        What the command records is committed with the update marked done, so a command
        Telegram delivers again (or one replayed after a crash) has no second effect.
        """
        words = args.split(maxsplit=1)
        typed = words[0] if words else ""
        reference = normalise_reference(typed) or ""
        rest = words[1] if len(words) > 1 else ""
        if typed and not reference and name in ("show", "reply", "note", "close"):
            answer = self._text(texts.STAFF_NOT_FOUND, reference=_short(typed, 30))
        elif name == "queue":
            answer = await self._once(update_id, self._queue, staff_id)
        elif name == "stats":
            answer = await self._once(update_id, self._stats, staff_id)
        elif name == "show" and reference:
            answer = await self._once(update_id, self._show, staff_id, reference)
        elif name == "reply" and reference and rest:
            answer = await self._reply(staff_id, reference, rest, update_id)
        elif name == "note" and reference and rest:
            answer = await self._once(update_id, self._note, staff_id, reference, rest)
        elif name == "close" and reference:
            answer = await self._once(update_id, self._close, staff_id, reference, rest or None)
        else:
            answer = self._text(texts.STAFF_USAGE)
        if answer is not None:
            await self._post(chat_id, answer)

    async def _once(self, update_id: int | None, work, *args: object) -> Markup | None:
        """Run a command's storage work with its update marked done, in one transaction
        (waiting out storage faults); None if the update was handled before."""

        def run() -> Markup | None:
            with self.store.transaction():
                if update_id is not None and not self.store.claim_update(update_id):
                    logger.info("update %s handled before", update_id)
                    return None
                return work(*args)

        return await patiently(run, what="a staff command")

    async def button(
        self, staff_id: int, chat_id: int, action: Staff, update_id: int | None = None
    ) -> None:
        """A button under a follow-up notice: show or close that follow-up."""
        await self.command(staff_id, chat_id, action.verb, action.reference, update_id)

    async def reply_to_notice(
        self, staff_id: int, chat_id: int, notice_id: int, text: str, update_id: int | None = None
    ) -> bool:
        """A staff member replied to a follow-up notice: send their words to the user."""
        reference = await patiently(
            self.store.reference_for_staff_message, chat_id, notice_id, what="a staff reply"
        )
        if reference is None:
            return False
        answer = await self._reply(staff_id, reference, text, update_id)
        if answer is not None:
            await self._post(chat_id, answer)
        return True

    def _queue(self, staff_id: int) -> Markup:
        followups = self.store.followup_queue("open")
        self.store.record_staff_action(staff_id, "queue")
        if not followups:
            return self._text(texts.STAFF_QUEUE_EMPTY)
        items = Markup(
            "\n".join(
                self._text(
                    texts.STAFF_QUEUE_LINE,
                    reference=f.reference,
                    when=f"{f.created_at:%d %b}",
                    note=_short(f.note, 120),
                )
                for f in followups
            )
        )
        return self._text(texts.STAFF_QUEUE, count=len(followups), items=items)

    def _show(self, staff_id: int, reference: str) -> Markup:
        try:
            messages = self.store.transcript(reference)
        except (NotFound, BadReference):
            return self._text(texts.STAFF_NOT_FOUND, reference=reference)
        self.store.record_staff_action(staff_id, "show", reference)
        try:
            followup = self.store.followup(reference)
            status, note, contact = followup.status, followup.note, followup.contact
        except (NotFound, BadReference):
            status, note, contact = self._text(texts.STAFF_CONVERSATION), "-", "-"
        who = {
            "in": self._text(texts.STAFF_WHO_USER),
            "out": self._text(texts.STAFF_WHO_BOT),
            "staff": self._text(texts.STAFF_WHO_TEAM),
        }
        lines = [
            self._text(
                texts.STAFF_TRANSCRIPT_LINE,
                when=f"{m.at:%d %b %H:%M}",
                who=who["staff" if m.kind == "staff" else m.direction],
                text=_short(plain(m.text) if m.direction == "out" else m.text, 600),
            )
            for m in messages[-TRANSCRIPT_MESSAGES:]
        ]
        body = Markup("\n".join(lines)) if lines else self._text(texts.STAFF_NO_TRANSCRIPT)
        return self._text(
            texts.STAFF_TRANSCRIPT,
            reference=reference,
            status=status,
            note=note,
            contact=contact,
            lines=body,
        )

    async def _reply(
        self, staff_id: int, reference: str, text: str, update_id: int | None = None
    ) -> Markup | None:
        reply = Reply(self._text(texts.STAFF_TO_USER, reference=reference, text=text))

        def queue() -> Outgoing | Markup | None:
            with self.store.transaction():
                try:
                    followup = self.store.followup(reference)
                except (NotFound, BadReference):
                    return self._text(texts.STAFF_NOT_FOUND, reference=reference)
                outgoing = self.advisor.say(followup.user_id, reply, update_id=update_id)
                if outgoing is not None:
                    self.store.record_staff_action(staff_id, "reply", reference)
                return outgoing

        queued = await patiently(queue, what="a staff reply")
        if not isinstance(queued, Outgoing):
            return queued  # not found, or handled before
        result = await self.deliverer.deliver(queued)
        if result is Delivery.SENT:
            return self._text(texts.STAFF_SENT, reference=reference)
        if result is Delivery.BLOCKED:
            return self._text(texts.STAFF_NOT_DELIVERED, reference=reference)
        if result is Delivery.FAILED:
            return self._text(
                texts.STAFF_REFUSED, reference=reference, reason=self.deliverer.last_refusal
            )
        return self._text(texts.STAFF_NOT_YET, reference=reference)

    def _note(self, staff_id: int, reference: str, text: str) -> Markup:
        try:
            self.store.add_staff_note(reference, staff_id, text)
        except (NotFound, BadReference):
            return self._text(texts.STAFF_NOT_FOUND, reference=reference)
        return self._text(texts.STAFF_NOTED, reference=reference)

    def _close(self, staff_id: int, reference: str, note: str | None) -> Markup:
        try:
            self.store.close_followup(reference, staff_id, note)
        except (NotFound, BadReference):
            return self._text(texts.STAFF_NOT_FOUND, reference=reference)
        except AlreadyClosed:
            return self._text(texts.STAFF_ALREADY_CLOSED, reference=reference)
        return self._text(texts.STAFF_CLOSED, reference=reference)

    def _stats(self, staff_id: int) -> Markup:
        self.store.record_staff_action(staff_id, "stats")
        kb = self.advisor.engine.kb
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
                )
            )
        return self._text(texts.STAFF_STATS, week=blocks[0], month=blocks[1])


def _topic_name(kb, topic_id: str) -> str:
    topic = kb.topic(topic_id)
    return topic.short_title if topic else topic_id


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_staff_command(name: str, commands: Sequence[str] = COMMANDS) -> bool:
    """Whether a command name is one of the staff commands."""
    return name in commands
