"""`python -m bot match`: the free-text matcher alone, for staff trying out match rules."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator

from bot.cli._parser import PROG, add_command
from knowledge import MAX_QUERY_CHARS, ContentError, Matcher, MatchResult, load_knowledge


def register(commands: argparse._SubParsersAction) -> None:
    """Add `match`."""
    match = add_command(
        commands,
        "match",
        help="show which factors and frameworks a question matches",
        description="Run the free-text matcher on a question, on each line of a file (--batch), "
        "or on each line of standard input when neither is given.",
        example=f'{PROG} match --json "recruitment problems"',
    )
    match.add_argument("text", nargs="*", metavar="TEXT", help="the question (words are joined)")
    match.add_argument(
        "--json", action="store_true", help="one JSON object per query, as the design defines"
    )
    match.add_argument(
        "--batch", metavar="FILE", help="read one query per line from FILE ('-' for stdin)"
    )
    match.set_defaults(func=run_match)


def run_match(args: argparse.Namespace) -> int:
    """Match each query and print the result, as JSON lines or as readable lines."""
    try:
        matcher = Matcher(load_knowledge())
    except ContentError as error:
        print(
            f"The knowledge YAML has {len(error.problems)} problem(s); run: python -m bot check",
            file=sys.stderr,
        )
        return 1
    if args.batch and args.text:
        print("Give either TEXT or --batch FILE, not both.", file=sys.stderr)
        return 2
    try:
        queries = list(_queries(args))
    except OSError as error:
        print(f"Cannot read {args.batch}: {error.strerror or error}", file=sys.stderr)
        return 2
    for query in queries:
        result = matcher.match(query)
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False))
        else:
            print(describe(result))
    return 0


def _queries(args: argparse.Namespace) -> Iterator[str]:
    """The queries to match: TEXT, or each line of the batch file or of stdin."""
    if args.text:
        yield _clean(" ".join(args.text))
        return
    if args.batch and args.batch != "-":
        with open(args.batch, encoding="utf-8", errors="replace") as lines:
            yield from _lines(lines)
        return
    yield from _lines(sys.stdin)


def _lines(lines: Iterable[str]) -> Iterator[str]:
    """Each line without its line ending; a blank line is still a query, so output lines up."""
    for line in lines:
        yield _clean(line.rstrip("\r\n"))


def _clean(text: str) -> str:
    """Text that can always be printed: undecodable bytes from the command line replaced."""
    return text.encode("utf-8", "replace").decode("utf-8")


def describe(result: MatchResult) -> str:
    """The result as readable lines: the query, then one line per match, best first."""
    lines = [json.dumps(result.query, ensure_ascii=False)]
    if result.truncated:
        lines.append(f"  (only the first {MAX_QUERY_CHARS} characters were read)")
    if result.route_kind:
        terms = ", ".join(result.route_terms)
        lines.append(f"  route: {result.route_kind} ({result.route_id})   {terms}")
        for match in result.near:
            lines.append(f"  otherwise: {match.id} {match.score}   {', '.join(match.terms)}")
    elif result.smalltalk:
        lines.append(f"  smalltalk: {result.smalltalk}")
    elif not result.matches:
        lines.append("  no match")
    for n, match in enumerate(result.matches, start=1):
        terms = ", ".join(match.terms)
        lines.append(f"  {n}. {match.id:24} {match.kind:9} {match.score:3}   {terms}")
    if result.ambiguous:
        lines.append("  ambiguous: the bot would ask which of these was meant")
    return "\n".join(lines)
