"""The schema: named migrations, recorded once, and the indexes the queries rely on."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from storage import MIGRATIONS, Store
from storage._misses import UNANSWERED_SQL

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
    "0012-one-desk",
    "0013-allowed-values",
    "0014-unanswered-by-question",
    "0015-chat-moves",
    "0016-unanswered-by-the-readers-clock",
    "0017-thread-posts",
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


def plan(store: Store, sql: str, params: tuple | dict = ()) -> str:
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
        # The unanswered questions (grouped in index order) and the misses since a day.
        UNANSWERED_SQL: "idx_messages_unanswered_question",
        "SELECT * FROM question_misses WHERE at >= '2026'": "idx_messages_unanswered (at>?)",
    }
    for sql, index in cases.items():
        assert index in plan(store, sql, {"since": "2026-01-01", "limit": 50}), sql
    assert "FOR GROUP BY" not in plan(store, UNANSWERED_SQL, {"since": "2026-01-01", "limit": 5})


# --- closing lives in the staff desk alone: no SQL path closes without telling anyone ------


def test_no_view_or_trigger_closes_a_follow_up(store: Store):
    """The web review closes through the staff desk (which edits the notice and tells the
    person); the old INSTEAD OF trigger that closed in SQL alone is gone with its view."""
    names = {row[0] for row in store.db.execute("SELECT name FROM sqlite_master")}
    assert "followup_closures" not in names and "followup_closures_close" not in names
    triggers = store.db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'")
    assert not [sql for (sql,) in triggers if "followups" in sql]


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
        store.close_followup("SA-01D01", None, "done", name="alice")
        assert store.followup("SA-01D01").status == "closed"
