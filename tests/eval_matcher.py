"""Matcher accuracy on question sets: top-1, top-3, out-of-scope rejection, and every miss.

Example: python -m tests.eval_matcher                  # every set in tests/data and ../shared/eval
         python -m tests.eval_matcher --misses tests/data/holdout-questions.tsv

A question set is a TSV file: the query, a tab, the acceptable ids separated by commas, or
"none" when nothing in scope should match. Lines starting with # are comments.

A sensitive set (a name with "sensitive" in it) gives a route instead: danger, safeguarding,
crisis, complaint (all routed to safety), personal-care, or topic:IDS for a scaling question
that only uses those words. Its figures: route accuracy, safety recall (every danger,
safeguarding and crisis message routed to safety) and scaling questions wrongly routed there.

An about set (a name with "about" in it) gives about, glossary or topic:IDS for questions about
the bot, its words and the frameworks by name; its figure is route accuracy.

Held out (never used to write a rule): holdout-*, own-* (written before the rules were read) and
blind-* (written by someone who never saw them; since studied for failure classes, so no longer
unseen). fresh-* was written before the rules were read and has never been studied: it is the
honest measure of the latest changes (fresh-blind12-*: a set written blind on 2026-12-03, kept
unopened in the repository, as sets kept outside it were lost with the machine). The dev-* sets
are the development material. own5-* (the lead's) and own6-* (a writer's, aimed at what rules
miss) are sensitive training sets; blind6-* to blind12-* are the odd lines of sets written blind
on 2026-12-02 and 03, studied since (blind12's even lines are fresh-blind12-sensitive; the
others' even lines were kept outside the repository and are gone).

The sensitive sets' danger, safeguarding, crisis, complaint and personal-care lines (fresh-*
aside) are also the examples of knowledge/data/route-examples.yaml, and are cross-validated the
same way.

Every question of the development material is also an example (knowledge/data/examples.yaml),
so scoring it with the examples in place would only show that a question is like itself. A
question that is an example is therefore scored cross-validated: the examples are split into
FOLDS folds (by a hash of the question, so always the same way), and each question is matched
with its own fold's examples left out. Those figures say "cross-validated"; the fresh-* sets
are never examples, and are scored with everything.
"""

from __future__ import annotations

import argparse
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from knowledge import Matcher, MatchResult, load_knowledge

DATA = Path(__file__).parent / "data"
SHARED_EVAL = Path(__file__).parent.parent.parent / "shared" / "eval"
DEV_SET = DATA / "dev-questions.tsv"
HOLDOUT_SET = DATA / "holdout-questions.tsv"
SAFETY = {"danger": "safety", "safeguarding": "safety", "crisis": "safety", "complaint": "safety"}
MUST_BE_SAFE = ("danger", "safeguarding", "crisis")  # recall 1.0 is the target for these
FOLDS = 5


class Folds:
    """The matcher to score each question with: its fold's examples left out, if it is one."""

    def __init__(self, matcher: Matcher, folds: int = FOLDS):
        self.matcher = matcher
        listed = {
            same(q)
            for source in (matcher.kb.examples, matcher.kb.route_examples)
            for questions in source.values()
            for q in questions
        }
        self.fold = {q: zlib.crc32(q.encode()) % folds for q in listed}
        self._matchers: dict[int, Matcher] = {}
        self.crossed = 0  # questions scored with their fold left out

    def match(self, query: str) -> MatchResult:
        """The query matched without the examples of its own fold."""
        fold = self.fold.get(same(query))
        if fold is None:
            return self.matcher.match(query)
        self.crossed += 1
        if fold not in self._matchers:
            left_out = [q for q, n in self.fold.items() if n == fold]
            self._matchers[fold] = self.matcher.leaving_out(left_out)
        return self._matchers[fold].match(query)


def same(text: str) -> str:
    """A question as the examples are compared: case and spacing aside."""
    return " ".join(text.casefold().split())


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


def evaluate(matcher: Matcher | Folds, path: Path) -> Evaluation:
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


def report(result: Evaluation, misses: bool = True) -> None:
    """Print the figures and, when asked, the misses."""
    print(f"{result.name}")
    print(f"  top-1      {result.top1_rate:6.3f}  ({result.top1}/{result.in_scope})")
    print(f"  top-3      {result.top3_rate:6.3f}  ({result.top3}/{result.in_scope})")
    print(f"  rejection  {result.rejection_rate:6.3f}  ({result.rejected}/{result.out_of_scope})")
    print(f"  ambiguous  {result.ambiguous} of {result.in_scope} in scope: the bot would ask which")
    if result.misses and misses:
        print(f"  misses ({len(result.misses)}):")
    for question, found in result.misses if misses else ():
        want = ",".join(sorted(question.accept)) or "none"
        got = " ".join(f"{m.id}:{m.score}" for m in found.matches[:3]) or found.route
        print(f"    {question.query!r}\n      want {want}; got {got}")


