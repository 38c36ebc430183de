"""The named errors storage raises; callers decide how to show them."""

from __future__ import annotations


class StorageError(Exception):
    """Base class: something about the stored records cannot be done as asked."""


class NoDatabase(StorageError):
    """The database file does not exist and the caller asked not to create it."""


class NotFound(StorageError):
    """No record has that id or reference."""


class BadReference(StorageError):
    """A reference that cannot be one: empty, too long or with characters references never use."""


class ReferenceTaken(BadReference):
    """A follow-up reference that is already in use (the engine should make another)."""


class DuplicateUpdate(StorageError):
    """An inbound update id already recorded for that channel: a redelivered update."""


class AlreadyClosed(StorageError):
    """A follow-up that was closed before."""


class UnreadableState(StorageError):
    """A saved conversation state that is not a JSON object (damaged or hand-edited)."""


class DatabaseGone(StorageError):
    """The database file was deleted or replaced while open: writing on would write into a
    file nobody can read again, so the process must stop."""


class Busy(StorageError):
    """A transaction asked not to wait (``wait=``) found the connection or the write lock
    taken for longer; nothing was written."""


class FutureSchema(StorageError):
    """The database was made by a newer version of the bot (a migration this one lacks)."""


# SQLite result codes (by name, extended codes included) for faults that clear by themselves:
# another process holding the write lock, a full disk, a file made read-only, an I/O error.
_TRANSIENT = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN")


def is_transient(error: BaseException) -> bool:
    """Whether a storage error is worth waiting out (locked, disk full, read-only, I/O)."""
    if isinstance(error, DatabaseGone):
        return False
    name = getattr(error, "sqlite_errorname", None) or ""
    if name == "SQLITE_READONLY_DBMOVED":
        return False
    return name.startswith(_TRANSIENT) or name.startswith("SQLITE_READONLY")
