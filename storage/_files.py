"""The database file: created owner-only before SQLite touches it, opened, and backed up."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
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


def check_output(path: Path, database: Path | None = None) -> None:
    """Refuse, with StorageError, to write onto anything but a regular file (or a new one):
    not a symbolic link, a device or a FIFO, and never the database, its -wal or -shm."""
    path = Path(path)
    try:
        info = path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        info = None  # nothing there yet (writing will say if it cannot be made)
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise StorageError(f"{path} is a symbolic link; give the real path of a new file")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise StorageError(f"{path} is not a regular file")
    if database is None:
        return
    try:
        target = path.resolve()
    except OSError:
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        own = Path(f"{database}{suffix}")
        if target == own.resolve() or (info is not None and own.exists() and own.samefile(path)):
            raise StorageError(f"{path} is the database{suffix and ' ' + suffix + ' file'}")


def open_private(path: Path, database: Path | None = None) -> int:
    """A descriptor for writing `path` afresh, readable by its owner only (even if it existed).

    Refuses what check_output refuses; the checks are made again on the file opened, so a
    link or FIFO put there in between is not followed (or waited on) either.
    """
    check_output(path, database)
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        descriptor = os.open(path, flags, PRIVATE_FILE_MODE)
    except OSError as error:
        raise StorageError(f"cannot write {path}: {error.strerror or error}") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise StorageError(f"{path} is not a regular file")
    os.set_blocking(descriptor, True)
    os.ftruncate(descriptor, 0)
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
