"""Commands for staff and operators: transcripts, follow-ups, backups and the retention purge.

Each command opens the database named by BOT_DB (default data/bot.db), calls one Store method
and prints. Bad input gets one line on stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sqlite3
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.cli._parser import PROG, add_command
from bot.config import ConfigError, Settings
from bot.service import Advisor
from bot.staff import Staff, StaffDesk, StaffPosts
from bot.startup import staff_chat
from dialogues import Engine
from storage import FollowUp, Message, Session, StorageError, Store, open_private

EXPORT_FORMATS = ("csv", "json", "md")
SPEAKER = {"in": "user", "out": "bot"}


MAX_PURGE_DAYS = 3650  # a longer retention is a typing mistake, not a policy


def register(commands: argparse._SubParsersAction) -> None:
    """Add `transcripts`, `followups`, `backup` and `purge`."""
    transcripts = add_command(
        commands,
        "transcripts",
        help="list, show or export conversation transcripts",
        description="Conversation transcripts, for staff and operators.",
        example=f"{PROG} transcripts list",
    )
    actions = transcripts.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = add_command(
        actions,
        "list",
        help="list sessions, most recent first",
        description="List sessions, most recent first.",
        example=f"{PROG} transcripts list --since 2026-01-31 --json",
    )
    listing.add_argument("--since", metavar="DATE", help="only sessions active since DATE")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_transcripts_list)

    show = add_command(
        actions,
        "show",
        help="print one transcript",
        description="Print a session's messages, or with a follow-up reference the user's whole "
        "history.",
        example=f"{PROG} transcripts show C-7K2QXM",
    )
    show.add_argument("reference", metavar="REF", help="a session (C-…) or follow-up reference")
    show.set_defaults(func=run_transcripts_show)

    export = add_command(
        actions,
        "export",
        help="export transcripts as csv, json or md",
        description="Export sessions and their messages, to standard output or to an "
        "owner-only file.",
        example=f"{PROG} transcripts export --format csv --since 2026-01-01 "
        "--output out/transcripts.csv",
    )
    export.add_argument("--format", required=True, choices=EXPORT_FORMATS, help="file format")
    export.add_argument("--since", metavar="DATE", help="only sessions active since DATE")
    export.add_argument(
        "--output", metavar="PATH", help="write to PATH (owner-only) instead of stdout"
    )
    export.set_defaults(func=run_transcripts_export)

    followups = add_command(
        commands,
        "followups",
        help="list or close follow-up requests",
        description="Follow-up requests: people who asked the network team to get in touch.",
        example=f"{PROG} followups list",
    )
    actions = followups.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = add_command(
        actions,
        "list",
        help="list open follow-ups, oldest first",
        description="List open follow-ups, oldest first.",
        example=f"{PROG} followups list --json",
    )
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_followups_list)
    close = add_command(
        actions,
        "close",
        help="close a follow-up",
        description="Close a follow-up, with a note if you like.",
        example=f'{PROG} followups close SA-4K9P2M --note "called back, resolved"',
    )
    close.add_argument("reference", metavar="REF", help="the follow-up reference")
    close.add_argument("--note", metavar="TEXT", help="a closing note")
    close.set_defaults(func=run_followups_close)

    backup = add_command(
        commands,
        "backup",
        help="copy the database (safe while the bot runs)",
        description="Copy the live database to PATH with SQLite's online backup; the copy is "
        "readable by its owner only.",
        example=f"{PROG} backup backups/bot-2026-01-31.db",
    )
    backup.add_argument("path", metavar="PATH", help="where to write the copy")
    backup.set_defaults(func=run_backup)

    purge = add_command(
        commands,
        "purge",
        help="delete records older than the retention period",
        description="Delete transcripts, sessions, closed follow-ups and users not seen for N "
        "days (default RETENTION_DAYS); anonymous counts stay.",
        example=f"{PROG} purge --days 365",
    )
    purge.add_argument("--days", type=int, metavar="N", help="retention in days")
    purge.set_defaults(func=run_purge)


def run_transcripts_list(args: argparse.Namespace) -> int:
    """List sessions (since a date), as text or JSON."""

    def act(store: Store) -> None:
        sessions = store.list_sessions(_day(args.since))
        if args.json:
            _print_json([_plain(session) for session in sessions])
            return
        for session in sessions:
            print(_session_line(session))
        print(f"{len(sessions)} session(s)")

    return _with_store(act)


def run_transcripts_show(args: argparse.Namespace) -> int:
    """Print the messages of one session or of a follow-up's user."""

    def act(store: Store) -> None:
        messages = store.transcript(args.reference)
        for message in messages:
            print(_message_lines(message))
        print(f"{len(messages)} message(s)")

    return _with_store(act)


