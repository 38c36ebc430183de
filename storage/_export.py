"""Transcripts written out for staff: CSV (a row a message), JSON and Markdown (by session)."""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

SessionRows = tuple[dict[str, Any], list[dict[str, Any]]]
CSV_COLUMNS = ("session", "user_id", "at", "direction", "kind", "status", "text")
SPEAKER = {"in": "user", "out": "bot"}


def group_sessions(rows: Iterable[dict[str, Any]]) -> Iterator[SessionRows]:
    """Rows ordered by session then time, as (session, its messages), one session at a time."""
    for _, group in itertools.groupby(rows, key=lambda row: row["reference"]):
        messages = list(group)
        first = messages[0]
        session = {
            "session": first["reference"],
            "user_id": first["user_id"],
            "started_at": first["started_at"],
            "last_at": first["last_at"],
        }
        yield (
            session,
            [
                {key: message[key] for key in ("at", "direction", "kind", "status", "text")}
                for message in messages
            ],
        )


def write_csv(sessions: Iterable[SessionRows], out: TextIO) -> int:
    """One row per message, with a header; returns the number of messages."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    written = 0
    for session, messages in sessions:
        for message in messages:
            writer.writerow(
                [session["session"], session["user_id"]]
                + [message[key] or "" for key in CSV_COLUMNS[2:]]
            )
            written += 1
    return written


def write_json(sessions: Iterable[SessionRows], out: TextIO) -> int:
    """A JSON array of sessions, each with its messages; returns the number of messages."""
    written = 0
    out.write("[")
    for index, (session, messages) in enumerate(sessions):
        out.write(",\n" if index else "\n")
        out.write(json.dumps({**session, "messages": messages}, ensure_ascii=False))
        written += len(messages)
    out.write("\n]\n")
    return written


def write_markdown(sessions: Iterable[SessionRows], out: TextIO) -> int:
    """A heading per session, each message as a bold line then its text quoted."""
    written = 0
    out.write("# Transcripts\n")
    for session, messages in sessions:
        out.write(
            f"\n## {session['session']}\n\n"
            f"- user: {session['user_id']}\n"
            f"- started: {session['started_at']}\n"
            f"- last message: {session['last_at']}\n"
        )
        for message in messages:
            details = message["kind"] + (f", {message['status']}" if message["status"] else "")
            quoted = "\n".join(f"> {line}" if line else ">" for line in message["text"].split("\n"))
            out.write(
                f"\n**{message['at']} · {SPEAKER[message['direction']]}** ({details})\n\n{quoted}\n"
            )
            written += 1
    return written


WRITERS: dict[str, Callable[[Iterable[SessionRows], TextIO], int]] = {
    "csv": write_csv,
    "json": write_json,
    "md": write_markdown,
}
