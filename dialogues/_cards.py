"""Answer cards and browse lists, built from the knowledge with the shared texts."""

from __future__ import annotations

from collections.abc import Iterable

from dialogues._content import label, uses
from dialogues._conversation import Conversation, rows_of
from dialogues._markup import Markup
from dialogues._registry import Jump
from dialogues._types import Feedback, Option
from dialogues.actions import Detail, Listing, Open, Parts, Rate, Term, Topic, option
from knowledge import Factor, Framework

READING_PAGE = 12  # reading entries per page of the list
FIGURES_ON_CARD = 3  # a card stays readable on a phone; the seed's own figures come first
TEAM_FLOW = Jump("team")
STARTS = {"nasss": Jump("nasss"), "sips": Jump("sips")}  # a framework card's own check
CARD_JUMPS = (TEAM_FLOW, *STARTS.values())

CARD_FACTOR = uses(
    "card_factor", "title", "badge", "summary", "why", "actions", "figures", "related"
)
CARD_FRAMEWORK = uses(
    "card_framework",
    "title",
    "who",
    "summary",
    "purpose",
    "fits",
    "uses",
    "finding",
    "caveats",
    "related",
)
KEY_BADGE = uses("key_badge")
FIGURES = uses("card_figures", "lines")
FIGURE_LINE = uses("figure_line", "value", "text", "source")
PLAN_WITH = uses("card_plan_with", "frameworks")
FURTHER_READING = uses("card_reading", "reading")
BULLET = uses("bullet", "text")
DETAIL = uses("card_detail", "title", "detail")
PARTS_DOMAINS = uses("parts_domains", "title", "items")
PARTS_SECTIONS = uses("parts_sections", "title", "items")
PARTS_COMPONENTS = uses("parts_components", "title", "items")
PART_LINE = uses("part_line", "title", "text")
FEEDBACK_YES = uses("feedback_yes")
FEEDBACK_NO = uses("feedback_no")
LIST_TOPICS = uses("list_topics")
LIST_INNOVATION = uses("list_factors_innovation")
LIST_EXTERNAL = uses("list_factors_external")
LIST_KEY = uses("list_key_factors", "items")
LIST_FRAMEWORKS = uses("list_frameworks")
LIST_READING = uses("list_reading", "items", "page", "pages")
READING_LINE = uses("reading_line", "title", "by", "year")
LIST_GLOSSARY = uses("list_glossary")
GLOSSARY_TERM = uses("glossary_term", "term", "definition")
NETWORK = uses("network", "name", "about", "funder", "partners", "together", "offers")

HELPFUL_YES = label("helpful_yes")
HELPFUL_NO = label("helpful_no")
MORE_DETAIL = label("more_detail")
PARTS = label("parts")
START_NASSS = label("start_nasss")
START_SIPS = label("start_sips")
NEXT_PAGE = label("next_page")
PREVIOUS_PAGE = label("previous_page")
TOPICS = label("topics")
TEAM = label("team")
INNOVATION = label("factors_innovation")
EXTERNAL = label("factors_external")
KEY_FACTORS = label("key_factors")
FRAMEWORKS = label("frameworks")
GLOSSARY = label("glossary")


def bullets(convo: Conversation, items: Iterable[str | Markup]) -> Markup:
    """Lines of bullets, each item escaped unless already markup."""
    return Markup("\n".join(convo.text(BULLET, text=item) for item in items))


def topic_card(convo: Conversation, topic_id: str) -> bool:
    """Show the answer card for a factor or framework; False if there is no such topic."""
    topic = convo.kb.topic(topic_id)
    if topic is None:
        return False
    if isinstance(topic, Factor):
        _factor_card(convo, topic)
    else:
        _framework_card(convo, topic)
    return True


