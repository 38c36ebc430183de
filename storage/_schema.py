"""The schema, as named sqlite-utils migrations: applied in order, each recorded once.

Never edit a published migration; add a new one (tests/storage/test_migrations.py holds a
checksum of what each one makes, and upgrades a database made by every earlier schema). Each
runs in a transaction with its record.
"""

from __future__ import annotations

import re

from sqlite_utils import Database, Migrations

from storage._records import (
    ASSESSMENT_KINDS,
    CHANNELS,
    DELIVERY_STATUSES,
    DIRECTIONS,
    FOLLOWUP_STAGES,
    FOLLOWUP_STATUSES,
    INBOUND_KINDS,
    INBOX_STATUSES,
    OUTBOUND_KINDS,
    POST_KINDS,
    STAFF_MESSAGE_PURPOSES,
    UNANSWERED_REASONS,
)

MIGRATIONS = Migrations("scaling-advisor")

_TABLES = (
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        channel TEXT NOT NULL CHECK (channel IN ('telegram', 'terminal')),
        external_id INTEGER NOT NULL,
        chat_id INTEGER,
        consent INTEGER CHECK (consent IN (0, 1)),
        blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        last_message_at TEXT,
        UNIQUE (channel, external_id)
    )
    """,
    """
    CREATE TABLE states (
        user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        step TEXT,
        state TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        started_at TEXT NOT NULL,
        last_at TEXT NOT NULL,
        message_count INTEGER NOT NULL DEFAULT 0
    )
    """,
    """
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        session_id INTEGER REFERENCES sessions (id) ON DELETE CASCADE,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        kind TEXT NOT NULL
            CHECK (kind IN ('text', 'button', 'command', 'other', 'picture', 'document', 'staff')),
        text TEXT NOT NULL,
        at TEXT NOT NULL,
        status TEXT CHECK (status IN ('pending', 'sent', 'failed', 'blocked')),
        error TEXT,
        matched TEXT,
        step TEXT
    )
    """,
    """
    CREATE TABLE inbound_updates (
        channel TEXT NOT NULL,
        update_id INTEGER NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (channel, update_id)
    )
    """,
    """
    CREATE TABLE assessments (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('readiness', 'nasss', 'sips', 'triage')),
        answers TEXT NOT NULL,
        result TEXT NOT NULL,
        created_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE followups (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        note TEXT NOT NULL,
        contact TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        created_at TEXT NOT NULL,
        closed_at TEXT,
        closed_by INTEGER,
        close_note TEXT
    )
    """,
    """
    CREATE TABLE staff_notes (
        id INTEGER PRIMARY KEY,
        followup_id INTEGER NOT NULL REFERENCES followups (id) ON DELETE CASCADE,
        staff_id INTEGER,
        text TEXT NOT NULL,
        at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE staff_messages (
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        followup_id INTEGER NOT NULL REFERENCES followups (id) ON DELETE CASCADE,
        PRIMARY KEY (chat_id, message_id)
    )
    """,
    """
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        topic_id TEXT NOT NULL,
        helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
        at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE staff_actions (
        id INTEGER PRIMARY KEY,
        staff_id INTEGER,
        action TEXT NOT NULL,
        reference TEXT,
        detail TEXT,
        at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE counts (
        day TEXT NOT NULL,
        metric TEXT NOT NULL,
        key TEXT NOT NULL DEFAULT '',
        n INTEGER NOT NULL,
        PRIMARY KEY (day, metric, key)
    )
    """,
)

_INDEXES = (
    "CREATE INDEX idx_users_last_seen ON users (last_seen)",
    "CREATE INDEX idx_sessions_user_last ON sessions (user_id, last_at)",
    "CREATE INDEX idx_sessions_last ON sessions (last_at)",
    "CREATE INDEX idx_messages_session_at ON messages (session_id, at)",
    "CREATE INDEX idx_messages_user_at ON messages (user_id, at)",
    "CREATE INDEX idx_messages_at ON messages (at)",
    # Only outbound messages have a delivery status; the resend query asks for 'pending'.
    "CREATE INDEX idx_messages_outbound_status ON messages (status, id) WHERE direction = 'out'",
    "CREATE INDEX idx_inbound_updates_seen ON inbound_updates (seen_at)",
    "CREATE INDEX idx_inbound_updates_user ON inbound_updates (user_id)",
    "CREATE INDEX idx_assessments_user_kind ON assessments (user_id, kind, created_at)",
    "CREATE INDEX idx_followups_status_created ON followups (status, created_at)",
    "CREATE INDEX idx_followups_user ON followups (user_id)",
    "CREATE INDEX idx_staff_notes_followup ON staff_notes (followup_id, at)",
    "CREATE INDEX idx_staff_messages_followup ON staff_messages (followup_id)",
    "CREATE INDEX idx_feedback_user ON feedback (user_id)",
    "CREATE INDEX idx_feedback_at ON feedback (at)",
    "CREATE INDEX idx_staff_actions_reference ON staff_actions (reference)",
    "CREATE INDEX idx_staff_actions_at ON staff_actions (at)",
)

# sqlite-utils' update trigger re-indexes a message on any update; delivery-status updates
# leave the text alone, so re-index only when the text itself changes.
_TEXT_ONLY_UPDATE_TRIGGER = """
    CREATE TRIGGER messages_au AFTER UPDATE OF text ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
      INSERT INTO messages_fts (rowid, text) VALUES (new.rowid, new.text);
    END
"""


@MIGRATIONS(name="0001-tables")
def create_tables(db: Database) -> None:
    """Every table: users, state, sessions, messages, assessments, follow-ups, staff, counts."""
    for statement in _TABLES:
        db.execute(statement)


@MIGRATIONS(name="0002-indexes")
def create_indexes(db: Database) -> None:
    """The indexes the queue, transcript, resend, purge and erase queries need."""
    for statement in _INDEXES:
        db.execute(statement)


@MIGRATIONS(name="0003-message-search")
def enable_message_search(db: Database) -> None:
    """Full-text search over message text, kept current by triggers."""
    db.table("messages").enable_fts(["text"], create_triggers=True)
    db.execute("DROP TRIGGER messages_au")
    db.execute(_TEXT_ONLY_UPDATE_TRIGGER)


@MIGRATIONS(name="0004-outbox")
def create_outbox(db: Database) -> None:
    """Replies committed with the turn that made them, deleted once Telegram has them.

    This is what makes "never lose a message" true across a crash: a reply is written here in
    the same transaction as the inbound message and the new state, and sent afterwards. It
    holds the reply itself (text, buttons, chart or document description) for every user,
    whatever their consent, but only until it is delivered.
    """
    db.execute(
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            chat_id INTEGER,
            message_id INTEGER REFERENCES messages (id) ON DELETE SET NULL,
            payload TEXT NOT NULL,
            created_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT
        )
        """
    )
    db.execute("CREATE INDEX idx_outbox_user ON outbox (user_id, id)")
    db.execute("CREATE INDEX idx_outbox_message ON outbox (message_id)")


# Staff close a follow-up from the web view (Datasette) with one INSERT into this view: a canned
# write query runs a single statement, so the trigger does the rest in the same transaction,
# as Store.close_followup does: close it, say who, add to the audit trail and the daily counts.
# Times are written in the stored form (UTC, microseconds, +00:00) so text order is time order.
_NOW = "strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000+00:00'"
_REVIEW_CLOSING = (
    "ALTER TABLE followups ADD COLUMN closed_by_login TEXT",
    """
    CREATE VIEW followup_closures AS
    SELECT reference, closed_at, coalesce(closed_by_login, closed_by) AS closed_by,
           close_note AS note
    FROM followups WHERE status = 'closed'
    """,
    f"""
    CREATE TRIGGER followup_closures_close INSTEAD OF INSERT ON followup_closures BEGIN
      SELECT RAISE(ABORT, 'who is closing the follow-up is not known')
        WHERE coalesce(trim(NEW.closed_by), '') = '';
      SELECT RAISE(ABORT, 'no follow-up has that reference')
        WHERE NOT EXISTS (SELECT 1 FROM followups WHERE reference = NEW.reference);
      SELECT RAISE(ABORT, 'that follow-up is already closed')
        WHERE EXISTS (SELECT 1 FROM followups WHERE reference = NEW.reference
                      AND status = 'closed');
      UPDATE followups
        SET status = 'closed', closed_at = {_NOW}, closed_by_login = substr(NEW.closed_by, 1, 100),
            close_note = nullif(substr(trim(coalesce(NEW.note, '')), 1, 4096), '')
        WHERE reference = NEW.reference;
      INSERT INTO staff_actions (staff_id, action, reference, detail, at)
        VALUES (NULL, 'close', NEW.reference, 'web: ' || substr(NEW.closed_by, 1, 100), {_NOW});
      INSERT INTO counts (day, metric, key, n)
        VALUES (strftime('%Y-%m-%d', 'now'), 'followups_closed', '', 1)
        ON CONFLICT (day, metric, key) DO UPDATE SET n = n + 1;
    END
    """,
)


@MIGRATIONS(name="0005-review-closing")
def enable_closing_in_review(db: Database) -> None:
    """Who closed a follow-up in the web view, and the view staff insert into to close one."""
    for statement in _REVIEW_CLOSING:
        db.execute(statement)


# What people wrote: users, and the network team's replies. The bot's own replies are the same
# cards in every transcript, so indexing them would only bury what users asked.
_SEARCHED = "{row}.direction = 'in' OR {row}.kind = 'staff'"
_PEOPLE_ONLY_TRIGGERS = (
    f"""
    CREATE TRIGGER messages_ai AFTER INSERT ON messages WHEN {_SEARCHED.format(row="new")} BEGIN
      INSERT INTO messages_fts (rowid, text) VALUES (new.rowid, new.text);
    END
    """,
    f"""
    CREATE TRIGGER messages_ad AFTER DELETE ON messages WHEN {_SEARCHED.format(row="old")} BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    END
    """,
    f"""
    CREATE TRIGGER messages_au AFTER UPDATE OF text ON messages
    WHEN {_SEARCHED.format(row="old")} BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
      INSERT INTO messages_fts (rowid, text) VALUES (new.rowid, new.text);
    END
    """,
)


@MIGRATIONS(name="0006-search-what-people-wrote")
def search_what_people_wrote(db: Database) -> None:
    """Full-text search over what users and staff wrote, not the bot's own replies."""
    for trigger in ("messages_ai", "messages_ad", "messages_au"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    # Take the bot's replies out of the index (with the text they were indexed with).
    db.execute(
        "INSERT INTO messages_fts (messages_fts, rowid, text)"
        f" SELECT 'delete', id, text FROM messages WHERE NOT ({_SEARCHED.format(row='messages')})"
    )
    for statement in _PEOPLE_ONLY_TRIGGERS:
        db.execute(statement)


@MIGRATIONS(name="0007-erased-updates")
def remember_erasing_updates(db: Database) -> None:
    """Update ids that erased someone (/forget), kept apart from any user.

    inbound_updates rows go with the user they belong to; a /forget that Telegram delivers
    again must still be known as handled, or it would bring the user back as a new row.
    """
    db.execute(
        """
        CREATE TABLE erased_updates (
            channel TEXT NOT NULL,
            update_id INTEGER NOT NULL,
            seen_at TEXT NOT NULL,
            PRIMARY KEY (channel, update_id)
        )
        """
    )
    db.execute("CREATE INDEX idx_erased_updates_seen ON erased_updates (seen_at)")


@MIGRATIONS(name="0008-inbox")
def create_inbox(db: Database) -> None:
    """Telegram's updates, committed as they came before Telegram is told they arrived.

    A row is written when an update arrives and marked done (its payload dropped) in the same
    transaction as what handling it caused, so a crash at any moment leaves each update either
    waiting here, to be handled at the next start, or handled, never both and never neither.
    Done rows keep only the id, for a week, so that a redelivered update is handled once. An
    update that cannot be parsed is kept as it came ("skipped") until the same purge.
    """
    db.execute(
        """
        CREATE TABLE inbox (
            update_id INTEGER PRIMARY KEY,
            payload TEXT,
            received_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'done', 'skipped')),
            handled_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX idx_inbox_waiting ON inbox (update_id) WHERE status = 'new'")
    db.execute("CREATE INDEX idx_inbox_received ON inbox (received_at)")


# The staff desk: a follow-up's progress (stage) and who has it, the person's rating when it
# closed; staff names in the audit trail; staff-chat posts and answers to staff in the outbox
# (no person: user_id empty), each post tied to its follow-up so that /forget takes it too;
# drafts waiting for a "reopen and send?" answer. status stays open/closed (the web view's
# closing trigger relies on it); stage says where an open one is.
_STAFF_DESK = (
    "ALTER TABLE followups ADD COLUMN stage TEXT NOT NULL DEFAULT 'new'"
    " CHECK (stage IN ('new', 'taken', 'waiting', 'answered'))",
    "ALTER TABLE followups ADD COLUMN assigned_to TEXT",
    "ALTER TABLE followups ADD COLUMN rating INTEGER CHECK (rating IN (0, 1))",
    "ALTER TABLE followups ADD COLUMN updated_at TEXT",
    "UPDATE followups SET updated_at = coalesce(closed_at, created_at)",
    "CREATE INDEX idx_followups_assigned ON followups (assigned_to, status)",
    "ALTER TABLE staff_actions ADD COLUMN staff_name TEXT",
    "ALTER TABLE staff_notes ADD COLUMN staff_name TEXT",
    "ALTER TABLE staff_messages ADD COLUMN purpose TEXT NOT NULL DEFAULT 'notice'"
    " CHECK (purpose IN ('notice', 'thread', 'prompt'))",
    """
    CREATE TABLE outbox_new (
        id INTEGER PRIMARY KEY,
        user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
        chat_id INTEGER,
        message_id INTEGER REFERENCES messages (id) ON DELETE SET NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        followup_id INTEGER REFERENCES followups (id) ON DELETE CASCADE,
        post TEXT CHECK (post IN ('notice', 'thread', 'prompt', 'answer', 'edit')),
        edit_message_id INTEGER,
        reply_to_message_id INTEGER
    )
    """,
    "INSERT INTO outbox_new (id, user_id, chat_id, message_id, payload, created_at, attempts,"
    " last_error) SELECT id, user_id, chat_id, message_id, payload, created_at, attempts,"
    " last_error FROM outbox",
    "DROP TABLE outbox",
    "ALTER TABLE outbox_new RENAME TO outbox",
    "CREATE INDEX idx_outbox_user ON outbox (user_id, id)",
    "CREATE INDEX idx_outbox_message ON outbox (message_id)",
    "CREATE INDEX idx_outbox_followup ON outbox (followup_id)",
    """
    CREATE TABLE staff_drafts (
        id INTEGER PRIMARY KEY,
        followup_id INTEGER NOT NULL REFERENCES followups (id) ON DELETE CASCADE,
        staff_id INTEGER,
        text TEXT NOT NULL,
        at TEXT NOT NULL
    )
    """,
    "CREATE INDEX idx_staff_drafts_followup ON staff_drafts (followup_id)",
)


@MIGRATIONS(name="0009-staff-desk")
def staff_desk(db: Database) -> None:
    """Stage and assignee of follow-ups, staff names, staff posts in the outbox, drafts."""
    for statement in _STAFF_DESK:
        db.execute(statement)


_UNANSWERED = (
    # Questions the bot could not answer (nothing matched) or was unsure of ("did you mean"):
    # the content-improvement inbox. One row per question as typed (case and spaces aside),
    # newest first, over the last 90 days (older misses are history the content has likely
    # answered since); the view is what the review page and `Store.unanswered` both read.
    "ALTER TABLE messages ADD COLUMN unanswered TEXT CHECK (unanswered IN ('nothing', 'unsure'))",
    # Covering (the text too), so the page reads the index alone, not a million-row table.
    "CREATE INDEX idx_messages_unanswered ON messages (at, unanswered, session_id, text)"
    " WHERE unanswered IS NOT NULL",
    """
    CREATE VIEW unanswered_questions AS
    SELECT g.question, g.times, g.unsure, g.last_asked,
      (SELECT s.reference FROM sessions s WHERE s.id = g.session_id) AS conversation
    FROM (
      SELECT max(m.text) AS question, count(*) AS times, sum(m.unanswered = 'unsure') AS unsure,
        max(m.at) AS last_asked, max(m.session_id) AS session_id
      FROM messages m
      WHERE m.unanswered IS NOT NULL AND m.at >= strftime('%Y-%m-%d', 'now', '-90 days')
      GROUP BY lower(trim(m.text))
    ) g
    ORDER BY g.last_asked DESC
    """,
)


@MIGRATIONS(name="0010-unanswered-questions")
def unanswered_questions(db: Database) -> None:
    """Which questions the bot could not answer, and the view the review and the CLI read."""
    for statement in _UNANSWERED:
        db.execute(statement)


# Names under which early builds recorded a migration that was later renumbered: the review's
# closing migration was 0004 on its branch and became 0005 when the outbox took 0004.
RENAMED = {"0004-review-closing": "0005-review-closing"}


def reconcile(db: Database) -> None:
    """Record renumbered migrations under their present names, so each runs exactly once."""
    if not db[MIGRATIONS.migrations_table].exists():
        return
    for old, new in RENAMED.items():
        db.execute(
            f"UPDATE {MIGRATIONS.migrations_table} SET name = ? WHERE migration_set = ?"
            " AND name = ? AND NOT EXISTS (SELECT 1 FROM _sqlite_migrations"
            " WHERE migration_set = ? AND name = ?)",
            (new, MIGRATIONS.name, old, MIGRATIONS.name, new),
        )


def unknown(db: Database) -> list[str]:
    """Migrations the database has that this version does not know (a newer bot made it)."""
    known = {migration.name for migration in MIGRATIONS._migrations} | set(RENAMED)
    return [m.name for m in MIGRATIONS.applied(db) if m.name not in known]


@MIGRATIONS(name="0011-repair-early-databases")
def repair_early_databases(db: Database) -> None:
    """Databases from the first builds, made before 0001 and 0002 were edited: their
    inbound_updates has no user_id (and no index on it). Its rows only recognise repeats of
    updates from the last days, which the inbox now does, so it is made afresh."""
    if "user_id" in db["inbound_updates"].columns_dict:
        return
    db.execute("DROP TABLE inbound_updates")
    db.execute(
        """
        CREATE TABLE inbound_updates (
            channel TEXT NOT NULL,
            update_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            seen_at TEXT NOT NULL,
            PRIMARY KEY (channel, update_id)
        )
        """
    )
    db.execute("CREATE INDEX idx_inbound_updates_seen ON inbound_updates (seen_at)")
    db.execute("CREATE INDEX idx_inbound_updates_user ON inbound_updates (user_id)")


# One closing place: the web review closes through the staff desk (storage/review/plugins/
# staff_actions.py), like Telegram and the command line, so that the notice is edited and the
# person told; the INSTEAD OF trigger that closed in SQL alone goes, with its view.
# The outbox's handover rows: written by another process (the web review, the command line)
# for the running bot, which looks for them every second and sends them at once.
# Questions answered with a low margin: messages.margin (the points between the answer and the
# runner-up); storage/_misses.py says how the views below are read.
_ONE_DESK = (
    "DROP TRIGGER followup_closures_close",
    "DROP VIEW followup_closures",
    "ALTER TABLE outbox ADD COLUMN handover INTEGER NOT NULL DEFAULT 0 CHECK (handover IN (0, 1))",
    "CREATE INDEX idx_outbox_handover ON outbox (id) WHERE handover = 1",
    "ALTER TABLE messages ADD COLUMN margin INTEGER CHECK (margin >= 0)",
    "DROP VIEW unanswered_questions",
    "DROP INDEX idx_messages_unanswered",
    # Covering (the text too), so the page reads the index alone, not a million-row table.
    "CREATE INDEX idx_messages_unanswered ON messages (at, unanswered, margin, session_id, text)"
    " WHERE unanswered IS NOT NULL OR margin IS NOT NULL",
    # Every question not answered well, as the bot recorded it at the time, one row each.
    """
    CREATE VIEW question_misses AS
    SELECT m.id, m.user_id, m.session_id, m.text, m.at, m.step, m.matched,
      coalesce(m.unanswered, 'low-margin') AS why, m.margin
    FROM messages m
    WHERE m.unanswered IS NOT NULL OR m.margin IS NOT NULL
    """,
    # The same, grouped by what was typed (case and spaces aside), the last 90 days, newest first.
    """
    CREATE VIEW unanswered_questions AS
    SELECT g.question, g.times, g.unsure, g.low_margin, g.last_asked,
      (SELECT s.reference FROM sessions s WHERE s.id = g.session_id) AS conversation
    FROM (
      SELECT max(q.text) AS question, count(*) AS times, sum(q.why = 'unsure') AS unsure,
        sum(q.why = 'low-margin') AS low_margin, max(q.at) AS last_asked,
        max(q.session_id) AS session_id
      FROM question_misses q
      WHERE q.at >= strftime('%Y-%m-%d', 'now', '-90 days')
      GROUP BY lower(trim(q.text))
    ) g
    ORDER BY g.last_asked DESC
    """,
)


@MIGRATIONS(name="0012-one-desk")
def one_desk(db: Database) -> None:
    """No closing in SQL alone; outbox rows handed over to the bot; low-margin answers."""
    for statement in _ONE_DESK:
        db.execute(statement)


# Each CHECK (column IN (...)) below is made from its list in storage/_records.py, the one place
# the allowed values are written. When a list changes, add a migration that calls
# check_allowed_values() again, so that existing databases get the new list (fresh ones already
# do, since 0013 builds from the lists as they are), and give the checksum test the new figures.
ALLOWED_VALUES: dict[tuple[str, str], tuple[str, ...]] = {
    ("users", "channel"): CHANNELS,
    ("messages", "direction"): DIRECTIONS,
    ("messages", "kind"): tuple(dict.fromkeys((*INBOUND_KINDS, *OUTBOUND_KINDS))),
    ("messages", "status"): DELIVERY_STATUSES,
    ("messages", "unanswered"): UNANSWERED_REASONS,
    ("assessments", "kind"): ASSESSMENT_KINDS,
    ("followups", "status"): FOLLOWUP_STATUSES,
    ("followups", "stage"): FOLLOWUP_STAGES,
    ("staff_messages", "purpose"): STAFF_MESSAGE_PURPOSES,
    ("outbox", "post"): POST_KINDS,
    ("inbox", "status"): INBOX_STATUSES,
}
_VALUE = re.compile(r"^[a-z0-9_-]+$")  # so that a value can stand in SQL as it is


def check_allowed_values(db: Database) -> None:
    """Make every CHECK list the one in ALLOWED_VALUES, rebuilding each table that differs.

    SQLite cannot change a CHECK in place, so such a table is made anew under its own name with
    its rows, ids and indexes (the rebuild SQLite's ALTER TABLE page describes). The views and
    triggers, which name the tables, are dropped first and made again after. Foreign keys must be
    off (Store turns them off around migrations, and checks them before committing): dropping
    the users table with them on would delete every row that refers to it.
    """
    if db.execute("PRAGMA foreign_keys").fetchone()[0]:
        raise RuntimeError("check_allowed_values needs foreign keys off (PRAGMA foreign_keys)")
    wanted: dict[str, str] = {}
    for table in dict.fromkeys(table for table, _ in ALLOWED_VALUES):
        (sql,) = db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
        ).fetchone()
        new = sql
        for (owner, column), values in ALLOWED_VALUES.items():
            if owner == table:
                new = _with_check(new, table, column, values)
        if new != sql:
            wanted[table] = new
    if not wanted:
        return
    others = db.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('view', 'trigger')"
        " AND sql IS NOT NULL ORDER BY type = 'trigger', rowid"
    ).fetchall()
    for kind, name, _ in reversed(others):
        db.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
    for table, sql in wanted.items():
        indexes = [
            row[0]
            for row in db.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
                " AND sql IS NOT NULL ORDER BY rowid",
                [table],
            )
        ]
        fresh = f"{table}__checked"
        db.execute(re.sub(r"^CREATE TABLE\s+(\"?)\w+\1", f'CREATE TABLE "{fresh}"', sql))
        db.execute(f'INSERT INTO "{fresh}" SELECT * FROM "{table}"')
        db.execute(f'DROP TABLE "{table}"')
        db.execute(f'ALTER TABLE "{fresh}" RENAME TO "{table}"')
        for index in indexes:
            db.execute(index)
    for _, _, sql in others:
        db.execute(sql)


def _with_check(sql: str, table: str, column: str, values: tuple[str, ...]) -> str:
    """A table's SQL with the CHECK on `column` allowing exactly `values`."""
    if not values or not all(_VALUE.match(v) for v in values):
        raise ValueError(f"{table}.{column}: allowed values must be plain words: {values!r}")
    listed = ", ".join(f"'{value}'" for value in values)
    pattern = re.compile(rf"CHECK \({column} IN \([^)]*\)\)")
    new, found = pattern.subn(f"CHECK ({column} IN ({listed}))", sql)
    if found != 1:
        raise RuntimeError(f"{table}.{column} has {found} CHECK ({column} IN (...)) clauses, not 1")
    return new


@MIGRATIONS(name="0013-allowed-values")
def allowed_values(db: Database) -> None:
    """Every CHECK list made from storage/_records.py's lists (until now written by hand)."""
    check_allowed_values(db)


@MIGRATIONS(name="0014-unanswered-by-question")
def unanswered_by_question(db: Database) -> None:
    """The unanswered page groups by what was typed: an index in that order (covering, over
    the misses alone) reads the groups without sorting them first (26 ms to 11 ms on the
    million-message benchmark)."""
    db.execute(
        "CREATE INDEX idx_messages_unanswered_question ON messages"
        " (lower(trim(text)), at, unanswered, margin, session_id, text)"
        " WHERE unanswered IS NOT NULL OR margin IS NOT NULL"
    )


@MIGRATIONS(name="0015-chat-moves")
def chat_moves(db: Database) -> None:
    """Chats Telegram moved to a new id (a group upgraded to a supergroup): the staff chat's
    notices follow it there, this run and every later one, whatever STAFF_CHAT_ID still says."""
    db.execute(
        """
        CREATE TABLE chat_moves (
            chat_id INTEGER PRIMARY KEY,
            moved_to INTEGER NOT NULL,
            at TEXT NOT NULL
        )
        """
    )


# The unanswered questions' window counts back from the reader's clock (Store's, the review's),
# not SQLite's 'now', so that tests set the time instead of travelling in it. A view cannot
# be told the time (and one calling a function of ours would break every plain SQLite tool
# that reads the schema), so the grouping moves into the two queries that read the misses
# (storage/_misses.py, the review's metadata.yaml) and the view that grouped by 'now' goes.
@MIGRATIONS(name="0016-unanswered-by-the-readers-clock")
def unanswered_by_the_readers_clock(db: Database) -> None:
    """The view that counted the unanswered questions' 90 days from SQLite's clock goes."""
    db.execute("DROP VIEW unanswered_questions")


@MIGRATIONS(name="0017-thread-posts")
def thread_posts(db: Database) -> None:
    """The staff-chat posts of what a person wrote in a conversation the team opened (C-…),
    which has no follow-up to link them to: by person, so that /forget deletes them too."""
    db.execute(
        """
        CREATE TABLE thread_posts (
            chat_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            PRIMARY KEY (chat_id, message_id)
        )
        """
    )
    db.execute("CREATE INDEX idx_thread_posts_user ON thread_posts (user_id)")
