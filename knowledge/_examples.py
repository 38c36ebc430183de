"""Questions people typed, by topic (knowledge/data/examples.yaml): read, checked, and weighed.

The topic rules find the words someone chose when writing them; a question in other words finds
nothing. The examples close that gap: each topic's listed questions (with its own title and
summary) make a model of the words people use about it, and a new question is weighed against
every topic's words and against the words of the questions listed under `none`: naive Bayes
over stemmed words, each listed question's words counted by how telling they are (TF-IDF, so
that "grow", "town" or "cost" count for more than "service" or "help"), each word of the new
question by how rare it is. The result is a log-likelihood per topic; the matcher turns the
difference from `none` into evidence that adds to the rules' (knowledge._matcher).

Why this and not the nearest example. Measured 2026-12-02 by cross-validation over the examples
with each writer's questions left out in turn (tests/eval_examples: a writer's style is then
unseen, as on the blind sets), the four training writers pooled (1,515 + 200), the scorer alone,
top-1 / top-3 of the topics: the nearest example (the previous scorer) 0.765 / 0.897; the sum
of the 20 nearest examples' similarities 0.838 / 0.950; softmax-weighted 30 nearest 0.855 /
0.954; each topic's centroid (Rocchio) 0.812 / 0.947; naive Bayes on word presence 0.875 /
0.964; logistic regression over TF-IDF 0.881 / 0.966; this 0.888 / 0.968. With the rules, at
the same rejection of off-topic questions (0.79), top-1 / top-3: nearest example 0.750 /
0.840, k-NN sum 0.797 / 0.894, softmax 0.817 / 0.898, centroid 0.758 / 0.857, logistic
regression 0.846 / 0.921, this 0.862 / 0.923. One nearest question decides on a word or two it
happens to share; a topic's whole vocabulary does not. It needs no library and no cache: built
from the examples at load (about 0.6 s for 5,400 of them, pairs included, 2026-12-03), and a
question costs one pass over the topics that hold each of its words. Its reasons are plain
too: the words that count most for a topic are shown as the term that fired.

The topic model also counts pairs of adjacent stems ("staff turnov", "next town") as a second
model of the same kind, added at PAIR_WEIGHT (knowledge._matcher): "staff turnover" and
"next town" say more than their words apart. Measured 2026-12-03 the same way,
nine training writers pooled (2,915 + 563), with the rules, top-1 / top-3 / off-topic rejected:
single stems 0.883 / 0.936 / 0.806; with pairs at 0.5 (and NONE_LEAD 0.6 -> 0.65, to hold the
rejection) 0.897 / 0.944 / 0.806; pairs at 0.3 or 0.8 no better, pairs with a gap (a _ c) or
in either order no better. Counting the pairs in the same model as the stems did worse: the
larger vocabulary changed the smoothing of every stem. Building the pairs costs about 100 ms
at load; the worry model (routes) does without them.

A question listed as an example matches its own topic whatever the model says (the same words,
stop words aside): adding a missed question under the topic that should answer it mends it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from knowledge.content import Problem

NOT_A_TOPIC = "none"  # the examples listed under this matched nothing, and should not
EXAMPLE_ROUTES = ("safety", "personal-care")  # the routes route-examples.yaml may list messages for
MAX_QUESTION_CHARS = 1000
SMOOTHING = 0.1  # added to every word's weight in every topic (additive smoothing), chosen by CV
NONE_SMOOTHING = 0.1  # the same for `none`. 1.0 (a word seen in one of its varied questions
# saying less) rejected more off-topic questions in CV (0.771 -> 0.823, with EXAMPLE_TEMPERATURE 5
# and NONE_LEAD 0.7) but made "help" alone a topic: not yet taken


@dataclass(frozen=True)
class Weighed:
    """How likely a question's words are under each label (log-likelihood, higher is likelier),
    the words the examples know, and their weight (the sum of their IDFs)."""

    likelihood: Mapping[str, float]
    stems: tuple[str, ...]
    mass: float


class ExampleModel:
    """Labelled texts as a naive Bayes model over TF-IDF weighted stems.

    Each text counts as a unit vector (sublinear term frequency x IDF), so that a long story
    weighs as much as a fragment; a label's weight for a stem is the sum over its texts, and
    P(stem | label) = (weight + SMOOTHING) / (label's total + SMOOTHING x vocabulary)
    (NONE_SMOOTHING for `none`). A question
    scores sum over its distinct known stems of IDF(stem) x log P(stem | label), plus `pairs`
    times the same sum over its pairs of adjacent stems, under a model of the texts' pairs.
    """

    def __init__(self, labelled: Iterable[tuple[str, tuple[str, ...]]], pairs: float = 0.0):
        labelled = list(labelled)
        self.pair_weight = pairs
        self.pairs = (
            ExampleModel((label, word_pairs(stems)) for label, stems in labelled) if pairs else None
        )
        docs = [(label, Counter(stems)) for label, stems in labelled if stems]
        frequency: Counter[str] = Counter()
        for _, counts in docs:
            frequency.update(counts.keys())
        total = len(docs)
        self.idf = {s: math.log((total + 1) / (n + 1)) + 1 for s, n in frequency.items()}
        weights: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.listed: dict[frozenset[str], set[str]] = defaultdict(set)
        for label, counts in docs:
            for s, value in self._vector(counts).items():
                weights[label][s] += value
            self.listed[frozenset(counts)].add(label)
        self.labels = tuple(sorted(weights))
        vocabulary = len(self.idf)
        # log P(stem | label) = unseen[label] + gain[stem][label]: a stem a label never holds
        # costs it `unseen`; the stems it holds gain on that.
        self.unseen: dict[str, float] = {}
        self.gain: dict[str, dict[str, float]] = defaultdict(dict)
        for label, held in weights.items():
            smoothing = NONE_SMOOTHING if label == NOT_A_TOPIC else SMOOTHING
            norm = math.log(sum(held.values()) + smoothing * vocabulary)
            self.unseen[label] = math.log(smoothing) - norm
            for s, value in held.items():
                self.gain[s][label] = math.log(value + smoothing) - math.log(smoothing)

    def _vector(self, counts: Mapping[str, int]) -> dict[str, float]:
        """Sublinear term frequency times IDF, of unit length."""
        vector = {s: (1 + math.log(c)) * self.idf[s] for s, c in counts.items()}
        length = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {s: v / length for s, v in vector.items()}

    def weigh(self, stems: Iterable[str]) -> Weighed:
        """Each label's log-likelihood of the question's known stems (IDF-weighted), and of its
        pairs of adjacent stems when the model counts them."""
        idf, gain = self.idf, self.gain
        stems = tuple(stems)
        known = tuple(s for s in dict.fromkeys(stems) if s in idf)
        mass = sum(idf[s] for s in known)
        likelihood = {label: mass * unseen for label, unseen in self.unseen.items()}
        for s in known:
            weight = idf[s]
            for label, value in gain[s].items():
                likelihood[label] += weight * value
        if self.pairs is not None:
            paired = self.pairs.weigh(word_pairs(stems))
            for label, value in paired.likelihood.items():
                likelihood[label] += self.pair_weight * value
        return Weighed(likelihood, known, mass)

    def listed_as(self, stems: Iterable[str]) -> frozenset[str]:
        """The labels of the texts with exactly these stems (stop words aside), if any."""
        return frozenset(self.listed.get(frozenset(stems), ()))

    def telling(self, weighed: Weighed, label: str, against: str) -> tuple[str, ...]:
        """The question's stems that count for the label over the other (`none`), the most
        telling first."""
        base = self.unseen[label] - self.unseen.get(against, self.unseen[label])
        found = [
            (
                self.idf[s]
                * (base + self.gain[s].get(label, 0.0) - self.gain[s].get(against, 0.0)),
                s,
            )
            for s in weighed.stems
        ]
        return tuple(s for worth, s in sorted(found, key=lambda f: -f[0]) if worth > 0)


def word_pairs(stems: Iterable[str]) -> tuple[str, ...]:
    """Each pair of adjacent stems, as one term: "staff turnov", "new site"."""
    return tuple(f"{a} {b}" for a, b in pairwise(stems))


def check_examples(
    data: Any,
    file: str,
    topics: Iterable[str],
    read: Callable[[str], tuple[str, ...]],
    what: str = "factor or framework",
    none_allowed: bool = True,
) -> Iterator[Problem]:
    """Mistakes in examples.yaml (or route-examples.yaml), each naming the entry and the
    question's position."""
    if not isinstance(data, dict):
        found = type(data).__name__ if data is not None else "nothing"
        message = f"expected {what} ids, each with a list of questions, found {found}"
        yield Problem(file, "-", "-", message)
        return
    known = set(topics)
    listed: dict[str, str] = {}  # question as read -> the first topic it was listed under
    for topic, questions in data.items():
        entry = str(topic)
        if not (none_allowed and topic == NOT_A_TOPIC) and topic not in known:
            yield Problem(file, entry, "-", f"no {what} with id {entry!r}")
        if not isinstance(questions, list):
            yield Problem(file, entry, "-", "expected a list of questions, one per line")
            continue
        seen: set[str] = set()
        for n, question in enumerate(questions, start=1):
            field = f"question {n}"
            if not isinstance(question, str) or not question.strip():
                yield Problem(file, entry, field, "expected the words of a question, in quotes")
                continue
            if len(question) > MAX_QUESTION_CHARS:
                yield Problem(file, entry, field, f"longer than {MAX_QUESTION_CHARS} characters")
                continue
            stems = read(question)
            if not stems:
                yield Problem(file, entry, field, f"{question!r} has only common words")
                continue
            key = " ".join(question.casefold().split())
            if key in seen:
                yield Problem(file, entry, field, f"{question!r} is listed twice")
            seen.add(key)
            other = listed.setdefault(key, entry)
            if NOT_A_TOPIC in (entry, other) and other != entry:
                yield Problem(file, entry, field, f"{question!r} is also listed under {other!r}")


def examples_from(data: Mapping[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """The checked file as topic -> questions."""
    return {str(topic): tuple(questions) for topic, questions in data.items()}
