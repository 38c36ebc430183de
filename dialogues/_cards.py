"""Answer cards and browse pages, built from the knowledge with the shared texts.

Each card's first screen is the essence; the rest is one tap away, a screen at a time, so that
every message fits a phone (dialogues.screens).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from dialogues._content import label, uses
from dialogues._conversation import BACK, Conversation, rows_of
from dialogues._markup import Markup, plain, shorten
from dialogues._registry import Jump
from dialogues._types import Feedback, Option
from dialogues.actions import (
    Action,
    CardPart,
    Listing,
    Open,
    Parts,
    Rate,
    ReadingEntry,
    Term,
    Topic,
    option,
)
from dialogues.screens import AIM_LINES, phone_lines
from knowledge import Factor, Framework

READING_PAGE = 6  # reading entries (buttons) per page
FIGURES_PAGE = 3  # figures per page of "More figures"
FIGURES_ON_CARD = 3  # a factor's first figures: the seed's own come first
FIRST_ACTIONS = 2  # things to do on a factor card's first screen, when they fit
TOPIC_BUTTONS = 4  # topics a reading entry offers
READING_LABEL = 40  # characters of a reading title on its button
TEAM_FLOW = Jump("team")
BROWSE_FLOW = Jump("browse")  # the one home of browsing, whichever button leads there
STARTS = {"nasss": Jump("nasss"), "sips": Jump("sips")}  # a framework card's own check
CARD_JUMPS = (TEAM_FLOW, BROWSE_FLOW, *STARTS.values())

CARD_FACTOR = uses("card_factor", "title", "badge", "summary", "actions")
CARD_WHY = uses("card_why", "title", "why")
CARD_ACTIONS = uses("card_actions", "title", "actions")
CARD_FOUND = uses("card_found", "title", "detail")
CARD_FIGURES = uses("card_figures", "title", "lines", "source")
CARD_READING = uses("card_reading", "title", "page")
PAGE_OF = uses("page_of", "page", "pages")
CARD_FRAMEWORKS = uses("card_frameworks", "title", "items")
CARD_FRAMEWORK = uses("card_framework", "title", "who", "summary", "when")
CARD_PURPOSE = uses("card_purpose", "title", "purpose", "finding")
CARD_FITS = uses("card_fits", "title", "fits")
CARD_USES = uses("card_uses", "title", "uses")
CARD_CAVEATS = uses("card_caveats", "title", "caveats")
KEY_BADGE = uses("key_badge")
FIGURE_LINE = uses("figure_line", "value", "text")
FRAMEWORK_LINE = uses("framework_line", "title", "when")
BULLET = uses("bullet", "text")
BACK_TO = uses("back_to", "title")
WORD = uses("word_button", "term")
PARTS_LIST = uses("parts_list", "title", "parts")
PART = uses("part", "title", "text")
DOMAIN = uses("domain", "title", "about", "question")
SECTION = uses("section", "title", "about")
FEEDBACK_YES = uses("feedback_yes")
FEEDBACK_NO = uses("feedback_no")
LIST_INNOVATION = uses("list_factors_innovation")
LIST_EXTERNAL = uses("list_factors_external")
LIST_KEY = uses("list_key_factors")
LIST_FRAMEWORKS = uses("list_frameworks")
LIST_READING = uses("list_reading", "page")
LIST_FIGURES = uses("list_figures", "lines", "page", "source")
READING_ENTRY = uses("reading_entry", "title", "source", "about", "informs")
READING_SOURCE = uses("reading_source", "by", "year")
READING_SOURCE_UNDATED = uses("reading_source_undated", "by")
READING_PUBLISHED = uses("reading_published", "published_in")
READING_ABOUT = uses("reading_about", "about")
READING_INFORMS = uses("reading_informs", "topics")
LIST_GLOSSARY = uses("list_glossary")
GLOSSARY_TERM = uses("glossary_term", "term", "definition")
NETWORK = uses("network", "name", "about", "funder", "partners")
NETWORK_MORE = uses("network_more", "together", "offers")
EVIDENCE = uses("evidence", "title", "by", "published", "scope")
EVIDENCE_LIMITS = uses("evidence_limits", "limits")
EVIDENCE_LEVELS = uses("evidence_levels", "levels")
EVIDENCE_FRAMEWORKS = uses("evidence_frameworks", "frameworks")

HELPFUL_YES = label("helpful_yes")
HELPFUL_NO = label("helpful_no")
WHY = label("card_why")
ACTIONS = label("card_actions")
FOUND = label("card_found")
FIGURES = label("card_figures")
MORE_FIGURES = label("more_figures")
READING = label("card_reading")
FRAMEWORKS_OF = label("card_frameworks")
PURPOSE = label("card_purpose")
FITS = label("card_fits")
USES = label("card_uses")
CAVEATS = label("card_caveats")
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
READING_LIST = label("reading_list")
GLOSSARY = label("glossary")
NETWORK_MORE_LABEL = label("network_more")
EVIDENCE_LABEL = label("about_evidence")
EVIDENCE_OPENED_FROM = ("about", "browse")  # the pages with an "About the evidence" button
EVIDENCE_LIMITS_LABEL = label("evidence_limits")
EVIDENCE_LEVELS_LABEL = label("evidence_levels")
EVIDENCE_FRAMEWORKS_LABEL = label("evidence_frameworks")

START_LABELS = {"nasss": START_NASSS, "sips": START_SIPS}


def bullets(convo: Conversation, items: Iterable[str | Markup]) -> Markup:
    """Lines of bullets, each item escaped unless already markup."""
    return Markup("\n".join(convo.text(BULLET, text=item) for item in items))


# --- the first screen of a card ---------------------------------------------------------------


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
    """What it means and the first things to do; why, figures, reading, frameworks behind it."""
    badge = convo.text(KEY_BADGE) if convo.kb.is_key(factor.id) else ""
    actions = factor.actions_of(convo.role)
    for count in range(FIRST_ACTIONS, 0, -1):  # two things to do when both fit in 12 lines
        text = convo.text(
            CARD_FACTOR,
            title=factor.title,
            badge=badge,
            summary=factor.summary,
            actions=bullets(convo, actions[:count]),
        )
        if phone_lines(text) <= AIM_LINES:
            break
    parts = [option(convo.label(WHY), CardPart(factor.id, "why"))]
    parts.append(option(convo.label(ACTIONS), CardPart(factor.id, "do")))
    if factor.detail:
        parts.append(option(convo.label(FOUND), CardPart(factor.id, "found")))
    if factor.figures:
        parts.append(option(convo.label(FIGURES), CardPart(factor.id, "figures")))
    if factor.reading:
        parts.append(option(convo.label(READING), CardPart(factor.id, "reading")))
    if factor.frameworks:
        parts.append(option(convo.label(FRAMEWORKS_OF), CardPart(factor.id, "frameworks")))
    rows = [*rows_of(parts, 2), *_words_rows(convo, factor)]
    convo.say(text, [*rows, *_feedback_rows(convo, factor.id)])


def _framework_card(convo: Conversation, framework: Framework) -> None:
    """What it is and when it fits; its purpose, parts, uses and caveats behind buttons."""
    text = convo.text(
        CARD_FRAMEWORK,
        title=framework.title,
        who=framework.who_and_when,
        summary=framework.summary,
        when=framework.when,
    )
    fid = framework.id
    parts = [
        option(convo.label(PURPOSE), CardPart(fid, "purpose")),
        option(convo.label(FITS), CardPart(fid, "fits")),
        option(convo.label(USES), CardPart(fid, "uses")),
    ]
    if framework.caveats:
        parts.append(option(convo.label(CAVEATS), CardPart(fid, "caveats")))
    if _parts_of(framework):
        parts.append(option(convo.label(PARTS), Parts(fid)))
    if framework.reading:
        parts.append(option(convo.label(READING), CardPart(fid, "reading")))
    rows = rows_of(parts, 2)
    rows += _start_rows(convo, fid)
    rows += _words_rows(convo, framework)
    convo.say(text, [*rows, *_feedback_rows(convo, fid)])


def _words_rows(convo: Conversation, topic: Factor | Framework) -> list[tuple[Option, ...]]:
    """A button for each glossary term the card turns on, so that its meaning is a tap away."""
    terms = [convo.kb.glossary[i] for i in topic.glossary]
    words = [option(plain(convo.text(WORD, term=t.term)), Term(t.id, topic.id)) for t in terms]
    return rows_of(words, 2)


def _start_rows(convo: Conversation, framework_id: str) -> list[tuple[Option, ...]]:
    """The button that starts a framework's own check (NASSS) or record (SIPS), if it has one."""
    if framework_id not in STARTS:
        return []
    start = option(convo.label(START_LABELS[framework_id]), Open(STARTS[framework_id].flow))
    return [(start,)]


