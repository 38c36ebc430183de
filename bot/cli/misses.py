"""`python -m bot misses`: what people typed that the rules did not answer well, for staff.

Reads the candidates from storage (Store.misses, storage/_misses.py: no topic matched, "did you
mean", answered with a low margin, or the answer was marked unhelpful), reads each again with
today's rules, and prints them grouped and counted, with the topics and words that nearly
fired. A message that today's rules send to a route (safety, own care, off-topic, about, a
glossary word, smalltalk) is answered: not a miss.
README "Turning a miss into a rule" says what to do with the list.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field

from bot.cli._parser import PROG, add_command
from bot.cli.records import _day, _with_store
from dialogues import Engine, reads_as_question, takes_typed_answer
from knowledge import ContentError, Matcher, normalise
from storage import Store, Unanswered

REASONS = {
    "none": "nothing matched",
    "close": "low margin (did you mean, or a close runner-up)",
    "unhelpful": "marked unhelpful",
}
NEAR = 3  # topics listed as nearly firing


def register(commands: argparse._SubParsersAction) -> None:
    """Add `misses`."""
    misses = add_command(
        commands,
        "misses",
        help="list what people typed that matched nothing, matched weakly or did not help",
        description=(
            "Group and count what people typed that matched no topic, matched with a low "
            "margin, or whose answer they marked unhelpful, each with the topics and words "
            "that nearly fired. Messages are read again with today's rules."
        ),
        example=f"{PROG} misses --since 2026-11-01",
    )
    misses.add_argument("--since", metavar="DATE", help="only messages since DATE (YYYY-MM-DD)")
    misses.add_argument("--json", action="store_true", help="one JSON object per group")
    misses.set_defaults(func=run_misses)


@dataclass
class Miss:
    """One group: the same words typed one or more times, why it is a miss, what nearly fired."""

    text: str
    reason: str
    count: int = 0
    last: str = ""
    near: list[tuple[str, int, list[str]]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "reason": self.reason,
            "count": self.count,
            "last": self.last,
            "near": [{"id": i, "score": s, "terms": t} for i, s, t in self.near],
            "unknown_words": self.unknown,
        }


def run_misses(args: argparse.Namespace) -> int:
    """Print the misses since a date, most frequent first."""
    try:
        engine = Engine.load()
    except ContentError as error:
        print(
            f"The YAML has {len(error.problems)} problem(s); run: python -m bot check",
            file=sys.stderr,
        )
        return 1

    def act(store: Store) -> None:
        since = _day(args.since)
        groups = find_misses(store.misses(since), engine.matcher, free_text_flows(engine))
        if args.json:
            for miss in groups:
                print(json.dumps(miss.to_json(), ensure_ascii=False))
            return
        total = sum(m.count for m in groups)
        print(f"{total} miss(es) in {len(groups)} group(s)")
        for miss in groups:
            print(f"\n{miss.count:4}×  {json.dumps(miss.text, ensure_ascii=False)}")
            print(f"       {REASONS[miss.reason]}; last {miss.last}")
            if miss.near:
                near = "; ".join(f"{i} {s} ({', '.join(t)})" for i, s, t in miss.near)
                print(f"       nearly: {near}")
            if miss.unknown:
                print(f"       words no rule knows: {', '.join(miss.unknown)}")

    return _with_store(act)


def find_misses(
    rows: list[Unanswered], matcher: Matcher, answer_flows: frozenset[str] = frozenset()
) -> list[Miss]:
    """Group the candidates by what was typed; keep those today's rules still answer badly."""
    groups: dict[str, Miss] = {}
    counts: Counter[str] = Counter()
    for row in rows:
        if _is_an_answer(row, answer_flows):
            continue
        result = matcher.match(row.text)
        if row.unhelpful:
            reason = "unhelpful"
        elif result.route == "none":
            reason = "none"
        elif result.route == "topic" and (result.ambiguous or result.close_call):
            reason = "close"
        else:
            continue  # answered now: a route, smalltalk, or a clear topic
        key = f"{reason}:{normalise(row.text)}"
        counts[key] += 1
        miss = groups.get(key)
        if miss is None:
            near = [(m.id, m.score, list(m.terms)) for m in matcher.candidates(row.text)[:NEAR]]
            miss = groups[key] = Miss(row.text, reason, near=near)
            miss.unknown = matcher.unknown_words(row.text)
        miss.count += 1
        miss.last = row.at.strftime("%Y-%m-%d %H:%M")
    return sorted(groups.values(), key=lambda m: (-m.count, m.text))


def _is_an_answer(row: Unanswered, answer_flows: frozenset[str]) -> bool:
    """Text typed in a journey that takes typed answers, and not put as a question, is an
    answer (a SIPS section, a note to the team): not a question the rules missed."""
    flow = (row.step or "").partition(".")[0]
    if flow not in answer_flows:
        return False
    return not reads_as_question(row.text)


def free_text_flows(engine: Engine) -> frozenset[str]:
    """The flows with a step that takes typed text as its answer."""
    return frozenset(
        flow.id
        for flow in engine.dialogues.flows.values()
        if any(takes_typed_answer(step) for step in flow.steps.values())
    )
