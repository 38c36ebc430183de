"""Matcher accuracy on question sets: top-1, top-3, out-of-scope rejection, and every miss.

Example: python -m tests.eval_matcher                      # the development set
         python -m tests.eval_matcher tests/data/holdout-questions.tsv

A question set is a TSV file: the query, a tab, the acceptable ids separated by commas, or
"none" when nothing in scope should match. Lines starting with # are comments.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from knowledge import Matcher, MatchResult, load_knowledge

DATA = Path(__file__).parent / "data"
DEV_SET = DATA / "dev-questions.tsv"
HOLDOUT_SET = DATA / "holdout-questions.tsv"


@dataclass(frozen=True)
class Question:
    """One line of a question set."""

    query: str
    accept: frozenset[str]  # empty: out of scope, nothing should match

    @property
    def in_scope(self) -> bool:
        """Whether some factor or framework should answer it."""
        return bool(self.accept)


@dataclass
class Evaluation:
    """Counts over one question set, and the questions the matcher got wrong."""

    name: str
    in_scope: int = 0
    top1: int = 0
    top3: int = 0
    ambiguous: int = 0
    out_of_scope: int = 0
    rejected: int = 0
    misses: list[tuple[Question, MatchResult]] = field(default_factory=list)

    @property
    def top1_rate(self) -> float:
        """Share of in-scope questions whose best match is acceptable."""
        return self.top1 / self.in_scope if self.in_scope else 1.0

    @property
    def top3_rate(self) -> float:
        """Share of in-scope questions with an acceptable id among the first three."""
        return self.top3 / self.in_scope if self.in_scope else 1.0

    @property
    def rejection_rate(self) -> float:
        """Share of out-of-scope questions that matched nothing."""
        return self.rejected / self.out_of_scope if self.out_of_scope else 1.0


def read_questions(path: Path) -> list[Question]:
    """Parse a question set."""
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        query, _, ids = line.partition("\t")
        accept = frozenset(i.strip() for i in ids.split(",") if i.strip() and i.strip() != "none")
        questions.append(Question(query, accept))
    return questions


def evaluate(matcher: Matcher, path: Path) -> Evaluation:
    """Run every question of a set through the matcher and count."""
    result = Evaluation(path.name)
    for question in read_questions(path):
        found = matcher.match(question.query)
        ids = [m.id for m in found.matches]
        if not question.in_scope:
            result.out_of_scope += 1
            if ids:
                result.misses.append((question, found))
            else:
                result.rejected += 1
            continue
        result.in_scope += 1
        result.ambiguous += found.ambiguous
        hit1 = bool(ids) and ids[0] in question.accept
        result.top1 += hit1
        result.top3 += bool(question.accept & set(ids[:3]))
        if not hit1:
            result.misses.append((question, found))
    return result


def report(result: Evaluation) -> None:
    """Print the figures and the misses."""
    print(f"{result.name}")
    print(f"  top-1      {result.top1_rate:6.3f}  ({result.top1}/{result.in_scope})")
    print(f"  top-3      {result.top3_rate:6.3f}  ({result.top3}/{result.in_scope})")
    print(f"  rejection  {result.rejection_rate:6.3f}  ({result.rejected}/{result.out_of_scope})")
    print(f"  ambiguous  {result.ambiguous} of {result.in_scope} in scope: the bot would ask which")
    if result.misses:
        print(f"  misses ({len(result.misses)}):")
    for question, found in result.misses:
        want = ",".join(sorted(question.accept)) or "none"
        got = " ".join(f"{m.id}:{m.score}" for m in found.matches[:3]) or "-"
        print(f"    {question.query!r}\n      want {want}; got {got}")


def main(paths: list[str]) -> int:
    """Evaluate each named set (the development set when none is named)."""
    matcher = Matcher(load_knowledge())
    for n, path in enumerate([Path(p) for p in paths] or [DEV_SET]):
        if n:
            print()
        report(evaluate(matcher, path))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
