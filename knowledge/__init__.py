"""What the bot knows: the evidence review as validated YAML, and the free-text matcher."""

from knowledge._loader import DATA_DIR, KnowledgeBase, KnowledgeLoadError, load_knowledge
from knowledge._matcher import MAX_QUERY_CHARS, Match, Matcher, MatchResult
from knowledge._models import (
    Domain,
    Factor,
    Figure,
    Framework,
    KeyFactor,
    MatchingLists,
    MatchRules,
    Network,
    Reading,
    Reference,
    Review,
    Section,
    Term,
)
from knowledge._words import normalise
from knowledge.content import ContentError, Problem

__all__ = [
    "DATA_DIR",
    "MAX_QUERY_CHARS",
    "ContentError",
    "Domain",
    "Factor",
    "Figure",
    "Framework",
    "KeyFactor",
    "KnowledgeBase",
    "KnowledgeLoadError",
    "Match",
    "MatchResult",
    "MatchRules",
    "Matcher",
    "MatchingLists",
    "Network",
    "Problem",
    "Reading",
    "Reference",
    "Review",
    "Section",
    "Term",
    "load_knowledge",
    "normalise",
]
