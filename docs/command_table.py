"""README's command table, made from the parser that `python -m bot --help` prints.

    .venv/bin/python -m docs.command_table          # print the table
    .venv/bin/python -m docs.command_table --write  # put it in README.md

tests/bot/test_cli.py fails when README's table and the parser disagree.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from bot.cli import DEFAULT_HELP, PROG, build_parser, subcommands

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN = "<!-- command table: made by `python -m docs.command_table --write` -->"
END = "<!-- end of command table -->"


def rows(parser: argparse.ArgumentParser, help: str = "") -> Iterator[tuple[str, str]]:
    """(usage, what it does) for each command under the parser that runs something."""
    commands = subcommands(parser)
    if not commands or parser.get_default("func"):  # runs something itself (`review`)
        yield _usage(parser).replace(" COMMAND ...", ""), help
    for name, command in commands.items():
        yield from rows(command, _help_of(parser, name))


def _help_of(parser: argparse.ArgumentParser, name: str) -> str:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if choice.dest == name:
                    return choice.help or ""
    return ""


def _usage(parser: argparse.ArgumentParser) -> str:
    usage = " ".join(parser.format_usage().split()).removeprefix("usage: ")
    return usage.replace(" [-h]", "")


def table() -> str:
    """The command table in Markdown."""
    lines = ["| command | does |", "| --- | --- |"]
    for usage, does in [(PROG, DEFAULT_HELP), *rows(build_parser())]:
        lines.append(f"| `{usage.replace('|', chr(92) + '|')}` | {does} |")
    return "\n".join(lines)


def readme_table(text: str) -> str:
    """The table between README's markers (empty if they are missing)."""
    found = re.search(re.escape(BEGIN) + r"\n(.*?)\n" + re.escape(END), text, re.S)
    return found.group(1) if found else ""


def main(argv: list[str]) -> int:
    if argv != ["--write"]:
        print(table())
        return 0
    text = README.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        print(f"README.md has no {BEGIN!r} … {END!r} markers", file=sys.stderr)
        return 1
    before, _, rest = text.partition(BEGIN)
    after = rest.partition(END)[2]
    README.write_text(f"{before}{BEGIN}\n{table()}\n{END}{after}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
