"""Exports in CSV, JSON and Markdown parse back to the same sessions and texts."""

from __future__ import annotations

import csv
import io
import json

import pytest

from storage import Store
from tests.turns import said

from .conftest import FakeClock, keeping_user

TRICKY = [
    "commas, \"quotes\" and 'apostrophes'",
    "two\nlines\n\nwith a gap",
    "## not a heading\n> not a quote\n**not bold**",
    "😀 مرحبا e\u0301 שלום",
    "  leading and trailing spaces  ",
]


@pytest.fixture
def conversations(store: Store, clock: FakeClock) -> dict[str, list[str]]:
    """Two users, three sessions; returns each session's texts in order."""
    first, second = keeping_user(store, 1), keeping_user(store, 2)
    for text in TRICKY:
        said(store, first.id, text, "text")
    store.record_outbound(first.id, "a reply")
    clock.advance(days=3)
    said(store, second.id, "second user", "button")
    clock.advance(hours=2)
    said(store, first.id, "first user again", "command")
    return {
        session.reference: [m.text for m in store.transcript(session.reference)]
        for session in reversed(store.list_sessions())
    }


def export(store: Store, fmt: str, since=None) -> tuple[str, int]:
    out = io.StringIO()
    written = store.export_transcripts(out, fmt, since)
    return out.getvalue(), written


def parse_markdown(text: str) -> dict[str, list[str]]:
    """Sessions from the Markdown export: a '## ' heading each, messages quoted with '> '."""
    sessions: dict[str, list[str]] = {}
    current: list[str] | None = None
    quote: list[str] = []

    def flush() -> None:
        if current is not None and quote:
            current.append("\n".join(quote))
            quote.clear()

    for line in text.split("\n"):
        if line.startswith("## "):
            flush()
            current = sessions.setdefault(line[3:], [])
        elif line.startswith("**"):
            flush()
        elif line == ">" or line.startswith("> "):
            quote.append(line[2:])
    flush()
    return sessions


def test_csv_export_parses_back_row_by_row(store: Store, conversations: dict[str, list[str]]):
    text, written = export(store, "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert written == len(rows) == sum(len(texts) for texts in conversations.values())
    parsed: dict[str, list[str]] = {}
    for row in rows:
        parsed.setdefault(row["session"], []).append(row["text"])
    assert parsed == conversations
    assert {row["direction"] for row in rows} == {"in", "out"}
    assert rows[len(TRICKY)]["status"] == "pending"


def test_json_export_parses_back_session_by_session(
    store: Store, conversations: dict[str, list[str]]
):
    text, _ = export(store, "json")
    sessions = json.loads(text)
    assert {s["session"]: [m["text"] for m in s["messages"]] for s in sessions} == conversations
    assert list(conversations) == [s["session"] for s in sessions]  # oldest first
    assert {"user_id", "started_at", "last_at"} <= set(sessions[0])


def test_markdown_export_parses_back(store: Store, conversations: dict[str, list[str]]):
    text, written = export(store, "md")
    assert text.startswith("# Transcripts\n")
    assert parse_markdown(text) == conversations
    assert written == sum(len(texts) for texts in conversations.values())


def test_exports_can_start_from_a_day(
    store: Store, clock: FakeClock, conversations: dict[str, list[str]]
):
    text, written = export(store, "json", since=clock.now.date())
    assert [s["session"] for s in json.loads(text)] == list(conversations)[1:]
    assert written == 2


def test_an_empty_database_exports_valid_empty_files(store: Store):
    assert json.loads(export(store, "json")[0]) == []
    assert list(csv.DictReader(io.StringIO(export(store, "csv")[0]))) == []
    assert parse_markdown(export(store, "md")[0]) == {}


def test_an_unknown_format_is_refused(store: Store):
    with pytest.raises(ValueError):
        export(store, "xlsx")
