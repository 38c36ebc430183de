"""The free-text matcher: a question in, ranked factors and frameworks out."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from knowledge._loader import KnowledgeBase

MAX_QUERY_CHARS = 500  # longer input is cut here: questions from a phone are short
MIN_SCORE = 60  # below this nothing matches
MARGIN = 8  # a top score closer than this to the runner-up is ambiguous


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

    def to_json(self) -> dict:
        """The contract's JSON shape for `python -m bot match --json`."""
        return {
            "query": self.query,
            "matches": [
                {"id": m.id, "kind": m.kind, "score": m.score, "terms": list(m.terms)}
                for m in self.matches
            ],
        }


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, punctuation and runs of white space made single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"['’`]", "", text)
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


@dataclass
class Matcher:
    """Scores a query against each entry's phrases with rapidfuzz; built once, used per message."""

    kb: KnowledgeBase
    _phrases: list[str] = field(init=False, default_factory=list)
    _owners: list[str] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        for topic_id in (*self.kb.factors, *self.kb.frameworks):
            topic = self.kb.topic(topic_id)
            terms = [topic.title, topic.short_title]
            terms += [t if isinstance(t, str) else t.text for t in topic.match.phrases]
            for term in terms:
                self._phrases.append(normalise(term))
                self._owners.append(topic_id)

    def match(self, text: str, limit: int = 5) -> MatchResult:
        """Rank factors and frameworks for a question."""
        truncated = len(text) > MAX_QUERY_CHARS
        query = normalise(text[:MAX_QUERY_CHARS])
        if not query:
            return MatchResult(text, truncated=truncated)
        best: dict[str, tuple[float, str]] = {}
        for phrase, score, index in process.extract(
            query, self._phrases, scorer=fuzz.token_set_ratio, limit=40, score_cutoff=MIN_SCORE
        ):
            owner = self._owners[index]
            if score > best.get(owner, (0.0, ""))[0]:
                best[owner] = (score, phrase)
        ranked = sorted(best.items(), key=lambda item: -item[1][0])[:limit]
        matches = tuple(
            Match(topic_id, self.kb.kind_of(topic_id) or "factor", round(score), (phrase,))
            for topic_id, (score, phrase) in ranked
        )
        return MatchResult(text, matches, truncated=truncated)
