"""Erasing people and old records: /forget and the retention purge."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlite_utils import Database


class _Deleter:
    """Runs DELETEs with one set of named parameters and tallies rows per table."""

    def __init__(self, db: Database, params: dict[str, Any]):
        self.db = db
        self.params = params
        self.counts: Counter[str] = Counter()

    def delete(self, table: str, where: str) -> int:
        if table == "messages":
            # The messages_ad trigger takes what people wrote out of the search index too.
            indexed = f"({where}) AND (direction = 'in' OR kind = 'staff')"
            (searchable,) = self.db.execute(
                f"SELECT count(*) FROM messages WHERE {indexed}", self.params
            ).fetchone()
            self.counts["messages_fts"] += searchable
        deleted = self.db.execute(f"DELETE FROM {table} WHERE {where}", self.params).rowcount
        self.counts[table] += deleted
        return deleted


def erase_users(db: Database, selection: str, params: dict[str, Any]) -> Counter[str]:
    """Delete every row about the users whose ids `selection` (a SQL subquery) returns.

    Children go first so that the tally per table is exact; foreign keys would cascade anyway.
    Staff actions carry a reference, not a user id: those naming the users' follow-ups or
    sessions go too.
    """
    run = _Deleter(db, params)
    followups = f"SELECT id FROM followups WHERE user_id IN ({selection})"
    references = (
        f"SELECT reference FROM followups WHERE user_id IN ({selection}) "
        f"UNION SELECT reference FROM sessions WHERE user_id IN ({selection})"
    )
    run.delete("staff_actions", f"reference IN ({references})")
    run.delete("staff_messages", f"followup_id IN ({followups})")
    run.delete("thread_posts", f"user_id IN ({selection})")
    run.delete("staff_notes", f"followup_id IN ({followups})")
    run.delete("staff_drafts", f"followup_id IN ({followups})")
    run.delete("outbox", f"followup_id IN ({followups})")
    run.delete("followups", f"user_id IN ({selection})")
    run.delete("feedback", f"user_id IN ({selection})")
    run.delete("assessments", f"user_id IN ({selection})")
    run.delete("messages", f"user_id IN ({selection})")
    run.delete("sessions", f"user_id IN ({selection})")
    run.delete("states", f"user_id IN ({selection})")
    run.delete("inbound_updates", f"user_id IN ({selection})")
    run.delete("outbox", f"user_id IN ({selection})")
    # A staff post of their words in a conversation the team opened, not yet sent (its row
    # is the staff chat's; the person is named in the payload, bot/service.py ABOUT_KEY).
    run.delete("outbox", f"json_extract(payload, '$.about') IN ({selection})")
    run.delete("users", f"id IN ({selection})")
    return run.counts


def erase_transcripts(db: Database, selection: str, params: dict[str, Any]) -> Counter[str]:
    """Delete the messages, sessions, assessments and feedback of the selected users."""
    run = _Deleter(db, params)
    run.delete("messages", f"user_id IN ({selection})")
    run.delete("sessions", f"user_id IN ({selection})")
    run.delete("assessments", f"user_id IN ({selection})")
    run.delete("feedback", f"user_id IN ({selection})")
    return run.counts


# Users whose follow-up staff still need: open, or closed less than the retention period ago.
# Their rows (the conversation staff act on) stay until the follow-up has been closed that long.
_NEEDED_BY_STAFF = "SELECT user_id FROM followups WHERE status = 'open' OR closed_at >= :cutoff"


def purge_before(db: Database, cutoff: str, updates_cutoff: str) -> Counter[str]:
    """Delete what is older than `cutoff` (a stored time); anonymous counts stay.

    Users not seen since then go with all their rows; then old sessions and messages, follow-ups
    closed before it, feedback and staff actions; inbound update ids before `updates_cutoff`.
    A follow-up that is open, or was closed after `cutoff`, keeps its user and everything staff
    read to act on it (the whole transcript, the audit trail), however old.
    """
    params = {"cutoff": cutoff, "updates_cutoff": updates_cutoff}
    counts = erase_users(
        db,
        f"SELECT id FROM users WHERE last_seen < :cutoff AND id NOT IN ({_NEEDED_BY_STAFF})",
        params,
    )
    run = _Deleter(db, params)
    old_closed = "SELECT id FROM followups WHERE status = 'closed' AND closed_at < :cutoff"
    needed_references = (
        f"SELECT reference FROM followups WHERE user_id IN ({_NEEDED_BY_STAFF})"
        f" UNION SELECT reference FROM sessions WHERE user_id IN ({_NEEDED_BY_STAFF})"
    )
    run.delete(
        "staff_actions",
        f"reference IN (SELECT reference FROM followups WHERE id IN ({old_closed}))"
        f" AND reference NOT IN ({needed_references})",
    )
    run.delete("staff_messages", f"followup_id IN ({old_closed})")
    run.delete("staff_notes", f"followup_id IN ({old_closed})")
    run.delete("staff_drafts", f"followup_id IN ({old_closed})")
    run.delete("outbox", f"followup_id IN ({old_closed})")
    run.delete("followups", f"id IN ({old_closed})")
    unneeded = f"user_id NOT IN ({_NEEDED_BY_STAFF})"
    old_sessions = f"SELECT id FROM sessions WHERE last_at < :cutoff AND {unneeded}"
    run.delete("messages", f"session_id IN ({old_sessions})")
    run.delete("messages", f"at < :cutoff AND {unneeded}")
    run.delete("sessions", f"last_at < :cutoff AND {unneeded}")
    # A session that straddles the cutoff keeps its recent messages; keep its tally true.
    db.execute(
        "UPDATE sessions SET message_count ="
        " (SELECT count(*) FROM messages WHERE messages.session_id = sessions.id)"
        f" WHERE started_at < :cutoff AND {unneeded}",
        params,
    )
    run.delete("feedback", f"at < :cutoff AND {unneeded}")
    run.delete(
        "staff_actions",
        f"at < :cutoff AND (reference IS NULL OR reference NOT IN ({needed_references}))",
    )
    run.delete("inbound_updates", "seen_at < :updates_cutoff")
    run.delete("erased_updates", "seen_at < :updates_cutoff")
    run.delete("inbox", "status != 'new' AND received_at < :updates_cutoff")
    counts.update(run.counts)
    return counts


def compact_search_index(db: Database) -> None:
    """Merge the full-text index so deleted text leaves no trace in its segments."""
    db.execute("INSERT INTO messages_fts (messages_fts) VALUES ('optimize')")