@dataclass
class RouteEvaluation:
    """Counts over a sensitive set: routes right, safety recall, scaling questions misrouted."""

    name: str
    total: int = 0
    right: int = 0
    must_be_safe: int = 0
    safe: int = 0
    scaling: int = 0
    scaling_sent_to_safety: int = 0
    wrong: list[tuple[str, str, MatchResult]] = field(default_factory=list)


def evaluate_routes(matcher: Matcher | Folds, path: Path) -> RouteEvaluation:
    """Route every message of a sensitive set and count."""
    result = RouteEvaluation(path.name)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        message, _, want = line.partition("\t")
        want = want.strip()
        found = matcher.match(message)
        result.total += 1
        if want.startswith("topic:"):
            result.scaling += 1
            accept = {i.strip() for i in want[len("topic:") :].split(",")}
            ok = found.route == "topic" and bool(accept & {m.id for m in found.matches[:3]})
            result.scaling_sent_to_safety += found.route == "safety"
        else:
            ok = found.route == SAFETY.get(want, want)
            if want in MUST_BE_SAFE:
                result.must_be_safe += 1
                result.safe += found.route == "safety"
        result.right += ok
        if not ok:
            result.wrong.append((message, want, found))
    return result


def report_routes(result: RouteEvaluation, misses: bool) -> None:
    """Print a sensitive set's figures and, when asked, what was routed wrongly."""
    recall = result.safe / result.must_be_safe if result.must_be_safe else 1.0
    print(f"{result.name}")
    share = result.right / max(result.total, 1)
    print(f"  routes     {share:6.3f}  ({result.right}/{result.total})")
    print(f"  safety recall {recall:6.3f}  ({result.safe}/{result.must_be_safe})")
    print(f"  scaling sent to safety  {result.scaling_sent_to_safety} of {result.scaling}")
    if misses:
        for message, want, found in result.wrong:
            got = found.route + (f":{found.route_id}" if found.route_id else "")
            if found.route == "topic":
                got += ":" + ",".join(m.id for m in found.matches[:3])
            print(f"    {message!r}\n      want {want}; got {got}")


def evaluate_about(matcher: Matcher | Folds, path: Path) -> RouteEvaluation:
    """Route every question of an about set: about, glossary, or a topic among the first three."""
    result = RouteEvaluation(path.name)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        message, want = line.split("\t")[:2]
        want = want.strip()
        found = matcher.match(message)
        result.total += 1
        if want.startswith("topic:"):
            accept = {i.strip() for i in want[len("topic:") :].split(",")}
            ok = found.route == "topic" and bool(accept & {m.id for m in found.matches[:3]})
        else:
            ok = found.route == want
        result.right += ok
        if not ok:
            result.wrong.append((message, want, found))
    return result


def report_about(result: RouteEvaluation, misses: bool) -> None:
    """Print an about set's route accuracy and, when asked, what went elsewhere."""
    print(f"{result.name}")
    share = result.right / max(result.total, 1)
    print(f"  routes     {share:6.3f}  ({result.right}/{result.total})")
    if misses:
        for message, want, found in result.wrong:
            got = found.route + (f":{found.route_id}" if found.route_id else "")
            if found.route == "topic":
                got += ":" + ",".join(m.id for m in found.matches[:3])
            print(f"    {message!r}\n      want {want}; got {got}")


def all_sets() -> list[Path]:
    """Every question set: this repository's tests/data, then the shared development sets."""
    found = sorted(DATA.glob("*.tsv"))
    if SHARED_EVAL.is_dir():
        found += sorted(SHARED_EVAL.glob("*.tsv"))
    return found


def main(args: list[str]) -> int:
    """Evaluate each named set (every set when none is named); --misses lists what went wrong."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.eval_matcher", description=__doc__.split("\n", 1)[0]
    )
    parser.add_argument("sets", nargs="*", type=Path, help="TSV sets (default: every set)")
    parser.add_argument("--misses", action="store_true", help="list every miss")
    chosen = parser.parse_args(args)
    misses = chosen.misses
    paths = chosen.sets or all_sets()
    matcher = Matcher(load_knowledge())
    for n, path in enumerate(paths):
        if n:
            print()
        folds = Folds(matcher)
        if "sensitive" in path.name:
            found = evaluate_routes(folds, path)
        elif "about" in path.name:
            found = evaluate_about(folds, path)
        else:
            found = evaluate(folds, path)
        if folds.crossed:
            found.name += f"  (cross-validated: {folds.crossed} examples, {FOLDS} folds)"
        if "sensitive" in path.name:
            report_routes(found, misses)
        elif "about" in path.name:
            report_about(found, misses)
        else:
            report(found, misses)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
