"""Schemas for the knowledge YAML files: one model per file type."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from knowledge.content import ID_PATTERN, YAML_BOOLEAN, Strict

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=40)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=28)]
Sentence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Paragraph = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=700)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1400)]
PHRASE_CHARS = 60
Phrase = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=PHRASE_CHARS)
]


MAX_WEIGHT = 3.0  # the heaviest a match term can be


MAX_WITHIN = 20  # the widest stretch of words a `together` or `unless` may look across
GROUP_INCLUDE = "+"  # a word group's item "+name" takes in the words of group `name`
TOGETHER_WITHIN = 8  # a `together` term's words all lie within this many words, unless given
UNLESS_WITHIN = 3  # an `unless` word this many words or fewer from a phrase silences it there


def _group_ref(value: object) -> object:
    """A word group: the name of one in matching.yaml (word_groups), or its words written out."""
    if isinstance(value, str):
        if not re.fullmatch(ID_PATTERN, value):
            raise ValueError(
                f"{value!r} is not a word group's name (lower case words joined by hyphens);"
                " write the words as a list: [word, other word]"
            )
        return value
    if not isinstance(value, list) or not value:
        raise ValueError("write a word group's name, or a list of words: [word, other word]")
    for n, item in enumerate(value, start=1):
        if isinstance(item, bool):
            raise ValueError(f"word {n}: {YAML_BOOLEAN}")
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"word {n} should be a word or phrase")
        if len(item) > PHRASE_CHARS:
            raise ValueError(f"word {n} is too long: at most {PHRASE_CHARS} characters")
    return [item.strip() for item in value]


GroupRef = Annotated[Id | list[Phrase], BeforeValidator(_group_ref)]


class Weighted(Strict):
    """A match term: a word or phrase people type, and how strongly it points to the entry.

    Instead of one phrase, a term may be words that come `together`: one word or phrase from
    each group, all within `within` words, in any order ("pension" and "taken" near "mum").
    A phrase with `unless` words does not count where one of them is within `within` words of
    it: "breaking point", but not "breaking point with the board".
    """

    text: Phrase | None = None
    together: list[GroupRef] = Field(default_factory=list)
    within: int | None = Field(None, ge=1, le=MAX_WITHIN)
    unless: GroupRef | None = None
    weight: float = Field(1.0, gt=0, le=MAX_WEIGHT)

    @model_validator(mode="after")
    def _one_kind(self) -> Weighted:
        if (self.text is None) == (not self.together):
            raise ValueError("write text: (a word or phrase) or together: (word groups), one only")
        if self.together and len(self.together) < 2:
            raise ValueError("together: needs two word groups or more")
        if self.together and self.unless is not None:
            raise ValueError("unless: goes with text:, not together:")
        if self.within is not None and not self.together and self.unless is None:
            raise ValueError("within: goes with together: or unless:")
        if self.unless is not None and self.weight >= MAX_WEIGHT:
            raise ValueError(
                f"a term of weight {MAX_WEIGHT:g} is unmistakable, so it cannot have unless:"
                " (give it a lower weight)"
            )
        return self

    @property
    def label(self) -> str:
        """How the term is shown: its phrase, or its groups joined by '+'."""
        if self.text is not None:
            return self.text
        return " + ".join(g if isinstance(g, str) else g[0] for g in self.together)


def _term_from_text(value: object) -> object:
    """A bare string in the YAML is a term of weight 1."""
    if isinstance(value, str):
        return {"text": value}
    if isinstance(value, dict):
        return value
    raise ValueError("write a word or phrase, or a mapping with text: and weight:")


MatchTerm = Annotated[Weighted, BeforeValidator(_term_from_text)]


class MatchRules(Strict):
    """How the free-text matcher recognises questions about one entry."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    terms: list[MatchTerm] = Field(
        default_factory=list,
        description=(
            "Words and phrases people type about this entry. A phrase counts when all its"
            " words appear close together, in any order. Each term found adds its weight"
            " (1 unless given: 2 or 3 for an unmistakable term, 0.5 or less for a hint)."
        ),
    )
    not_: list[Phrase] = Field(
        default_factory=list,
        alias="not",
        description="Words or phrases that mean a question is about something else.",
    )
    with_: list[Phrase] = Field(
        default_factory=list,
        alias="with",
        description=(
            "When given, the terms count only in a message that also holds one of these"
            " (for example a person: 'mum', 'resident'), so that 'hits' alone is not enough."
        ),
    )


class Smalltalk(Strict):
    """Phrases the engine answers itself, when the message holds no real question."""

    greeting: list[Phrase] = Field(min_length=1)
    thanks: list[Phrase] = Field(min_length=1)
    help: list[Phrase] = Field(min_length=1)


