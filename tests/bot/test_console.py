"""The terminal chat: numbered options, choosing by number or label, files saved, piped input."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from bot.charts import render_chart
from bot.console import Console
from bot.documents import render_document
from bot.service import Advisor
from storage import Store
from tests.content_copy import REPO


@pytest.fixture
def console(engine, tmp_path):
    with Store.open(tmp_path / "bot.db") as store:
        out = io.StringIO()
        yield Console(
            Advisor(engine, store),
            files_dir=tmp_path / "files",
            out=out,
            render_chart=render_chart,
            render_document=render_document,
        )


def test_options_are_numbered_and_chosen_by_number_or_label(console):
    console.run(["1", "/triage", "Innovator or provider", "1"])
    out = console.out.getvalue()
    assert "  1. ✅ OK, keep my messages" in out
    assert "What would you like to do?" in out
    assert "1 of 4" in out and "2 of 4" in out  # by label, then by number


def test_charts_and_documents_are_saved_and_their_paths_printed(console, tmp_path):
    answers = ["Yes", "No", "No", "Partly", "Yes", "Not sure", "No"]
    console.run(["1", "/readiness", "Start", *answers, "/plan"])
    out = console.out.getvalue()
    assert "[chart saved to " in out and "[document saved to " in out
    saved = sorted(p.suffix for p in (tmp_path / "files").iterdir())
    assert saved == [".pdf", ".png"]


def test_saved_files_are_owner_only_like_the_database(console, tmp_path):
    console.run(["1", "/readiness", "Start", *["Yes"] * 7, "/plan"])
    saved = list((tmp_path / "files").iterdir())
    assert sorted(p.suffix for p in saved) == [".pdf", ".png"]
    assert {p.stat().st_mode & 0o777 for p in saved} == {0o600}
    assert (tmp_path / "files").stat().st_mode & 0o777 == 0o700
    # A file left readable by an older run is tightened when it is written again.
    plan = next(p for p in saved if p.suffix == ".pdf")
    plan.chmod(0o644)
    console.run(["/plan"])
    assert plan.stat().st_mode & 0o777 == 0o600


def test_no_markup_reaches_the_terminal(console):
    console.run(["1", "staff turnover", "Figures"])
    out = console.out.getvalue()
    assert "<b>" not in out and "&amp;" not in out
    assert "30.8%" in out


def _bot(*args: str, stdin: str = "", env: dict | None = None, tmp_path=None):
    environment = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    environment |= {"BOT_DB": str(tmp_path / "bot.db"), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=environment,
        timeout=120,
    )


def test_piped_input_works_and_ends_at_end_of_input(tmp_path):
    lines = "1\n/triage\n1\n2\n1\n2\nwe can't find staff\n"
    result = _bot("chat", stdin=lines, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "> we can't find staff" in result.stdout  # piped lines are echoed, for a transcript
    assert "NASSS" in result.stdout.split("> we can't find staff")[1]
    assert "Traceback" not in result.stderr


def test_without_a_token_the_default_is_the_terminal_chat_and_says_so(tmp_path):
    result = _bot(stdin="/help\n", tmp_path=tmp_path)
    assert result.returncode == 0
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr
    assert "What I can do" in result.stdout


def test_run_without_a_token_is_a_clear_error(tmp_path):
    result = _bot("run", tmp_path=tmp_path)
    assert result.returncode == 1
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_setting_is_a_one_line_error(tmp_path):
    result = _bot("chat", env={"RETENTION_DAYS": "soon"}, tmp_path=tmp_path)
    assert result.returncode == 1
    assert "RETENTION_DAYS" in result.stderr and "Traceback" not in result.stderr