def _feedback_rows(convo: Conversation, topic_id: str) -> list[tuple[Option, ...]]:
    return [
        (
            option(convo.label(HELPFUL_YES), Rate(topic_id, True)),
            option(convo.label(HELPFUL_NO), Rate(topic_id, False)),
        ),
        convo.menu_row(),
    ]


def feedback(convo: Conversation, topic_id: str, helpful: bool) -> None:
    """Thank the user for saying whether an answer helped, and record it."""
    convo.record(Feedback(topic_id, helpful))
    if helpful:
        convo.say(convo.text(FEEDBACK_YES), [convo.menu_row()])
    else:
        team = option(convo.label(TEAM), Open(TEAM_FLOW.flow))
        convo.say(convo.text(FEEDBACK_NO), [(team,), convo.menu_row()])


# --- one tap away: a screen for each part of a card ------------------------------------------


def card_part(convo: Conversation, topic_id: str, part: str, page: int = 1) -> bool:
    """One part of a card ('why', 'do', 'figures', 'purpose', ...); False if it has none."""
    topic = convo.kb.topic(topic_id)
    if topic is None:
        return False
    shows = _FACTOR_PARTS if isinstance(topic, Factor) else _FRAMEWORK_PARTS
    if part == "reading" and topic.reading:
        _topic_reading(convo, topic, page)
        return True
    show = shows.get(part)
    if show is None:
        return False
    shown = show(convo, topic)
    if shown is None:
        return False
    text, extra = shown
    convo.say(text, [*extra, _back_to_card(convo, topic), convo.menu_row()])
    return True


