"""The command line: a thin shell over the library. `python -m bot --help` lists the commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.cli import chat, content, matching, records

# Each module adds its commands to the parser; order here is the order in --help.
COMMAND_MODULES = (chat, content, matching, records)


def build_parser() -> argparse.ArgumentParser:
    """The parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Scaling Advisor: the Social Care Innovation Network's advisory bot.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["default"])
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
