"""The free-text matcher: a question in, ranked factors and frameworks out.

How a question is scored:

1. Reading. The question is cut at MAX_QUERY_CHARS, split into normalised words and stemmed
   (knowledge._words). A word that is neither a rule word nor any other word the knowledge base
   uses is treated as a possible typo: rapidfuzz's `process.extractOne` looks for the closest
   rule word by optimal string alignment distance (one edit allowed in a word of 5 letters or
   more, two when the longer of the two words has 8). A correction counts for its normalised
   similarity to the power TYPO_DOUBT: 0.87 for "recuitment", but only 0.65 for "mobile" read
   as "mobilise", which is then too weak to match on its own. At most TYPO_CHECKS unknown words
   are looked up per message, which bounds the time garbage input can take.
   Then the shared lists replace abbreviations, other spellings and spaced or joined-up forms
   of hyphenated words by the one word the rules use.
2. Evidence. Every match term of every entry (knowledge/data/factors.yaml, frameworks.yaml)
   fires when all its words are in the question, no more than MAX_GAP other words apart, in
   any order. An entry's evidence is the sum of weight x quality over the terms that fired;
   one of its `not` terms firing rules it out.
3. Score. Evidence e maps to a score of 50 + 20 log2(e), clipped to 0..100: one clear term
   (e = 1) scores 50, and each doubling of the evidence adds 20 points. So a fixed score
   margin is a fixed ratio of evidence, whatever the length of the question.
4. Gates. Nothing matches when the best score is under MIN_SCORE. Runners-up are listed down
   to RUNNER_UP_SCORE. When the runner-up is within MARGIN of the best, the result is
   ambiguous and the dialogue asks which was meant.
5. Smalltalk. A message with no match that holds a greeting, thanks or a plea for help (the
   phrases are in matching.yaml) is smalltalk; a greeting with a real question is a question.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge._loader import KnowledgeBase
from knowledge._words import Reader, Token, stem, words
from knowledge._words import normalise as normalise  # the engine imports it from here

MAX_QUERY_CHARS = 500  # longer input is cut here: a question typed on a phone is far shorter
MIN_SCORE = 50  # the best must reach this (evidence of one clear term) or nothing matches
MARGIN = 8  # runner-up within this of the best (evidence ratio under 1.32): ambiguous
RUNNER_UP_SCORE = 30  # runners-up shown down to this (evidence 0.5, a hint), once the best passes
MAX_GAP = 3  # other words allowed between the words of a phrase
TYPO_MIN_CHARS = 5  # shorter words are never corrected: too many real words lie one edit apart
TYPO_TWO_EDITS_CHARS = 8  # two edits allowed when the longer word has this many letters
TYPO_MAX_CHARS = 24  # longer tokens are not words anyone misspelt
TYPO_CHECKS = 12  # unknown words looked up per message, at most: bounds time on garbage input
TYPO_DOUBT = 1.5  # a correction counts for similarity ** this: short words, big changes cost more
SMALLTALK_ORDER = ("help", "thanks", "greeting")  # "hi, can you help?" is a request for help


@dataclass(frozen=True)
class Match:
    """One candidate: a factor or framework id, its score out of 100 and the terms that fired."""

    id: str
    kind: str
    score: int
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class MatchResult:
    """The ranked candidates for a query, best first; empty when nothing is relevant."""

    query: str
    matches: tuple[Match, ...] = ()
    smalltalk: str | None = None  # "greeting", "thanks" or "help" when that is all it was
    truncated: bool = False

    @property
    def best(self) -> Match | None:
        """The top candidate, if any."""
        return self.matches[0] if self.matches else None

    @property
    def ambiguous(self) -> bool:
        """Whether the runner-up is too close to the top to choose between them."""
        return len(self.matches) > 1 and self.matches[0].score - self.matches[1].score < MARGIN

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON shape for `python -m bot match --json`."""
        return {
            "query": self.query,
            "matches": [
                {"id": m.id, "kind": m.kind, "score": m.score, "terms": list(m.terms)}
                for m in self.matches
            ],
        }


def score_of(evidence: float) -> int:
    """The 0-100 score for an amount of evidence: 50 for one clear term, +20 per doubling."""
    if evidence <= 0:
        return 0
    return max(0, min(100, round(50 + 20 * math.log2(evidence))))


