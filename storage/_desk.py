"""The staff desk's records: a follow-up's stage and assignee, staff posts, drafts.

A mixin of Store (it uses the Store's connection, lock and helpers); the SQL lives here so the
Store's own file keeps to the person's side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storage._clock import as_text, from_text
from storage._errors import AlreadyClosed, NotFound
from storage._records import FOLLOWUP_STAGES, POST_KINDS, FollowUp, Queued
from storage._references import is_session_reference
from storage._text import dump_json, safe_text

if TYPE_CHECKING:
    from storage._store import Store

# Which follow-ups a queue page lists: every open one, one person's, or nobody's yet.
QUEUE_FILTERS = ("open", "mine", "new")
NAME_CHARS = 100


def _require(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}; got {value!r}")


class DeskRecords:
    """Store methods for the staff desk (mixed into Store)."""

    def take_followup(
        self: Store, reference: str, assignee: str, staff_id: int | None, by: str | None
    ) -> FollowUp:
        """Give an open follow-up to `assignee` (a staff name); audited as "take"."""
        with self.transaction():
            followup_id, status = self._followup_id(reference)
            if status == "closed":
                raise AlreadyClosed(f"follow-up {reference} is closed")
            self.db.execute(
                "UPDATE followups SET assigned_to = ?, updated_at = ?,"
                " stage = CASE stage WHEN 'new' THEN 'taken' ELSE stage END WHERE id = ?",
                (safe_text(assignee, NAME_CHARS), as_text(self._now()), followup_id),
            )
            self.record_staff_action(staff_id, "take", reference, f"to {assignee}", name=by)
            return self.followup(reference)

    def set_followup_stage(self: Store, reference: str, stage: str) -> FollowUp:
        """Move an open follow-up on: waiting (the team wrote) or answered (the person did)."""
        _require(stage, FOLLOWUP_STAGES, "stage")
        with self.transaction():
            followup_id, _ = self._followup_id(reference)
            self.db.execute(
                "UPDATE followups SET stage = ?, updated_at = ? WHERE id = ? AND status = 'open'",
                (stage, as_text(self._now()), followup_id),
            )
            return self.followup(reference)

    def reopen_followup(
        self: Store,
        reference: str,
        staff_id: int | None = None,
        by: str | None = None,
        stage: str | None = None,
    ) -> FollowUp:
        """Open a closed follow-up again (by staff, audited; or by the person writing back).

        Its stage becomes `stage`, or taken/new depending on whether someone has it.
        """
        with self.transaction():
            followup_id, status = self._followup_id(reference)
            if status == "closed":
                self.db.execute(
                    "UPDATE followups SET status = 'open', closed_at = NULL, closed_by = NULL,"
                    " closed_by_login = NULL, close_note = NULL, updated_at = ?,"
                    " stage = coalesce(?, CASE WHEN assigned_to IS NULL THEN 'new'"
                    " ELSE 'taken' END) WHERE id = ?",
                    (as_text(self._now()), stage, followup_id),
                )
                self._count("followups_reopened")
                if staff_id is not None or by is not None:
                    self.record_staff_action(staff_id, "reopen", reference, name=by)
            return self.followup(reference)

    def rate_followup(self: Store, reference: str, helpful: bool) -> None:
        """The person said how the follow-up went (counted for staff, kept on the follow-up)."""
        with self.transaction():
            followup_id, _ = self._followup_id(reference)
            self.db.execute(
                "UPDATE followups SET rating = ? WHERE id = ?", (int(helpful), followup_id)
            )
            self._count("followup_helpful" if helpful else "followup_unhelpful")

    def followup_page(
        self: Store,
        which: str = "open",
        assignee: str | None = None,
        offset: int = 0,
        limit: int = 10,
    ) -> tuple[list[FollowUp], int]:
        """A page of open follow-ups (all, `assignee`'s, or nobody's), oldest first; and how
        many there are in all."""
        _require(which, QUEUE_FILTERS, "which")
        where, params = "status = 'open'", []
        if which == "mine":
            where += " AND assigned_to = ?"
            params.append(assignee or "")
        elif which == "new":
            where += " AND assigned_to IS NULL"
        total = self._row(f"SELECT count(*) AS n FROM followups WHERE {where}", params)
        rows = self._rows(
            f"SELECT * FROM followups WHERE {where} ORDER BY created_at, id LIMIT ? OFFSET ?",
            [*params, max(1, limit), max(0, offset)],
        )
        return self._followups(rows), int(total["n"]) if total else 0

    def person_for(self: Store, reference: str) -> tuple[int, FollowUp | None]:
        """Who a reference leads to: (user id, the follow-up if it is one); NotFound if none."""
        from storage._store import _reference  # the shared reference check

        ref = _reference(reference)
        if is_session_reference(ref):
            row = self._row("SELECT user_id FROM sessions WHERE reference = ?", (ref,))
            if row is None:
                raise NotFound(f"no conversation {ref}")
            return int(row["user_id"]), None
        followup = self.followup(ref)
        return followup.user_id, followup

    def open_followup_of(self: Store, user_id: int) -> FollowUp | None:
        """The person's newest open follow-up, if they have one."""
        row = self._row(
            "SELECT * FROM followups WHERE user_id = ? AND status = 'open'"
            " ORDER BY created_at DESC, id DESC LIMIT 1",
            (user_id,),
        )
        return None if row is None else self._followups([row])[0]

    # --- staff-side outbox rows ----------------------------------------------------------

    def enqueue_post(
        self: Store,
        chat_id: int,
        payload: dict[str, Any],
        *,
        post: str,
        followup_id: int | None = None,
        edit_message_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        """Queue a message for staff (the staff chat, or one of them); its outbox id."""
        _require(post, POST_KINDS, "post")
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO outbox (chat_id, payload, created_at, followup_id, post,"
                " edit_message_id, reply_to_message_id, handover) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    chat_id,
                    dump_json(payload),
                    as_text(self._now()),
                    followup_id,
                    post,
                    edit_message_id,
                    reply_to_message_id,
                    int(self.handover),
                ),
            )
            return int(cursor.lastrowid or 0)

    def link_post(
        self: Store, chat_id: int, message_id: int, followup_id: int, purpose: str
    ) -> None:
        """A staff-chat post about a follow-up went out as this message (replies find it)."""
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO staff_messages (chat_id, message_id, followup_id, purpose)"
                " SELECT ?, ?, id, ? FROM followups WHERE id = ?",
                (chat_id, message_id, purpose, followup_id),
            )

    def link_thread_post(self: Store, chat_id: int, message_id: int, user_id: int) -> None:
        """What a person wrote in a conversation the team opened went out as this staff-chat
        message: remembered by person, so that /forget deletes it there too."""
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO thread_posts (chat_id, message_id, user_id)"
                " SELECT ?, ?, id FROM users WHERE id = ?",
                (chat_id, message_id, user_id),
            )

    def queued_notice(self: Store, followup_id: int) -> int | None:
        """The outbox id of a follow-up's notice not yet sent, if there is one."""
        row = self._row(
            "SELECT id FROM outbox WHERE followup_id = ? AND post = 'notice' ORDER BY id LIMIT 1",
            (followup_id,),
        )
        return None if row is None else int(row["id"])

    def replace_payload(self: Store, outbox_id: int, payload: dict[str, Any]) -> None:
        """Change what a queued message will say (a notice whose status changed before it went)."""
        with self.transaction():
            self.db.execute(
                "UPDATE outbox SET payload = ? WHERE id = ?", (dump_json(payload), outbox_id)
            )

    def staff_message_ids(
        self: Store, followup_id: int, purpose: str = "notice"
    ) -> list[tuple[int, int]]:
        """(chat id, message id) of the staff-chat messages of one purpose about a follow-up."""
        rows = self._rows(
            "SELECT chat_id, message_id FROM staff_messages WHERE followup_id = ? AND purpose = ?"
            " ORDER BY message_id",
            (followup_id, purpose),
        )
        return [(row["chat_id"], row["message_id"]) for row in rows]

    def staff_message(self: Store, chat_id: int, message_id: int) -> tuple[str, str] | None:
        """(reference, purpose) of a staff-chat message the bot sent about a follow-up."""
        row = self._row(
            "SELECT f.reference, sm.purpose FROM staff_messages sm"
            " JOIN followups f ON f.id = sm.followup_id"
            " WHERE sm.chat_id = ? AND sm.message_id = ?",
            (chat_id, message_id),
        )
        return None if row is None else (row["reference"], row["purpose"])

    # --- chats Telegram moved (a group upgraded to a supergroup) ---------------------------

    def move_chat(self: Store, chat_id: int, moved_to: int) -> int:
        """Telegram moved a chat to a new id: remember it, and point what is queued for the
        old id at the new one; how many queued messages were moved."""
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO chat_moves (chat_id, moved_to, at) VALUES (?, ?, ?)",
                (chat_id, moved_to, as_text(self._now())),
            )
            cursor = self.db.execute(
                "UPDATE outbox SET chat_id = ? WHERE chat_id = ?", (moved_to, chat_id)
            )
            return cursor.rowcount

    def chat_now(self: Store, chat_id: int) -> int:
        """The id a chat has now, after every move Telegram told us of (itself if none)."""
        seen = {chat_id}
        while (
            row := self._row("SELECT moved_to FROM chat_moves WHERE chat_id = ?", (chat_id,))
        ) is not None and row["moved_to"] not in seen:
            chat_id = row["moved_to"]
            seen.add(chat_id)
        return chat_id

    # --- drafts: a reply to a closed follow-up, waiting for "reopen and send?" -------------

    def save_draft(self: Store, reference: str, staff_id: int | None, text: str) -> int:
        """Keep a reply until staff say whether to reopen; its id."""
        with self.transaction():
            followup_id, _ = self._followup_id(reference)
            cursor = self.db.execute(
                "INSERT INTO staff_drafts (followup_id, staff_id, text, at) VALUES (?, ?, ?, ?)",
                (followup_id, staff_id, safe_text(text), as_text(self._now())),
            )
            return int(cursor.lastrowid or 0)

    def pop_draft(self: Store, draft_id: int) -> tuple[str, str] | None:
        """(reference, text) of a draft, deleting it; None if it is gone."""
        with self.transaction():
            row = self._row(
                "DELETE FROM staff_drafts WHERE id = ? RETURNING followup_id, text", (draft_id,)
            )
            if row is None:
                return None
            ref = self._row("SELECT reference FROM followups WHERE id = ?", (row["followup_id"],))
            return (ref["reference"], row["text"]) if ref else None


def queued(row: dict[str, Any], payload: dict[str, Any]) -> Queued:
    """An outbox row as a Queued record."""
    return Queued(
        id=row["id"],
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        message_id=row["message_id"],
        payload=payload,
        created_at=from_text(row["created_at"]),
        attempts=row["attempts"],
        followup_id=row.get("followup_id"),
        post=row.get("post"),
        edit_message_id=row.get("edit_message_id"),
        reply_to_message_id=row.get("reply_to_message_id"),
    )


__all__ = ["QUEUE_FILTERS", "DeskRecords", "queued"]
