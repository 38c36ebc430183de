"""Load the knowledge YAML, validate every entry and every cross-reference, report all problems."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from knowledge import _ids
from knowledge._examples import EXAMPLE_ROUTES, check_examples, examples_from
from knowledge._match_checks import check_lists, check_rules, validate_lists
from knowledge._models import (
    Factor,
    Figure,
    Framework,
    KeyFactor,
    MatchingLists,
    Network,
    Reading,
    Reference,
    Review,
    Route,
    Term,
)
from knowledge._words import Reader, words
from knowledge.content import (
    ContentError,
    Problem,
    display_name,
    entry_label,
    read_yaml,
    validate_entries,
    validate_one,
)

DATA_DIR = Path(__file__).parent / "data"
M = TypeVar("M", bound=BaseModel)

# file name -> (model, key of the collection in KnowledgeBase)
COLLECTIONS: dict[str, tuple[type[BaseModel], str]] = {
    "factors.yaml": (Factor, "factors"),
    "key-factors.yaml": (KeyFactor, "key_factors"),
    "frameworks.yaml": (Framework, "frameworks"),
    "figures.yaml": (Figure, "figures"),
    "reading.yaml": (Reading, "reading"),
    "references.yaml": (Reference, "references"),
    "glossary.yaml": (Term, "glossary"),
    "routes.yaml": (Route, "routes"),
}
FILES = {key: file_name for file_name, (_, key) in COLLECTIONS.items()}
NETWORK_FILE = "network.yaml"
REVIEW_FILE = "review.yaml"  # what the evidence review is, and its limits
MATCHING_FILE = "matching.yaml"  # the word lists every entry's match rules share
EXAMPLES_FILE = "examples.yaml"  # questions people typed, by the topic that answers them
ROUTE_EXAMPLES_FILE = "route-examples.yaml"  # worries people typed, by the route that answers
# The dialogues rely on these: the NASSS check rates 7 domains, the SIPS record has 4 sections.
PARTS = (("nasss", "domains", 7), ("sips", "sections", 4))


class KnowledgeLoadError(ContentError):
    """The knowledge YAML has problems; `problems` lists every one."""


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the bot knows, validated, with entries in file order and found by id."""

    factors: Mapping[str, Factor]
    frameworks: Mapping[str, Framework]
    key_factors: tuple[KeyFactor, ...]
    figures: Mapping[str, Figure]
    reading: Mapping[str, Reading]
    references: Mapping[str, Reference]
    glossary: Mapping[str, Term]
    network: Network
    review: Review
    matching: MatchingLists
    routes: Mapping[str, Route] = field(default_factory=dict)
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    route_examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    _key_ids: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        keys = frozenset(i for group in self.key_factors for i in group.factors)
        object.__setattr__(self, "_key_ids", keys)

    def is_key(self, factor_id: str) -> bool:
        """Whether a factor is one of the seven of particular relevance to adult social care."""
        return factor_id in self._key_ids

    def topic(self, topic_id: str) -> Factor | Framework | None:
        """A factor or framework by id, or None."""
        return self.factors.get(topic_id) or self.frameworks.get(topic_id)

    def kind_of(self, topic_id: str) -> str | None:
        """'factor', 'framework' or None."""
        if topic_id in self.factors:
            return "factor"
        if topic_id in self.frameworks:
            return "framework"
        return None

    def to_json(self) -> dict[str, Any]:
        """The whole knowledge base as plain JSON-ready data."""

        def dump(entries: Mapping[str, BaseModel]) -> list[dict[str, Any]]:
            return [entry.model_dump(mode="json", by_alias=True) for entry in entries.values()]

        factors = dump(self.factors)
        for factor in factors:
            factor["key"] = self.is_key(factor["id"])
        return {
            "factors": factors,
            "key_factors": [group.model_dump(mode="json") for group in self.key_factors],
            "frameworks": dump(self.frameworks),
            "figures": dump(self.figures),
            "reading": dump(self.reading),
            "references": dump(self.references),
            "glossary": dump(self.glossary),
            "network": self.network.model_dump(mode="json"),
            "review": self.review.model_dump(mode="json"),
            "matching": self.matching.model_dump(mode="json"),
            "routes": dump(self.routes),
        }


