"""Which texts would not fit a phone screen, each named by the file, entry and field to edit.

Every card, part and page is drawn from its entry and measured; then the tour (every button,
every command, long typed answers) measures everything else the engine sends, named by the
step of the journey that sent it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from dialogues import _cards
from dialogues._content import ROLE, TRIAGE
from dialogues._conversation import Conversation
from dialogues._engine import Engine
from dialogues._markup import shorten
from dialogues._navigation import MENU_AT, series_items, show, show_more
from dialogues._state import Result, State
from dialogues._types import Context
from dialogues.screens import SCREEN_LINES, phone_lines
from dialogues.tour import STARTED, tour
from knowledge import Problem

FACTORS = "knowledge/data/factors.yaml"
FRAMEWORKS = "knowledge/data/frameworks.yaml"
READING = "knowledge/data/reading.yaml"
GLOSSARY = "knowledge/data/glossary.yaml"
REVIEW = "knowledge/data/review.yaml"
NETWORK = "knowledge/data/network.yaml"
# Each "About the evidence" page, and the field of review.yaml that decides its length.
EVIDENCE_PAGES = {
    "evidence": "scope",
    "evidence-limits": "limits",
    "evidence-levels": "levels",
    "evidence-frameworks": "frameworks",
}
MESSAGES = "dialogues/messages.yaml"
# The field that decides the length of each part of a card.
FACTOR_PARTS = {
    "why": "why_it_matters",
    "do": "actions",
    "found": "detail",
    "figures": "figures",
    "frameworks": "frameworks",
}
FRAMEWORK_PARTS = {"purpose": "purpose", "fits": "fits", "uses": "how_to_use", "caveats": "caveats"}
# Places still being reshaped: `check` lists them as waiting rather than failing, and a test
# fails as soon as one of them fits, so that it is taken off this list. None are left.
WAITING: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Where:
    """The file, entry and field a text comes from."""

    file: str
    entry: str
    field: str


def screen_problems(engine: Engine) -> tuple[list[Problem], list[Problem]]:
    """(problems, waiting): texts over a screen, and those of them on the WAITING list."""
    known: dict[str, Where] = {}
    found: dict[Where, int] = {}
    for where, text in _drawn(engine):
        known.setdefault(_normal(text), where)
        _measure(found, where, text)
    for seen in tour(engine):
        text = _normal(seen.reply.text)
        where = known.get(text) or Where(
            f"dialogues/flows/{seen.flow}.yaml",
            seen.flow,
            f"steps.{seen.step} (after {shorten(seen.heard, 40)})",
        )
        _measure(found, where, text)
    problems, waiting = [], []
    for where, lines in sorted(found.items(), key=lambda item: item[0].file):
        message = f"runs to {lines} phone lines (at most {SCREEN_LINES} of 38 characters)"
        problem = Problem(where.file, where.entry, where.field, message)
        step = where.field.removeprefix("steps.").split(" ")[0]
        (waiting if (where.entry, step) in WAITING else problems).append(problem)
    return _first_per_field(problems), _first_per_field(waiting)


def _measure(found: dict[Where, int], where: Where, text: str) -> None:
    lines = phone_lines(text)
    if lines > SCREEN_LINES:
        found[where] = max(found.get(where, 0), lines)


def _first_per_field(problems: list[Problem]) -> list[Problem]:
    """One problem per file, entry and field: the step's name without what led to it."""
    seen: set[tuple[str, str, str]] = set()
    kept = []
    for problem in problems:
        key = (problem.file, problem.entry, problem.field.split(" (")[0])
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept


