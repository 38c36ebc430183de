"""The Store: every record the bot keeps, behind verbs on the domain, in one SQLite file."""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from sqlite_utils import Database

from storage import _export, _privacy, _schema
from storage._clock import (
    Clock,
    as_text,
    day_text,
    from_text,
    start_of,
    utc_now,
)
from storage._desk import DeskRecords, queued
from storage._errors import (
    AlreadyClosed,
    BadReference,
    Busy,
    DatabaseGone,
    DuplicateUpdate,
    FutureSchema,
    NotFound,
    ReferenceTaken,
    StorageError,
    UnreadableState,
)
from storage._files import (
    BUSY_TIMEOUT_MS,
    backup_to,
    check_output,
    database_file,
    open_database,
)
from storage._misses import MISSES_SQL, UNANSWERED_DAYS, UNANSWERED_SQL
from storage._records import (
    ASSESSMENT_KINDS,
    CHANNELS,
    DELIVERY_STATUSES,
    FOLLOWUP_STATUSES,
    INBOUND_KINDS,
    OUTBOUND_KINDS,
    STAFF_ACTIONS,
    UNANSWERED_REASONS,
    Assessment,
    FollowUp,
    Inbound,
    Message,
    Outbound,
    Queued,
    Session,
    StaffAction,
    StaffNote,
    Stats,
    TopicCount,
    Unanswered,
    User,
)
from storage._references import is_session_reference, new_session_reference, normalise_reference
from storage._schema import MIGRATIONS
from storage._text import dump_json, safe_data, safe_optional, safe_text

logger = logging.getLogger(__name__)

# A new session starts after this much silence.
SESSION_GAP = timedelta(minutes=30)
# Telegram redelivers an update for at most a day; remember ids a little longer than that.
UPDATE_IDS_KEPT = timedelta(days=7)
MAX_STEP_CHARS = 200
MAX_SEARCH_RESULTS = 200
MAX_UNANSWERED = 10_000  # candidates `misses` reads at most: a page of review, not an export
TOP_TOPICS = 5

_MESSAGE_COLUMNS = (
    "m.id, m.user_id, s.reference AS session_reference, m.direction, m.kind, m.text, m.at,"
    " m.status, m.error, m.matched, m.step"
)
_MESSAGES = f"SELECT {_MESSAGE_COLUMNS} FROM messages m LEFT JOIN sessions s ON s.id = m.session_id"


def _require(value: str, allowed: Sequence[str], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}; got {value!r}")