def load_knowledge(data_dir: Path | None = None) -> KnowledgeBase:
    """Load and check the knowledge YAML; raise KnowledgeLoadError listing every problem."""
    data_dir = data_dir or DATA_DIR
    root = data_dir.parent.parent  # names in messages start at the repository root
    collections: dict[str, list[Any]] = {}
    raw: dict[str, list[dict]] = {}
    problems: list[Problem] = []
    for file_name, (model, key) in COLLECTIONS.items():
        name = display_name(data_dir / file_name, root)
        data, found = read_yaml(data_dir / file_name, name)
        problems += found
        raw[key] = [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []
        if found:
            collections[key] = []
            continue
        entries, found = validate_entries(
            data, model, name, key="rank" if key == "key_factors" else "id"
        )
        collections[key] = entries
        problems += found

    network, found = _one(data_dir, root, NETWORK_FILE, Network, "network")
    problems += found
    review, found = _one(data_dir, root, REVIEW_FILE, Review, "review")
    problems += found

    matching_name = display_name(data_dir / MATCHING_FILE, root)
    matching_data, found = read_yaml(data_dir / MATCHING_FILE, matching_name)
    problems += found
    matching = None
    if not found:
        matching, found = validate_lists(matching_data, matching_name)
        problems += found
    if matching is not None:
        problems += check_lists(matching, matching_name)
        topics = [*collections["factors"], *collections["frameworks"], *collections["routes"]]
        file_of = {
            Factor: display_name(data_dir / FILES["factors"], root),
            Framework: display_name(data_dir / FILES["frameworks"], root),
            Route: display_name(data_dir / FILES["routes"], root),
        }
        problems += check_rules(topics, matching, lambda entry: file_of[type(entry)], matching_name)

    examples_name = display_name(data_dir / EXAMPLES_FILE, root)
    examples_data, found = read_yaml(data_dir / EXAMPLES_FILE, examples_name)
    problems += found
    if not found:
        reader = Reader(matching) if matching is not None else None
        topics = [e["id"] for key in ("factors", "frameworks") for e in raw[key] if "id" in e]
        problems += check_examples(
            examples_data,
            examples_name,
            topics,
            lambda text: tuple(reader.content(text) if reader else words(text)),
        )

    route_examples_name = display_name(data_dir / ROUTE_EXAMPLES_FILE, root)
    route_examples_data, found = read_yaml(data_dir / ROUTE_EXAMPLES_FILE, route_examples_name)
    problems += found
    if not found:
        reader = Reader(matching) if matching is not None else None
        answering = [e["id"] for e in raw["routes"] if e.get("route") in EXAMPLE_ROUTES]
        problems += check_examples(
            route_examples_data,
            route_examples_name,
            answering,
            lambda text: tuple(reader.content(text) if reader else words(text)),
            what="safety or personal-care entry of routes.yaml",
            none_allowed=False,
        )

    problems += _cross_check(raw, lambda key: display_name(data_dir / FILES[key], root))
    if problems or network is None or review is None or matching is None:
        raise KnowledgeLoadError(problems)
    return KnowledgeBase(
        factors={f.id: f for f in collections["factors"]},
        frameworks={f.id: f for f in collections["frameworks"]},
        key_factors=tuple(collections["key_factors"]),
        figures={f.id: f for f in collections["figures"]},
        reading={r.id: r for r in collections["reading"]},
        references={r.id: r for r in collections["references"]},
        glossary={t.id: t for t in collections["glossary"]},
        routes={r.id: r for r in collections["routes"]},
        network=network,
        review=review,
        matching=matching,
        examples=examples_from(examples_data),
        route_examples=examples_from(route_examples_data),
    )


def _one(
    data_dir: Path, root: Path, file_name: str, model: type[M], entry: str
) -> tuple[M | None, list[Problem]]:
    """A file holding one entry (the network, the review), validated; None if it has problems."""
    name = display_name(data_dir / file_name, root)
    data, problems = read_yaml(data_dir / file_name, name)
    if problems:
        return None, problems
    return validate_one(data, model, name, entry)


def _strings(entry: dict[str, Any], attribute: str) -> list[str]:
    """The ids a raw entry lists in a field (a list, or one id), ignoring anything malformed."""
    value = entry.get(attribute)
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str)]