def run_transcripts_export(args: argparse.Namespace) -> int:
    """Write the transcripts to stdout or an owner-only file."""

    def act(store: Store) -> None:
        since = _day(args.since)
        if args.output is None:
            store.export_transcripts(sys.stdout, args.format, since)
            return
        path = Path(args.output)
        # Transcripts are personal data: the file is readable by its owner only.
        with open(open_private(path, store.path), "w", encoding="utf-8", newline="") as out:
            written = store.export_transcripts(out, args.format, since)
        print(f"{written} message(s) written to {path}")

    return _with_store(act)


def run_followups_list(args: argparse.Namespace) -> int:
    """List the open follow-ups, oldest first."""

    def act(store: Store) -> None:
        queue = store.followup_queue("open")
        if args.json:
            _print_json([_plain(followup) for followup in queue])
            return
        for followup in queue:
            print(_followup_line(followup))
        print(f"{len(queue)} open follow-up(s)")

    return _with_store(act)


def run_followups_close(args: argparse.Namespace) -> int:
    """Close one follow-up from the command line."""

    def act(store: Store) -> None:
        # The desk closes it as Telegram would: the notice edited and the person told, both
        # handed over in the outbox to the running bot, which sends them within a second.
        settings = Settings.from_env()
        engine = Engine.load(settings.engine_settings())
        posts = StaffPosts(store, engine.dialogues, staff_chat(settings, store))
        desk = StaffDesk(Advisor(engine, store, staff_chat=posts), posts)
        desk.close(Staff(None, None), args.reference, args.note)
        print(f"{store.followup(args.reference).reference} closed")

    return _with_store(act, handover=True)


def run_backup(args: argparse.Namespace) -> int:
    """Copy the database with SQLite's online backup."""

    def act(store: Store) -> None:
        print(f"backup written to {store.backup(args.path)}")

    return _with_store(act)


def run_purge(args: argparse.Namespace) -> int:
    """Delete what is older than the retention period and say how much went."""

    def act(store: Store) -> None:
        days = args.days if args.days is not None else Settings.from_env().retention_days
        if not 1 <= days <= MAX_PURGE_DAYS:
            raise ValueError(f"--days must be between 1 and {MAX_PURGE_DAYS} (ten years)")
        counts = {table: n for table, n in store.purge(days).items() if n}
        if not counts:
            print(f"nothing older than {days} days")
            return
        print(", ".join(f"{table}: {n}" for table, n in sorted(counts.items())))

    return _with_store(act)


# --- shared ---------------------------------------------------------------------------------


def _with_store(act: Callable[[Store], None], handover: bool = False) -> int:
    """Open the existing database, run one action; bad input is one line on stderr, exit 1.
    `handover`: what the action queues is for the running bot to send at once."""
    try:
        with Store.open(Settings.from_env().db_path, create=False, handover=handover) as store:
            act(store)
    except BrokenPipeError:
        raise  # the reader went away: main() ends quietly
    except (StorageError, ConfigError, ValueError, OSError, sqlite3.Error) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        where = f" ({error.filename})" if isinstance(error, OSError) and error.filename else ""
        print(f"error: {reason}{where}", file=sys.stderr)
        return 1
    return 0


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"malformed date {text!r}: expected YYYY-MM-DD") from None


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _session_line(session: Session) -> str:
    return (
        f"{session.reference}  user {session.user_id}  {_when(session.started_at)}"
        f" → {_when(session.last_at)}  {session.message_count} message(s)"
    )


def _message_lines(message: Message) -> str:
    status = f", {message.status}" if message.status else ""
    head = f"[{_when(message.at)}] {SPEAKER[message.direction]} ({message.kind}{status})"
    return head + "\n" + "\n".join(f"    {line}" for line in message.text.split("\n"))


def _followup_line(followup: FollowUp) -> str:
    note = " ".join(followup.note.split())
    return (
        f"{followup.reference}  {_when(followup.created_at)}  user {followup.user_id}"
        f"  contact: {followup.contact}  note: {note[:80]}"
    )


def _plain(record: Any) -> Any:
    """A record as JSON-ready data: datetimes and dates as ISO text."""
    return _jsonable(dataclasses.asdict(record))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    print()