def _factor_card(convo: Conversation, factor: Factor) -> None:
    kb = convo.kb
    figures = ""
    if factor.figures:
        lines = [
            convo.text(FIGURE_LINE, value=f.value, text=f.text, source=_source(convo, f.source))
            for f in (kb.figures[i] for i in factor.figures[:FIGURES_ON_CARD])
        ]
        figures = convo.text(FIGURES, lines=Markup("\n".join(lines)))
    text = convo.text(
        CARD_FACTOR,
        title=factor.title,
        badge=convo.text(KEY_BADGE) if kb.is_key(factor.id) else "",
        summary=factor.summary,
        why=factor.why_it_matters,
        actions=bullets(convo, factor.actions),
        figures=figures,
        related=_related(convo, factor.frameworks, factor.reading),
    )
    rows = [[option(kb.frameworks[f].short_title, Topic(f)) for f in factor.frameworks[:3]]]
    if factor.detail:
        rows.append([option(convo.label(MORE_DETAIL), Detail(factor.id))])
    convo.say(text, [*rows, *_feedback_rows(convo, factor.id)])


def _framework_card(convo: Conversation, framework: Framework) -> None:
    uses_ = [u.text for u in framework.how_to_use]
    text = convo.text(
        CARD_FRAMEWORK,
        title=framework.title,
        who=framework.who_and_when,
        summary=framework.summary,
        purpose=framework.purpose,
        fits=bullets(convo, framework.fits),
        uses=bullets(convo, uses_),
        finding=framework.finding or "",
        caveats=bullets(convo, framework.caveats) if framework.caveats else "",
        related=_related(convo, [], framework.reading),
    )
    rows: list[list[Option]] = []
    if framework.domains or framework.sections or framework.components:
        rows.append([option(convo.label(PARTS), Parts(framework.id))])
    if framework.id in STARTS:
        name = {"nasss": START_NASSS, "sips": START_SIPS}[framework.id]
        rows.append([option(convo.label(name), Open(STARTS[framework.id].flow))])
    convo.say(text, [*rows, *_feedback_rows(convo, framework.id)])


def _related(convo: Conversation, frameworks: list[str], reading: list[str]) -> Markup:
    """'Plan with' and 'Further reading' lines, each only when there is something to list."""
    parts = []
    if frameworks:
        names = ", ".join(convo.kb.frameworks[f].short_title for f in frameworks)
        parts.append(convo.text(PLAN_WITH, frameworks=names))
    if reading:
        lines = bullets(convo, (_reading_line(convo, r) for r in reading[:2]))
        parts.append(convo.text(FURTHER_READING, reading=lines))
    return Markup("".join(parts))


def _source(convo: Conversation, source_id: str) -> str:
    kb = convo.kb
    if source_id in kb.references:
        return kb.references[source_id].citation
    entry = kb.reading[source_id]
    return f"{entry.by}, {entry.year}" if entry.year else entry.by


def _reading_line(convo: Conversation, reading_id: str) -> Markup:
    entry = convo.kb.reading[reading_id]
    return convo.text(READING_LINE, title=entry.title, by=entry.by, year=entry.year or "")


def _feedback_rows(convo: Conversation, topic_id: str) -> list[list[Option]]:
    return [
        [
            option(convo.label(HELPFUL_YES), Rate(topic_id, True)),
            option(convo.label(HELPFUL_NO), Rate(topic_id, False)),
        ],
        list(convo.menu_row()),
    ]


def detail(convo: Conversation, factor_id: str) -> bool:
    """The seed's longer explanation of a key factor."""
    factor = convo.kb.factors.get(factor_id)
    if factor is None or not factor.detail:
        return False
    back = [[option(factor.short_title, Topic(factor.id))], list(convo.menu_row())]
    convo.say(convo.text(DETAIL, title=factor.title, detail=factor.detail), back)
    return True


def parts(convo: Conversation, framework_id: str) -> bool:
    """A framework's domains, sections or components."""
    framework = convo.kb.frameworks.get(framework_id)
    if framework is None:
        return False
    if framework.domains:
        items = [convo.text(PART_LINE, title=d.title, text=d.question) for d in framework.domains]
        name = PARTS_DOMAINS
    elif framework.sections:
        items = [
            convo.text(PART_LINE, title=s.title, text=" ".join(s.questions))
            for s in framework.sections
        ]
        name = PARTS_SECTIONS
    elif framework.components:
        items = [convo.text(PART_LINE, title=c.title, text=c.text) for c in framework.components]
        name = PARTS_COMPONENTS
    else:
        return False
    text = convo.text(name, title=framework.title, items=Markup("\n\n".join(items)))
    back = [[option(framework.short_title, Topic(framework.id))], list(convo.menu_row())]
    convo.say(text, back)
    return True