class Store(DeskRecords):
    """Everything the bot remembers, in one SQLite database; the only place with SQL.

    Open a file with ``Store.open(path)``; tests may pass ``Database(memory=True)``. Every method
    is atomic on its own; ``with store.transaction():`` makes several one unit. A Store may be
    shared between threads: its connection is used by one at a time.

    Messages are kept only for users who said yes (``consent`` True). For everyone else only
    their state, their follow-ups and anonymous daily counts are kept.
    """

    def __init__(self, db: Database, clock: Clock = utc_now, *, handover: bool = False) -> None:
        self.db = db
        self._clock = clock
        # Outbox rows written through this store are for the running bot to send at once.
        self.handover = handover
        self._lock = threading.RLock()
        # Erased or unkept text may still sit in old frames of the write-ahead log: truncate it
        # right after the commit (`_scrub_now`), or at the next scrub_log() (`_scrub_due`).
        self._scrub_now = False
        self._scrub_due = False
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Deleted content is overwritten, so an erased message does not linger in free pages.
        db.execute("PRAGMA secure_delete = ON")
        self._file = database_file(db)
        self._identity = _identity(self._file)
        self._migrate()

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        create: bool = True,
        clock: Clock = utc_now,
        handover: bool = False,
    ) -> Store:
        """Open the database file, creating it (and its folder) readable by the owner only.

        Sets WAL, foreign keys and a busy timeout and applies pending migrations. With
        ``create=False`` a missing file raises NoDatabase instead. ``handover=True`` is for
        another process than the bot (the web review, the command line): what it queues in
        the outbox is marked for the running bot to send within a second. Example::

            store = Store.open("data/bot.db")
        """
        db = open_database(Path(path), create=create)
        try:
            return cls(db, clock, handover=handover)
        except sqlite3.DatabaseError as error:
            db.close()
            raise StorageError(f"cannot use {path}: {error}") from None
        except StorageError:
            db.close()
            raise

    def close(self) -> None:
        """Close the connection, once no other thread is using it."""
        # A delivery thread may still be inside a transaction at shutdown; closing under it
        # crashes the interpreter (seen as a segfault in sqlite3), so wait for the lock.
        with self._lock:
            self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _migrate(self) -> None:
        newer = _schema.unknown(self.db)
        if newer:
            raise FutureSchema(
                f"the database {self._file or ':memory:'} was made by a newer version of the bot"
                f" (it has migration {newer[-1]}, unknown to this one): run the newer version,"
                " or restore a backup made by this one"
            )
        if not MIGRATIONS.pending(self.db):
            return
        # Foreign keys off while tables are rebuilt (a dropped parent table would take its
        # children's rows), checked before the commit, and on again after; the pragma is a
        # no-op inside a transaction, so it is set outside.
        self.db.execute("PRAGMA foreign_keys = OFF")
        try:
            # Take the write lock first, so two processes starting at once do not both migrate.
            with self.transaction():
                _schema.reconcile(self.db)
                MIGRATIONS.apply(self.db)
                broken = self.db.execute("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise StorageError(f"migrating left rows that refer to nothing: {broken[:3]}")
        finally:
            self.db.execute("PRAGMA foreign_keys = ON")
        logger.info("database schema is current: %s", [m.name for m in MIGRATIONS.applied(self.db)])

    # --- transactions and helpers ---------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self, *, wait: float | None = None) -> Iterator[None]:
        """One atomic unit (BEGIN IMMEDIATE … COMMIT); nested use joins the outer one.

        Another process holding the write lock is waited for (busy timeout), never skipped.
        Raises DatabaseGone, and rolls back, if the database file was deleted or replaced.
        ``wait``: seconds at most to wait for the connection (another thread's transaction)
        and for the write lock, then raise Busy: for a caller that must not block long.
        """
        if not self._lock.acquire(timeout=-1 if wait is None else wait):
            raise Busy("the connection is in use")
        try:
            connection = self.db.conn
            if connection.in_transaction:
                yield
                return
            self._begin(connection, wait)
            try:
                yield
                self.check_file()  # never commit into a file that is gone
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                self._scrub_now = False
                raise
            if self._scrub_now:
                self._truncate_log()
        finally:
            self._lock.release()

    @staticmethod
    def _begin(connection: sqlite3.Connection, wait: float | None) -> None:
        if wait is None:
            connection.execute("BEGIN IMMEDIATE")
            return
        connection.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if getattr(error, "sqlite_errorname", "").startswith("SQLITE_BUSY"):
                raise Busy("another process holds the write lock") from None
            raise
        finally:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    @property
    def path(self) -> Path | None:
        """The database file (None for an in-memory database)."""
        return self._file

    def check_file(self) -> None:
        """Raise DatabaseGone if the file opened is no longer the one at its path (deleted,
        or replaced by another): every write from here on would be lost."""
        if self._file is not None and _identity(self._file) != self._identity:
            raise DatabaseGone(f"the database file {self._file} was deleted or replaced")

    def _now(self) -> datetime:
        return self._clock()

    def _rows(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = (), wait: float | None = None
    ) -> list[dict[str, Any]]:
        """sqlite-utils' query, read to the end under the lock the connection is shared with
        (`wait`: raise Busy rather than wait longer than that for it)."""
        if not self._lock.acquire(timeout=-1 if wait is None else wait):
            raise Busy("the connection is in use")
        try:
            return list(self.db.query(sql, params))
        finally:
            self._lock.release()

    def _row(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> dict[str, Any] | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    def _count(self, metric: str, key: str = "", n: int = 1) -> None:
        self._count_all([(metric, key, n)])

    def _count_all(self, counts: Iterable[tuple[str, str, int]]) -> None:
        day = day_text(self._now())
        self.db.conn.executemany(
            "INSERT INTO counts (day, metric, key, n) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (day, metric, key) DO UPDATE SET n = n + excluded.n",
            [(day, metric, key, n) for metric, key, n in counts if n],
        )

    def _user_row(self, user_id: int) -> dict[str, Any]:
        row = self._row("SELECT * FROM users WHERE id = ?", (user_id,))
        if row is None:
            raise NotFound(f"no user {user_id}")
        return row

    # --- users ----------------------------------------------------------------------------

    def ensure_user(self, channel: str, external_id: int, chat_id: int | None = None) -> User:
        """The user for (channel, external id), created on first contact; marks them seen.

        channel is "telegram" (external id: the Telegram user id) or "terminal" (external id 0).
        """
        _require(channel, CHANNELS, "channel")
        now = as_text(self._now())
        with self.transaction():
            row = self._row(
                "UPDATE users SET last_seen = ?, chat_id = coalesce(?, chat_id)"
                " WHERE channel = ? AND external_id = ? RETURNING *",
                (now, chat_id, channel, external_id),
            )
            if row is None:
                row = self._row(
                    "INSERT INTO users (channel, external_id, chat_id, first_seen, last_seen)"
                    " VALUES (?, ?, ?, ?, ?) RETURNING *",
                    (channel, external_id, chat_id, now, now),
                )
                assert row is not None
                self._count("users_new")
                logger.info("new user %s on %s", row["id"], channel)
            return _user(row)

    def user(self, user_id: int) -> User:
        """The user with this id; NotFound if there is none."""
        return _user(self._user_row(user_id))

    def set_consent(self, user_id: int, keep: bool) -> User:
        """Record whether the user's messages may be kept.

        Saying no after a yes erases what was kept under the yes: their messages, sessions,
        assessments and feedback (follow-ups stay: they asked to be contacted).
        """
        with self.transaction():
            self._user_row(user_id)
            self.db.execute("UPDATE users SET consent = ? WHERE id = ?", (int(keep), user_id))
            if not keep:
                counts = _privacy.erase_transcripts(self.db, ":user_id", {"user_id": user_id})
                if counts["messages"]:
                    _privacy.compact_search_index(self.db)
                self._scrub_now = self._scrub_now or any(counts.values())
            logger.info("user %s consent=%s", user_id, keep)
        return self.user(user_id)

    def set_blocked(self, user_id: int, blocked: bool) -> None:
        """Record that the user has blocked the bot (or no longer does)."""
        with self.transaction():
            if (
                self.db.execute(
                    "UPDATE users SET blocked = ? WHERE id = ?", (int(blocked), user_id)
                ).rowcount
                == 0
            ):
                raise NotFound(f"no user {user_id}")

    # --- conversation state ---------------------------------------------------------------

    def load_state(self, user_id: int) -> dict[str, Any] | None:
        """The engine's saved state for the user, or None if there is none yet; raises
        UnreadableState when what is stored is not a JSON object."""
        return self.decode_state(self.state_text(user_id), user_id)

    def state_text(self, user_id: int) -> str | None:
        """The user's saved state as stored (JSON text), None if there is none."""
        row = self._row("SELECT state FROM states WHERE user_id = ?", (user_id,))
        return None if row is None else row["state"]

    def read_state(self, channel: str, external_id: int) -> tuple[User | None, str | None]:
        """The user (None before their first contact) and their saved state as stored, in one
        read that writes nothing: what an event is worked out from before its write
        transaction (see Advisor.handle)."""
        row = self._row(
            "SELECT u.*, s.state AS saved_state FROM users u LEFT JOIN states s"
            " ON s.user_id = u.id WHERE u.channel = ? AND u.external_id = ?",
            (channel, external_id),
        )
        return (None, None) if row is None else (_user(row), row["saved_state"])

    @staticmethod
    def decode_state(text: str | None, user_id: int) -> dict[str, Any] | None:
        """A state as stored, read: None for none; UnreadableState if it is not a JSON
        object."""
        if text is None:
            return None
        try:
            state = json.loads(text)
        except (TypeError, ValueError):
            state = None
        if not isinstance(state, dict):
            raise UnreadableState(f"the state of user {user_id} is not a JSON object")
        return state

    def save_state(self, user_id: int, state: dict[str, Any], step: str) -> None:
        """Save the engine's state (opaque JSON) and its step name, e.g. "triage.role"."""
        with self.transaction():
            try:
                self._write_state(user_id, state, step, self._now())
            except sqlite3.IntegrityError:
                raise NotFound(f"no user {user_id}") from None

    # --- the inbox: updates committed before Telegram is told they arrived ----------------

    def store_updates(self, updates: Sequence[tuple[int, str]]) -> list[int]:
        """Commit raw updates (id, JSON as it came) in one transaction; the ids not stored
        before, in order. Raises DatabaseGone rather than commit into a deleted file."""
        if not updates:
            return []
        now = as_text(self._now())
        with self.transaction():
            fresh = [
                update_id
                for update_id, payload in updates
                if self.db.execute(
                    "INSERT INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (update_id) DO NOTHING",
                    (update_id, payload, now),
                ).rowcount
            ]
        return fresh

    def waiting_updates(self, limit: int = 10_000) -> list[tuple[int, str]]:
        """Stored updates not yet handled (id, JSON), oldest first: what a stop left behind."""
        rows = self._rows(
            "SELECT update_id, payload FROM inbox WHERE status = 'new' ORDER BY update_id LIMIT ?",
            (limit,),
        )
        return [(row["update_id"], row["payload"]) for row in rows]

    def claim_update(self, update_id: int) -> bool:
        """Mark an update handled, in the caller's transaction with what handling it caused;
        False if it was handled before (a redelivery), which must then have no effect.

        Its payload is dropped. An id that never went through the inbox is remembered too.
        """
        with self.transaction():
            row = self._row(
                "INSERT INTO inbox (update_id, received_at, status, handled_at)"
                " VALUES (?1, ?2, 'done', ?2) ON CONFLICT (update_id) DO UPDATE"
                " SET status = 'done', payload = NULL, handled_at = ?2 WHERE status = 'new'"
                " RETURNING update_id",
                (update_id, as_text(self._now())),
            )
        return row is not None

    def skip_update(self, update_id: int) -> None:
        """Set aside a stored update that cannot be handled (it could not be parsed): its id is
        kept for a week, and it is never handled.

        Its payload is dropped: it may hold what someone wrote, from a person whose consent
        cannot even be looked up, and /forget could not find it. The log says why it failed.
        """
        with self.transaction():
            self.db.execute(
                "UPDATE inbox SET status = 'skipped', payload = NULL, handled_at = ?"
                " WHERE update_id = ? AND status = 'new'",
                (as_text(self._now()), update_id),
            )
            self._scrub_due = True

    # --- messages and sessions ------------------------------------------------------------

    def seen_update(self, channel: str, update_id: int) -> bool:
        """True if an inbound update with this id was already recorded on this channel.

        That includes an update that erased its sender (/forget): a repeat of it is known.
        """
        row = self._row(
            "SELECT 1 AS seen FROM inbound_updates WHERE channel = ?1 AND update_id = ?2"
            " UNION ALL SELECT 1 FROM erased_updates WHERE channel = ?1 AND update_id = ?2",
            (channel, update_id),
        )
        return row is not None

    def record_outbound(self, user_id: int, text: str, *, kind: str = "text") -> int | None:
        """Put a reply that did not come from a turn on the transcript, pending (its outbox row
        is linked to it, see enqueue, and dequeue gives it its status); its id, or None if
        the user's messages are not kept.

        kind: text / picture / document / staff (a reply from the network team).
        """
        _require(kind, OUTBOUND_KINDS, "kind")
        now = self._now()
        with self.transaction():
            user = self._user_row(user_id)
            self._count("messages_out")
            session_id = self._continue_session(user, now)
            return self._insert_outbound(user_id, session_id, kind, text, "pending", now)

    def record_turn(
        self,
        user_id: int,
        inbound: Inbound,
        state: dict[str, Any],
        replies: Sequence[Outbound] = (),
        chat_id: int | None = None,
    ) -> list[int]:
        """Everything one event caused, in one transaction: the message in, the new state, and
        the replies (on the transcript if kept, and in the outbox).

        The outbox ids of the replies, in order. A repeated update id raises DuplicateUpdate.
        What is kept follows the user's consent, as for record_outbound.
        """
        _require(inbound.kind, INBOUND_KINDS, "kind")
        for reply in replies:
            _require(reply.kind, OUTBOUND_KINDS, "kind")
        now = self._now()
        with self.transaction():
            user = self._user_row(user_id)
            topics = self._note_inbound(
                user, inbound.update_id, inbound.matched, now, replies=len(replies)
            )
            session_id = self._continue_session(user, now, 1 + len(replies), seen=True)
            self._insert_inbound(
                user_id,
                session_id,
                inbound.kind,
                inbound.text,
                topics,
                inbound.step,
                now,
                inbound.unanswered,
                inbound.margin,
            )
            if inbound.unanswered:
                self._count("unanswered", inbound.unanswered)
            message_ids = [
                self._insert_outbound(user_id, session_id, reply.kind, reply.text, "pending", now)
                for reply in replies
            ]
            self._write_state(user_id, state, inbound.step or "", now)
            return [
                self.enqueue(user_id, reply.payload, chat_id=chat_id, message_id=message_id)
                for reply, message_id in zip(replies, message_ids, strict=True)
            ]

    # --- the writes the verbs above share ---------------------------------------------------

    def _note_inbound(
        self,
        user: dict[str, Any],
        update_id: int | None,
        matched: Iterable[str],
        now: datetime,
        replies: int = 0,
    ) -> tuple[str, ...]:
        """Remember the update id (a repeat raises DuplicateUpdate); count the message, the
        replies to it and the topics it matched. The topics, without repeats."""
        if update_id is not None:
            try:
                self.db.execute(
                    "INSERT INTO inbound_updates (channel, update_id, user_id, seen_at)"
                    " VALUES (?, ?, ?, ?)",
                    (user["channel"], update_id, user["id"], as_text(now)),
                )
            except sqlite3.IntegrityError:
                raise DuplicateUpdate(f"update {update_id} was already recorded") from None
        topics = tuple(dict.fromkeys(matched))
        self._count_all(
            [
                ("messages_in", "", 1),
                ("messages_out", "", replies),
                *(("topic", safe_text(topic, 100), 1) for topic in topics),
            ]
        )
        return topics

    def _insert_inbound(
        self,
        user_id: int,
        session_id: int | None,
        kind: str,
        text: str,
        topics: tuple[str, ...],
        step: str | None,
        now: datetime,
        unanswered: str | None = None,
        margin: int | None = None,
    ) -> int | None:
        if session_id is None:  # the user's messages are not kept
            return None
        if unanswered is not None:
            _require(unanswered, UNANSWERED_REASONS, "unanswered")
            margin = None  # not answered, so no margin to speak of
        cursor = self.db.execute(
            "INSERT INTO messages (user_id, session_id, direction, kind, text, at, matched, step,"
            " unanswered, margin) VALUES (?, ?, 'in', ?, ?, ?, ?, ?, ?, ?)",
            (
                user_id,
                session_id,
                kind,
                safe_text(text),
                as_text(now),
                json.dumps(topics) if topics else None,
                safe_optional(step, MAX_STEP_CHARS),
                unanswered,
                margin,
            ),
        )
        return int(cursor.lastrowid or 0)

    def unanswered(self, limit: int = 50) -> list[dict[str, Any]]:
        """Questions the bot could not answer, was unsure of or answered with a low margin in
        the last 90 days, newest first, with how often they were asked (only from people whose
        messages are kept): question, times, unsure, low_margin, last_asked, conversation.
        The review's page reads the same view (storage/_misses.py)."""
        since = day_text(self._now() - timedelta(days=UNANSWERED_DAYS))
        return self._rows(UNANSWERED_SQL, {"limit": max(1, limit), "since": since})

    def _insert_outbound(
        self,
        user_id: int,
        session_id: int | None,
        kind: str,
        text: str,
        status: str,
        now: datetime,
    ) -> int | None:
        if session_id is None:  # the user's messages are not kept
            return None
        cursor = self.db.execute(
            "INSERT INTO messages (user_id, session_id, direction, kind, text, at, status)"
            " VALUES (?, ?, 'out', ?, ?, ?, ?)",
            (user_id, session_id, kind, safe_text(text), as_text(now), status),
        )
        return int(cursor.lastrowid or 0)

    def _write_state(self, user_id: int, state: dict[str, Any], step: str, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO states (user_id, step, state, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET step = excluded.step,"
            " state = excluded.state, updated_at = excluded.updated_at",
            (user_id, safe_text(step, MAX_STEP_CHARS), dump_json(state), as_text(now)),
        )

    def _set_status(self, message_id: int, status: str, error: str | None) -> bool:
        """Note how an outbound message's delivery went; False if there is no such message."""
        cursor = self.db.execute(
            "UPDATE messages SET status = ?, error = ? WHERE id = ? AND direction = 'out'",
            (status, safe_optional(error, 500), message_id),
        )
        return cursor.rowcount > 0

    # --- the outbox: replies committed with their turn, deleted once delivered ---------------

    def enqueue(
        self,
        user_id: int,
        payload: dict[str, Any],
        *,
        chat_id: int | None = None,
        message_id: int | None = None,
    ) -> int:
        """Queue a reply for delivery (in the caller's transaction); its outbox id."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO outbox (user_id, chat_id, message_id, payload, created_at, handover)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    user_id,
                    chat_id,
                    message_id,
                    dump_json(payload),
                    as_text(self._now()),
                    int(self.handover),
                ),
            )
            return int(cursor.lastrowid or 0)

    def outbox(
        self, user_id: int | None = None, limit: int = 500, *, wait: float | None = None
    ) -> list[Queued]:
        """Replies not yet delivered, oldest first (all users, or one). `wait`: raise Busy
        rather than wait longer than that for the connection (another thread's transaction)."""
        where, params = ("WHERE user_id = ?", (user_id, limit)) if user_id else ("", (limit,))
        rows = self._rows(f"SELECT * FROM outbox {where} ORDER BY id LIMIT ?", params, wait)
        return [queued(row, json.loads(row["payload"])) for row in rows]

    def dequeue(self, outbox_id: int, status: str = "sent", error: str | None = None) -> None:
        """A queued reply is done with (sent, or given up): drop it, note it on the transcript."""
        _require(status, DELIVERY_STATUSES, "status")
        with self.transaction():
            row = self._row("DELETE FROM outbox WHERE id = ? RETURNING message_id", (outbox_id,))
            if row is None:
                return  # already done, e.g. by a resend after a restart
            if row["message_id"] is not None:
                self._set_status(row["message_id"], status, error)
            else:  # not on a transcript: its words are not kept, so the log must lose them
                self._scrub_due = True

    def retry_later(self, outbox_id: int, error: str, timed_out: bool = False) -> int:
        """Note a failed attempt; the reply stays queued. `attempts` counts the tries that
        timed out, which Telegram may have carried out; their number is returned."""
        with self.transaction():
            row = self._row(
                "UPDATE outbox SET attempts = attempts + ?, last_error = ?, handover = 0"
                " WHERE id = ? RETURNING attempts",
                (int(timed_out), safe_optional(error, 500), outbox_id),
            )
        return 0 if row is None else int(row["attempts"])

    def _continue_session(
        self, user: dict[str, Any], now: datetime, messages: int = 1, seen: bool = False
    ) -> int | None:
        """Extend or start the user's spell of conversation; the session id if messages are kept.

        Spells are tracked for everyone (to count conversations); session rows only for users
        who keep their messages. `messages` is how many this adds; `seen` marks the user seen.
        """
        last = user["last_message_at"]
        new_spell = last is None or now - from_text(last) > SESSION_GAP
        if new_spell:
            self._count("conversations")
        self.db.execute(
            "UPDATE users SET last_message_at = ?1,"
            " last_seen = CASE WHEN ?2 THEN ?1 ELSE last_seen END WHERE id = ?3",
            (as_text(now), seen, user["id"]),
        )
        if user["consent"] != 1:
            return None
        if not new_spell:
            current = self._row(
                "SELECT id, last_at FROM sessions WHERE user_id = ? ORDER BY last_at DESC LIMIT 1",
                (user["id"],),
            )
            if current and now - from_text(current["last_at"]) <= SESSION_GAP:
                self.db.execute(
                    "UPDATE sessions SET last_at = ?, message_count = message_count + ?"
                    " WHERE id = ?",
                    (as_text(now), messages, current["id"]),
                )
                return int(current["id"])
        return self._start_session(user["id"], now, messages)

    def _start_session(self, user_id: int, now: datetime, messages: int = 1) -> int:
        while True:
            try:
                cursor = self.db.execute(
                    "INSERT INTO sessions (reference, user_id, started_at, last_at, message_count)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (new_session_reference(), user_id, as_text(now), as_text(now), messages),
                )
            except sqlite3.IntegrityError:
                continue  # the random reference is taken (about one in a billion): draw again
            return int(cursor.lastrowid or 0)

    def list_sessions(
        self, since: date | datetime | None = None, *, limit: int | None = None
    ) -> list[Session]:
        """Sessions active since a day or moment (all when None), most recent first."""
        sql = "SELECT * FROM sessions"
        params: list[Any] = []
        if since is not None:
            sql += " WHERE last_at >= ?"
            params.append(as_text(start_of(since)))
        sql += " ORDER BY last_at DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_session(row) for row in self._rows(sql, params)]

    def transcript(self, reference: str) -> list[Message]:
        """The messages of a session (C-…), or a follow-up's user's whole history; oldest first.

        Raises BadReference for something that cannot be a reference, NotFound for an unknown one.
        A follow-up from a user whose messages are not kept has an empty transcript.
        """
        ref = _reference(reference)
        if is_session_reference(ref):
            session = self._row("SELECT id FROM sessions WHERE reference = ?", (ref,))
            if session is not None:
                rows = self._rows(
                    f"{_MESSAGES} WHERE m.session_id = ? ORDER BY m.at, m.id", (session["id"],)
                )
                return [_message(row) for row in rows]
        followup = self._row("SELECT user_id FROM followups WHERE reference = ?", (ref,))
        if followup is None:
            raise NotFound(f"no session or follow-up {ref}")
        rows = self._rows(
            f"{_MESSAGES} WHERE m.user_id = ? ORDER BY m.at, m.id", (followup["user_id"],)
        )
        return [_message(row) for row in rows]

    def search(self, query: str, limit: int = 20) -> list[Message]:
        """Messages whose text matches every word of the query, newest first.

        The query is quoted, so any text is safe: FTS syntax (quotes, *, NEAR, parentheses) is
        searched for as words, never obeyed, and never raises.
        """
        quoted = self.db.quote_fts(safe_text(query, 500))
        if not quoted.strip('" '):
            return []
        limit = max(1, min(limit, MAX_SEARCH_RESULTS))
        sql = (
            f"{_MESSAGES} WHERE m.id IN (SELECT rowid FROM messages_fts"
            " WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT ?) ORDER BY m.id DESC"
        )
        try:
            rows = self._rows(sql, (quoted, limit))
        except sqlite3.OperationalError as error:
            logger.warning("search query rejected by SQLite: %s", error)
            return []
        return [_message(row) for row in rows]

    def misses(
        self, since: date | datetime | None = None, limit: int = MAX_UNANSWERED
    ) -> list[Unanswered]:
        """Questions typed since `since` that the bot could not answer, was unsure of or
        answered with a low margin, or whose answer card was marked unhelpful, oldest first
        (storage/_misses.py says how)."""
        if isinstance(since, datetime):
            start = as_text(since)
        else:
            start = since.isoformat() if since else ""
        rows = self._rows(MISSES_SQL, {"since": start, "limit": max(1, limit)})
        return [
            Unanswered(
                id=row["id"],
                text=row["text"],
                at=from_text(row["at"]),
                step=row["step"],
                matched=tuple(json.loads(row["matched"])) if row["matched"] else (),
                unhelpful=bool(row["unhelpful"]),
            )
            for row in rows
        ]

    def export_transcripts(
        self, out: TextIO, fmt: str, since: date | datetime | None = None
    ) -> int:
        """Write sessions (active since `since`) with their messages as csv, json or md.

        Returns the number of messages written. Sessions come oldest first.
        """
        writer = _export.WRITERS.get(fmt)
        if writer is None:
            raise ValueError(f"format must be one of {', '.join(_export.WRITERS)}; got {fmt!r}")
        where, params = "", ()
        if since is not None:
            where, params = "WHERE s.last_at >= ?", (as_text(start_of(since)),)
        sql = (
            "SELECT s.reference, s.user_id, s.started_at, s.last_at, m.at, m.direction, m.kind,"
            " m.status, m.text FROM sessions s JOIN messages m ON m.session_id = s.id"
            f" {where} ORDER BY s.started_at, s.id, m.at, m.id"
        )
        with self._lock:  # streamed: a big export is never all in memory
            return writer(_export.group_sessions(self.db.query(sql, params)), out)

    # --- assessments ----------------------------------------------------------------------

    def save_assessment(
        self, user_id: int, kind: str, answers: dict[str, Any], result: dict[str, Any]
    ) -> int | None:
        """Save a completed readiness / nasss / sips / triage; its id, or None if not kept."""
        _require(kind, ASSESSMENT_KINDS, "kind")
        with self.transaction():
            user = self._user_row(user_id)
            self._count("assessment", kind)
            if user["consent"] != 1:
                return None
            cursor = self.db.execute(
                "INSERT INTO assessments (user_id, kind, answers, result, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    user_id,
                    kind,
                    dump_json(safe_data(answers)),
                    dump_json(safe_data(result)),
                    as_text(self._now()),
                ),
            )
            return int(cursor.lastrowid or 0)

    def assessments(self, user_id: int, kind: str | None = None) -> list[Assessment]:
        """The user's saved assessments (of one kind, if given), newest first."""
        sql, params = "SELECT * FROM assessments WHERE user_id = ?", [user_id]
        if kind is not None:
            _require(kind, ASSESSMENT_KINDS, "kind")
            sql += " AND kind = ?"
            params.append(kind)
        rows = self._rows(sql + " ORDER BY created_at DESC, id DESC", params)
        return [_assessment(row) for row in rows]

    # --- follow-ups -----------------------------------------------------------------------

    def create_followup(self, user_id: int, reference: str, note: str, contact: str) -> FollowUp:
        """Record a request to be contacted, under the engine's reference (e.g. SA-4K9P2).

        Kept for every user, even those whose messages are not kept: they asked to be contacted.
        Raises ReferenceTaken if the reference is already used.
        """
        ref = _reference(reference)
        with self.transaction():
            self._user_row(user_id)
            try:
                now = as_text(self._now())
                self.db.execute(
                    "INSERT INTO followups (reference, user_id, note, contact, created_at,"
                    " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (ref, user_id, safe_text(note), safe_text(contact), now, now),
                )
            except sqlite3.IntegrityError:
                raise ReferenceTaken(f"reference {ref} is already used") from None
            self._count("followups_opened")
            logger.info("follow-up %s opened for user %s", ref, user_id)
            return self.followup(ref)

    def followup(self, reference: str) -> FollowUp:
        """The follow-up with this reference, with its staff notes; NotFound if unknown."""
        ref = _reference(reference)
        row = self._row("SELECT * FROM followups WHERE reference = ?", (ref,))
        if row is None:
            raise NotFound(f"no follow-up {ref}")
        return self._followups([row])[0]

    def followup_queue(self, status: str | None = "open") -> list[FollowUp]:
        """Follow-ups with this status ("open", "closed"; None for all), oldest first."""
        if status is None:
            rows = self._rows("SELECT * FROM followups ORDER BY created_at, id")
        else:
            _require(status, FOLLOWUP_STATUSES, "status")
            rows = self._rows(
                "SELECT * FROM followups WHERE status = ? ORDER BY created_at, id", (status,)
            )
        return self._followups(rows)

    def _followups(self, rows: list[dict[str, Any]]) -> list[FollowUp]:
        notes: dict[int, list[StaffNote]] = {row["id"]: [] for row in rows}
        if rows:
            marks = ", ".join("?" for _ in rows)
            for note in self._rows(
                f"SELECT * FROM staff_notes WHERE followup_id IN ({marks}) ORDER BY at, id",
                [row["id"] for row in rows],
            ):
                notes[note["followup_id"]].append(
                    StaffNote(
                        note["staff_id"], note["text"], from_text(note["at"]), note["staff_name"]
                    )
                )
        return [_followup(row, tuple(notes[row["id"]])) for row in rows]

    def _followup_id(self, reference: str) -> tuple[int, str]:
        ref = _reference(reference)
        row = self._row("SELECT id, status FROM followups WHERE reference = ?", (ref,))
        if row is None:
            raise NotFound(f"no follow-up {ref}")
        return row["id"], row["status"]

    def add_staff_note(
        self, reference: str, staff_id: int | None, text: str, name: str | None = None
    ) -> FollowUp:
        """Add a note to a follow-up (staff_id None: the command line or the web, by `name`);
        audited as "note"."""
        with self.transaction():
            followup_id, _ = self._followup_id(reference)
            self.db.execute(
                "INSERT INTO staff_notes (followup_id, staff_id, text, at, staff_name)"
                " VALUES (?, ?, ?, ?, ?)",
                (followup_id, staff_id, safe_text(text), as_text(self._now()), name),
            )
            self.record_staff_action(staff_id, "note", reference, name=name)
            return self.followup(reference)

    def close_followup(
        self,
        reference: str,
        staff_id: int | None,
        note: str | None = None,
        name: str | None = None,
    ) -> FollowUp:
        """Close a follow-up, recording who closed it (audited as "close"); AlreadyClosed if so."""
        with self.transaction():
            followup_id, status = self._followup_id(reference)
            if status == "closed":
                raise AlreadyClosed(f"follow-up {_reference(reference)} is already closed")
            now = as_text(self._now())
            self.db.execute(
                "UPDATE followups SET status = 'closed', closed_at = ?, closed_by = ?,"
                " closed_by_login = ?, close_note = ?, updated_at = ? WHERE id = ?",
                (now, staff_id, name, safe_optional(note), now, followup_id),
            )
            self._count("followups_closed")
            self.record_staff_action(staff_id, "close", reference, name=name)
            logger.info("follow-up %s closed by %s", followup_id, staff_id)
            return self.followup(reference)

    def link_staff_message(
        self, chat_id: int, message_id: int, reference: str, purpose: str = "notice"
    ) -> None:
        """Remember that a staff-chat message is about a follow-up (so replies find it).

        purpose: notice (the follow-up's own post), thread (the person's words), prompt (a
        question to staff, e.g. the closing note).
        """
        with self.transaction():
            followup_id, _ = self._followup_id(reference)
            self.db.execute(
                "INSERT OR REPLACE INTO staff_messages (chat_id, message_id, followup_id, purpose)"
                " VALUES (?, ?, ?, ?)",
                (chat_id, message_id, followup_id, purpose),
            )

    def reference_for_staff_message(self, chat_id: int, message_id: int) -> str | None:
        """The follow-up reference a staff-chat message is about, or None."""
        row = self._row(
            "SELECT f.reference FROM staff_messages sm JOIN followups f ON f.id = sm.followup_id"
            " WHERE sm.chat_id = ? AND sm.message_id = ?",
            (chat_id, message_id),
        )
        return None if row is None else row["reference"]

    # --- feedback and staff actions -------------------------------------------------------

    def staff_posts(self, user_id: int) -> list[tuple[int, int]]:
        """(chat id, message id) of the staff-chat posts about a user: their follow-ups'
        notices and threads, and what they wrote in conversations the team opened."""
        rows = self._rows(
            "SELECT sm.chat_id, sm.message_id FROM staff_messages sm"
            " JOIN followups f ON f.id = sm.followup_id WHERE f.user_id = ?1"
            " UNION SELECT chat_id, message_id FROM thread_posts WHERE user_id = ?1",
            (user_id,),
        )
        return [(row["chat_id"], row["message_id"]) for row in rows]

    def record_feedback(self, user_id: int, topic_id: str, helpful: bool) -> None:
        """Record whether an answer card helped (counted for everyone, kept per user if allowed)."""
        topic = safe_text(topic_id, 100)
        with self.transaction():
            user = self._user_row(user_id)
            self._count("feedback_helpful" if helpful else "feedback_unhelpful", topic)
            if user["consent"] == 1:
                self.db.execute(
                    "INSERT INTO feedback (user_id, topic_id, helpful, at) VALUES (?, ?, ?, ?)",
                    (user_id, topic, int(helpful), as_text(self._now())),
                )

    def record_staff_action(
        self,
        staff_id: int | None,
        action: str,
        reference: str | None = None,
        detail: str | None = None,
        name: str | None = None,
    ) -> None:
        """Add to the audit trail of what staff did (queue / show / reply / note / close …);
        `name` is the member of staff's name (their web login), where known."""
        _require(action, STAFF_ACTIONS, "action")
        ref = None if reference is None else normalise_reference(reference)
        with self.transaction():
            self.db.execute(
                "INSERT INTO staff_actions (staff_id, action, reference, detail, at, staff_name)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    staff_id,
                    action,
                    ref,
                    safe_optional(detail, 500),
                    as_text(self._now()),
                    safe_optional(name, 100),
                ),
            )

    def staff_actions(self, reference: str | None = None) -> list[StaffAction]:
        """The audit trail (about one reference, if given), oldest first."""
        if reference is None:
            rows = self._rows("SELECT * FROM staff_actions ORDER BY at, id")
        else:
            rows = self._rows(
                "SELECT * FROM staff_actions WHERE reference = ? ORDER BY at, id",
                (_reference(reference),),
            )
        return [StaffAction(**{**row, "at": from_text(row["at"])}) for row in rows]

    # --- privacy --------------------------------------------------------------------------

    def forget(self, user_id: int, update_id: int | None = None) -> dict[str, int]:
        """Erase every row about the user, in every table; rows deleted per table.

        `update_id`, the update that asked for it, is remembered apart from the user, so that
        Telegram delivering it again is known (seen_update) and brings nobody back. Anonymous
        daily counts stay. The search index is compacted and, as soon as the erase is committed
        (by the caller's transaction, if there is one), the write-ahead log is truncated, so the
        erased text lingers in neither; secure_delete has zeroed it in the database file.
        """
        with self.transaction():
            user = self._user_row(user_id)
            counts = _privacy.erase_users(self.db, ":user_id", {"user_id": user_id})
            if counts["messages"]:
                _privacy.compact_search_index(self.db)
            if update_id is not None:
                self.db.execute(
                    "INSERT OR IGNORE INTO erased_updates (channel, update_id, seen_at)"
                    " VALUES (?, ?, ?)",
                    (user["channel"], update_id, as_text(self._now())),
                )
            self._scrub_now = True
        logger.info("user %s forgotten: %s", user_id, dict(counts))
        return dict(counts)

    def purge(self, retention_days: int) -> dict[str, int]:
        """Delete transcripts, sessions, closed follow-ups and users older than the retention.

        Users not seen within it go with all their rows; anonymous counts stay. Rows deleted per
        table.
        """
        if retention_days < 1:
            raise ValueError("retention_days must be at least 1")
        now = self._now()
        cutoff = now - timedelta(days=retention_days)
        updates_cutoff = max(cutoff, now - UPDATE_IDS_KEPT)
        with self.transaction():
            counts = _privacy.purge_before(self.db, as_text(cutoff), as_text(updates_cutoff))
            if counts["messages"]:
                _privacy.compact_search_index(self.db)
            self._scrub_now = self._scrub_now or any(counts.values())
        logger.info("purged records older than %s days: %s", retention_days, dict(counts))
        return dict(counts)

    @property
    def log_scrub_due(self) -> bool:
        """True while the write-ahead log may hold text that is no longer kept (see scrub_log)."""
        return self._scrub_due

    def scrub_log(self) -> bool:
        """Truncate the write-ahead log if it may still hold text that is no longer kept.

        Text that is not kept (a reply to someone whose messages are not kept, once delivered;
        an erase a reader held up) can stay in old frames of the log after its rows are gone.
        The bot calls this every second or so; True when the log is clean afterwards.
        """
        with self._lock:
            if self._scrub_due and not self.db.conn.in_transaction:
                self._truncate_log()
            return not self._scrub_due

    def _truncate_log(self) -> None:
        """Copy the write-ahead log into the database and empty it, so erased text leaves it.

        A reader still on old pages (the staff review mid-query) keeps the log from emptying:
        then it stays due, and scrub_log() tries again.
        """
        with self._lock:
            self._scrub_now = False
            if self.db.conn.in_transaction:
                self._scrub_due = True
                return
            busy, frames, _ = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            self._scrub_due = bool(busy) or frames > 0
            if self._scrub_due:
                logger.info("write-ahead log not emptied yet (a reader is busy); retrying")

    # --- statistics and backups -----------------------------------------------------------

    def stats(self, days: int = 7) -> Stats:
        """Figures for the last `days` days (today included), from counts and follow-ups."""
        if days < 1:
            raise ValueError("days must be at least 1")
        since = self._now().date() - timedelta(days=days - 1)
        totals = {
            row["metric"]: row["n"]
            for row in self._rows(
                "SELECT metric, sum(n) AS n FROM counts WHERE day >= ? GROUP BY metric",
                (since.isoformat(),),
            )
        }
        topics = self._rows(
            "SELECT key, sum(n) AS n FROM counts WHERE day >= ? AND metric = 'topic'"
            " GROUP BY key ORDER BY n DESC, key LIMIT ?",
            (since.isoformat(), TOP_TOPICS),
        )
        open_now = self._row("SELECT count(*) AS n FROM followups WHERE status = 'open'")
        return Stats(
            days=days,
            since=since,
            conversations=totals.get("conversations", 0),
            messages_in=totals.get("messages_in", 0),
            messages_out=totals.get("messages_out", 0),
            new_users=totals.get("users_new", 0),
            top_topics=tuple(TopicCount(row["key"], row["n"]) for row in topics),
            feedback_helpful=totals.get("feedback_helpful", 0),
            feedback_unhelpful=totals.get("feedback_unhelpful", 0),
            followups_opened=totals.get("followups_opened", 0),
            followups_closed=totals.get("followups_closed", 0),
            followups_open_now=open_now["n"] if open_now else 0,
            followups_rated_good=totals.get("followup_helpful", 0),
            followups_rated_bad=totals.get("followup_unhelpful", 0),
        )

    def backup(self, path: str | Path) -> Path:
        """Copy the database to `path` with SQLite's online backup (safe while the bot runs).

        The copy is readable by its owner only and appears in one step. Raises StorageError if
        the path cannot be written, is the database (or its -wal or -shm), a symbolic link or
        anything but a regular file.
        """
        target = Path(path)
        check_output(target, database_file(self.db))
        with self._lock:
            backup_to(self.db.conn, target)
        logger.info("backup written")
        return target


def _identity(path: Path | None) -> tuple[int, int] | None:
    """Device and inode of a file (None for an in-memory database or a missing file)."""
    if path is None:
        return None
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


# --- rows to records ------------------------------------------------------------------------


def _reference(text: str) -> str:
    ref = normalise_reference(text) if isinstance(text, str) else None
    if ref is None:
        raise BadReference(f"{text!r} is not a reference")
    return ref


def _user(row: dict[str, Any]) -> User:
    return User(
        id=row["id"],
        channel=row["channel"],
        external_id=row["external_id"],
        chat_id=row["chat_id"],
        consent=None if row["consent"] is None else bool(row["consent"]),
        blocked=bool(row["blocked"]),
        first_seen=from_text(row["first_seen"]),
        last_seen=from_text(row["last_seen"]),
    )


def _session(row: dict[str, Any]) -> Session:
    return Session(
        id=row["id"],
        reference=row["reference"],
        user_id=row["user_id"],
        started_at=from_text(row["started_at"]),
        last_at=from_text(row["last_at"]),
        message_count=row["message_count"],
    )


def _message(row: dict[str, Any]) -> Message:
    return Message(
        id=row["id"],
        user_id=row["user_id"],
        session_reference=row["session_reference"],
        direction=row["direction"],
        kind=row["kind"],
        text=row["text"],
        at=from_text(row["at"]),
        status=row["status"],
        error=row["error"],
        matched=tuple(json.loads(row["matched"])) if row["matched"] else (),
        step=row["step"],
    )


def _assessment(row: dict[str, Any]) -> Assessment:
    return Assessment(
        id=row["id"],
        user_id=row["user_id"],
        kind=row["kind"],
        answers=json.loads(row["answers"]),
        result=json.loads(row["result"]),
        created_at=from_text(row["created_at"]),
    )


def _followup(row: dict[str, Any], notes: tuple[StaffNote, ...]) -> FollowUp:
    return FollowUp(
        id=row["id"],
        reference=row["reference"],
        user_id=row["user_id"],
        note=row["note"],
        contact=row["contact"],
        status=row["status"],
        created_at=from_text(row["created_at"]),
        closed_at=from_text(row["closed_at"]) if row["closed_at"] else None,
        closed_by=row["closed_by"],
        close_note=row["close_note"],
        notes=notes,
        stage=row["stage"],
        assigned_to=row["assigned_to"],
        rating=None if row["rating"] is None else bool(row["rating"]),
        updated_at=from_text(row["updated_at"]) if row["updated_at"] else None,
        closed_by_name=row["closed_by_login"],
    )
