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
