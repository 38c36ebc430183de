"""The database file: created owner-only before SQLite touches it, opened, and backed up."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path

from sqlite_utils import Database

from storage._errors import NoDatabase, StorageError

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
BUSY_TIMEOUT_MS = 10_000
# WAL with synchronous=NORMAL: a committed transaction survives a crash of the process
# (kill -9); only a power cut or OS crash can lose the last few commits.
SYNCHRONOUS = "NORMAL"


def create_private_file(path: Path) -> bool:
    """Create an empty file readable by its owner only; False if it already existed."""
    path.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return False
    os.close(descriptor)
    return True


def open_private(path: Path) -> int:
    """A descriptor for writing `path` afresh, readable by its owner only (even if it existed)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    os.fchmod(descriptor, PRIVATE_FILE_MODE)  # an existing file keeps its mode on open
    return descriptor


def open_database(path: Path, *, create: bool = True) -> Database:
    """Open (or create, owner-only) a database file in WAL mode; NoDatabase or StorageError."""
    try:
        if create:
            create_private_file(path)
        elif not path.is_file():
            raise NoDatabase(f"no database at {path}")
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    except OSError as error:
        raise StorageError(f"cannot open {path}: {error.strerror or error}") from None
    except sqlite3.Error as error:
        raise StorageError(f"cannot open {path}: {error}") from None
    db = Database(connection)
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.enable_wal()
        db.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")
    except sqlite3.DatabaseError as error:
        db.close()
        raise StorageError(f"{path} is not a usable SQLite database: {error}") from None
    return db


def database_file(db: Database) -> Path | None:
    """The file behind a Database, or None for an in-memory one."""
    for row in db.execute("PRAGMA database_list").fetchall():
        if row[1] == "main":
            return Path(row[2]) if row[2] else None
    return None


def backup_to(connection: sqlite3.Connection, target: Path) -> None:
    """Copy a live database with SQLite's online backup into an owner-only file, atomically."""
    target = Path(target)
    try:
        target.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        # mkstemp creates the file with mode 0600; the copy replaces the target in one step.
        descriptor, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise StorageError(f"cannot write {target}: {error.strerror or error}") from None
    os.close(descriptor)
    try:
        copy = sqlite3.connect(temporary)
        try:
            connection.backup(copy)
        finally:
            copy.close()
        os.replace(temporary, target)
    except (OSError, sqlite3.Error) as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        reason = error.strerror if isinstance(error, OSError) else str(error)
        raise StorageError(f"cannot write {target}: {reason or error}") from None
