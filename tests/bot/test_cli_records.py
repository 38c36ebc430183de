"""`python -m bot transcripts|followups|backup|purge` on a real database file."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from storage import Store
from tests.turns import said

ROOT = Path(__file__).resolve().parents[2]
# The command line runs on the real clock, so the data is dated relative to today.
START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=6)
SECOND = START + timedelta(days=4)


class Clock:
    """A clock the fixture moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database with two sessions and two open follow-ups, named by BOT_DB."""
    path = tmp_path / "data" / "bot.db"
    monkeypatch.setenv("BOT_DB", str(path))
    monkeypatch.delenv("RETENTION_DAYS", raising=False)
    clock = Clock()
    with Store.open(path, clock=clock) as store:
        user = store.ensure_user("telegram", 42, 42)
        store.set_consent(user.id, True)
        said(store, user.id, "how do I scale a Shared Lives scheme?", "text")
        store.record_outbound(user.id, "Here is what the evidence says…")
        store.create_followup(user.id, "SA-4K9P2", "please call me", "phone: 0123")
        clock.now = SECOND
        said(store, user.id, "back again, 😀 مرحبا", "text")
        store.create_followup(user.id, "SA-7XQ3M", "email me", "email: x@example.org")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(code: int, err: str, *words: str) -> None:
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert "Traceback" not in err
    for word in words:
        assert word in err


def session_references(capsys: pytest.CaptureFixture[str]) -> list[str]:
    code, out, _ = run(capsys, "transcripts", "list", "--json")
    assert code == 0
    return [session["reference"] for session in json.loads(out)]


def test_transcripts_list_shows_sessions_newest_first(db_path: Path, capsys):
    code, out, _ = run(capsys, "transcripts", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[-1] == "2 session(s)"
    assert SECOND.strftime("%Y-%m-%d %H:%M") in lines[0]
    assert START.strftime("%Y-%m-%d %H:%M") in lines[1]
    code, out, _ = run(capsys, "transcripts", "list", "--json")
    sessions = json.loads(out)
    assert [s["message_count"] for s in sessions] == [1, 2]
    assert sessions[0]["started_at"] == SECOND.isoformat()


def test_transcripts_list_since_a_date(db_path: Path, capsys):
    since = (SECOND - timedelta(days=1)).date().isoformat()
    code, out, _ = run(capsys, "transcripts", "list", "--since", since, "--json")
    assert code == 0 and len(json.loads(out)) == 1


def test_transcripts_show_prints_a_session_or_a_users_history(db_path: Path, capsys):
    first = session_references(capsys)[-1]
    code, out, _ = run(capsys, "transcripts", "show", first.lower())
    assert code == 0
    assert "how do I scale a Shared Lives scheme?" in out and out.endswith("2 message(s)\n")
    code, out, _ = run(capsys, "transcripts", "show", "SA-4K9P2")
    assert code == 0 and "back again, 😀 مرحبا" in out and out.endswith("3 message(s)\n")


@pytest.mark.parametrize("fmt", ["csv", "json", "md"])
def test_transcripts_export_writes_each_format(db_path: Path, capsys, fmt: str):
    code, out, _ = run(capsys, "transcripts", "export", "--format", fmt)
    assert code == 0
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [row["text"] for row in rows][-1] == "back again, 😀 مرحبا"
    elif fmt == "json":
        assert [len(s["messages"]) for s in json.loads(out)] == [2, 1]
    else:
        assert out.count("\n## C-") == 2 and "> back again, 😀 مرحبا" in out


def test_transcripts_export_to_a_file_is_owner_only(db_path: Path, tmp_path: Path, capsys):
    target = tmp_path / "export.json"
    target.write_text("old")
    target.chmod(0o644)
    since = SECOND.date().isoformat()
    code, out, _ = run(
        capsys, "transcripts", "export", "--format", "json", "--since", since,
        "--output", str(target),
    )  # fmt: skip
    assert code == 0 and out == f"1 message(s) written to {target}\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert json.loads(target.read_text())[0]["messages"][0]["text"] == "back again, 😀 مرحبا"


def test_followups_list_and_close(db_path: Path, capsys):
    code, out, _ = run(capsys, "followups", "list")
    assert code == 0
    assert out.splitlines()[0].startswith("SA-4K9P2") and out.endswith("2 open follow-up(s)\n")
    code, out, _ = run(capsys, "followups", "close", "sa-4k9p2", "--note", "called back")
    assert (code, out) == (0, "SA-4K9P2 closed\n")
    code, out, _ = run(capsys, "followups", "list", "--json")
    (remaining,) = json.loads(out)
    assert remaining["reference"] == "SA-7XQ3M" and remaining["contact"] == "email: x@example.org"
    with Store.open(db_path) as store:
        closed = store.followup("SA-4K9P2")
        assert (closed.status, closed.closed_by, closed.close_note) == (
            "closed",
            None,
            "called back",
        )
        # What the person is told is handed over for the running bot to send at once.
        told = store.db.execute(
            "SELECT handover FROM outbox WHERE user_id = ?", (closed.user_id,)
        ).fetchall()
        assert told and all(handover == 1 for (handover,) in told)


def test_backup_writes_an_owner_only_copy(db_path: Path, tmp_path: Path, capsys):
    target = tmp_path / "backups" / "copy.db"
    code, out, _ = run(capsys, "backup", str(target))
    assert (code, out) == (0, f"backup written to {target}\n")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    with Store.open(target, create=False) as copy:
        assert len(copy.followup_queue()) == 2


@pytest.mark.parametrize("command", ["backup", "export"])
@pytest.mark.parametrize("target", ["db", "-wal", "-shm", "link", "fifo", "device"])
def test_backup_and_export_refuse_to_write_onto_the_database_or_a_non_file(
    db_path: Path, tmp_path: Path, capsys, command: str, target: str
):
    with Store.open(db_path) as store:  # the -wal and -shm exist while a store is open
        before = db_path.read_bytes()
        if target == "db":
            path = db_path
        elif target in ("-wal", "-shm"):
            path = Path(f"{db_path}{target}")
        elif target == "link":
            path = tmp_path / "innocent.db"
            path.symlink_to(db_path)
        elif target == "fifo":
            path = tmp_path / "pipe"
            os.mkfifo(path)
        else:
            path = Path("/dev/null")
        argv = (
            ["backup", str(path)]
            if command == "backup"
            else ["transcripts", "export", "--format", "csv", "--output", str(path)]
        )
        code, out, err = run(capsys, *argv)
        assert (code, out) == (1, "")
        assert err.count("\n") == 1 and err.startswith("error: ")
        assert db_path.read_bytes() == before
        assert len(store.followup_queue()) == 2


@pytest.mark.parametrize("days", ["0", "-3", "3651", "99999999999999"])
def test_purge_days_outside_a_sensible_range_is_one_line_and_exit_1(db_path: Path, capsys, days):
    code, out, err = run(capsys, "purge", "--days", days)
    assert (code, out) == (1, "")
    assert err == "error: --days must be between 1 and 3650 (ten years)\n"


def test_purge_uses_the_retention_setting_or_days(
    db_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
):
    code, out, _ = run(capsys, "purge")
    assert (code, out) == (0, "nothing older than 365 days\n")
    monkeypatch.setenv("RETENTION_DAYS", "30")
    code, out, _ = run(capsys, "purge")
    assert (code, out) == (0, "nothing older than 30 days\n")
    # Both follow-ups are open: the person and what they said stay, however short the period.
    code, out, _ = run(capsys, "purge", "--days", "1")
    assert (code, out) == (0, "nothing older than 1 days\n")
    clock = Clock()
    clock.now = SECOND + timedelta(hours=1)
    with Store.open(db_path, clock=clock) as store:
        store.close_followup("SA-4K9P2", None)
        store.close_followup("SA-7XQ3M", None)
    code, out, _ = run(capsys, "purge", "--days", "3")
    assert (code, out) == (0, "nothing older than 3 days\n")  # closed less than 3 days ago
    code, out, _ = run(capsys, "purge", "--days", "1")
    assert code == 0 and "users: 1" in out and "followups: 2" in out and "messages: 3" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["transcripts", "show", "C-0000000"], ["C-0000000"]),
        (["transcripts", "show", "SA-ZZZZ1"], ["SA-ZZZZ1"]),
        (["transcripts", "show", "'; DROP TABLE users; --"], ["not a reference"]),
        (["transcripts", "list", "--since", "31/01/2026"], ["31/01/2026", "YYYY-MM-DD"]),
        (["transcripts", "list", "--since", "2026-02-30"], ["2026-02-30"]),
        (["transcripts", "export", "--format", "csv", "--since", "yesterday"], ["yesterday"]),
        (["transcripts", "export", "--format", "md", "--output", "/no/such/dir/x.md"], ["/no/"]),
        (["followups", "close", "SA-ZZZZ1"], ["SA-ZZZZ1"]),
        (["backup", "/proc/no/such/backup.db"], ["/proc/no/such/backup.db"]),
        (["purge", "--days", "0"], ["between 1 and 3650"]),
    ],
)
def test_bad_input_prints_one_line_and_exits_1(db_path: Path, capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert out == ""
    assert_one_line_error(code, err, *words)


def test_closing_twice_is_an_error(db_path: Path, capsys):
    run(capsys, "followups", "close", "SA-4K9P2")
    code, _, err = run(capsys, "followups", "close", "SA-4K9P2")
    assert_one_line_error(code, err, "already closed")


COMMANDS = [
    ["transcripts", "list"],
    ["transcripts", "show", "SA-4K9P2"],
    ["transcripts", "export", "--format", "csv"],
    ["followups", "list"],
    ["followups", "close", "SA-4K9P2"],
    ["backup", "copy.db"],
    ["purge"],
]


@pytest.mark.parametrize("argv", COMMANDS)
def test_a_missing_database_is_one_line_and_is_not_created(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch, argv: list[str]
):
    missing = tmp_path / "nowhere" / "bot.db"
    monkeypatch.setenv("BOT_DB", str(missing))
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *argv)
    assert_one_line_error(code, err, "no database", str(missing))
    assert not missing.parent.exists() and not (tmp_path / "copy.db").exists()


def test_a_bad_setting_is_one_line(db_path: Path, capsys, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RETENTION_DAYS", "a year")
    code, _, err = run(capsys, "purge")
    assert_one_line_error(code, err, "RETENTION_DAYS")


def test_a_file_that_is_not_a_database_is_one_line(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
):
    fake = tmp_path / "bot.db"
    fake.write_text("not sqlite\n" * 500)
    monkeypatch.setenv("BOT_DB", str(fake))
    code, _, err = run(capsys, "transcripts", "list")
    assert_one_line_error(code, err, str(fake))


@pytest.mark.parametrize(
    "argv",
    [
        ["transcripts", "show", "SA-N0PE1"],
        ["transcripts", "list", "--since", "not-a-date"],
        ["backup", "/proc/no/such/backup.db"],
    ],
)
def test_the_real_command_line_never_shows_a_traceback(db_path: Path, argv: list[str]):
    result = subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        cwd=ROOT,
        env={**os.environ, "BOT_DB": str(db_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and result.stdout == ""
    assert_one_line_error(result.returncode, result.stderr)
