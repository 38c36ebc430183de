"""README's terminal-chat example is what the chat really prints for the command it shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.content_copy import REPO

README = REPO / "README.md"
EXAMPLE = re.compile(r"^`printf '(?P<lines>[^']*)' \| python -m bot chat`$", re.MULTILINE)


def _example() -> tuple[str, list[str]]:
    """The piped input of README's example, and the lines it shows (those not left out)."""
    text = README.read_text(encoding="utf-8")
    found = EXAMPLE.search(text)
    assert found, "README has no `printf '...' | python -m bot chat` example"
    block = text[found.end() :].split("```text\n", 1)[1].split("```", 1)[0]
    shown = [line for line in block.splitlines() if line.strip() not in ("", "...")]
    return found["lines"].replace("\\n", "\n"), shown


def test_the_readme_chat_example_is_what_the_chat_prints(tmp_path):
    stdin, shown = _example()
    environment = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment | {"BOT_DB": str(tmp_path / "bot.db"), "TMPDIR": str(tmp_path)},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    printed = iter(result.stdout.splitlines())
    for line in shown:  # each in order, as a whole line
        assert any(out == line for out in printed), (
            f"README's chat example is out of date from: {line!r}\n"
            "run the command it shows and copy what the chat prints"
        )