class MatchingLists(Strict):
    """The word lists every entry's match rules share (knowledge/data/matching.yaml)."""

    spellings: dict[Phrase, list[Phrase]] = Field(
        default_factory=dict,
        description="The UK spelling the rules use, and the other spellings people type.",
    )
    word_forms: dict[Phrase, list[Phrase]] = Field(
        default_factory=dict,
        description="A word the rules use, and forms of it the light stemmer does not join.",
    )
    sector_words: dict[Phrase, list[Phrase]] = Field(
        default_factory=dict,
        description="A word or phrase the rules use, and abbreviations and other names for it.",
    )
    hyphenated: list[Phrase] = Field(
        default_factory=list,
        description="Words written with a hyphen that people also type joined up or spaced.",
    )
    stop_words: list[Phrase] = Field(
        default_factory=list, description="Words that never decide a match."
    )
    generic_words: list[Phrase] = Field(
        default_factory=list,
        description="Everyday words that are only a hint when a term is that word alone.",
    )
    scaling_words: list[Phrase] = Field(
        default_factory=list,
        description=(
            "Words and phrases that show a question is about growing an innovation; with one of"
            " them, a sensitive word needs a strong phrase to route the message away."
        ),
    )
    word_groups: dict[Id, list[Phrase]] = Field(
        default_factory=dict,
        description=(
            "Named groups of words for match terms that need words `together` (routes.yaml):"
            " people close to someone, money, what is done to them. An item `+name` takes in"
            " the words of the group of that name."
        ),
    )
    asking_words: list[Phrase] = Field(
        default_factory=list,
        description="Phrases that ask what a word means (what is, define, meaning of).",
    )
    asking_back: list[Phrase] = Field(
        default_factory=list,
        description=(
            "A sentence that asks what a word said before means: the funder wants a theory of"
            " change. What is it?"
        ),
    )
    not_asking: list[Phrase] = Field(
        default_factory=list,
        description=(
            "Phrases that make a question about a word practical, not a definition: what does"
            " co-production mean in practice."
        ),
    )
    framework_words: list[Phrase] = Field(
        default_factory=list,
        description=(
            "Words that name a framework (model, framework, guide): a glossary word asked about"
            " with one of them, where a framework also matches, asks about the framework."
        ),
    )
    answer_words: dict[Phrase, list[Phrase]] = Field(
        default_factory=dict,
        description="A button's label, and other words people type to choose it.",
    )
    smalltalk: Smalltalk

    def words_of(self, group: str | list[str]) -> list[str]:
        """A group's words: a named group's, or a list written out, each `+name` in it taking
        in the words of that group ("[+reduce-words, repeat]")."""
        if isinstance(group, str):
            return self.group(group)
        found: list[str] = []
        for text in group:
            if text.startswith(GROUP_INCLUDE):
                found += self.group(text.removeprefix(GROUP_INCLUDE).strip())
            else:
                found.append(text)
        return found

    def group(self, name: str) -> list[str]:
        """A named word group's words, with those of each group it takes in (`+name`)."""
        found: list[str] = []
        pending, seen = [name], set()
        while pending:
            current = pending.pop(0)
            if current in seen:
                continue
            seen.add(current)
            for text in self.word_groups.get(current, []):
                if text.startswith(GROUP_INCLUDE):
                    pending.append(text.removeprefix(GROUP_INCLUDE).strip())
                else:
                    found.append(text)
        return found


class Figure(Strict):
    """A number the seed gives, with where it comes from."""

    id: Id
    value: Annotated[str, StringConstraints(max_length=20)]
    text: Sentence
    source: Id


Actions = Annotated[list[Sentence], Field(min_length=2, max_length=4)]


class Factor(Strict):
    """One of the 22 factors that help or hinder scaling."""

    id: Id
    title: Line
    short_title: Label
    level: Literal["innovation", "external"]
    summary: Paragraph
    why_it_matters: Paragraph
    detail: LongText | None = Field(
        None, description="The seed's longer explanation; required for the seven key factors."
    )
    actions: list[Sentence] = Field(
        min_length=2,
        max_length=4,
        description="Things to do, worded so that they read right for anyone who asks.",
    )
    actions_for: dict[Id, Actions] = Field(
        default_factory=dict,
        description=(
            "Things to do for one kind of person, by their answer to the triage's first"
            " question (innovator, commissioner, policy, person), where the advice truly"
            " differs; they replace `actions` for that person."
        ),
    )
    glossary: list[Id] = Field(
        default_factory=list,
        description="Glossary terms the card uses that are the point of it: a tap away.",
    )
    figures: list[Id] = Field(default_factory=list)
    frameworks: list[Id] = Field(default_factory=list)
    reading: list[Id] = Field(default_factory=list)
    related: list[Id] = Field(default_factory=list)
    match: MatchRules = Field(default_factory=MatchRules)

    def actions_of(self, role: str | None) -> list[str]:
        """The things to do for someone of this role (None: not known)."""
        return self.actions_for.get(role or "") or self.actions