def _cross_check(raw: dict[str, list[dict]], name: Callable[[str], str]) -> Iterator[Problem]:
    """References to ids that do not exist, ids shared across files, the published contract.

    Works on the raw YAML, so that an entry with a schema problem is still cross-checked and
    every problem is reported in one go.
    """
    ids = {
        key: {e["id"] for e in entries if isinstance(e.get("id"), str)}
        for key, entries in raw.items()
    }
    topics = ids["factors"] | ids["frameworks"]
    sources = ids["references"] | ids["reading"]
    everything = set().union(*ids.values())
    # (collection, field, the ids it may name, what those are called)
    links = (
        ("factors", "figures", ids["figures"], "figure"),
        ("factors", "frameworks", ids["frameworks"], "framework"),
        ("factors", "reading", ids["reading"], "reading entry"),
        ("factors", "related", ids["factors"], "factor"),
        ("factors", "glossary", ids["glossary"], "glossary term"),
        ("frameworks", "factors", ids["factors"], "factor"),
        ("frameworks", "glossary", ids["glossary"], "glossary term"),
        ("frameworks", "reading", ids["reading"], "reading entry"),
        ("frameworks", "references", sources, "reference"),
        ("figures", "source", sources, "reference"),
        ("reading", "informs", topics, "factor or framework"),
        ("references", "reading", ids["reading"], "reading entry"),
        ("glossary", "related", everything, "entry"),
        ("key_factors", "factors", ids["factors"], "factor"),
    )
    for key, attribute, known, what in links:
        for index, entry in enumerate(raw[key], start=1):
            label = entry_label(entry, index, "rank" if key == "key_factors" else "id")
            for value in _strings(entry, attribute):
                if value not in known:
                    yield Problem(name(key), label, attribute, f"no {what} with id {value!r}")

    owners: dict[str, str] = {}
    for key in ("factors", "frameworks", "figures", "reading", "references", "glossary", "routes"):
        for entry_id in sorted(ids[key]):
            if entry_id in owners:
                yield Problem(
                    name(key), entry_id, "id", f"id also used in {name(owners[entry_id])}"
                )
            owners.setdefault(entry_id, key)
    yield from _published_contract(raw, name)
    yield from _short_questions(raw, name)


def _short_questions(raw: dict[str, list[dict]], name: Callable[[str], str]) -> Iterator[Problem]:
    """Each section's short names for its questions: one for each question, in the same order."""
    for index, framework in enumerate(raw["frameworks"], start=1):
        for n, section in enumerate(framework.get("sections") or [], start=1):
            if not isinstance(section, dict):
                continue
            questions, names = section.get("questions"), section.get("short_questions")
            if (
                isinstance(questions, list)
                and isinstance(names, list)
                and len(questions) != len(names)
            ):
                yield Problem(
                    name("frameworks"),
                    entry_label(framework, index),
                    f"sections.{n}.short_questions",
                    f"needs one short name for each question ({len(questions)} questions, "
                    f"{len(names)} names)",
                )


def _published_contract(
    raw: dict[str, list[dict]], name: Callable[[str], str]
) -> Iterator[Problem]:
    """The ids in the design are published: each must exist, at its level, key or not."""
    factors = {e["id"]: e for e in raw["factors"] if isinstance(e.get("id"), str)}
    levels = {i: "innovation" for i in _ids.INNOVATION_FACTORS}
    levels |= {i: "external" for i in _ids.EXTERNAL_FACTORS}
    for factor_id, level in levels.items():
        factor = factors.get(factor_id)
        if factor is None:
            yield Problem(name("factors"), factor_id, "id", "published factor id is missing")
        elif factor.get("level") in ("innovation", "external") and factor["level"] != level:
            yield Problem(name("factors"), factor_id, "level", f"must be {level!r}")
    for factor_id in factors.keys() - levels.keys():
        yield Problem(name("factors"), factor_id, "id", "not a published factor id")

    frameworks = {e["id"]: e for e in raw["frameworks"] if isinstance(e.get("id"), str)}
    for framework_id, attribute, count in PARTS:
        parts = frameworks.get(framework_id, {}).get(attribute)
        if framework_id in frameworks and not (isinstance(parts, list) and len(parts) == count):
            yield Problem(
                name("frameworks"), framework_id, attribute, f"must list {count} {attribute}"
            )
    for framework_id in set(_ids.FRAMEWORKS) - frameworks.keys():
        yield Problem(name("frameworks"), framework_id, "id", "published framework id is missing")
    for framework_id in frameworks.keys() - set(_ids.FRAMEWORKS):
        yield Problem(name("frameworks"), framework_id, "id", "not a published framework id")

    key_ids = {i for group in raw["key_factors"] for i in _strings(group, "factors")}
    if raw["key_factors"] and key_ids != set(_ids.KEY_FACTORS):
        wrong = ", ".join(sorted(key_ids ^ set(_ids.KEY_FACTORS)))
        yield Problem(name("key_factors"), "-", "factors", f"published key factors differ: {wrong}")
    for factor_id in sorted(key_ids & factors.keys()):
        if not factors[factor_id].get("detail"):
            yield Problem(name("factors"), factor_id, "detail", "required for a key factor")