Shown = tuple[Markup, list[tuple[Option, ...]]] | None


def _why(convo: Conversation, factor: Factor) -> Shown:
    return convo.text(CARD_WHY, title=factor.short_title, why=factor.why_it_matters), []


def _actions(convo: Conversation, factor: Factor) -> Shown:
    actions = bullets(convo, factor.actions_of(convo.role))
    return convo.text(CARD_ACTIONS, title=factor.short_title, actions=actions), []


def _found(convo: Conversation, factor: Factor) -> Shown:
    if not factor.detail:
        return None
    return convo.text(CARD_FOUND, title=factor.short_title, detail=factor.detail), []


def _figures(convo: Conversation, factor: Factor) -> Shown:
    if not factor.figures:
        return None
    figures = [convo.kb.figures[i] for i in factor.figures[:FIGURES_ON_CARD]]
    lines = Markup("\n".join(convo.text(FIGURE_LINE, value=f.value, text=f.text) for f in figures))
    extra = []
    if len(convo.kb.figures) > len(figures):
        extra.append((option(convo.label(MORE_FIGURES), Listing("figures")),))
    source = "; ".join(dict.fromkeys(_source(convo, f.source) for f in figures))
    text = convo.text(CARD_FIGURES, title=factor.short_title, lines=lines, source=source)
    return text, extra


def _frameworks(convo: Conversation, factor: Factor) -> Shown:
    if not factor.frameworks:
        return None
    chosen = [convo.kb.frameworks[f] for f in factor.frameworks]
    items = Markup(
        "\n".join(convo.text(FRAMEWORK_LINE, title=f.short_title, when=f.when) for f in chosen)
    )
    buttons = [option(f.short_title, Topic(f.id)) for f in chosen]
    text = convo.text(CARD_FRAMEWORKS, title=factor.short_title, items=items)
    return text, rows_of(buttons, 2)


def _purpose(convo: Conversation, framework: Framework) -> Shown:
    finding = Markup(f"\n\n{framework.finding}") if framework.finding else ""
    title = framework.short_title
    return convo.text(CARD_PURPOSE, title=title, purpose=framework.purpose, finding=finding), []


def _fits(convo: Conversation, framework: Framework) -> Shown:
    text = convo.text(CARD_FITS, title=framework.short_title, fits=bullets(convo, framework.fits))
    return text, []


def _uses(convo: Conversation, framework: Framework) -> Shown:
    uses_ = bullets(convo, (u.text for u in framework.how_to_use))
    return convo.text(CARD_USES, title=framework.short_title, uses=uses_), []


