"""The schema: named migrations, recorded once, and the indexes the queries rely on."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage import MIGRATIONS, AlreadyClosed, Store

from .conftest import all_tables

EXPECTED_TABLES = {
    "users",
    "states",
    "sessions",
    "messages",
    "inbound_updates",
    "assessments",
    "followups",
    "staff_notes",
    "staff_messages",
    "feedback",
    "staff_actions",
    "counts",
    "messages_fts",
    "outbox",
    "inbox",
}
MIGRATION_NAMES = [
    "0001-tables",
    "0002-indexes",
    "0003-message-search",
    "0004-outbox",
    "0005-review-closing",
    "0006-search-what-people-wrote",
    "0007-erased-updates",
    "0008-inbox",
    "0009-staff-desk",
    "0010-unanswered-questions",
    "0011-repair-early-databases",
]


def applied(path: Path) -> list[str]:
    db = Database(path)
    try:
        return [migration.name for migration in MIGRATIONS.applied(db)]
    finally:
        db.close()


def test_migrations_are_recorded_by_name_in_order(store: Store, db_path: Path):
    assert applied(db_path) == MIGRATION_NAMES
    assert not MIGRATIONS.pending(store.db)


def test_reopening_applies_nothing_twice(store: Store, db_path: Path):
    store.close()
    for _ in range(3):
        Store.open(db_path).close()
    assert applied(db_path) == MIGRATION_NAMES
    db = Database(db_path)
    assert db["_sqlite_migrations"].count == len(MIGRATION_NAMES)
    db.close()


def test_every_table_exists_with_its_search_index(store: Store, db_path: Path):
    tables = set(all_tables(db_path))
    assert tables >= EXPECTED_TABLES
    assert {"messages_fts_data", "messages_fts_idx"} <= tables
    assert store.db["messages"].detect_fts() == "messages_fts"


def test_search_triggers_reindex_only_when_the_text_changes(store: Store):
    triggers = store.db.triggers_dict
    assert set(triggers) >= {"messages_ai", "messages_ad", "messages_au"}
    assert "UPDATE OF text ON messages" in triggers["messages_au"]


def test_a_memory_database_gets_the_same_schema():
    store = Store(Database(memory=True))
    assert set(store.db.table_names()) >= EXPECTED_TABLES


def plan(store: Store, sql: str, params: tuple = ()) -> str:
    rows = store.db.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    return " | ".join(row[-1] for row in rows)


def test_the_queries_use_their_indexes(store: Store):
    cases = {
        "SELECT * FROM followups WHERE status = 'open' ORDER BY created_at, id": (
            "idx_followups_status_created"
        ),
        "SELECT * FROM messages WHERE session_id = 1 ORDER BY at, id": "idx_messages_session_at",
        "SELECT * FROM messages WHERE user_id = 1 ORDER BY at, id": "idx_messages_user_at",
        "SELECT * FROM messages WHERE direction = 'out' AND status = 'pending' ORDER BY id": (
            "idx_messages_outbound_status"
        ),
        "SELECT id FROM sessions WHERE reference = 'C-000000'": "sqlite_autoindex_sessions",
        "DELETE FROM messages WHERE at < '2026'": "idx_messages_at",
        "SELECT id FROM users WHERE last_seen < '2026'": "idx_users_last_seen",
    }
    for sql, index in cases.items():
        assert index in plan(store, sql), sql


# --- closing a follow-up from the web view: one INSERT into followup_closures ----------------

CLOSE = "INSERT INTO followup_closures (reference, closed_by, note) VALUES (?, ?, ?)"


def test_inserting_a_closure_closes_the_follow_up_and_audits_who(store: Store):
    user = store.ensure_user("telegram", 5, 5)
    store.create_followup(user.id, "SA-WEB01", "please call", "phone")
    before = datetime.now(UTC)
    store.db.execute(CLOSE, ("SA-WEB01", "alice", "  rang them back  "))
    closed = store.followup("SA-WEB01")
    assert (closed.status, closed.close_note, closed.closed_by) == (
        "closed",
        "rang them back",
        None,
    )
    assert closed.closed_at is not None and before - timedelta(seconds=1) <= closed.closed_at
    row = store.db.execute("SELECT closed_by_login, closed_at FROM followups").fetchone()
    assert row[0] == "alice"
    assert len(row[1]) == len("2026-01-31T09:05:00.000000+00:00") and row[1].endswith("+00:00")
    [action] = [a for a in store.staff_actions("SA-WEB01") if a.action == "close"]
    assert (action.staff_id, action.detail) == (None, "web: alice")
    today = datetime.now(UTC).date().isoformat()
    counted = store.db.execute(
        "SELECT n FROM counts WHERE day = ? AND metric = 'followups_closed'", (today,)
    ).fetchone()
    assert counted == (1,)
    assert store.db.execute(
        "SELECT reference, closed_by, note FROM followup_closures"
    ).fetchall() == [("SA-WEB01", "alice", "rang them back")]
    with pytest.raises(AlreadyClosed):
        store.close_followup("SA-WEB01", 77)


def test_a_closure_without_a_note_leaves_the_note_empty(store: Store):
    user = store.ensure_user("telegram", 5, 5)
    store.create_followup(user.id, "SA-WEB02", "please call", "phone")
    store.db.execute(CLOSE, ("SA-WEB02", "bob", "   "))
    assert store.followup("SA-WEB02").close_note is None


@pytest.mark.parametrize(
    ("reference", "who", "message"),
    [
        ("SA-N0PE1", "alice", "no follow-up has that reference"),
        ("SA-D0NE1", "alice", "that follow-up is already closed"),
        ("SA-0PEN1", "", "who is closing the follow-up is not known"),
        ("SA-0PEN1", None, "who is closing the follow-up is not known"),
    ],
)
def test_a_closure_that_cannot_be_done_changes_nothing(
    store: Store, reference: str, who: str | None, message: str
):
    user = store.ensure_user("telegram", 5, 5)
    store.create_followup(user.id, "SA-0PEN1", "please call", "phone")
    store.create_followup(user.id, "SA-D0NE1", "please call", "phone")
    store.close_followup("SA-D0NE1", 77, "done on Telegram")
    actions_before = store.staff_actions()
    with pytest.raises(sqlite3.IntegrityError, match=message):
        store.db.execute(CLOSE, (reference, who, "note"))
    assert store.followup("SA-0PEN1").status == "open"
    assert store.followup("SA-D0NE1").close_note == "done on Telegram"
    assert store.staff_actions() == actions_before


def test_closures_list_every_closed_follow_up_with_who_closed_it(store: Store):
    user = store.ensure_user("telegram", 5, 5)
    for reference in ("SA-TG001", "SA-WEB03", "SA-0PEN2"):
        store.create_followup(user.id, reference, "please call", "phone")
    store.close_followup("SA-TG001", 77, "on Telegram")
    store.db.execute(CLOSE, ("SA-WEB03", "chidi", None))
    rows = store.db.execute(
        "SELECT reference, closed_by, note FROM followup_closures ORDER BY reference"
    ).fetchall()
    assert rows == [("SA-TG001", 77, "on Telegram"), ("SA-WEB03", "chidi", None)]


def test_a_database_made_before_the_review_migration_is_upgraded_with_its_rows(db_path: Path):
    db_path.parent.mkdir(parents=True)
    db = Database(db_path)
    MIGRATIONS.apply(db, stop_before="0005-review-closing")
    then = "2026-03-01T09:00:00.000000+00:00"
    db.execute(
        "INSERT INTO users (id, channel, external_id, first_seen, last_seen)"
        " VALUES (1, 'telegram', 5, ?, ?)",
        (then, then),
    )
    db.execute(
        "INSERT INTO followups (reference, user_id, note, contact, created_at)"
        " VALUES ('SA-01D01', 1, 'please call', 'phone', ?)",
        (then,),
    )
    db.conn.commit()
    db.close()
    with Store.open(db_path, create=False) as store:
        assert applied(db_path) == MIGRATION_NAMES
        store.db.execute(CLOSE, ("SA-01D01", "alice", "done"))
        assert store.followup("SA-01D01").status == "closed"