class KeyFactor(Strict):
    """One of the seven factors of particular relevance to adult social care."""

    rank: int = Field(ge=1, le=7)
    title: Line
    short_title: Label
    factors: list[Id] = Field(min_length=1, max_length=2)


class Anchors(Strict):
    """Plain-English descriptions of simple, complicated and complex for one NASSS domain."""

    simple: Sentence
    complicated: Sentence
    complex: Sentence
    ours: bool = Field(
        False, description="True where the wording is the bot's own, not the published rubric's."
    )


class Domain(Strict):
    """A NASSS domain: what it covers, the question to ask and the rating anchors."""

    id: Id
    title: Line
    short_title: Label
    about: Paragraph
    question: Sentence
    anchors: Anchors
    simplify: Sentence = Field(description="What to do when this domain is rated complex.")


class Section(Strict):
    """A SIPS section and its guiding questions."""

    id: Id
    title: Line
    short_title: Label
    about: Paragraph
    questions: list[Sentence] = Field(min_length=1, max_length=6)
    # One per question, in order: what a record's screen shows where the question would not fit.
    short_questions: list[Label] = Field(min_length=1, max_length=6)


class Component(Strict):
    """A named part of a framework (a component, principle or tool)."""

    id: Id
    title: Line
    text: Paragraph


class Use(Strict):
    """One way to use a framework: before, during or after the change."""

    mode: Literal["prospective", "real-time", "retrospective"]
    text: Sentence


class Framework(Strict):
    """One of the four frameworks for planning and understanding scaling."""

    id: Id
    title: Line
    short_title: Label
    who_and_when: Sentence
    summary: Paragraph
    purpose: Paragraph
    when: Sentence = Field(
        description="When it fits, in a line or two, for the card's first screen."
    )
    fits: list[Sentence] = Field(min_length=1, max_length=5)
    finding: Paragraph | None = None
    how_to_use: list[Use] = Field(min_length=1)
    caveats: list[Sentence] = Field(default_factory=list)
    domains: list[Domain] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    components: list[Component] = Field(default_factory=list)
    factors: list[Id] = Field(default_factory=list, description="Factors it helps with.")
    glossary: list[Id] = Field(
        default_factory=list,
        description="Glossary terms the card uses that are the point of it: a tap away.",
    )
    reading: list[Id] = Field(default_factory=list)
    references: list[Id] = Field(default_factory=list)
    match: MatchRules = Field(default_factory=MatchRules)


class Reading(Strict):
    """An entry of the seed's further-reading list."""

    id: Id
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=260)]
    by: Line = Field(description="Author(s) or publisher, as the seed gives them.")
    year: int | None = Field(None, ge=1950, le=2030)
    published_in: Line | None = None
    about: Sentence | None = None
    informs: list[Id] = Field(default_factory=list, description="Factor and framework ids.")


class Reference(Strict):
    """A work cited in the text of the seed summary."""

    id: Id
    citation: Sentence
    year: int | None = Field(None, ge=1950, le=2030)
    cited_for: Sentence
    reading: Id | None = Field(None, description="The further-reading entry, when it is the same.")


class Term(Strict):
    """A glossary entry."""

    id: Id
    term: Line
    definition: Paragraph
    also: list[Phrase] = Field(
        default_factory=list,
        description="Other names people type for the term (scaling up for scale).",
    )
    related: list[Id] = Field(default_factory=list)


class Partner(Strict):
    """One of the organisations that run the network."""

    id: Id
    name: Line
    short_name: Label
    about: Sentence


class Network(Strict):
    """The Social Care Innovation Network: who runs it and what it offers."""

    name: Line
    about: Paragraph
    funder: Line
    partners: list[Partner] = Field(min_length=1)
    brings_together: list[Sentence] = Field(min_length=1)
    offers: list[Sentence] = Field(min_length=1)


class Review(Strict):
    """What the evidence review is: its scope and limits, its two levels, why four frameworks."""

    title: Line
    by: Line
    published: Line
    scope: Paragraph
    limits: Paragraph
    levels: Paragraph = Field(description="Albury et al. (2015): the basis of the two levels.")
    frameworks: Paragraph = Field(description="Why the review picked out these four.")


ROUTE_KINDS = ("safety", "personal-care", "off-topic", "about")


class Route(Strict):
    """A kind of message that is not a scaling question, its rules, and the fixed answer."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: Id
    route: Literal["safety", "personal-care", "off-topic", "about"]
    title: Line = Field(description="What the route is for, as staff read it in `misses`.")
    message: LongText = Field(description="The short fixed answer people get.")
    match: MatchRules