@dataclass(frozen=True)
class _Term:
    """A match term ready to use: the words it needs, as stems, and what it is worth."""

    topic: str
    text: str
    weight: float
    stems: tuple[str, ...]
    negative: bool = False


class Matcher:
    """Scores questions against every entry's match rules; built once, used for each message."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.reader = Reader(kb.matching)
        self._kinds: dict[str, str] = {}
        self._terms: list[_Term] = []
        for topic_id in (*kb.factors, *kb.frameworks):
            self._kinds[topic_id] = kb.kind_of(topic_id) or "factor"
            rules = kb.topic(topic_id).match
            for term in rules.terms:
                self._add(_Term(topic_id, term.text, term.weight, self._term_stems(term.text)))
            for text in rules.not_:
                self._add(_Term(topic_id, text, 0.0, self._term_stems(text), negative=True))
        self._index: dict[str, list[int]] = defaultdict(list)
        for n, term in enumerate(self._terms):
            for s in term.stems:
                self._index[s].append(n)
        self._order = {topic_id: n for n, topic_id in enumerate(self._kinds)}
        # smalltalk phrases by their first stem: (priority, kind, the phrase's stems)
        self._smalltalk: dict[str, list[tuple[int, str, tuple[str, ...]]]] = defaultdict(list)
        for rank, kind in enumerate(SMALLTALK_ORDER):
            for text in getattr(kb.matching.smalltalk, kind):
                phrase = tuple(self.reader.read(text))
                if phrase:
                    self._smalltalk[phrase[0]].append((rank, kind, phrase))
        self._build_spelling(kb)
        self._correct = lru_cache(maxsize=4096)(self._closest_rule_word)

    def _term_stems(self, text: str) -> tuple[str, ...]:
        """The distinct stems a term needs, in order; empty when it has none (check says so)."""
        found = self.reader.read(text)
        if all(s in self.reader.stop_words for s in found):
            return ()
        return tuple(dict.fromkeys(found))

    def _add(self, term: _Term) -> None:
        if term.stems:
            self._terms.append(term)

    def _build_spelling(self, kb: KnowledgeBase) -> None:
        """The words typos are corrected to, and the words known to be spelt right already."""
        lists = kb.matching
        texts = [t.text for t in self._terms]
        groups = (lists.spellings, lists.word_forms, lists.sector_words)
        texts += [text for group in groups for text in group]
        texts += [text for group in groups for values in group.values() for text in values]
        targets = {w: stem(w) for text in texts for w in words(text)}
        for word in lists.hyphenated:  # typos in the joined-up form: "coprodution"
            joined = "".join(words(word))
            targets[joined] = stem(joined)
        targets = {
            w: s
            for w, s in targets.items()
            if w.isalpha() and len(w) >= TYPO_MIN_CHARS - 1 and s not in self.reader.stop_words
        }
        self._targets = targets
        # A word is only corrected to targets with the same first letter. Typos there are rare,
        # and allowing them turned everyday words into rule words ("river" into "driver").
        self._words_by_letter = _by_first_letter(targets)
        self._stems_by_letter = _by_first_letter({s: s for s in targets.values()})
        known = set(targets.values()) | self.reader.stop_words
        known.update(stem(w) for text in _strings(kb.to_json()) for w in words(text))
        self._known = frozenset(known)  # smalltalk among them: "lonely" must not become "lovely"

    def _closest_rule_word(self, word: str) -> tuple[str, float] | None:
        """The rule word (as its stem) a misspelt word was meant to be, and how close it is.

        The word as typed is compared with the rule words as written; failing that, its stem
        with their stems, which finds "recuiting" (stem "recuit") for "recruit".
        """
        found = _closest(word, self._words_by_letter)
        if found:
            target, similarity = found
            return self._targets[target], similarity
        stemmed = stem(word)
        if stemmed != word and len(stemmed) >= TYPO_MIN_CHARS:
            return _closest(stemmed, self._stems_by_letter)
        return None

    def read(self, text: str) -> list[Token]:
        """The question's tokens: stemmed, typos corrected, listed alternatives replaced."""
        tokens = []
        checks = TYPO_CHECKS
        for word in words(text):
            s = stem(word)
            if (
                s in self._known
                or not checks
                or not TYPO_MIN_CHARS <= len(word) <= TYPO_MAX_CHARS
                or not (word.isascii() and word.isalpha())
            ):
                tokens.append(Token(s))
                continue
            checks -= 1
            corrected = self._correct(word)
            tokens.append(Token(*corrected) if corrected else Token(s))
        return list(self.reader.read_tokens(tokens))

    def match(self, text: str, limit: int = 5) -> MatchResult:
        """Rank factors and frameworks for a question."""
        truncated = len(text) > MAX_QUERY_CHARS
        tokens = self.read(text[:MAX_QUERY_CHARS])
        ranked = self._rank(tokens)
        if not ranked or ranked[0].score < MIN_SCORE:
            return MatchResult(text, (), self._smalltalk_in(tokens), truncated)
        matches = tuple(m for m in ranked[: max(limit, 0)] if m.score >= RUNNER_UP_SCORE)
        return MatchResult(text, matches, None, truncated)

    def _rank(self, tokens: list[Token]) -> list[Match]:
        """Every entry with evidence, best first; ties go to the earlier entry in the files."""
        positions: dict[str, list[int]] = defaultdict(list)
        quality: dict[str, float] = {}
        for n, token in enumerate(tokens):
            positions[token.stem].append(n)
            quality[token.stem] = max(quality.get(token.stem, 0.0), token.quality)
        hits: dict[int, int] = defaultdict(int)
        for s in positions:
            for n in self._index.get(s, ()):
                hits[n] += 1
        evidence: dict[str, float] = defaultdict(float)
        fired: dict[str, list[tuple[float, str]]] = defaultdict(list)
        ruled_out: set[str] = set()
        for n, count in hits.items():
            term = self._terms[n]
            if count < len(term.stems) or not _close_together(term.stems, positions):
                continue
            if term.negative:
                ruled_out.add(term.topic)
                continue
            worth = term.weight * min(quality[s] for s in term.stems)
            evidence[term.topic] += worth
            fired[term.topic].append((worth, term.text))
        ranked = sorted(
            (topic for topic in evidence if topic not in ruled_out),
            key=lambda topic: (-evidence[topic], self._order[topic]),
        )
        return [
            Match(
                topic,
                self._kinds[topic],
                score_of(evidence[topic]),
                tuple(text for _, text in sorted(fired[topic], key=lambda f: -f[0])),
            )
            for topic in ranked
        ]

    def _smalltalk_in(self, tokens: list[Token]) -> str | None:
        """'help', 'thanks' or 'greeting' if the message holds one of their phrases."""
        found = [t.stem for t in tokens]
        best: tuple[int, str] | None = None
        for n, first in enumerate(found):
            for rank, kind, phrase in self._smalltalk.get(first, ()):
                if tuple(found[n : n + len(phrase)]) == phrase and (best is None or rank < best[0]):
                    best = (rank, kind)
        return best[1] if best else None


