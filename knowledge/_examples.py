"""Questions people typed, by topic (knowledge/data/examples.yaml): read, checked, and compared.

The topic rules find the words someone chose when writing them; a question in other words finds
nothing. The examples close that gap: a new question is compared with every listed question
(and with each topic's own title and summary) by the words they share, each word counting by
how rare it is across the examples (TF-IDF, cosine similarity), so that "grow", "town" or
"cost" count for more than "service" or "help", without a hand list of generic words.

Hand-written rather than scikit-learn's TfidfVectorizer or rank-bm25: measured on these
examples and the held-out questions (2026-12-02, load ~5.7 on 2 cores), a query took a median
1.1 ms through TfidfVectorizer.transform and a sparse product, 0.39 ms through rank-bm25's
get_scores (a numpy pass over every example for each word), and 0.07 ms through this inverted
index, which visits only the examples that share a word: the others would spend the matcher's
whole budget (median 0.3 ms per question) on this one step. It also says which words were
shared, which is what staff see as the terms that fired.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from knowledge.content import Problem

NOT_A_TOPIC = "none"  # the examples listed under this matched nothing, and should not
MAX_QUESTION_CHARS = 1000
MAX_QUERY_WORDS = 40  # a message's most telling words compared, at most


@dataclass(frozen=True)
class Similar:
    """How close a question is to a topic's nearest example, and the words they share."""

    topic: str
    similarity: float
    shared: tuple[str, ...]


class ExampleIndex:
    """Labelled texts as TF-IDF vectors, found by the stems they hold."""

    def __init__(self, labelled: Iterable[tuple[str, tuple[str, ...]]]):
        docs = [(label, Counter(stems)) for label, stems in labelled if stems]
        frequency: Counter[str] = Counter()
        for _, counts in docs:
            frequency.update(counts.keys())
        total = len(docs)
        self.idf = {s: math.log((total + 1) / (n + 1)) + 1 for s, n in frequency.items()}
        self.unseen_idf = math.log(total + 1) + 1  # a word no example has: as rare as can be
        self.labels = [label for label, _ in docs]
        self.frequency = frequency
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for n, (_, counts) in enumerate(docs):
            vector = self._vector(counts)
            for s, value in vector.items():
                self.postings[s].append((n, value))

    def rare(self, stem: str, share: float) -> bool:
        """Whether no more than this share of the texts hold the stem."""
        return self.frequency.get(stem, 0) <= share * max(len(self.labels), 1)

    def _vector(self, counts: Mapping[str, int]) -> dict[str, float]:
        """Sublinear term frequency times IDF, of unit length.

        A word no example holds still counts in the length, as the rarest word: a question
        that shares one word with an example and says much else is not much like it.
        """
        unseen = self.unseen_idf
        vector = {s: (1 + math.log(c)) * self.idf.get(s, unseen) for s, c in counts.items()}
        length = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {s: v / length for s, v in vector.items()}

    def nearest(self, stems: Iterable[str], neighbours: int = 0) -> dict[str, Similar]:
        """For each label among the `neighbours` nearest texts (0: all), the cosine similarity
        of its nearest text and the stems shared."""
        query = self._vector(Counter(stems))
        if len(query) > MAX_QUERY_WORDS:  # bounds the time a long message takes
            kept = heapq.nlargest(MAX_QUERY_WORDS, query.items(), key=lambda item: item[1])
            query = dict(kept)
        dot: dict[int, float] = defaultdict(float)
        for s, value in query.items():
            for n, weight in self.postings.get(s, ()):
                dot[n] += value * weight
        best: dict[str, tuple[float, int]] = {}
        found = dot.items()
        if neighbours:
            found = heapq.nlargest(neighbours, found, key=lambda item: item[1])
        for n, similarity in found:
            label = self.labels[n]
            if similarity > best.get(label, (0.0, -1))[0]:
                best[label] = (similarity, n)
        return {
            label: Similar(label, similarity, self._shared(query, n))
            for label, (similarity, n) in best.items()
        }

    def _shared(self, query: Mapping[str, float], doc: int) -> tuple[str, ...]:
        """The query's stems that the text holds, the most telling first."""
        held = [s for s in query if any(n == doc for n, _ in self.postings.get(s, ()))]
        return tuple(sorted(held, key=lambda s: -query[s]))


def check_examples(
    data: Any, file: str, topics: Iterable[str], read: Callable[[str], tuple[str, ...]]
) -> Iterator[Problem]:
    """Mistakes in examples.yaml, each naming the topic and the question's position."""
    if not isinstance(data, dict):
        found = type(data).__name__ if data is not None else "nothing"
        message = f"expected topic ids, each with a list of questions, found {found}"
        yield Problem(file, "-", "-", message)
        return
    known = set(topics)
    listed: dict[str, str] = {}  # question as read -> the first topic it was listed under
    for topic, questions in data.items():
        entry = str(topic)
        if topic != NOT_A_TOPIC and topic not in known:
            yield Problem(file, entry, "-", f"no factor or framework with id {entry!r}")
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