def _caveats(convo: Conversation, framework: Framework) -> Shown:
    if not framework.caveats:
        return None
    caveats = bullets(convo, framework.caveats)
    return convo.text(CARD_CAVEATS, title=framework.short_title, caveats=caveats), []


_FACTOR_PARTS: dict[str, Callable[[Conversation, Factor], Shown]] = {
    "why": _why,
    "do": _actions,
    "found": _found,
    "figures": _figures,
    "frameworks": _frameworks,
}
_FRAMEWORK_PARTS: dict[str, Callable[[Conversation, Framework], Shown]] = {
    "purpose": _purpose,
    "fits": _fits,
    "uses": _uses,
    "caveats": _caveats,
}


def _back_to_card(convo: Conversation, topic: Factor | Framework) -> tuple[Option, ...]:
    name = plain(convo.text(BACK_TO, title=topic.short_title))
    return (option(name, Topic(topic.id)),)


def _topic_reading(convo: Conversation, topic: Factor | Framework, page: int) -> None:
    """A card's reading entries as buttons, a page at a time."""
    chunk, page, pages = _paged(topic.reading, READING_PAGE, page)
    buttons = [_reading_button(convo, r) for r in chunk]
    turn = _turns(convo, lambda n: CardPart(topic.id, "reading", n), page, pages)
    text = convo.text(CARD_READING, title=topic.short_title, page=_page_of(convo, page, pages))
    convo.say(text, [*rows_of(buttons, 1), turn, _back_to_card(convo, topic), convo.menu_row()])


def _reading_button(convo: Conversation, reading_id: str) -> Option:
    return option(
        shorten(convo.kb.reading[reading_id].title, READING_LABEL), ReadingEntry(reading_id)
    )


