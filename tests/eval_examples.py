"""Cross-validation over the examples, grouped by who wrote them: how the matcher does on a style
of writing it has never seen.

Example: python -m tests.eval_examples              # the table
         python -m tests.eval_examples --misses     # and every question it got wrong

Every question in knowledge/data/examples.yaml belongs to a group: the writer who wrote it for
the examples (tests/data/example-writers.txt: the writers, all blind to the rules and test sets), or
the question set it came from (tests/data, ../shared/eval). Each group in turn is left out of
the examples, and its questions are matched against the rest, with the topic each is listed
under as the answer (`none`: nothing should match). Leaving out a whole writer is harder than
leaving out random questions (tests.eval_matcher's folds): a writer's pet words and phrasings go
with them, as they do on a blind set. The writers' figures are the honest ones: no rule was
written from their questions, while the question sets' were studied to write the rules.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field

from knowledge import Matcher, load_knowledge
from knowledge._examples import NOT_A_TOPIC
from tests.eval_matcher import DATA, SHARED_EVAL, Evaluation, same

WRITERS = DATA / "example-writers.txt"


@dataclass
class Counts(Evaluation):
    """An Evaluation of one group's questions (its rates), that groups can be pooled into."""

    wrong: list[tuple[str, str, str]] = field(default_factory=list)  # question, wanted, got

    def add(self, other: Counts) -> None:
        for count in ("in_scope", "top1", "top3", "out_of_scope", "rejected"):
            setattr(self, count, getattr(self, count) + getattr(other, count))

    def line(self) -> str:
        sizes = f"({self.in_scope} + {self.out_of_scope})"
        rates = f"{self.top1_rate:6.3f} {self.top3_rate:6.3f} {self.rejection_rate:9.3f}"
        return f"  {self.name:22} {rates}   {sizes}"


def groups(examples: dict[str, tuple[str, ...]]) -> dict[str, dict[str, set[str]]]:
    """group -> question as listed -> the topics it is listed under."""
    writer: dict[str, str] = {}
    for line in WRITERS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, question = line.partition("\t")
            writer[same(question)] = name
    found_in: dict[str, str] = {}
    for path in [*sorted(DATA.glob("*.tsv")), *sorted(SHARED_EVAL.glob("*.tsv"))]:
        name = path.stem
        for suffix in ("-questions", "-sensitive", "-about"):
            name = name.replace(suffix, "")
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                found_in.setdefault(same(line.partition("\t")[0]), name)
    grouped: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    first: dict[str, str] = {}  # a question listed under two topics is one question
    for topic, questions in examples.items():
        for question in questions:
            key = same(question)
            listed = first.setdefault(key, question)
            group = writer.get(key) or found_in.get(key) or "other"
            grouped[group][listed].add(topic)
    return grouped


def evaluate(matcher: Matcher, name: str, questions: dict[str, set[str]]) -> Counts:
    """Match one group's questions with the group's examples left out."""
    counts = Counts(name)
    without = matcher.leaving_out(questions)
    for question, topics in questions.items():
        found = without.match(question)
        ids = [m.id for m in found.matches]
        if topics == {NOT_A_TOPIC}:
            counts.out_of_scope += 1
            counts.rejected += not ids
            if ids:
                counts.wrong.append((question, "none", ids[0]))
            continue
        counts.in_scope += 1
        hit = bool(ids) and ids[0] in topics
        counts.top1 += hit
        counts.top3 += bool(topics & set(ids[:3]))
        if not hit:
            got = ",".join(ids[:3]) or found.route
            counts.wrong.append((question, ",".join(sorted(topics)), got))
    return counts


def main(args: list[str]) -> int:
    """Print each group's figures, the writers' together, the question sets' together."""
    matcher = Matcher(load_knowledge())
    by_group = groups(dict(matcher.kb.examples))
    print("  group                   top-1  top-3  rejection   (in scope + off-topic)")
    writers, sets = Counts("writers, pooled"), Counts("question sets, pooled")
    results = {}
    for name in sorted(by_group):
        results[name] = found = evaluate(matcher, name, by_group[name])
        print(found.line())
        (writers if name.startswith("writer-") else sets).add(found)
    print(writers.line())
    print(sets.line())
    if "--misses" in args:
        for name, found in results.items():
            for question, want, got in found.wrong:
                print(f"{name}: {question!r}\n    want {want}; got {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