def _by_first_letter(targets: Iterable[str]) -> dict[str, list[str]]:
    """Targets grouped by their first letter, sorted so that ties always resolve the same way."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for target in sorted(targets):
        grouped[target[0]].append(target)
    return dict(grouped)


def _closest(word: str, by_letter: dict[str, list[str]]) -> tuple[str, float] | None:
    """The target nearest the word by OSA distance, if near enough, and how sure that is."""
    found = process.extractOne(
        word, by_letter.get(word[0], ()), scorer=OSA.distance, score_cutoff=2
    )
    if found is None:
        return None
    target, edits, _ = found
    if edits == 2 and (
        max(len(word), len(target)) < TYPO_TWO_EDITS_CHARS
        or min(len(word), len(target)) < TYPO_MIN_CHARS + 1
    ):
        return None
    return target, OSA.normalized_similarity(word, target) ** TYPO_DOUBT


def _close_together(needed: tuple[str, ...], positions: dict[str, list[int]]) -> bool:
    """Whether one occurrence of each needed stem fits in a span of len(needed) + MAX_GAP."""
    if len(needed) == 1:
        return True
    span = len(needed) + MAX_GAP
    events = sorted((p, s) for s in needed for p in positions[s])
    counts: dict[str, int] = defaultdict(int)
    covered = 0
    left = 0
    for position, s in events:
        counts[s] += 1
        if counts[s] == 1:
            covered += 1
        while covered == len(needed):
            if position - events[left][0] < span:
                return True
            gone = events[left][1]
            counts[gone] -= 1
            if counts[gone] == 0:
                covered -= 1
            left += 1
    return False


def _strings(data: Any) -> Iterable[str]:
    """Every string inside a JSON-like structure."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)