def _paged(items: Sequence[str], size: int, page: int) -> tuple[Sequence[str], int, int]:
    """One page of a list: its items, the page number (kept in range) and how many pages."""
    pages = max(1, -(-len(items) // size))
    page = min(max(page, 1), pages)
    return items[(page - 1) * size : page * size], page, pages


def _page_of(convo: Conversation, page: int, pages: int) -> Markup:
    """' (2 of 3)' after a list's title, or nothing when the list fits one page."""
    return convo.text(PAGE_OF, page=page, pages=pages) if pages > 1 else Markup("")


def _turns(
    convo: Conversation, to: Callable[[int], Action], page: int, pages: int
) -> tuple[Option, ...]:
    """‹ Previous and Next › buttons for a paged list, each only where there is a page."""
    turn = []
    if page > 1:
        turn.append(option(convo.label(PREVIOUS_PAGE), to(page - 1)))
    if page < pages:
        turn.append(option(convo.label(NEXT_PAGE), to(page + 1)))
    return tuple(turn)


# --- a framework's parts -----------------------------------------------------------------------


def _parts_of(framework: Framework) -> list[tuple[str, str]]:
    """(id, title) of a framework's domains, sections and components, in that order."""
    return [
        *((d.id, d.short_title) for d in framework.domains),
        *((s.id, s.short_title) for s in framework.sections),
        *((c.id, c.title) for c in framework.components),
    ]


def parts(convo: Conversation, framework_id: str, part_id: str | None = None) -> bool:
    """A framework's parts as buttons, or one part on its own screen."""
    framework = convo.kb.frameworks.get(framework_id)
    if framework is None or not _parts_of(framework):
        return False
    if part_id is not None:
        return _part(convo, framework, part_id)
    names = "parts"
    if not framework.components:
        names = "domains" if framework.domains else "sections"
    text = convo.text(PARTS_LIST, title=framework.short_title, parts=names)
    buttons = [option(title, Parts(framework.id, i)) for i, title in _parts_of(framework)]
    rows = rows_of(buttons, 1 if framework.components and not framework.domains else 2)
    rows += _start_rows(convo, framework.id)
    convo.say(text, [*rows, _back_to_card(convo, framework), convo.menu_row()])
    return True


def _part(convo: Conversation, framework: Framework, part_id: str) -> bool:
    domain = next((d for d in framework.domains if d.id == part_id), None)
    section = next((s for s in framework.sections if s.id == part_id), None)
    component = next((c for c in framework.components if c.id == part_id), None)
    if domain:
        text = convo.text(DOMAIN, title=domain.title, about=domain.about, question=domain.question)
    elif section:
        text = convo.text(SECTION, title=section.title, about=section.about)
    elif component:
        text = convo.text(PART, title=component.title, text=component.text)
    else:
        return False
    ids = [i for i, _ in _parts_of(framework)]
    at = ids.index(part_id)
    turn = []
    if at > 0:
        turn.append(option(convo.label(PREVIOUS_PAGE), Parts(framework.id, ids[at - 1])))
    if at + 1 < len(ids):
        turn.append(option(convo.label(NEXT_PAGE), Parts(framework.id, ids[at + 1])))
    rows = [tuple(turn), (option(convo.label(PARTS), Parts(framework.id)),)]
    rows += _start_rows(convo, framework.id)
    convo.say(text, [*rows, _back_to_card(convo, framework), convo.menu_row()])
    return True


# --- reading, figures, the evidence, the glossary, the network --------------------------------


def reading_entry(convo: Conversation, reading_id: str) -> bool:
    """One further-reading entry: what it is, what it is about, the topics it informs."""
    entry = convo.kb.reading.get(reading_id)
    if entry is None:
        return False
    if entry.year:
        source = convo.text(READING_SOURCE, by=entry.by, year=entry.year)
    else:
        source = convo.text(READING_SOURCE_UNDATED, by=entry.by)
    if entry.published_in:
        source = Markup(source + convo.text(READING_PUBLISHED, published_in=entry.published_in))
    topics = [t for t in (convo.kb.topic(i) for i in entry.informs) if t is not None]
    names = ", ".join(t.short_title for t in topics)
    text = convo.text(
        READING_ENTRY,
        title=entry.title,
        source=source,
        about=convo.text(READING_ABOUT, about=entry.about) if entry.about else "",
        informs=convo.text(READING_INFORMS, topics=names) if topics else "",
    )
    buttons = [option(t.short_title, Topic(t.id)) for t in topics[:TOPIC_BUTTONS]]
    back = (option(convo.label(READING_LIST), Listing("reading")),)
    convo.say(text, [*rows_of(buttons, 2), back, convo.menu_row()])
    return True


def _figures_page(convo: Conversation, page: int) -> None:
    """Every verified figure, a few to a page, with their source."""
    kb = convo.kb
    chunk, page, pages = _paged(list(kb.figures), FIGURES_PAGE, page)
    figures = [kb.figures[i] for i in chunk]
    lines = Markup("\n".join(convo.text(FIGURE_LINE, value=f.value, text=f.text) for f in figures))
    sources = dict.fromkeys(_source(convo, f.source) for f in figures)
    page_of = _page_of(convo, page, pages)
    text = convo.text(LIST_FIGURES, lines=lines, page=page_of, source="; ".join(sources))
    turn = _turns(convo, lambda n: Listing("figures", n), page, pages)
    workforce = (option(kb.factors["workforce"].short_title, Topic("workforce")),)
    convo.say(text, [turn, workforce, convo.menu_row()])


def _source(convo: Conversation, source_id: str) -> str:
    kb = convo.kb
    if source_id in kb.references:
        return kb.references[source_id].citation
    entry = kb.reading[source_id]
    return f"{entry.by}, {entry.year}" if entry.year else entry.by


def _evidence(convo: Conversation, name: str) -> None:
    """About the evidence: the review, its limits, its two levels, why these frameworks."""
    review = convo.kb.review
    pages = {
        "evidence": (EVIDENCE_LABEL, None),
        "evidence-limits": (EVIDENCE_LIMITS_LABEL, EVIDENCE_LIMITS),
        "evidence-levels": (EVIDENCE_LEVELS_LABEL, EVIDENCE_LEVELS),
        "evidence-frameworks": (EVIDENCE_FRAMEWORKS_LABEL, EVIDENCE_FRAMEWORKS),
    }
    if name == "evidence":
        text = convo.text(
            EVIDENCE,
            title=review.title,
            by=review.by,
            published=review.published,
            scope=review.scope,
        )
    else:
        field = name.removeprefix("evidence-")
        text = convo.text(pages[name][1], **{field: getattr(review, field)})
    others = [option(convo.label(lab), Listing(n)) for n, (lab, _) in pages.items() if n != name]
    more = []
    if name == "evidence-levels":
        more = [option(convo.label(INNOVATION), Listing("factors-innovation"))]
        more.append(option(convo.label(EXTERNAL), Listing("factors-external")))
    elif name == "evidence-frameworks":
        more = [option(convo.label(FRAMEWORKS), Listing("frameworks"))]
    came_from = convo.state.at.flow
    if name == "evidence" and came_from in EVIDENCE_OPENED_FROM:  # the way back to that page
        others.append(option(convo.label(BACK), Open(came_from)))
    convo.say(text, [*rows_of(more, 2), *rows_of(others, 1), convo.menu_row()])


def show_list(convo: Conversation, name: str, page: int = 1) -> bool:
    """A browse page: factors by level, the seven, frameworks, reading, figures, the evidence."""
    kb = convo.kb
    back = convo.menu_row()
    if name in ("factors-innovation", "factors-external"):
        level = name.removeprefix("factors-")
        factors = [f for f in kb.factors.values() if f.level == level]
        options = [option(f.short_title, Topic(f.id)) for f in factors]
        text = convo.text(LIST_INNOVATION if level == "innovation" else LIST_EXTERNAL)
        convo.say(text, [*rows_of(options, 2), _to_browse(convo), back])
    elif name == "key-factors":
        options = [option(g.short_title, Topic(g.factors[0])) for g in kb.key_factors]
        convo.say(convo.text(LIST_KEY), [*rows_of(options, 2), _to_browse(convo), back])
    elif name == "frameworks":
        options = [option(f.short_title, Topic(f.id)) for f in kb.frameworks.values()]
        why = (option(convo.label(EVIDENCE_FRAMEWORKS_LABEL), Listing("evidence-frameworks")),)
        convo.say(convo.text(LIST_FRAMEWORKS), [*rows_of(options, 2), why, back])
    elif name == "reading":
        chunk, page, pages = _paged(list(kb.reading), READING_PAGE, page)
        buttons = [_reading_button(convo, r) for r in chunk]
        turn = _turns(convo, lambda n: Listing("reading", n), page, pages)
        text = convo.text(LIST_READING, page=_page_of(convo, page, pages))
        convo.say(text, [*rows_of(buttons, 1), turn, _to_browse(convo), back])
    elif name == "figures":
        _figures_page(convo, page)
    elif name.startswith("evidence") and name in _EVIDENCE_PAGES:
        _evidence(convo, name)
    elif name == "glossary":
        options = [option(t.term[:40], Term(t.id)) for t in kb.glossary.values()]
        convo.say(convo.text(LIST_GLOSSARY), [*rows_of(options, 2), _to_browse(convo), back])
    elif name == "network":
        network = kb.network
        text = convo.text(
            NETWORK,
            name=network.name,
            about=network.about,
            funder=network.funder,
            partners=bullets(convo, (p.name for p in network.partners)),
        )
        more = option(convo.label(NETWORK_MORE_LABEL), Listing("network-more"))
        convo.say(text, [(more,), (option(convo.label(TEAM), Open(TEAM_FLOW.flow)),), back])
    elif name == "network-more":
        network = kb.network
        text = convo.text(
            NETWORK_MORE,
            together=bullets(convo, network.brings_together),
            offers=bullets(convo, network.offers),
        )
        convo.say(text, [(option(convo.label(TEAM), Open(TEAM_FLOW.flow)),), back])
    else:
        return False
    return True


_EVIDENCE_PAGES = ("evidence", "evidence-limits", "evidence-levels", "evidence-frameworks")


def _to_browse(convo: Conversation) -> tuple[Option, ...]:
    return (option(convo.label(TOPICS), Open(BROWSE_FLOW.flow)),)


def glossary_term(convo: Conversation, term_id: str, topic_id: str | None = None) -> bool:
    """One glossary definition; opened from a card, with the way back to it."""
    term = convo.kb.glossary.get(term_id)
    if term is None:
        return False
    topic = convo.kb.topic(topic_id) if topic_id else None
    rows: list[tuple[Option, ...]] = []
    if topic is not None:
        rows.append(_back_to_card(convo, topic))
    else:  # the topics it belongs to, then the rest of the glossary
        related = [t for t in (convo.kb.topic(i) for i in term.related) if t is not None]
        rows += rows_of([option(t.short_title, Topic(t.id)) for t in related[:2]], 2)
        rows.append((option(convo.label(GLOSSARY), Listing("glossary")),))
    text = convo.text(GLOSSARY_TERM, term=term.term, definition=term.definition)
    convo.say(text, [*rows, convo.menu_row()])
    return True
