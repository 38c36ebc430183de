"""The database file: owner-only from the start, refused when it is not a database, backed up."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from storage import NoDatabase, StorageError, Store
from tests.turns import said

from .conftest import keeping_user


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_database_and_its_folder_are_created_owner_only(tmp_path: Path):
    path = tmp_path / "new" / "bot.db"
    old = os.umask(0o000)  # even with a permissive umask
    try:
        with Store.open(path) as store:
            keeping_user(store)  # a write, so SQLite creates its -wal and -shm files
            assert mode(path) == 0o600
            for extra in ("bot.db-wal", "bot.db-shm"):
                assert mode(path.parent / extra) == 0o600
    finally:
        os.umask(old)
    assert mode(path.parent) == 0o700


def test_the_database_is_in_wal_mode_with_foreign_keys_and_a_busy_timeout(store: Store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_opening_without_create_refuses_a_missing_file(tmp_path: Path):
    with pytest.raises(NoDatabase):
        Store.open(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path):
    path = tmp_path / "notes.db"
    path.write_text("these are not the pages you are looking for\n" * 200)
    with pytest.raises(StorageError):
        Store.open(path)


def test_a_directory_is_refused(tmp_path: Path):
    with pytest.raises(StorageError):
        Store.open(tmp_path)


def test_a_backup_is_a_complete_owner_only_copy(store: Store, tmp_path: Path):
    user = keeping_user(store)
    said(store, user.id, "before the backup", "text")
    target = store.backup(tmp_path / "backups" / "copy.db")
    assert mode(target) == 0o600
    with Store.open(target, create=False) as copy:
        assert [m.text for m in copy.transcript(copy.list_sessions()[0].reference)] == [
            "before the backup"
        ]
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_backup_replaces_an_older_one_and_tightens_its_mode(store: Store, tmp_path: Path):
    target = tmp_path / "copy.db"
    target.write_text("old")
    target.chmod(0o644)
    store.backup(target)
    assert mode(target) == 0o600
    assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_backup_to_an_unwritable_place_raises_a_storage_error(store: Store, tmp_path: Path):
    with pytest.raises(StorageError):
        store.backup(tmp_path / "data" / "bot.db" / "inside-a-file.db")
    with pytest.raises(StorageError):
        store.backup("/proc/no/such/place.db")


def test_a_backup_onto_the_database_itself_is_refused(store: Store, db_path: Path):
    with pytest.raises(StorageError):
        store.backup(db_path)
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
