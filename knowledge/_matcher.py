"""The free-text matcher: a message in, where it should go out (a route), and ranked topics.

How a message is read:

1. Reading. The message is split into sentences, each into normalised words, stemmed with
   Snowball English (knowledge._words). A word that is neither a rule word, nor any other word
   the knowledge base uses, nor an English word (pyspellchecker's list) is treated as a
   possible typo: rapidfuzz's `process.extractOne` looks for the closest rule word by optimal
   string alignment distance (one edit allowed in a word of 5 letters or more, two when the
   longer of the two words has 8). A correction counts for its normalised similarity to the
   power TYPO_DOUBT. At most TYPO_CHECKS unknown words are looked up per message, which bounds
   the time garbage input can take. Then the shared lists replace abbreviations, other
   spellings and spaced or joined-up forms of hyphenated words by the one word the rules use.
2. Evidence. Every match term fires when its words are all in the message, in order, with no
   more than MAX_GAP other words among them in all ("is not right" is not in "is nice but
   not a priority right now"), one for a phrase of two words ("breaking in" is not in "a
   break from caring in years"; the scaling words allow MAX_GAP: "our new rota model"). An
   entry's evidence is the sum of weight x quality over the terms that fired; a term that is
   one generic word alone (a hint, matching.yaml generic_words) is worth GENERIC_WEIGHT at
   most; one of its `not` terms firing rules the entry out.
3. Routes first (knowledge/data/routes.yaml), on the whole message, each phrase found within
   one sentence: safety, then a person's own care, then off-topic, each when its evidence
   reaches 1, or ROUTE_STRONG when the message also holds a scaling word; then the questions
   about the bot (about) and the glossary words asked about (glossary); then the topics. Two
   entries of one kind with equal evidence are ordered by their strongest term, then by how
   many words their terms matched (_route_rank), never by the order of routes.yaml. When no
   safety term fires, the worries people typed (knowledge/data/route-examples.yaml) are
   weighed against every question of examples.yaml by label (the same naive Bayes as the
   topics'): a message, or one of its sentences, likelier under a safety entry than under any
   topic or `none` by WORRY_LEAD nats per unit of IDF (WORRY_STEP more beside a scaling word,
   again beside a clear topic, and GRIEVANCE_STEP for a complaint that names nobody) gets that
   entry's signposts; a person's own care in other words the same way, after safety. On the
   unseen halves of two blind sets (2026-12-02) safety recall rose from 0.733 to 0.967 and
   from 0.686 to 0.857, with one scaling question sent to safety on each, as before.
   In a story (more than WINDOW_SENTENCES sentences) a topic that is clear with the examples
   too raises the bar for the routes other than safety, as one clear in the rules does. A
   question about the bot gives way to a topic that is clear in the words its terms did not
   use (TOPIC_FIRST): "how do you keep volunteers going" is not about what the bot keeps. And a
   question listed under a topic in examples.yaml gets it whatever route it would take, safety
   aside: that is how staff mend a miss.
4. Topics. Long messages are read in windows of one or two sentences; the strongest window
   wins (the later one on a tie), so a question after a long story is read, and words
   scattered over the story do not add up. Evidence e maps to a score of 50 + 20 log2(e),
   clipped to 0..100: one clear term scores 50, each doubling adds 20.
   Then the examples (knowledge/data/examples.yaml, knowledge._examples): a naive Bayes model
   of each topic's words, and of the words of the questions listed under `none`, gives each
   topic a log-likelihood L over the message's words that the examples know (their IDFs
   adding up to a weight W). A topic's evidence is the rules' evidence plus
   (L(topic) - L(none) - NONE_LEAD x W) / EXAMPLE_TEMPERATURE: its words must be likelier
   under the topic than under `none` by NONE_LEAD per unit of weight before the examples add
   anything; below that they take away, so that a rule term in a message that reads like the
   `none` questions ("champions league final tickets") falls short of evidence 1. The lead of
   `none` counts up to NONE_FLOOR per unit of weight, so that one word cannot take away a
   clear term of its own (weight 2). Words the examples do not know, and generic words alone,
   add nothing. A message whose words are
   exactly a listed question's gets its topic, clearly ahead of any other (LISTED_LEAD), or
   nothing when it is listed under `none`. The words that count most for a topic are
   reported as one more term, "like an example: ...". The best scores score_of(evidence);
   each runner-up POINTS_BEHIND points fewer per unit of evidence it lacks, so that MARGIN
   is one unit of evidence (a log-odds) however high the best is: 8% of the writers'
   questions are then ambiguous, the best wrong in 44% of those. These constants were chosen by
   cross-validation over the examples with each writer's questions left out in turn
   (tests/eval_examples).
5. Gates. Nothing matches when the best score is under MIN_SCORE. Runners-up are listed down
   to RUNNER_UP_SCORE. When the runner-up is within MARGIN of the best, the result is
   ambiguous and the dialogue asks which was meant; equal evidence is ordered by the number
   of terms that fired, then by the longest of them, never by the order of the files alone.
6. Smalltalk. A message with no match that holds a greeting, thanks or a plea for help (the
   phrases are in matching.yaml) is smalltalk; a greeting with a real question is a question.
"""

from __future__ import annotations

import copy
import math
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge._examples import NOT_A_TOPIC, ExampleModel, Weighed
from knowledge._loader import KnowledgeBase
from knowledge._models import TOGETHER_WITHIN, UNLESS_WITHIN
from knowledge._words import Reader, Token, english_words, stem, words
from knowledge._words import normalise as normalise  # the engine imports it from here

