"""Each list of allowed values is written once, in storage/_records.py; the schema is made from it.

Migration 0013 builds every CHECK (column IN (...)) from the lists (storage/_schema.py,
ALLOWED_VALUES); when a list changes, a new migration calls check_allowed_values() again. Here:
the live schema allows exactly the listed values, SQLite refuses any other, and a changed list
rebuilds the tables keeping their rows, links, cascades, search and views.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage import (
    ASSESSMENT_KINDS,
    CHANNELS,
    DELIVERY_STATUSES,
    FOLLOWUP_STATUSES,
    INBOUND_KINDS,
    OUTBOUND_KINDS,
    UNANSWERED_REASONS,
    Inbound,
    Outbound,
    Store,
    _schema,
)
from storage._schema import ALLOWED_VALUES, check_allowed_values
from tests.storage.conftest import keeping_user

ALLOWED = {
    ("users", "channel"): CHANNELS,
    ("messages", "kind"): (*INBOUND_KINDS, *OUTBOUND_KINDS),
    ("messages", "status"): DELIVERY_STATUSES,
    ("assessments", "kind"): ASSESSMENT_KINDS,
    ("followups", "status"): FOLLOWUP_STATUSES,
    ("messages", "unanswered"): UNANSWERED_REASONS,
}


def checked_values(db: Database, table: str, column: str) -> set[str]:
    """The values a CHECK (column IN (...)) in the table's live schema allows."""
    sql = db[table].schema
    found = re.search(rf"\b{column}\b[^,]*?CHECK \({column} IN \(([^)]*)\)\)", sql, re.S)
    assert found, f"no CHECK on {table}.{column}"
    return set(re.findall(r"'([^']*)'", found.group(1)))


def test_the_public_lists_are_the_ones_the_schema_is_made_from():
    for key, values in ALLOWED.items():
        assert set(ALLOWED_VALUES[key]) == set(values)


@pytest.mark.parametrize(("table", "column"), sorted(ALLOWED_VALUES))
def test_the_schema_allows_exactly_the_listed_values(store: Store, table: str, column: str):
    assert checked_values(store.db, table, column) == set(ALLOWED_VALUES[table, column])


def _row(connection: sqlite3.Connection, table: str, column: str, value: str) -> dict:
    """A row for `table` with every required column filled and `column` set to `value`."""
    row: dict[str, object] = {}
    for _, name, kind, notnull, default, _ in connection.execute(f'PRAGMA table_info("{table}")'):
        if name == column:
            row[name] = value
        elif (table, name) in ALLOWED_VALUES:
            row[name] = ALLOWED_VALUES[table, name][0]
        elif notnull and default is None:
            row[name] = 1 if kind == "INTEGER" else "x"
    return row


@pytest.mark.parametrize(("table", "column"), sorted(ALLOWED_VALUES))
def test_sqlite_refuses_a_value_outside_the_list(store: Store, table: str, column: str):
    connection = sqlite3.connect(store.path)  # foreign keys off: only the CHECK can refuse
    try:
        listed = _row(connection, table, column, ALLOWED_VALUES[table, column][-1])
        names = ", ".join(listed)
        marks = ", ".join("?" * len(listed))
        connection.execute(
            f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(listed.values())
        )
        connection.rollback()
        unlisted = _row(connection, table, column, "not-on-the-list")
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            connection.execute(
                f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(unlisted.values())
            )
    finally:
        connection.close()


def test_a_changed_list_rebuilds_the_tables_keeping_rows_links_search_and_views(
    store: Store, monkeypatch
):
    user = keeping_user(store)
    store.record_turn(
        user.id,
        Inbound("how do we keep befrienders", "text", update_id=7, step="menu"),
        {"v": 1},
        [Outbound("here is how", "text", {"text": "here is how"})],
        user.external_id,
    )
    store.save_assessment(user.id, "readiness", {"evidence": "yes"}, {"levels": {}})
    store.create_followup(user.id, "SA-7EARY2", "please call", "phone")
    store.add_staff_note("SA-7EARY2", 900001, "called once")
    path = store.path
    store.close()
    counts, schema = _counts(path), _schema_of(path)

    monkeypatch.setitem(ALLOWED_VALUES, ("users", "channel"), (*CHANNELS, "whatsapp"))
    monkeypatch.setitem(
        ALLOWED_VALUES, ("followups", "stage"), (*_schema.FOLLOWUP_STAGES, "parked")
    )
    monkeypatch.setitem(
        ALLOWED_VALUES, ("messages", "kind"), (*ALLOWED_VALUES["messages", "kind"], "sticker")
    )
    db = Database(path)
    with db.conn:
        check_allowed_values(db)
    assert checked_values(db, "users", "channel") == {*CHANNELS, "whatsapp"}
    assert _counts(path) == counts
    db.close()
    changed = {row for row in _schema_of(path) ^ schema if row[0] == "table"}
    assert {name for _, name, _ in changed} == {"users", "followups", "messages"}
    # Every index, trigger and view is made again as it was (the tables' SQL alone differs).
    assert _schema_of(path) - changed == schema - changed

    with Store.open(path) as again:
        assert [m.text for m in again.search("befrienders")] == ["how do we keep befrienders"]
        again.record_turn(
            user.id, Inbound("a second question on volunteers", "text", update_id=8), {"v": 1}
        )
        assert len(again.search("volunteers")) == 1  # the search triggers are back
        assert again.followup("SA-7EARY2").note == "please call"
        again.db.execute("UPDATE users SET channel = 'whatsapp' WHERE id = ?", [user.id])
        with pytest.raises(sqlite3.IntegrityError):
            again.db.execute("UPDATE users SET channel = 'fax' WHERE id = ?", [user.id])
        again.forget(user.id)  # the cascades still reach every table that refers to users
    left = _counts(path)
    del left["counts"]  # anonymous daily figures stay, by design
    assert left == dict.fromkeys(TABLES, 0)


def test_rebuilding_refuses_to_run_with_foreign_keys_on(tmp_path: Path, monkeypatch):
    db = Database(tmp_path / "on.db")
    _schema.MIGRATIONS.apply(db)
    monkeypatch.setitem(ALLOWED_VALUES, ("users", "channel"), (*CHANNELS, "whatsapp"))
    db.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(RuntimeError, match="foreign keys off"):
        check_allowed_values(db)


TABLES = ("users", "messages", "sessions", "states", "assessments", "followups", "staff_notes")


def _schema_of(path: Path) -> set[tuple[str, str, str]]:
    """(type, name, SQL) of every table, index, trigger and view, white space folded."""
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL")
        return {(kind, name, " ".join(sql.split())) for kind, name, sql in rows}


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as connection:
        return {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in (*TABLES, "counts")
        }


def test_opening_an_older_database_rebuilds_with_foreign_keys_off_and_on_again(
    tmp_path: Path, monkeypatch
):
    from tests.storage.test_migrations import build

    path = build(tmp_path / "old.db", stop_before="0013-allowed-values")
    monkeypatch.setitem(ALLOWED_VALUES, ("users", "channel"), (*CHANNELS, "whatsapp"))
    with Store.open(path) as store:
        assert checked_values(store.db, "users", "channel") == {*CHANNELS, "whatsapp"}
        assert store.followup("SA-7EARY2").note == "please call"  # not cascaded away
        assert store.load_state(1) == {}
        assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
