"""Migrations never change once on main, and a database made by every earlier schema upgrades.

The checksum of a migration is that of the schema it leaves (every table, index, trigger and
view, as SQLite records them) after the ones before it: editing a published migration changes
it, and this test fails. Add a migration with a new name and add its checksum here.

0013 builds the CHECK lists from storage/_records.py: changing one of those lists changes what
0013 leaves, so its checksum too. That is expected: add a migration that calls
check_allowed_values() again (for the databases that already have 0013) and update both here.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage import MIGRATIONS, FutureSchema, Inbound, Outbound, Store
from tests.storage.history import schema_6bb1cdb, schema_6805ebb

CHECKSUMS = {
    "0001-tables": "62f948f941d2bc94",
    "0002-indexes": "38740456456b1c89",
    "0003-message-search": "864366cb9f88c419",
    "0004-outbox": "1defeb383e1fea1e",
    "0005-review-closing": "9a76df7c73fb658d",
    "0006-search-what-people-wrote": "222a603e199379c5",
    "0007-erased-updates": "b0db9f84c9d7bac2",
    "0008-inbox": "adcb4c486f9b0ba8",
    "0009-staff-desk": "3b1f7cf53c0f1cb7",
    "0010-unanswered-questions": "8b08f3cff7222c41",
    "0011-repair-early-databases": "9cd0f1fc3ad0186a",
    "0012-one-desk": "74f6be5792612ee4",
    "0013-allowed-values": "4535def58090d589",
    "0014-unanswered-by-question": "f2a442772e29e78d",
    "0015-chat-moves": "1e85870246e3f8e6",
    "0016-unanswered-by-the-readers-clock": "90e76fd075f13172",
    "0017-thread-posts": "5c212f6983628088",
}
SPACES = re.compile(r"\s+")
NAMES = [migration.name for migration in MIGRATIONS._migrations]


def schema_checksum(db: Database) -> str:
    """sha256 of everything in sqlite_master, whitespace normalised, in a stable order."""
    rows = db.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        " AND name != '_sqlite_migrations' ORDER BY type, name"
    ).fetchall()
    text = "\n".join(f"{t} {n} {tb} {SPACES.sub(' ', sql or '')}" for t, n, tb, sql in rows)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def checksum(db: Database, migration) -> str:
    """What a migration leaves, and its own code."""
    source = inspect.getsource(migration.fn).encode()
    return hashlib.sha256(schema_checksum(db).encode() + source).hexdigest()[:16]


def build(path: Path, stop_before: str | None = None, migrations=MIGRATIONS) -> Path:
    """A database file made by the migrations (up to `stop_before`), with a person in it."""
    db = Database(path)
    migrations.apply(db, stop_before=stop_before)
    db.execute(
        "INSERT INTO users (id, channel, external_id, chat_id, consent, first_seen, last_seen)"
        " VALUES (1, 'telegram', 555, 555, 1, ?1, ?1)",
        ("2026-11-28T12:00:00.000000+00:00",),
    )
    db.execute(
        "INSERT INTO followups (reference, user_id, note, contact, created_at)"
        " VALUES ('SA-7EARY2', 1, 'please call', 'phone', '2026-11-28T12:00:00.000000+00:00')"
    )
    db.execute(
        "INSERT INTO states (user_id, step, state, updated_at) VALUES (1, 'menu', '{}', ?)",
        ("2026-11-28T12:00:00.000000+00:00",),
    )
    db.conn.commit()
    db.close()
    return path


def test_every_published_migration_is_unchanged():
    db = Database(memory=True)
    found = {}
    for number, migration in enumerate(MIGRATIONS._migrations):
        following = NAMES[number + 1] if number + 1 < len(NAMES) else None
        MIGRATIONS.apply(db, stop_before=following)
        found[migration.name] = checksum(db, migration)
    assert found == CHECKSUMS


EARLIER = [
    *(pytest.param(NAMES[k], MIGRATIONS, id=f"up to {NAMES[k - 1]}") for k in range(1, len(NAMES))),
    # The first builds, before 0001 and 0002 were edited (inbound_updates without user_id).
    pytest.param(None, schema_6805ebb.MIGRATIONS, id="6805ebb (0001-0002 as first committed)"),
    # The review branch, where the closing migration was called 0004 (now 0005).
    pytest.param(None, schema_6bb1cdb.MIGRATIONS, id="6bb1cdb (0004-review-closing)"),
]


@pytest.mark.parametrize(("stop_before", "migrations"), EARLIER)
def test_a_database_from_an_earlier_schema_upgrades_and_works(
    tmp_path: Path, stop_before, migrations
):
    path = build(tmp_path / "old.db", stop_before, migrations)
    with Store.open(path) as store:
        assert [m.name for m in MIGRATIONS.applied(store.db)][-1] == NAMES[-1]
        assert not MIGRATIONS.pending(store.db)
        assert store.followup("SA-7EARY2").note == "please call"
        user = store.ensure_user("telegram", 555, 555)
        assert store.claim_update(41)
        store.record_turn(
            user.id,
            Inbound("hello again", "text", update_id=41, step="menu"),
            {"v": 1},
            [Outbound("welcome back", "text", {"text": "welcome back"})],
            555,
        )
        assert [m.text for m in store.transcript("SA-7EARY2")] == ["hello again", "welcome back"]
        assert len(store.outbox()) == 1
        assert not store.claim_update(41)
        store.close_followup("SA-7EARY2", None)
    assert schema_checksum(Database(path)) == schema_checksum(_fresh())


def _fresh() -> Database:
    db = Database(memory=True)
    MIGRATIONS.apply(db)
    return db


def test_a_database_from_a_newer_version_is_refused_in_plain_words(tmp_path: Path):
    path = build(tmp_path / "new.db")
    db = Database(path)
    db["_sqlite_migrations"].insert(
        {"migration_set": MIGRATIONS.name, "name": "0099-from-the-future", "applied_at": "2027"}
    )
    db.close()
    with pytest.raises(FutureSchema) as refused:
        Store.open(path)
    assert "newer version of the bot" in str(refused.value)
    assert "0099-from-the-future" in str(refused.value)
