"""Conversations put on file the way the bot puts them there, for tests that need one.

Storage has one write path: what a person sends is recorded with the state it leaves them in
(Store.record_turn), a reply is queued with its transcript row and marked when delivered
(Store.dequeue). These helpers drive those methods, not ones only tests would call.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from storage import Inbound, Store


def said(
    store: Store,
    user_id: int,
    text: str,
    kind: str = "text",
    *,
    update_id: int | None = None,
    matched: Iterable[str] = (),
    step: str | None = None,
    state: dict[str, Any] | None = None,
) -> int | None:
    """The user sent `text`, answered by nothing: recorded as the bot records an event, with
    `state` (else the one they had) saved with it. The message's id, or None if not kept."""
    with store.transaction():
        before = _newest_inbound(store, user_id)
        if state is None:
            state = store.load_state(user_id) or {}
        store.record_turn(user_id, Inbound(text, kind, update_id, tuple(matched), step), state)
        after = _newest_inbound(store, user_id)
    return after if after != before else None


def replied(store: Store, user_id: int, text: str, kind: str = "text") -> tuple[int | None, int]:
    """A reply queued for the user as the bot queues one (on the transcript if kept, and in
    the outbox, pending): its message id (None if not kept) and outbox id, for Store.dequeue."""
    with store.transaction():
        message_id = store.record_outbound(user_id, text, kind=kind)
        chat_id = store.user(user_id).chat_id
        outbox_id = store.enqueue(user_id, {"text": text}, chat_id=chat_id, message_id=message_id)
    return message_id, outbox_id


def _newest_inbound(store: Store, user_id: int) -> int | None:
    row = store.db.execute(
        "SELECT max(id) FROM messages WHERE user_id = ? AND direction = 'in'", (user_id,)
    ).fetchone()
    return row[0]
