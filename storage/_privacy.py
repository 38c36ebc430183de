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
    run.delete("staff_notes", f"followup_id IN ({followups})")
    run.delete("followups", f"user_id IN ({selection})")
    run.delete("feedback", f"user_id IN ({selection})")
    run.delete("assessments", f"user_id IN ({selection})")
    run.delete("messages", f"user_id IN ({selection})")
    run.delete("sessions", f"user_id IN ({selection})")
    run.delete("states", f"user_id IN ({selection})")
    run.delete("inbound_updates", f"user_id IN ({selection})")
    run.delete("outbox", f"user_id IN ({selection})")
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


def purge_before(db: Database, cutoff: str, updates_cutoff: str) -> Counter[str]:
    """Delete what is older than `cutoff` (a stored time); anonymous counts stay.

    Users not seen since then go with all their rows; then old sessions and messages, follow-ups
    closed before it, feedback and staff actions; inbound update ids before `updates_cutoff`.
    """
    params = {"cutoff": cutoff, "updates_cutoff": updates_cutoff}
    counts = erase_users(db, "SELECT id FROM users WHERE last_seen < :cutoff", params)
    run = _Deleter(db, params)
    old_closed = "SELECT id FROM followups WHERE status = 'closed' AND closed_at < :cutoff"
    run.delete(
        "staff_actions",
        f"reference IN (SELECT reference FROM followups WHERE id IN ({old_closed}))",
    )
    run.delete("staff_messages", f"followup_id IN ({old_closed})")
    run.delete("staff_notes", f"followup_id IN ({old_closed})")
    run.delete("followups", f"id IN ({old_closed})")
    old_sessions = "SELECT id FROM sessions WHERE last_at < :cutoff"
    run.delete("messages", f"session_id IN ({old_sessions})")
    run.delete("messages", "at < :cutoff")
    run.delete("sessions", "last_at < :cutoff")
    # A session that straddles the cutoff keeps its recent messages; keep its tally true.
    db.execute(
        "UPDATE sessions SET message_count ="
        " (SELECT count(*) FROM messages WHERE messages.session_id = sessions.id)"
        " WHERE started_at < :cutoff",
        params,
    )
    run.delete("feedback", "at < :cutoff")
    run.delete("staff_actions", "at < :cutoff")
    run.delete("inbound_updates", "seen_at < :updates_cutoff")
    counts.update(run.counts)
    return counts


def compact_search_index(db: Database) -> None:
    """Merge the full-text index so deleted text leaves no trace in its segments."""
    db.execute("INSERT INTO messages_fts (messages_fts) VALUES ('optimize')")
