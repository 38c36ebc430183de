"""The command line as a whole: --help, descriptions and examples, README's table, closed pipes."""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator

from bot.cli import PROG, build_parser, subcommands
from docs.command_table import README, readme_table, table
from storage import Store
from tests.content_copy import REPO


def every_command(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """(names, parser) for every command and sub-command, depth first."""
    for name, command in subcommands(parser).items():
        yield (*path, name), command
        yield from every_command(command, (*path, name))


def _bot(*args: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.Popen:
    environment = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=REPO,
        env=environment | (env or {}),
        **kwargs,
    )


def test_help_lists_every_command_and_nothing_hidden():
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0
    assert "SUPPRESS" not in result.stdout
    listed = [
        line.split()[0]
        for line in result.stdout.split("  COMMAND\n", 1)[1].split("\n\n")[0].splitlines()
        if line.startswith("    ") and not line.startswith("      ")
    ]
    assert listed == list(subcommands(build_parser()))
    assert "default" not in listed


def test_every_command_has_a_description_and_an_example_that_parses():
    parser = build_parser()
    commands = dict(every_command(parser))
    assert ("transcripts", "export") in commands and ("followups", "close") in commands
    for path, command in commands.items():
        assert command.description and len(command.description) > 20, path
        assert command.epilog and command.epilog.startswith("Example:\n  "), path
        example = command.epilog.removeprefix("Example:\n  ").splitlines()[0]
        words = shlex.split(example.split("| ")[-1])
        while "=" in words[0]:  # an environment variable set for the command
            words.pop(0)
        assert " ".join(words[:3]) == PROG, (path, example)
        assert tuple(words[3 : 3 + len(path)]) == path, (path, example)
        args = parser.parse_args(words[3:])
        if not subcommands(command):
            assert args.func is command.get_default("func"), path
        assert "Example:\n  " + example in command.format_help()


def test_readme_command_table_is_the_one_made_from_help():
    assert readme_table(README.read_text(encoding="utf-8")) == table(), (
        "README's command table is out of date: run python -m docs.command_table --write"
    )


def test_a_closed_pipe_ends_quietly(tmp_path):
    db = tmp_path / "bot.db"
    with Store.open(db):
        pass
    for args in (["transcripts", "export", "--format", "csv"], ["knowledge", "--json"]):
        reader, writer = os.pipe()
        os.close(reader)  # the reader has gone before the first byte, as `| head` can
        run = _bot(*args, env={"BOT_DB": str(db)}, stdout=writer, stderr=subprocess.PIPE)
        os.close(writer)
        _, err = run.communicate(timeout=60)
        assert err == b"", (args, err)
        assert run.returncode == 0, args
