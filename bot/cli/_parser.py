"""How each command is added: a one-line help, a description and an example, always all three."""

from __future__ import annotations

import argparse

PROG = "python -m bot"


class HelpFormatter(argparse.HelpFormatter):
    """Prose wrapped to the terminal's width; indented lines (the examples) kept as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        fill = super()._fill_text
        lines = text.splitlines()
        return "\n".join(
            indent + line if line.startswith(" ") else fill(line, width, indent) for line in lines
        )


def add_command(
    commands: argparse._SubParsersAction, name: str, *, help: str, description: str, example: str
) -> argparse.ArgumentParser:
    """A (sub-)command whose --help ends with an example that starts with the program's name."""
    return commands.add_parser(
        name,
        help=help,
        description=description,
        epilog=f"Example:\n  {example}",
        formatter_class=HelpFormatter,
    )


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The sub-commands of a parser by name, in the order --help lists them."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}