def _normal(text: str) -> str:
    """A text as the engine sends it (runs of blank lines closed up, ends trimmed)."""
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _drawn(engine: Engine) -> Iterator[tuple[Where, str]]:
    """Each card, part and page drawn from its entry, with where its words come from."""
    kb = engine.kb

    def draw(show: Callable[[Conversation], object], role: str | None = None) -> list[str]:
        convo = _scratch(engine, role=role)
        show(convo)
        return [reply.text for reply in convo.replies]

    topics = ((FACTORS, kb.factors, FACTOR_PARTS), (FRAMEWORKS, kb.frameworks, FRAMEWORK_PARTS))
    for file, entries, parts in topics:
        for topic_id in entries:
            for text in draw(lambda c, t=topic_id: _cards.topic_card(c, t)):
                yield Where(file, topic_id, "summary"), text
            for part, field in parts.items():
                for text in draw(lambda c, t=topic_id, p=part: _cards.card_part(c, t, p)):
                    yield Where(file, topic_id, field), text
    for factor in kb.factors.values():  # worded for one kind of person: as they see it
        for role in factor.actions_for:
            for part in ("card", "do"):
                for text in draw(lambda c, f=factor.id, p=part: _card_or_part(c, f, p), role):
                    yield Where(FACTORS, factor.id, f"actions_for.{role}"), text
    for framework in kb.frameworks.values():
        for kind in ("domains", "sections", "components"):
            for n, item in enumerate(getattr(framework, kind), start=1):
                field = f"{kind}.{n}.{'text' if kind == 'components' else 'about'}"
                for text in draw(lambda c, f=framework, i=item: _cards.parts(c, f.id, i.id)):
                    yield Where(FRAMEWORKS, framework.id, field), text
    for entry in kb.reading.values():
        for text in draw(lambda c, e=entry: _cards.reading_entry(c, e.id)):
            yield Where(READING, entry.id, "title"), text
    for page, field in EVIDENCE_PAGES.items():
        for text in draw(lambda c, p=page: _cards.show_list(c, p)):
            yield Where(REVIEW, "review", field), text
    for page, field in (("network", "about"), ("network-more", "offers")):
        for text in draw(lambda c, p=page: _cards.show_list(c, p)):
            yield Where(NETWORK, "network", field), text
    for term in kb.glossary.values():
        for text in draw(lambda c, t=term: _cards.glossary_term(c, t.id)):
            yield Where(GLOSSARY, term.id, "definition"), text
    yield from _steps(engine)


def _steps(engine: Engine) -> Iterator[tuple[Where, str]]:
    """Each step's question as the engine shows it (every item of a series), and its `more`."""
    for flow in engine.dialogues.flows.values():
        file = f"dialogues/flows/{flow.id}.yaml"
        for step_id, step in flow.steps.items():
            if step.kind == "result":
                continue
            count = 1
            if step.kind == "series":
                convo = _scratch(engine, flow.id, step_id)
                count = len(series_items(engine.kb, convo, step))
            for index in range(count):
                item = f" (question {index + 1})" if step.kind == "series" else ""
                for name, draw in (("text", show), ("more", show_more)):
                    if name == "more" and not step.more:
                        continue
                    convo = _scratch(engine, flow.id, step_id, index)
                    draw(convo)
                    for reply in convo.replies:
                        yield Where(file, flow.id, f"steps.{step_id}.{name}{item}"), reply.text


def _card_or_part(convo: Conversation, topic_id: str, part: str) -> object:
    if part == "card":
        return _cards.topic_card(convo, topic_id)
    return _cards.card_part(convo, topic_id, part)


def _scratch(
    engine: Engine,
    flow: str = "menu",
    step: str = "menu",
    index: int = 0,
    role: str | None = None,
) -> Conversation:
    """Someone who has agreed to the privacy terms, at a step (by default, the menu), and who
    has said in a triage who they are (`role`), if given."""
    at = MENU_AT.model_copy(update={"flow": flow, "step": step, "index": index})
    results = {}
    if role is not None:
        said = Result(date=STARTED.date().isoformat(), answers={ROLE: role}, result={})
        results[TRIAGE] = [said]
    return Conversation(
        State(consent=True, at=at, results=results),
        engine.kb,
        engine.dialogues,
        engine.matcher,
        Context(STARTED),
        engine.settings,
    )