MAX_QUERY_CHARS = 4096  # Telegram's own limit for a message: all of it is read
MIN_SCORE = 50  # the best must reach this (evidence of one clear term) or nothing matches
MARGIN = 8  # runner-up within this of the best (evidence ratio under 1.32): ambiguous
LOW_MARGIN = 16  # answered, but the runner-up within this (ratio under 1.74): a close call
RUNNER_UP_SCORE = 30  # runners-up shown down to this (evidence 0.5, a hint), once the best passes
MAX_GAP = 2  # other words allowed in all among the words of a phrase (one for two words)
SENTENCE_APART = 1000  # words between sentences for the routes: more than any term reaches
GENERIC_WEIGHT = 0.5  # the most a term of one generic word is worth: a hint, never enough alone
ROUTE_STRONG = 2.0  # evidence a route needs when the message also holds a scaling word
FRAGMENT_TOKENS = 8  # a message this short is a fragment: its parts are weighed apart
JOINING = frozenset({"and", "or", "plus", "vs", "versus"})  # words between a fragment's parts
WINDOW_SENTENCES = 2  # long messages are read in windows of this many sentences
ASK_BACK_SENTENCES = 3  # "What is it?" asks what a word means in a message this short at most
MAX_SENTENCES = 40  # more sentences than this are read in even groups: bounds the time
TYPO_MIN_CHARS = 5  # shorter words are never corrected: too many real words lie one edit apart
TYPO_TWO_EDITS_CHARS = 8  # two edits allowed when the longer word has this many letters
TYPO_MAX_CHARS = 24  # longer tokens are not words anyone misspelt
TYPO_CHECKS = 24  # unknown words looked up per message, at most: bounds time on garbage input
QUESTION_FIRST = 6  # a message of this many sentences or more is read from its questions first
QUESTION_STARTS = frozenset(  # a sentence that starts with one of these is put as a question
    {"how", "what", "whats", "why", "who", "where", "which", "when", "can", "could", "should"}
    | {"would", "is", "are", "do", "does", "any"}
)
PLAIN_WORDS = 50_000  # words remembered as read (about 8 MB at most): bounds the memory
TYPO_DOUBT = 1.5  # a correction counts for similarity ** this: short words, big changes cost more
SMALLTALK_ORDER = ("help", "thanks", "greeting")  # "hi, can you help?" is a request for help
ROUTE_ORDER = ("safety", "personal-care", "off-topic")  # checked in this order, before topics
ASKED_ONLY = (*ROUTE_ORDER[1:], "about")  # the routes that a story's questions decide alone
# Words that may stand between an asking phrase and the term: "what is a pilot", "meaning of
# spread", "what does 'scaling' even mean". Any other word ("our", "on", "best") means the
# phrase asks about something else.
FILLERS = frozenset(
    {"a", "an", "the", "by", "of", "is", "are", "was", "does", "do", "did", "it", "that"}
    | {"exactly", "actually", "even", "really", "just", "so", "then", "term", "word", "what"}
)
# Words that start a clause of its own after an asking phrase ("don't understand why ...").
CLAUSE_STARTS = frozenset({"why", "how", "where", "when", "who", "whether", "if", "we", "they"})
SHORT_EXTRA_WORDS = 3  # a glossary word with at most this many other words is asked about
MEANING_EXTRA_WORDS = 8  # as many when the message asks what it means outright ("mean")
MEANING = frozenset({"mean", "means", "meaning", "define", "definition", "meant"})
EXAMPLE_TEMPERATURE = 6.0  # nats of the examples' log-likelihood worth one unit of evidence
PAIR_WEIGHT = 0.5  # the topic model's pairs of adjacent words, against its single words (CV)
NONE_LEAD = 0.65  # nats per unit of IDF a topic must lead `none` by before the examples add
NONE_FLOOR = 0.6  # nats per unit of IDF: the most the examples count for `none` over a topic
# Routes that a topic clear in the words their terms did not use outweighs, and how clear: the
# rules' evidence, then the score with the examples. About: "how do you keep volunteers going",
# "what does the review say?" after a story about contracts, not "limitations of the evidence?"
# (writers' CV top-1 0.890 -> 0.901, about sets as before but one story). Off-topic was measured
# and left out: +0.003 top-1 cost the question sets' rejection 0.962 -> 0.955 ("telecare alarm
# keeps beeping" is not about NASSS).
TOPIC_FIRST = {"about": (1.5, 90)}
LISTED_LEAD = 1.5  # a listed question's topic: this many times the evidence of any other
POINTS_BEHIND = 8  # with the examples, a runner-up's points behind the best per unit of evidence
EXAMPLE_MIN_WORDS = 2  # telling words the examples alone must share: "losing" is not enough
EXAMPLE_WORDS_SHOWN = 4  # the words counting most for a topic, shown as "like an example: ..."
WORRY_MASS = 3.0  # the IDF a message's known words must add up to before its worry counts
WORRY_VIEWS = 4  # a longer message's sentences are weighed in this many groups
WORRY_WORDS = 3  # and the known words be this many: "ring me maybe" is no complaint
# nats per unit of IDF a worry's examples must lead every question's by. 0.5 until writers 7-9
# added 1,100 topic examples, which lowered every worry's lead: on the studied sets 0.4 then
# found one more worry and lost none (0.3 sent a scaling question to safety)
WORRY_LEAD = 0.4
OWN_CARE = "personal-care"  # the other route route-examples.yaml lists messages for
WORRY_STEP = 0.5  # added to that beside a scaling word, and again beside a clear topic
GRIEVANCE_STEP = 1.0  # added for a complaint that names no one (matching.yaml: someone, me)
ROUTES = ("topic", "glossary", "about", "safety", "personal-care", "off-topic", "smalltalk", "none")
_SENTENCE_END = re.compile(r"(?<=[.!?;:\n])\s+|\n+")


@dataclass(frozen=True)
class Match:
    """One candidate: a factor or framework id, its score out of 100 and the terms that fired."""

    id: str
    kind: str
    score: int
    terms: tuple[str, ...] = ()
    by_rules: bool = True  # False: only like an example, no rule term fired (a weaker sign)


@dataclass(frozen=True)
class MatchResult:
    """Where a message goes (`route`), and for a topic the ranked candidates, best first."""

    query: str
    matches: tuple[Match, ...] = ()
    smalltalk: str | None = None  # "greeting", "thanks" or "help" when that is all it was
    truncated: bool = False
    route_id: str | None = None  # the routes.yaml entry or glossary term, for routes that have one
    route_kind: str | None = None  # safety, personal-care, off-topic, about or glossary
    route_terms: tuple[str, ...] = ()  # the terms that sent it there
    near: tuple[Match, ...] = ()  # topics that a routed message would otherwise have matched

    @property
    def route(self) -> str:
        """topic, glossary, about, safety, personal-care, off-topic, smalltalk or none."""
        if self.route_kind:
            return self.route_kind
        if self.matches:
            return "topic"
        return "smalltalk" if self.smalltalk else "none"

    @property
    def best(self) -> Match | None:
        """The top candidate, if any."""
        return self.matches[0] if self.matches else None

    @property
    def ambiguous(self) -> bool:
        """Whether the runner-up is too close to the top to choose between them."""
        return len(self.matches) > 1 and self.matches[0].score - self.matches[1].score < MARGIN

    @property
    def close_call(self) -> bool:
        """Answered (not ambiguous), but with the runner-up within LOW_MARGIN of the best."""
        margin = self.margin
        return margin is not None and MARGIN <= margin < LOW_MARGIN

    @property
    def margin(self) -> int | None:
        """Points between the best and the runner-up; None unless two topics matched."""
        if len(self.matches) < 2:
            return None
        return self.matches[0].score - self.matches[1].score

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON shape for `python -m bot match --json`."""
        found: dict[str, Any] = {
            "query": self.query,
            "matches": [
                {"id": m.id, "kind": m.kind, "score": m.score, "terms": list(m.terms)}
                for m in self.matches
            ],
            "route": self.route,
        }
        if self.route in ("glossary", "about"):
            found["answer"] = self.route_id
        return found


def score_of(evidence: float) -> int:
    """The 0-100 score for an amount of evidence: 50 for one clear term, +20 per doubling."""
    if evidence <= 0:
        return 0
    return max(0, min(100, round(50 + 20 * math.log2(evidence))))


@dataclass(frozen=True)
class _Term:
    """A match term ready to use: the words it needs, as stems in order, and what it is worth."""

    topic: str
    text: str
    weight: float
    stems: tuple[str, ...]
    negative: bool = False
    companion: bool = False  # one of the entry's `with` words: worth nothing, but needed
    # A `together` term: each group's phrases as stems; one of each must lie within `within`.
    groups: tuple[tuple[tuple[str, ...], ...], ...] = ()
    group_texts: tuple[tuple[str, ...], ...] = ()  # the groups' phrases as written, to show
    within: int = 0
    unless: tuple[tuple[str, ...], ...] = ()  # phrases that silence this one near it


class _Rules:
    """A set of terms, indexed by stem, and the evidence they find in a message's tokens."""

    def __init__(self, terms: Iterable[_Term], nested_count: bool = True, loose: bool = False):
        self.terms = [t for t in terms if t.stems or t.groups]
        self.loose = loose  # True: every phrase may have MAX_GAP other words among its own
        self.needs_company = {t.topic for t in self.terms if t.companion}
        self.nested_count = nested_count  # False: a term inside a fired longer one is not counted
        # Each term is filed under its rarest stem only: a term can fire only when that stem is
        # in the message, and common stems ("servic", "staff") then lead to few terms to check.
        # A `together` term is filed under each phrase of its smallest group, the same way.
        uses: dict[str, int] = defaultdict(int)
        for term in self.terms:
            for s in set(term.stems):
                uses[s] += 1
        self.index: dict[str, list[int]] = defaultdict(list)
        for n, term in enumerate(self.terms):
            anchors = min(term.groups, key=len) if term.groups else (term.stems,)
            for phrase in anchors:
                self.index[min(set(phrase), key=lambda s: (uses[s], s))].append(n)
        self.reach = max(
            (t.within if t.groups else len(t.stems) * (MAX_GAP + 1) for t in self.terms),
            default=1,
        )
        # Only a term of several words can span the join of two sentences.
        self.phrases: dict[str, list[int]] = {
            s: [n for n in found if len(self.terms[n].stems) > 1] for s, found in self.index.items()
        }
        self.phrases = {s: found for s, found in self.phrases.items() if found}
        self.special = {n for n, t in enumerate(self.terms) if t.negative or t.companion}
        self.stems_of = {t.text: t.stems for t in self.terms}

    def fired(
        self, positions: dict[str, list[int]], index: dict[str, list[int]] | None = None
    ) -> set[int]:
        """The terms (by number) whose words are all in the message, in order, close together
        (of the terms in `index` when given)."""
        found = set()
        tried = set()  # a together or unless term filed under several stems is tried once
        index = self.index if index is None else index
        for s in positions:
            for n in index.get(s, ()):
                term = self.terms[n]
                if term.groups or term.unless:
                    if n not in tried:
                        tried.add(n)
                        if _fires(term, positions):
                            found.add(n)
                elif all(x in positions for x in term.stems) and _in_order(
                    term.stems, positions, self.loose
                ):
                    found.add(n)
        return found

    def evidence(
        self,
        positions: dict[str, list[int]],
        quality: dict[str, float],
        generic: frozenset[str] = frozenset(),
        fired: set[int] | None = None,
    ) -> tuple[dict[str, float], dict[str, list[tuple[float, str]]]]:
        """Each entry's evidence and the terms that fired, entries ruled out left out.

        `generic` holds the stems typed only as everyday words: a term of one of those alone
        is worth GENERIC_WEIGHT at most. `fired`, when given, is what `fired` found already.
        """
        evidence: dict[str, float] = defaultdict(float)
        found: dict[str, list[tuple[float, str]]] = defaultdict(list)
        ruled_out: set[str] = set()
        accompanied: set[str] = set()
        for n in sorted(self.fired(positions) if fired is None else fired):
            term = self.terms[n]
            if term.negative:
                ruled_out.add(term.topic)
                continue
            if term.companion:
                accompanied.add(term.topic)
                continue
            # A `together` term is as sure as the least sure of the words it found.
            if term.groups:
                read = [quality[s] for s in term.stems if s in positions]
                worth = term.weight * min(read, default=1.0)
            else:
                worth = term.weight * min(quality[s] for s in term.stems)
            if len(term.stems) == 1 and term.stems[0] in generic:
                worth = min(worth, GENERIC_WEIGHT)
            evidence[term.topic] += worth
            found[term.topic].append((worth, _shown(term, positions)))
        if not self.nested_count:
            evidence, found = _without_nested(found, self.stems_of)
        for topic in ruled_out | (self.needs_company - accompanied):
            evidence.pop(topic, None)
        return evidence, found