def feedback(convo: Conversation, topic_id: str, helpful: bool) -> None:
    """Thank the user for saying whether an answer helped, and record it."""
    convo.record(Feedback(topic_id, helpful))
    if helpful:
        convo.say(convo.text(FEEDBACK_YES), [convo.menu_row()])
    else:
        team = option(convo.label(TEAM), Open(TEAM_FLOW.flow))
        convo.say(convo.text(FEEDBACK_NO), [(team,), convo.menu_row()])


def show_list(convo: Conversation, name: str, page: int = 1) -> bool:
    """A browse list: topics, factors by level, the seven, frameworks, reading, glossary."""
    kb = convo.kb
    back = convo.menu_row()
    if name == "topics":
        options = [
            option(convo.label(INNOVATION), Listing("factors-innovation")),
            option(convo.label(EXTERNAL), Listing("factors-external")),
            option(convo.label(KEY_FACTORS), Listing("key-factors")),
            option(convo.label(FRAMEWORKS), Listing("frameworks")),
        ]
        convo.say(convo.text(LIST_TOPICS), [*rows_of(options, 2), back])
    elif name in ("factors-innovation", "factors-external"):
        level = name.removeprefix("factors-")
        factors = [f for f in kb.factors.values() if f.level == level]
        options = [option(f.short_title, Topic(f.id)) for f in factors]
        text = convo.text(LIST_INNOVATION if level == "innovation" else LIST_EXTERNAL)
        convo.say(text, [*rows_of(options, 2), _to_topics(convo), back])
    elif name == "key-factors":
        items = bullets(convo, (g.title for g in kb.key_factors))
        options = [option(g.short_title, Topic(g.factors[0])) for g in kb.key_factors]
        convo.say(convo.text(LIST_KEY, items=items), [*rows_of(options, 2), back])
    elif name == "frameworks":
        options = [option(f.short_title, Topic(f.id)) for f in kb.frameworks.values()]
        convo.say(convo.text(LIST_FRAMEWORKS), [*rows_of(options, 2), back])
    elif name == "reading":
        _reading_page(convo, page)
    elif name == "glossary":
        options = [option(t.term[:40], Term(t.id)) for t in kb.glossary.values()]
        convo.say(convo.text(LIST_GLOSSARY), [*rows_of(options, 2), back])
    elif name == "network":
        network = kb.network
        text = convo.text(
            NETWORK,
            name=network.name,
            about=network.about,
            funder=network.funder,
            partners=bullets(convo, (f"{p.name}: {p.about}" for p in network.partners)),
            together=bullets(convo, network.brings_together),
            offers=bullets(convo, network.offers),
        )
        convo.say(text, [(option(convo.label(TEAM), Open(TEAM_FLOW.flow)),), back])
    else:
        return False
    return True


def _to_topics(convo: Conversation) -> tuple[Option, ...]:
    return (option(convo.label(TOPICS), Listing("topics")),)


def _reading_page(convo: Conversation, page: int) -> None:
    entries = list(convo.kb.reading)
    pages = max(1, -(-len(entries) // READING_PAGE))
    page = min(max(page, 1), pages)
    chunk = entries[(page - 1) * READING_PAGE : page * READING_PAGE]
    items = bullets(convo, (_reading_line(convo, r) for r in chunk))
    turn: list[Option] = []
    if page > 1:
        turn.append(option(convo.label(PREVIOUS_PAGE), Listing("reading", page - 1)))
    if page < pages:
        turn.append(option(convo.label(NEXT_PAGE), Listing("reading", page + 1)))
    text = convo.text(LIST_READING, items=items, page=page, pages=pages)
    convo.say(text, [turn, convo.menu_row()])


def glossary_term(convo: Conversation, term_id: str) -> bool:
    """One glossary definition."""
    term = convo.kb.glossary.get(term_id)
    if term is None:
        return False
    back = (option(convo.label(GLOSSARY), Listing("glossary")),)
    convo.say(convo.text(GLOSSARY_TERM, term=term.term, definition=term.definition), [back])
    return True
