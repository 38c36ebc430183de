"""Commands for the content: validate the YAML, show the loaded knowledge."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.cli._parser import PROG, add_command
from dialogues import Engine, load_all
from dialogues.screen_check import screen_problems
from knowledge import ContentError, Matcher, load_knowledge


def register(commands: argparse._SubParsersAction) -> None:
    """Add `check` and `knowledge`."""
    check = add_command(
        commands,
        "check",
        help="validate every YAML file (exit 1 listing each problem)",
        description="Validate the knowledge and dialogue YAML, and measure every message the bot "
        "can send against a phone screen (16 lines of 38 characters): every problem is listed, "
        "one a line, naming the file, the entry and the field; exit 1 if there is any.",
        example=f"{PROG} check",
    )
    check.add_argument(
        "--root",
        type=Path,
        metavar="DIR",
        help="a copy laid out like the repository (knowledge/data, dialogues) to check instead",
    )
    check.set_defaults(func=run_check)

    knowledge = add_command(
        commands,
        "knowledge",
        help="print the loaded knowledge base",
        description="Print the knowledge base: the factors and frameworks, or with --json "
        "everything loaded.",
        example=f"{PROG} knowledge --json",
    )
    knowledge.add_argument("--json", action="store_true", help="print it as JSON")
    knowledge.set_defaults(func=run_knowledge)


def review_problems(root: Path | None) -> list[str]:
    """The staff review's words and queries (storage/review/metadata.yaml, or the copy's)."""
    from storage.review import METADATA_FILE, review_content_problems

    copy = root / "storage" / "review" / "metadata.yaml" if root else None
    return review_content_problems(copy if copy and copy.is_file() else METADATA_FILE)


def run_check(args: argparse.Namespace) -> int:
    """Validate all content; print every problem, one a line."""
    try:
        kb, dialogues = load_all(args.root)
    except ContentError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"{len(error.problems)} problem(s) found.", file=sys.stderr)
        return 1
    problems, waiting = screen_problems(Engine(kb, dialogues, Matcher(kb)))
    problems += review_problems(args.root)
    for problem in waiting:
        print(f"waiting (journey being reshaped): {problem}", file=sys.stderr)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    fitting = f"{len(waiting)} waiting" if waiting else "every message fits a phone screen"
    print(
        f"OK: {len(kb.factors)} factors, {len(kb.frameworks)} frameworks, "
        f"{len(kb.reading)} reading entries, {len(kb.glossary)} glossary terms; "
        f"{len(dialogues.flows)} flows; {fitting}."
    )
    return 0


def run_knowledge(args: argparse.Namespace) -> int:
    """Print the knowledge base, as JSON or as a short summary."""
    try:
        kb = load_knowledge()
    except ContentError as error:
        print(
            f"The knowledge YAML has {len(error.problems)} problem(s); run: python -m bot check",
            file=sys.stderr,
        )
        return 1
    if args.json:
        json.dump(kb.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    for level in ("innovation", "external"):
        print(f"Factors ({level} level):")
        for factor in kb.factors.values():
            if factor.level == level:
                mark = " *" if kb.is_key(factor.id) else ""
                print(f"  {factor.id:24} {factor.title}{mark}")
    print("Frameworks:")
    for framework in kb.frameworks.values():
        print(f"  {framework.id:24} {framework.title}")
    print("* one of the seven of particular relevance to adult social care")
    return 0