class Matcher:
    """Routes messages and scores them against every entry's rules; built once, used for each."""

    def __init__(self, kb: KnowledgeBase, use_examples: bool = True):
        self.kb = kb
        self.use_examples = use_examples  # False: the rules alone (tests of the rules do this)
        lists = kb.matching
        self.reader = Reader(lists)
        self._generic = frozenset(w for text in lists.generic_words for w in words(text))
        self._kinds: dict[str, str] = {}
        self._groups_read: dict[str, tuple[tuple[str, ...], ...]] = {}
        topic_terms: list[_Term] = []
        for topic_id in (*kb.factors, *kb.frameworks):
            self._kinds[topic_id] = kb.kind_of(topic_id) or "factor"
            topic_terms += self._terms_of(topic_id, kb.topic(topic_id).match)
        self._topics = _Rules(topic_terms)
        self._order = {topic_id: n for n, topic_id in enumerate(self._kinds)}
        self._route_kind = {r.id: r.route for r in kb.routes.values()}
        # A route counts "abuse" once in "domestic abuse": naming a kind of abuse must not add
        # up to the strong evidence that overrides a scaling question.
        self._routes = _Rules(
            (t for r in kb.routes.values() for t in self._terms_of(r.id, r.match, phrases=True)),
            nested_count=False,
        )
        self._scaling = _Rules(
            (
                _Term("scaling", text, 1.0, self._term_stems(text, keep_stop=True))
                for text in lists.scaling_words
            ),
            loose=True,
        )
        self._asking: dict[str, list[tuple[str, ...]]] = defaultdict(list)  # by first word
        for text in lists.asking_words:
            if words(text):
                self._asking[words(text)[0]].append(tuple(words(text)))
        self._not_asking: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for text in lists.not_asking:
            if words(text):
                self._not_asking[words(text)[0]].append(tuple(words(text)))
        self._personal = frozenset(  # the one-word names of people close, and of the writer
            phrase[0]
            for group in ("someone", "me")
            for phrase in self._group(group)
            if len(phrase) == 1
        )
        self._asking_back = frozenset(tuple(words(text)) for text in lists.asking_back)
        self._asking_stems = frozenset(
            s for text in lists.asking_words for s in self.reader.read(text)
        )
        self._glossary = _Rules(
            _Term(t.id, text, 1.0, self._term_stems(text))
            for t in kb.glossary.values()
            for text in (t.term, *t.also)
        )
        self._glossary_forms: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for term in self._glossary.terms:
            self._glossary_forms[term.topic].append(term.stems)
        self._framework_words = frozenset(
            s for text in lists.framework_words for s in self._term_stems(text)
        )
        # each framework's names, from its title and short title: "Sustaining Innovation in
        # Public Services", "NHS model of large scale change", "NASSS"
        self._framework_names = [
            stems
            for f in kb.frameworks.values()
            for text in (f.short_title, *re.split(r"[:()]", f.title))
            if len(stems := self._term_stems(text)) > 1
        ]
        # smalltalk phrases by their first stem: (priority, kind, the phrase's stems)
        self._smalltalk: dict[str, list[tuple[int, str, tuple[str, ...]]]] = defaultdict(list)
        for rank, kind in enumerate(SMALLTALK_ORDER):
            for text in getattr(lists.smalltalk, kind):
                phrase = tuple(self.reader.read(text))
                if phrase:
                    self._smalltalk[phrase[0]].append((rank, kind, phrase))
        self._build_spelling(kb)
        self._correct = lru_cache(maxsize=4096)(self._closest_rule_word)
        self._stop = self.reader.stop_words
        self._plain: dict[str, Token] = {}  # words read as typed, never corrected: read once
        self._generic_stems = frozenset(stem(w) for w in self._generic)
        self._example_stems: dict[str, tuple[str, ...]] = {}
        self._examples = self._example_index()
        self._worries = self._worry_index()
        self._listed = self._listed_index()
        lists = kb.matching
        self._listed_words = {
            self.reader.read_word(word): word
            for group in (lists.spellings, lists.word_forms, lists.sector_words)
            for word in group
        }

    def _example_index(self, leave_out: frozenset[str] = frozenset()) -> ExampleModel | None:
        """The examples (without the questions left out) and each topic's title and summary."""
        if not self.use_examples:
            return None
        labelled = self._labelled(self.kb.examples, leave_out)
        for topic_id in self._kinds:
            entry = self.kb.topic(topic_id)
            labelled.append((topic_id, f"{entry.title}. {entry.short_title}. {entry.summary}"))
        stems = ((topic, self._stems_of_example(text)) for topic, text in labelled)
        return ExampleModel(stems, pairs=PAIR_WEIGHT)

    def _listed_index(self, leave_out: frozenset[str] = frozenset()) -> frozenset[str]:
        """The questions examples.yaml lists under a topic, normalised (without those left out;
        none for a matcher of the rules alone)."""
        if not self.use_examples:
            return frozenset()
        labelled = self._labelled(self.kb.examples, leave_out)
        return frozenset(normalise(q) for topic, q in labelled if topic != NOT_A_TOPIC)

    @staticmethod
    def _labelled(
        source: Mapping[str, tuple[str, ...]], leave_out: frozenset[str]
    ) -> list[tuple[str, str]]:
        """(label, question) for each question of examples.yaml or route-examples.yaml, but
        those left out."""
        return [
            (label, question)
            for label, questions in source.items()
            for question in questions
            if _same_question(question) not in leave_out
        ]

    def _worry_index(self, leave_out: frozenset[str] = frozenset()) -> ExampleModel | None:
        """The worries of route-examples.yaml by route entry, beside the questions of
        examples.yaml by topic (and `none`): each label a few hundred messages at most, so that
        none of them wins on words because it is small."""
        if not self.use_examples:
            return None
        labelled = [
            pair
            for source in (self.kb.route_examples, self.kb.examples)
            for pair in self._labelled(source, leave_out)
        ]
        return ExampleModel((label, self._stems_of_example(text)) for label, text in labelled)

    def _stems_of_example(self, text: str) -> tuple[str, ...]:
        """An example's content stems, read once for both models and every fold left out."""
        found = self._example_stems.get(text)
        if found is None:
            found = self._example_stems[text] = self.content_stems(text)
        return found

    def content_stems(self, text: str) -> tuple[str, ...]:
        """The stems of a text as the matcher reads it, stop words left out."""
        return tuple(
            t.stem
            for sentence in self._read_sentences(text)
            for t in sentence
            if t.stem not in self._stop
        )

    def leaving_out(self, questions: Iterable[str]) -> Matcher:
        """This matcher with the examples of these questions left out (for cross-validation)."""
        other = copy.copy(self)
        left_out = frozenset(map(_same_question, questions))
        other._examples = self._example_index(left_out)
        other._worries = self._worry_index(left_out)
        other._listed = self._listed_index(left_out)
        return other

    def _terms_of(self, owner: str, rules: Any, phrases: bool = False) -> list[_Term]:
        """An entry's terms and `not` terms, ready to use.

        A route's phrase may be made of stop words alone ("cant go on"): in order, close
        together, such a phrase says what it means.
        """
        found = []
        for term in rules.terms:
            if term.together:
                texts = tuple(self._group_texts(g) for g in term.together)
                groups = tuple(tuple(tuple(self.reader.read(t)) for t in g) for g in texts)
                flat = tuple(dict.fromkeys(s for g in groups for phrase in g for s in phrase))
                within = term.within or TOGETHER_WITHIN
                found.append(
                    _Term(
                        owner,
                        term.label,
                        term.weight,
                        flat,
                        groups=groups,
                        group_texts=texts,
                        within=within,
                    )
                )
                continue
            assert term.text is not None  # the schema: text or together
            stems = self._term_stems(term.text, keep_stop=phrases and len(words(term.text)) > 1)
            unless = self._group(term.unless) if term.unless is not None else ()
            within = term.within or UNLESS_WITHIN
            found.append(_Term(owner, term.text, term.weight, stems, within=within, unless=unless))
        for text in rules.not_:
            found.append(_Term(owner, text, 0.0, self._term_stems(text), negative=True))
        for text in rules.with_:
            found.append(_Term(owner, text, 0.0, self._term_stems(text), companion=True))
        return found

    def _group_texts(self, group: str | list[str]) -> tuple[str, ...]:
        """A word group's phrases: a group named in matching.yaml, or written out."""
        return tuple(text for text in self.kb.matching.words_of(group) if self.reader.read(text))

    def _group(self, group: str | list[str]) -> tuple[tuple[str, ...], ...]:
        """A word group's phrases as stems; a named group is read once (many terms share one)."""
        if isinstance(group, str) and group in self._groups_read:
            return self._groups_read[group]
        found = tuple(tuple(self.reader.read(text)) for text in self._group_texts(group))
        if isinstance(group, str):
            self._groups_read[group] = found
        return found

    def _term_stems(self, text: str, keep_stop: bool = False) -> tuple[str, ...]:
        """The stems a term needs, in order; empty when it has none (check says so)."""
        found = self.reader.read(text)
        if not keep_stop and all(s in self.reader.stop_words for s in found):
            return ()
        return tuple(found)

    def _build_spelling(self, kb: KnowledgeBase) -> None:
        """The words typos are corrected to, and the words known to be spelt right already."""
        lists = kb.matching
        texts = [t.text for t in (*self._topics.terms, *self._routes.terms)]
        texts += [text for name in lists.word_groups for text in lists.group(name)]
        texts += [t.term for t in kb.glossary.values()]
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
        self._english = english_words()  # a word already English is never "corrected"
        self._rule_stems = frozenset(targets.values()) | self.reader.stop_words

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
        """The message's tokens: stemmed, typos corrected, listed alternatives replaced."""
        return [t for sentence in self._read_sentences(text) for t in sentence]

    def _read_sentences(
        self, text: str, asks: list[bool] | None = None, typed: dict[str, str] | None = None
    ) -> list[list[Token]]:
        """The tokens of each sentence, typos corrected within one budget for the message;
        `asks`, when given, gets whether each sentence is put as a question, and `typed` each
        stem and the word it was first typed as (to show the words an example shares)."""
        checks = TYPO_CHECKS
        sentences = []
        plain = self._plain
        for part in _sentences(text):
            tokens = []
            typed_words = words(part)
            for word in typed_words:
                token = plain.get(word)
                if token is not None:
                    tokens.append(token)
                    continue
                s = stem(word)
                if word.endswith("in") and word + "g" in self._targets:
                    s = self._targets[word + "g"]  # the g dropped: "takin", "breathin"
                if (
                    s in self._known
                    or not TYPO_MIN_CHARS <= len(word) <= TYPO_MAX_CHARS
                    or not (word.isascii() and word.isalpha())
                    or word in self._english
                ):
                    token = Token(s, 1.0, word in self._generic)
                    if len(plain) < PLAIN_WORDS:
                        plain[word] = token
                    tokens.append(token)
                    continue
                if not checks:
                    tokens.append(Token(s, 1.0, word in self._generic))
                    continue
                checks -= 1
                corrected = self._correct(word)
                tokens.append(Token(*corrected) if corrected else Token(s))
            if tokens:
                sentences.append(self.reader.read_tokens(tokens))
                if asks is not None:
                    asks.append(part.rstrip().endswith("?") or typed_words[0] in QUESTION_STARTS)
                if typed is not None:
                    for word in typed_words:
                        typed.setdefault(stem(word), word)
        return sentences

    def match(self, text: str, limit: int = 5) -> MatchResult:
        """Where a message goes, and for a topic question the ranked factors and frameworks."""
        truncated = len(text) > MAX_QUERY_CHARS
        asks: list[bool] = []
        typed: dict[str, str] = {}
        sentences = self._read_sentences(text[:MAX_QUERY_CHARS], asks, typed)
        tokens = [t for sentence in sentences for t in sentence]
        positions, quality, _ = _positions(tokens)
        ranked, rules_best = self._ranking(text, sentences, asks, typed, max(limit, 0))
        near = tuple(m for m in ranked[:3] if m.score >= MIN_SCORE)
        # How well the rules alone matched decides the routes, as before the examples. A
        # route's phrase (or words together) is found within one sentence, never across a
        # break: "we could not. Breathing space..." is not "not breathing".
        # in a story, a topic the examples find clear outweighs a route's words in one of its
        # sentences ("what should I ask" after a story about being the one champion)
        story = len(sentences) > WINDOW_SENTENCES
        best_score = ranked[0].score if ranked and story else 0
        # and a story that asks a question and has a topic is sent elsewhere only by what it
        # asks, or by safety: "How do we keep families involved as it grows?" after a carer's
        # account of their son's short breaks is not a question about his care
        asking = [s for s, a in zip(sentences, asks, strict=True) if a] if story else []
        asked = _apart(asking) if asking and best_score >= MIN_SCORE else None
        routed = self._route(_apart(sentences), quality, score_of(rules_best), best_score, asked)
        # a question staff listed under a topic gets it: only safety comes first (a glossary
        # term asked outright still gets its definition)
        listed = normalise(text) in self._listed
        if routed is not None and routed[0] != "safety" and listed:
            routed = None
        if (
            routed is not None
            and routed[0] in TOPIC_FIRST
            and self._asks_a_topic(
                text, sentences, asks, ranked, routed[2], *TOPIC_FIRST[routed[0]]
            )
        ):
            routed = None
        clear = rules_best >= ROUTE_STRONG  # a topic the rules alone find clear
        if routed is None or routed[0] != "safety":
            views = self._worry_views(sentences)
            own_care = routed is not None and routed[0] == OWN_CARE
            # a clear worry outweighs a question about the bot, as it does a clear topic: "sorry
            # to put this on a chatbot but ... everyone would manage fine without me"
            about = routed is not None and routed[0] == "about"
            routed = (
                self._worried(text, views, positions, quality, clear or about, own_care) or routed
            )
            if routed is None and not listed:  # then a person's own care put in other words
                routed = self._worried(text, views, positions, quality, clear, kind=OWN_CARE)
        if routed:
            kind, route_id, terms = routed
            return MatchResult(text, (), None, truncated, route_id, kind, terms, near)
        asked = self._asked_term(text, tokens, positions, quality)
        if asked and not self._names_framework(positions, ranked, *asked[2:]):
            term_id, terms, *_ = asked
            return MatchResult(text, (), None, truncated, term_id, "glossary", terms, near)
        if not ranked or ranked[0].score < MIN_SCORE:
            return MatchResult(text, (), self._smalltalk_in(tokens), truncated)
        matches = tuple(m for m in ranked[: max(limit, 0)] if m.score >= RUNNER_UP_SCORE)
        return MatchResult(text, matches, None, truncated)

    def candidates(self, text: str) -> list[Match]:
        """Every topic with any evidence, best first, thresholds aside: what nearly fired."""
        asks: list[bool] = []
        sentences = self._read_sentences(text[:MAX_QUERY_CHARS], asks)
        return self._ranking(text, sentences, asks)[0]

    def unknown_words(self, text: str) -> list[str]:
        """Words of the text that no rule, list or stop word knows: where vocabulary is missing."""
        found = []
        for word in words(text[:MAX_QUERY_CHARS]):
            if word.isalpha() and stem(word) not in self._rule_stems and word not in found:
                found.append(word)
        return found

    def _route(
        self,
        positions: dict[str, list[int]],
        quality: dict[str, float],
        topic_score: int,
        best_score: int = 0,
        asked: dict[str, list[int]] | None = None,
    ) -> tuple[str, str, tuple[str, ...]] | None:
        """(kind, route id, terms) when a routes.yaml entry claims the message.

        A scaling word in the message raises the bar for every route: then only a strong phrase
        (ROUTE_STRONG) sends the message away from a topic, or weak ones adding up to
        ROUTE_STRONG + 1 ("financial abuse" and "safeguarding teams" are a scaling question's
        words). A clear topic match (two clear terms or more) raises it too; for safety, only
        when the topic is clear in the words the safety terms did not use: "our partnership is
        falling apart" is about partnership ("falling apart" a figure of speech), but "worried
        about a safeguarding issue" is a worry, even though "safeguarding" is also a word of
        risk aversion. With `asked` (where a story's questions' words are), a person's own care
        and off-topic are judged on those alone; safety, and questions about the bot ("this bot
        is just someone's opinion ... where's the evidence from?"), on the whole story.
        """
        evidence, fired = self._routes.evidence(positions, quality)
        if asked is not None:
            in_questions, fired_there = self._routes.evidence(asked, quality)
            for route_id in [r for r in evidence if self._route_kind[r] in ASKED_ONLY]:
                del evidence[route_id], fired[route_id]
                if route_id in in_questions:
                    evidence[route_id] = in_questions[route_id]
                    fired[route_id] = fired_there[route_id]
        if not evidence:
            return None
        if topic_score >= score_of(ROUTE_STRONG):
            used = self._stems_of(
                text
                for route_id, terms in fired.items()
                if self._route_kind[route_id] == "safety"
                for _, text in terms
            )
            rest = {s: at for s, at in positions.items() if s not in used}
            left, _ = self._topics.evidence(rest, quality)
            safety_topic_score = score_of(max(left.values(), default=0.0))
        else:
            safety_topic_score = topic_score
        scaling, _ = self._scaling.evidence(positions, quality)
        for kind in (*ROUTE_ORDER, "about"):
            score = safety_topic_score if kind == "safety" else max(topic_score, best_score)
            need = ROUTE_STRONG if scaling or score >= score_of(ROUTE_STRONG) else 1.0
            best = min(
                (r for r in evidence if self._route_kind[r] == kind),
                key=lambda r: _route_rank(r, evidence[r], fired[r]),
                default=None,
            )
            if best is not None and _enough(evidence[best], fired[best], need, bool(scaling)):
                # a question about the bot outweighs an everyday or personal-care word in it:
                # "what does SCIE stand for", "what can you help me with" (never safety)
                about = max(
                    (r for r in evidence if self._route_kind[r] == "about"),
                    key=lambda r: evidence[r],
                    default=None,
                )
                if kind != "safety" and about and evidence[about] > evidence[best]:
                    kind, best = "about", about
                terms = tuple(text for _, text in sorted(fired[best], key=lambda f: -f[0]))
                return kind, best, terms
        return None

    def _stems_of(self, terms: Iterable[str]) -> set[str]:
        """The stems route terms matched; a together term is shown by its words: "sister +
        lock + room"."""
        return {
            s for text in terms for s in self._routes.stems_of.get(text) or self.reader.read(text)
        }

    def _asks_a_topic(
        self,
        text: str,
        sentences: list[list[Token]],
        asks: list[bool],
        ranked: list[Match],
        terms: Iterable[str],
        rules: float,
        score: int,
    ) -> bool:
        """Whether the best topic of the whole message (`ranked`) is the best too in the words
        a route's terms did not use, scoring `score` in both, with the rules' evidence `rules`
        there: "where is your privacy policy" is about privacy, although "policy" is a word of
        policy levers."""
        if not ranked or ranked[0].score < score:
            return False
        used = self._stems_of(terms)
        rest, rest_asks = [], []
        for sentence, asked in zip(sentences, asks, strict=True):
            kept = [t for t in sentence if t.stem not in used]
            if kept:
                rest.append(kept)
                rest_asks.append(asked)
        if not rest:
            return False
        found, rules_best = self._ranking(text, rest, rest_asks)
        return (
            bool(found)
            and found[0].id == ranked[0].id
            and found[0].score >= score
            and rules_best >= rules
        )

    def _worried(
        self,
        text: str,
        views: list[Weighed],
        positions: dict[str, list[int]],
        quality: dict[str, float],
        topic_clear: bool,
        own_care: bool = False,
        kind: str = "safety",
    ) -> tuple[str, str, tuple[str, ...]] | None:
        """(kind, entry, terms) when no rule of that kind fired but the message reads much more
        like its messages in route-examples.yaml than like any other: WORRY_LEAD nats per unit
        of IDF, WORRY_STEP more beside a scaling word, and more again when the topic rules
        clearly match ("our suicide prevention service wants to grow" stays a question); a
        complaint needs WORRY_STEP more where the rules found a person's own care, whose words
        (charges, the home, the council) complaints share."""
        found = self._worry(views, kind)
        if found is None:
            return None
        label, lead, weighed, against = found
        scaling, _ = self._scaling.evidence(positions, quality)
        need = WORRY_LEAD + WORRY_STEP * (bool(scaling) + topic_clear)
        if label == "complaint" and not self._personal & positions.keys():
            need += GRIEVANCE_STEP  # "nobody listens to carers": a grievance, about no one's care
        if label == "complaint" and own_care:
            need += WORRY_STEP
        if lead < need:
            return None
        assert self._worries is not None
        typed = self._typed_words(text)
        shown = [typed.get(s, s) for s in self._worries.telling(weighed, label, against)]
        return kind, label, ("like an example: " + ", ".join(shown[:EXAMPLE_WORDS_SHOWN]),)

    def _worry_views(self, sentences: list[list[Token]]) -> list[Weighed]:
        """The message weighed by the worry model whole and sentence by sentence (a long one in
        WORRY_VIEWS even groups of sentences, which bounds the time), leaving out the views
        with too few known words to tell: one rare word ("pyjamas") is no worry."""
        model = self._worries
        if model is None:
            return []
        tokens = [t for sentence in sentences for t in sentence]
        size = max(1, -(-len(sentences) // WORRY_VIEWS))
        parts = [
            [t for sentence in sentences[n : n + size] for t in sentence]
            for n in range(0, len(sentences), size)
        ]
        views = [tokens, *parts] if len(parts) > 1 else [tokens]
        weighed = (model.weigh(s for s, _, _ in view if s not in self._stop) for view in views)
        return [w for w in weighed if w.mass >= WORRY_MASS and len(w.stems) >= WORRY_WORDS]

    def _worry(self, views: list[Weighed], kind: str) -> tuple[str, float, Weighed, str] | None:
        """The entry of this kind (safety, personal-care) whose examples the message is most
        like, by how much more than like any other label's (nats per unit of IDF), in any of
        its views, and that other label."""
        model = self._worries
        if model is None:
            return None
        best: tuple[str, float, Weighed, str] | None = None
        for weighed in views:
            odds = weighed.likelihood
            against = max(
                (label for label in odds if self._route_kind.get(label) != kind),
                key=odds.__getitem__,
            )
            for label in model.labels:
                if self._route_kind.get(label) != kind:
                    continue
                lead = (odds[label] - odds[against]) / weighed.mass
                if best is None or lead > best[1]:
                    best = (label, lead, weighed, against)
        return best

    def _asks(self, text: str, asked: set[str]) -> bool:
        """Whether the message asks what one of the `asked` stems means: an asking phrase
        ("what's", "meaning of", "define") next to the term, with only FILLERS between, on
        either side: "what is a pilot", "wicked problem meaning"; not "what is the best way to
        run a pilot", "what is our theory of change" or "what's on commissioners' agendas".

        Each sentence is read alone ("...a pilot. What is it we are missing" asks nothing), and
        an asking phrase after the term does not go on into a clause of its own (CLAUSE_STARTS):
        "staff at the second site don't understand why we do it" is not asking what a second
        site is."""
        sentences = [words(part) for part in _SENTENCE_END.split(text)]
        if any(
            tuple(typed[n : n + len(p)]) == p
            for typed in sentences
            for n, w in enumerate(typed)
            for p in self._not_asking.get(w, ())
        ):
            return False
        return any(self._asks_in(typed, asked) for typed in sentences if typed)

    def _asks_in(self, typed: list[str], asked: set[str]) -> bool:
        """_asks for the words of one sentence."""
        for n, word in enumerate(typed):
            for phrase in self._asking.get(word, ()):
                end = n + len(phrase)
                if tuple(typed[n:end]) != phrase:
                    continue
                after = next((k for k in range(end, len(typed)) if typed[k] not in FILLERS), None)
                if after is not None and self._term_at(typed[after : after + 3], 0, asked):
                    return True
                before = next((k for k in range(n - 1, -1, -1) if typed[k] not in FILLERS), None)
                if (
                    before is not None
                    and (after is None or typed[after] not in CLAUSE_STARTS)
                    and self._term_at(typed[max(0, before - 2) : before + 1], -1, asked)
                ):
                    return True
        return False

    def _asks_back(self, text: str) -> bool:
        """Whether a sentence of the message, after the first, only asks what the word said
        before means: "The funder wants a theory of change. What is it?"; in a longer story
        "it" is more often the thing the story is about ("... a guide for change on that
        scale. What is it?")."""
        sentences = _sentences(text)
        if len(sentences) > ASK_BACK_SENTENCES:
            return False
        return any(tuple(words(sentence)) in self._asking_back for sentence in sentences[1:])

    def _term_at(self, typed: list[str], at: int, asked: set[str]) -> bool:
        """Whether the first (at 0) or last (at -1) of these words begins or ends an asked term:
        read together, so that "co production" and "scaling up" are one word."""
        found = self.read(" ".join(typed))  # "on", "our" next to the question: not the term
        return bool(found) and found[at].stem in asked

    def _asked_term(
        self,
        text: str,
        tokens: list[Token],
        positions: dict[str, list[int]],
        quality: dict[str, float],
    ) -> tuple[str, tuple[str, ...], tuple[str, ...], frozenset[str]] | None:
        """A glossary term asked about: "what is double running?", "wicked problem meaning".

        The term alone is a topic question ("double running" is about funding), and so is a
        longer question that uses it; only asking what it means, with at most SHORT_EXTRA_WORDS
        other words, gets the definition.
        """
        evidence, fired = self._glossary.evidence(positions, quality)
        if not evidence:
            return None
        # a term's names found in the message ("scaling up" as well as "scale")
        found = {
            t: [f for f in self._glossary_forms[t] if all(s in positions for s in f)]
            for t in evidence
        }

        # the longest term found, then the one named first: "what is readiness for scale"
        def order(t: str) -> tuple[int, float, int]:
            first = min((at for f in found[t] for at in positions[f[0]]), default=0)
            return max(map(len, found[t]), default=0), evidence[t], -first

        term_id = max(evidence, key=order)
        # Every word asked about is part of the question: "scale vs spread, what's the difference"
        needed = {s for t in evidence for f in found[t] for s in f} - self.reader.stop_words
        # the asking words are not extra: "can you explain what invest to save means"
        plain = self.reader.stop_words | self._asking_stems
        extra = sum(t.stem not in plain and t.stem not in needed for t in tokens)
        # "invest to save?" alone asks what it is, as "what is invest to save" does
        asked = self._asks(text, needed) or (extra == 0 and text.rstrip().endswith("?"))
        # a message that opens by asking what it means allows a little context: "what does
        # fidelity mean when people talk about copying a model"
        typed = words(text)
        opens = (
            any(tuple(typed[: len(p)]) == p for p in self._asking.get(typed[0], ()))
            if typed
            else False
        )
        outright = asked and opens and bool(MEANING & set(typed))
        limit = MEANING_EXTRA_WORDS if outright else SHORT_EXTRA_WORDS
        if (asked and extra <= limit) or (len(evidence) == 1 and self._asks_back(text)):
            longest = max(found[term_id], key=len, default=())
            return term_id, tuple(text for _, text in fired[term_id]), longest, frozenset(needed)
        return None

    def _names_framework(
        self,
        positions: dict[str, list[int]],
        ranked: list[Match],
        term: tuple[str, ...],
        asked: frozenset[str],
    ) -> bool:
        """Whether a glossary word is asked about as part of a framework's name: "what is
        sustaining innovation in public services" (a name longer than the term), "what's the
        diffusion of innovations model", "the leading large scale change guide" (a framework
        word right after the term); not "value proposition in the NASSS framework"."""
        if any(
            len(name) > len(term)
            and asked & set(name)
            and all(s in positions for s in name)
            and _in_order(name, positions)
            for name in self._framework_names
        ):
            return True
        ends = {at + 1 for s in asked for at in positions.get(s, ())}
        named = any(ends & set(positions.get(s, ())) for s in self._framework_words)
        return named and any(
            self._kinds.get(m.id) == "framework" and m.score >= MIN_SCORE for m in ranked[:3]
        )

    def _ranking(
        self,
        text: str,
        sentences: list[list[Token]],
        asks: list[bool] | None = None,
        typed: dict[str, str] | None = None,
        shown: int | None = None,
    ) -> tuple[list[Match], float]:
        """Every topic with evidence, best first, and the best evidence the rules alone found.

        The rules read the strongest window; the examples (examples.yaml) weigh the whole of a
        short message, or that window, the last WINDOW_SENTENCES sentences of a long one and
        its last sentence alone (where a question after a story usually is), the view that
        favours a topic counting.
        """
        tokens = [t for sentence in sentences for t in sentence]
        window = self._best_window(sentences, tokens, asks)
        positions, quality, generic = _positions(window if window is not None else tokens)
        evidence, fired = self._topics.evidence(positions, quality, generic)
        views = [tokens]
        # a fragment naming two things ("leadership and funding"): each part weighed too, as
        # the naive Bayes model would have each word count against the other's topic
        parts = _parts(tokens) if len(tokens) <= FRAGMENT_TOKENS else []
        if len(parts) > 1:
            views += parts
        if len(sentences) > WINDOW_SENTENCES:  # a long message: the two likeliest windows
            views = [[t for sentence in sentences[-WINDOW_SENTENCES:] for t in sentence]]
            if window is not None and window != views[0]:
                views.append(window)
            views.append(sentences[-1])
        weighed, listed = [], frozenset()
        if self._examples is not None:
            for view in views:
                content = [s for s, _, _ in view if s not in self._stop]
                weighed.append(self._examples.weigh(content))
            listed = self._examples.listed_as(s for s, _, _ in tokens if s not in self._stop)
        if NOT_A_TOPIC in listed:  # staff listed it as nothing to match
            return [], max(evidence.values(), default=0.0)
        ranked = self._combined(text, evidence, fired, weighed, listed, typed, shown)
        return ranked, max(evidence.values(), default=0.0)

    def _combined(
        self,
        text: str,
        evidence: dict[str, float],
        fired: dict[str, list[tuple[float, str]]],
        weighed: list[Weighed],
        listed: frozenset[str] = frozenset(),
        typed_as: dict[str, str] | None = None,
        shown: int | None = None,
    ) -> list[Match]:
        """The rules' evidence and the examples' odds against `none` added up, as ranked matches.

        Each view of the message (knowledge._examples.Weighed) gives each topic
        (L(topic) - L(none) - NONE_LEAD x W) / EXAMPLE_TEMPERATURE; the view that favours the
        topic most counts. Evidence 1 (score MIN_SCORE) is then reached by a clear rule term on
        a message as like the topic's examples as the `none` ones, or by the examples alone.
        """
        total = dict(evidence)
        telling: dict[str, Weighed] = {}
        if weighed:
            gained: dict[str, float] = {}
            for view in weighed:
                odds = view.likelihood
                none = odds.get(NOT_A_TOPIC, 0.0)
                lead, floor = NONE_LEAD * view.mass, NONE_FLOOR * view.mass
                only_generic = all(s in self._generic_stems for s in view.stems)
                for topic in self._kinds:
                    lead_over_none = max(odds.get(topic, none) - none, -floor)
                    gain = (lead_over_none - lead) / EXAMPLE_TEMPERATURE
                    if only_generic:
                        gain = min(gain, 0.0)
                    elif (
                        gain > 0
                        and topic not in evidence
                        and len(self._examples.telling(view, topic, NOT_A_TOPIC))
                        < EXAMPLE_MIN_WORDS
                    ):
                        gain = 0.0
                    if topic not in gained or gain > gained[topic]:
                        gained[topic], telling[topic] = gain, view
            for topic, gain in gained.items():
                total[topic] = evidence.get(topic, 0.0) + gain
            total = {t: e for t, e in total.items() if t in evidence or score_of(e) > 0}
        if listed:  # ahead of any other, and level with each other: staff listed it under each
            others = max((e for t, e in total.items() if t not in listed), default=0.0)
            mine = listed & self._kinds.keys()
            level = max([LISTED_LEAD * others, 1.0, *(total.get(t, 0.0) for t in mine)])
            for topic in mine:
                total[topic] = level
        typed: dict[str, str] = {}
        model = self._examples

        def terms_of(topic: str) -> tuple[str, ...]:
            found = tuple(text for _, text in sorted(fired.get(topic, ()), key=lambda f: -f[0]))
            view = telling.get(topic)
            if model is not None and view is not None:
                shared = model.telling(view, topic, NOT_A_TOPIC)[:EXAMPLE_WORDS_SHOWN]
                if shared and (total[topic] > evidence.get(topic, 0.0) or topic not in fired):
                    if not typed:
                        typed.update(self._typed_words(text, typed_as))
                    found += (f"like an example: {', '.join(typed.get(s, s) for s in shared)}",)
            return found

        def order(topic: str) -> tuple[float, int, int, int]:
            longest = max((len(words(text)) for _, text in fired.get(topic, ())), default=0)
            count = len(fired.get(topic, ()))
            return (-round(total[topic], 6), -count, -longest, self._order[topic])

        ranked = sorted(total, key=order)
        scores = {topic: score_of(total[topic]) for topic in ranked}
        if weighed and ranked:
            # The examples' evidence is a log-odds: how far a runner-up is behind the best
            # says how sure the choice is, however high both are (the best's score is capped).
            best = total[ranked[0]]
            scores = {
                topic: max(0, scores[ranked[0]] - round(POINTS_BEHIND * (best - total[topic])))
                for topic in ranked
            }
            # a clear rule term stays at least a hint, however far the examples lead elsewhere:
            # "we need a plan and senior buy-in" is about planning too
            for topic in ranked[1:]:
                if evidence.get(topic, 0.0) >= 1.0:
                    scores[topic] = max(scores[topic], min(RUNNER_UP_SCORE, scores[ranked[0]]))
        return [
            Match(
                topic,
                self._kinds[topic],
                scores[topic],
                # the words like an example only for the matches shown (a long story weighs
                # every topic): the rest keep their rule terms
                terms_of(topic) if shown is None or n < shown else _rule_terms(fired, topic),
                topic in fired,
            )
            for n, topic in enumerate(ranked)
        ]

    def _typed_words(self, text: str, read: dict[str, str] | None = None) -> dict[str, str]:
        """Each stem of the message and the word it was typed as, to show the words shared
        (`read`: as found while reading it); a listed word the message read as one
        ("careworker") as the lists write it."""
        typed = dict(self._listed_words)
        if read is None:
            read = {}
            for word in words(text[:MAX_QUERY_CHARS]):
                read.setdefault(stem(word), word)
        for s, word in read.items():
            typed.setdefault(s, word)
        return typed

    def _best_window(
        self, sentences: list[list[Token]], tokens: list[Token], asks: list[bool] | None = None
    ) -> list[Token] | None:
        """The tokens of the strongest window of sentences (the whole of a short message), or
        None when no rule finds anything in any window.

        Each sentence is read once; a window of two adds only the terms that span the join
        (found in the few words either side of it), so a long message costs about one reading.
        """
        if len(sentences) <= WINDOW_SENTENCES:
            return tokens
        if asks and len(sentences) >= QUESTION_FIRST and any(asks):
            # A long story with a question in it: the windows holding a question are read
            # first, and the rest only when those find no match.
            ends = sorted({end for n, asked in enumerate(asks) if asked for end in (n + 1, n + 2)})
            score, found = self._strongest(sentences, [e for e in ends if e <= len(sentences)])
            if score >= MIN_SCORE:
                return found
        return self._strongest(sentences, range(1, len(sentences) + 1))[1]

    def _strongest(
        self, sentences: list[list[Token]], ends: Iterable[int]
    ) -> tuple[int, list[Token] | None]:
        """The score and tokens of the strongest window of one or two sentences ending at these
        ends (0 and None when no rule finds anything)."""
        rules = self._topics
        ends = list(ends)
        # Each sentence is read only if a window holds it, and once.
        needed = {n for end in ends for n in (end - 2, end - 1) if n >= 0}
        read = {n: _positions(sentences[n]) for n in sorted(needed)}
        fired = {n: rules.fired(positions) for n, (positions, _, _) in read.items()}
        anchors = rules.phrases.keys()
        pairs: dict[int, set[int]] = {}  # first sentence -> the terms its window of two finds
        for end in ends:
            start = end - 2
            if start >= 0:
                pairs[start] = fired[start] | fired[start + 1]
                join = sentences[start][-rules.reach :] + sentences[start + 1][: rules.reach]
                if not anchors.isdisjoint(t.stem for t in join):
                    pairs[start] |= rules.fired(_places(join), rules.phrases)
        # Without `not` or `with` terms, a window of two finds at least what each of its
        # sentences does, and wins a tie (it is read later): a sentence inside a window of two
        # need not be scored alone.
        plain = rules.special.isdisjoint(set().union(*pairs.values(), *fired.values()))
        best: tuple[int, int, int] | None = None  # score, first sentence, last sentence + 1
        for end in ends:
            for size in range(1, WINDOW_SENTENCES + 1):
                start = end - size
                if start < 0:
                    continue
                if size == 1:
                    if plain and (start - 1 in pairs or start in pairs):
                        continue
                    found = fired[start]
                    _, quality, generic = read[start]
                else:
                    found = pairs[start]
                    quality = _EitherQuality(read[start][1], read[start + 1][1])
                    generic = _GenericInBoth(read[start], read[start + 1])
                if not found:
                    continue
                evidence, _ = rules.evidence({}, quality, generic, fired=found)
                if not evidence:
                    continue
                score = score_of(max(evidence.values()))
                if best is None or score >= best[0]:
                    best = (score, start, end)
        if best is None:
            return 0, None
        return best[0], [t for sentence in sentences[best[1] : best[2]] for t in sentence]

    def _smalltalk_in(self, tokens: list[Token]) -> str | None:
        """'help', 'thanks' or 'greeting' if the message holds one of their phrases."""
        found = [t.stem for t in tokens]
        best: tuple[int, str] | None = None
        for n, first in enumerate(found):
            for rank, kind, phrase in self._smalltalk.get(first, ()):
                if tuple(found[n : n + len(phrase)]) == phrase and (best is None or rank < best[0]):
                    best = (rank, kind)
        return best[1] if best else None


def _parts(tokens: list[Token]) -> list[list[Token]]:
    """The parts of a fragment between its joining words ("and", "or"), each with words."""
    parts: list[list[Token]] = [[]]
    for token in tokens:
        if token.stem in JOINING:
            parts.append([])
        else:
            parts[-1].append(token)
    return [part for part in parts if part]


def _rule_terms(fired: dict[str, list[tuple[float, str]]], topic: str) -> tuple[str, ...]:
    """A topic's fired rule terms, the strongest first."""
    return tuple(text for _, text in sorted(fired.get(topic, ()), key=lambda f: -f[0]))


def _same_question(text: str) -> str:
    """A question as compared with the examples: case and spacing aside."""
    return " ".join(text.casefold().split())


def _route_rank(
    route_id: str, evidence: float, fired: list[tuple[float, str]]
) -> tuple[float, float, int, str]:
    """How route entries of one kind are ordered, first best: the most evidence; on a tie the
    most specific: the entry whose strongest term weighs most, then whose terms that fired have
    the most words between them ("not happy with" is a complaint before "treats my" is harm);
    last the id, so that the order of routes.yaml never decides."""
    strongest = max((worth for worth, _ in fired), default=0.0)
    said = sum(len(words(text)) for _, text in fired)
    return (-round(evidence, 6), -round(strongest, 6), -said, route_id)


def _enough(evidence: float, fired: list[tuple[float, str]], need: float, scaling: bool) -> bool:
    """Whether a route's evidence reaches what it needs; against a scaling word, one strong
    term, or weak ones adding up to one more than that."""
    if not scaling:
        return evidence >= need - 1e-9
    strongest = max(worth for worth, _ in fired)
    return strongest >= need - 1e-9 or evidence >= need + 1.0 - 1e-9


def _without_nested(
    fired: dict[str, list[tuple[float, str]]], stems_of: dict[str, tuple[str, ...]]
) -> tuple[dict[str, float], dict[str, list[tuple[float, str]]]]:
    """Each entry's fired terms without those whose stems sit inside a longer fired term
    ("attacking", read as "attack", inside "heart attack")."""
    evidence: dict[str, float] = defaultdict(float)
    kept: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for topic, terms in fired.items():
        # A together term is shown by the words it found, and never sits inside another.
        read = {
            text: f" {' '.join(stems_of.get(text, ('@' + text.replace(' ', '_'),)))} "
            for _, text in terms
        }
        for worth, text in terms:
            if any(
                read[text] in read[other] and len(read[other]) > len(read[text])
                for _, other in terms
            ):
                continue
            evidence[topic] += worth
            kept[topic].append((worth, text))
    return evidence, kept


def _positions(
    tokens: list[Token],
) -> tuple[dict[str, list[int]], dict[str, float], frozenset[str]]:
    """Where each stem occurs, the best quality it was read with, and the stems only ever
    typed as generic words."""
    positions: dict[str, list[int]] = defaultdict(list)
    quality: dict[str, float] = {}
    specific: set[str] = set()
    for n, (s, q, generic) in enumerate(tokens):
        positions[s].append(n)
        if q > quality.get(s, 0.0):
            quality[s] = q
        if not generic:
            specific.add(s)
    return positions, quality, frozenset(positions.keys() - specific)


def _apart(sentences: list[list[Token]]) -> dict[str, list[int]]:
    """Where each stem occurs, each sentence SENTENCE_APART words after the one before, so that
    no phrase, `together` or `unless` reaches from one sentence into the next."""
    positions: dict[str, list[int]] = defaultdict(list)
    start = 0
    for sentence in sentences:
        for n, token in enumerate(sentence):
            positions[token.stem].append(start + n)
        start += len(sentence) + SENTENCE_APART
    return positions


def _places(tokens: list[Token]) -> dict[str, list[int]]:
    """Where each stem occurs."""
    positions: dict[str, list[int]] = defaultdict(list)
    for n, token in enumerate(tokens):
        positions[token.stem].append(n)
    return positions


def _sentences(text: str) -> list[str]:
    """The message's sentences; more than MAX_SENTENCES are read in as many even groups.

    The groups bound the work a message of a thousand fragments ("a. a. a. ...") can make;
    a real story of Telegram's 4096 characters has fewer sentences than that.
    """
    parts = [part for part in _SENTENCE_END.split(text) if part.strip()]
    if len(parts) <= MAX_SENTENCES:
        return parts
    size = -(-len(parts) // MAX_SENTENCES)
    return [" ".join(parts[n : n + size]) for n in range(0, len(parts), size)]


class _EitherQuality:
    """The best quality a stem was read with in either of two sentences (a window of two)."""

    __slots__ = ("first", "second")

    def __init__(self, first: dict[str, float], second: dict[str, float]):
        self.first, self.second = first, second

    def __getitem__(self, stem: str) -> float:
        return max(self.first.get(stem, 0.0), self.second.get(stem, 0.0))


class _GenericInBoth:
    """The stems typed only as generic words in a window of two sentences, looked up as needed
    rather than merged: a long message has a window for every pair of sentences."""

    __slots__ = ("first", "second")

    def __init__(self, first: tuple, second: tuple):
        self.first, self.second = first, second

    def __contains__(self, stem: object) -> bool:
        (here, _, generic_here), (there, _, generic_there) = self.first, self.second
        if stem not in here and stem not in there:
            return False
        return (stem not in here or stem in generic_here) and (
            stem not in there or stem in generic_there
        )


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


def _fires(term: _Term, positions: dict[str, list[int]]) -> bool:
    """Whether a term's words are in the message as it asks: a phrase in order and close
    together, away from its `unless` words; or a word of each `together` group nearby."""
    if term.groups:
        return _together(term.groups, term.within, positions) is not None
    needed = term.stems
    if not all(x in positions for x in needed):
        return False
    if not term.unless:
        return _in_order(needed, positions)
    silencing = [span for phrase in term.unless for span in _spans(phrase, positions)]
    return any(
        all(end + term.within < first or start > last + term.within for first, last in silencing)
        for start, end in _spans(needed, positions)
    )


def _together(
    groups: tuple[tuple[tuple[str, ...], ...], ...], within: int, positions: dict[str, list[int]]
) -> tuple[int, ...] | None:
    """The phrase (by number) of each group found so that all lie within `within` words, each
    on words of its own ("different carers" is not also the "carers" of another group)."""
    found = []
    for group in groups:
        spans = [
            (*span, n)
            for n, phrase in enumerate(group)
            if phrase[0] in positions
            for span in _spans(phrase, positions)
        ]
        if not spans:
            return None
        found.append(sorted(spans))

    def fit(
        i: int, taken: tuple[tuple[int, int], ...], chosen: tuple[int, ...]
    ) -> tuple[int, ...] | None:
        if i == len(found):
            return chosen
        for first, last, n in found[i]:
            low = min([first, *(a for a, _ in taken)])
            high = max([last, *(b for _, b in taken)])
            if high - low < within and all(last < a or first > b for a, b in taken):
                done = fit(i + 1, (*taken, (first, last)), (*chosen, n))
                if done is not None:
                    return done
        return None

    return fit(0, (), ())


def _shown(term: _Term, positions: dict[str, list[int]]) -> str:
    """How a fired term is shown: its phrase, or the words of each group it found."""
    chosen = _together(term.groups, term.within, positions) if term.groups else None
    if chosen is None:
        return term.text
    return " + ".join(texts[n] for texts, n in zip(term.group_texts, chosen, strict=True))


def _spans(
    needed: tuple[str, ...], positions: dict[str, list[int]], loose: bool = False
) -> Iterator[tuple[int, int]]:
    """Where a phrase occurs (first and last word), in order, close together (see _reach)."""
    if not all(s in positions for s in needed):
        return
    reach = _reach(needed, loose)
    for start in positions[needed[0]]:
        at = start
        for s in needed[1:]:
            places = positions[s]
            n = bisect_right(places, at)  # the first place after `at`; positions are in order
            if n == len(places) or places[n] - start > reach:
                break
            at = places[n]
        else:
            yield start, at


def _reach(needed: tuple[str, ...], loose: bool = False) -> int:
    """How far past its first word a phrase's last word may lie: its length less one, and
    MAX_GAP other words among them (one for a phrase of two words, unless `loose`)."""
    return len(needed) - 1 + (MAX_GAP if loose else min(MAX_GAP, len(needed) - 1))


def _in_order(
    needed: tuple[str, ...], positions: dict[str, list[int]], loose: bool = False
) -> bool:
    """Whether the stems occur in this order, close together (see _reach)."""
    return len(needed) == 1 or next(_spans(needed, positions, loose), None) is not None


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
