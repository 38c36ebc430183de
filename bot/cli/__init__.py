"""The command line: a thin shell over the library. `python -m bot --help` lists the commands."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from bot.cli import chat, content, matching, misses, records, review
from bot.cli._parser import PROG, HelpFormatter, subcommands

__all__ = ["DEFAULT_HELP", "PROG", "build_parser", "main", "subcommands"]

# Each module adds its commands to the parser; order here is the order in --help.
COMMAND_MODULES = (chat, content, matching, misses, records, review)

DEFAULT_HELP = "Telegram when TELEGRAM_BOT_TOKEN is set, otherwise the terminal chat (saying so)"


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Scaling Advisor: the Social Care Innovation Network's advisory bot. "
        f"With no command: {DEFAULT_HELP}.",
        epilog=f"Example:\n  {prog} check\n\nEach command's --help has an example of its own.",
        formatter_class=HelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """Run one command and return its exit code."""
    if prog is None:
        # The console script (`scaling-advisor`) names itself; `python -m bot` passes its name.
        prog = os.path.basename(sys.argv[0]) if argv is None and sys.argv[0] else PROG
    args = build_parser(prog).parse_args(argv)
    func = getattr(args, "func", chat.run_default)
    try:
        code = func(args)
        sys.stdout.flush()  # here, not at exit: a closed pipe must be caught below
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly. Point stdout at /dev/null so the
        # interpreter's final flush does not raise the same error again on the way out.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
