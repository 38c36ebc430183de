# storage/_schema.py exactly as committed in 6bb1cdb; a fixture, never edited.
# ruff: noqa
"""The schema, as named sqlite-utils migrations: applied in order, each recorded once.

Never edit a published migration; add a new one. Each runs in a transaction with its record.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

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


@MIGRATIONS(name="0004-review-closing")
def enable_closing_in_review(db: Database) -> None:
    """Who closed a follow-up in the web view, and the view staff insert into to close one."""
    for statement in _REVIEW_CLOSING:
        db.execute(statement)
