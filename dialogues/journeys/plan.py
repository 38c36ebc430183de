"""The plan document: the user's answers, recommendations, profiles, SIPS record and history."""

from __future__ import annotations

from datetime import timedelta

from dialogues._conversation import Conversation, long_date, rows_of
from dialogues._markup import fill, plain
from dialogues._navigation import draft_progress
from dialogues._registry import Journey, Jump
from dialogues._state import Result
from dialogues._types import ASSESSMENT_KINDS, DocSection, Document
from dialogues.actions import option
from dialogues.journeys._common import opens
from dialogues.journeys._profiles import (
    MOVES,
    compare,
    in_order,
    item_titles,
    level_label,
    profile_chart,
    summary,
)
from dialogues.journeys.triage import AUDIENCE
from knowledge import Reading

READING_IN_PLAN = 6  # reading entries listed at the end
DRAFTED = ("readiness", "nasss", "sips")  # journeys whose half-done answers the plan shows

REVIEW_AFTER = timedelta(days=91)  # the suggested "review again by": about three months on
TRIAGE = Jump("triage")
READINESS = Jump("readiness")
NAME = Jump("plan", "name")
# The triage's heading in the plan, worded as its result was in the chat (triage.AUDIENCE).
HEADINGS = {"result_levers": "triage_heading_levers", "result_person": "triage_heading_person"}


def plan(convo: Conversation) -> None:
    """Send the plan (or say what to do first), with a button to put the innovation's name on it."""
    _send(convo)


def plan_name(convo: Conversation) -> None:
    """Keep the name given (empty: they skipped), then send the plan with it on the cover.

    For someone who chose not to have their messages kept, the name is only used for this
    plan, not kept: it is something they typed.
    """
    name = (convo.state.answers.get("name") or "").strip()
    if convo.state.consent:
        convo.state.innovation = name
    _send(convo, name)


def _send(convo: Conversation, name: str | None = None) -> None:
    document = build_plan(convo, name)
    if document is None:
        options = [
            option(convo.flow_label("triage"), opens(TRIAGE)),
            option(convo.flow_label("readiness"), opens(READINESS)),
        ]
        convo.say(convo.flow_text("empty"), [*rows_of(options, 1), convo.menu_row()])
        return
    # Asked once, with the first plan; after that the button only offers to change it.
    named = convo.state.innovation if name is None else name
    first = convo.state.innovation is None and name is None
    text = convo.flow_text("ready_ask_name" if first else "ready")
    button = option(convo.flow_label("add_name" if not named else "rename"), opens(NAME))
    convo.say(text, [(button,), convo.menu_row()], document=document)


def _has_content(convo: Conversation) -> bool:
    results = convo.state.results
    return any(k in DRAFTED for k in convo.state.drafts) or any(
        results.get(k) for k in ASSESSMENT_KINDS
    )


def build_plan(convo: Conversation, name: str | None = None) -> Document | None:
    """The document for /plan, or None when the user has done nothing to put in it yet.

    Everything is in the order the chat uses: the journeys as the menu lists them, the areas
    of a profile as the questions asked them, SIPS by its sections.
    """
    if not _has_content(convo):
        return None
    results = convo.state.results
    drafts = convo.state.drafts
    texts = convo.flow("plan").texts

    def t(key: str, /, **values: object) -> str:
        return plain(fill(texts[key], **values))

    sections: list[DocSection] = []
    topics: list[str] = []
    steps: dict[str, str] = {}  # by factor id: each factor's next step once
    if triage := results.get("triage"):
        section, frameworks, watch = _triage_section(convo, triage[-1], t)
        sections.append(section)
        topics += frameworks + watch
        steps |= {w: _step(convo, w, t) for w in watch}
    for kind in ("readiness", "nasss"):
        if records := results.get(kind):
            profile, focus = _profile_section(convo, kind, records, t)
            sections += profile
            topics += focus
            if kind == "readiness":  # the priorities have their own section, just above
                steps = {w: step for w, step in steps.items() if w not in focus}
        if kind in drafts:
            sections.append(_draft_section(convo, kind, t))
    if records := results.get("sips"):
        sections += _sips_sections(convo, records, t)
        topics.append("sips")
    if "sips" in drafts:
        sections.append(_draft_section(convo, "sips", t))
    review_by = long_date((convo.ctx.now + REVIEW_AFTER).date().isoformat())
    next_steps = [*steps.values(), t("review_step", date=review_by)]
    sections.append(DocSection(t("next_heading"), bullets=tuple(next_steps)))
    if reading := _reading_for(convo, topics):
        lines = tuple(_reading_line(convo.kb.reading[i], t) for i in reading)
        sections.append(DocSection(t("reading_heading"), bullets=lines))
    name = (convo.state.innovation if name is None else name) or ""
    return Document(
        name=f"scaling-plan-{convo.today}.pdf",
        title=t("title_named", name=name) if name else t("title"),
        subtitle=t("subtitle", date=long_date(convo.today), review_by=review_by),
        sections=tuple(sections),
        footer=t("footer"),
    )


def _step(convo: Conversation, factor_id: str, t) -> str:
    """A next step that reads on its own: the factor, named as the chat names it (a readiness
    area, or the topic's button), and the first thing to do about it."""
    factor = convo.kb.factors[factor_id]
    title = item_titles(convo, "readiness").get(factor_id, factor.short_title)
    return t("step", title=title, action=factor.actions_of(convo.role)[0])


def _triage_section(convo: Conversation, record: Result, t) -> tuple[DocSection, list, list]:
    flow = convo.flow("triage")
    rows = []
    asked = {s.key: s for s in flow.steps.values() if s.key}  # a key asked on several paths: once
    for step in asked.values():
        answer = record.answers.get(step.key or "")
        if step.kind == "choose" and answer:
            chosen = next((o.label for o in step.options if o.value == answer), answer)
            rows.append((flow.labels[step.key], chosen))
        elif step.kind == "ask" and answer:
            rows.append((flow.labels[step.key], answer))
    frameworks = [f for f in record.result.get("frameworks", []) if f in convo.kb.frameworks]
    watch = [w for w in record.result.get("watch", []) if w in convo.kb.factors]
    reasons = record.result.get("reasons", {})
    intro = t("triage_intro" if frameworks else "triage_intro_none", date=long_date(record.date))
    fits = tuple(
        t("recommended", title=convo.kb.frameworks[f].title, reasons=" ".join(reasons.get(f, [])))
        for f in frameworks
    )
    table = ((t("column_question"), t("column_answer")), *rows)
    heading = HEADINGS.get(AUDIENCE.get(record.answers.get("role", "")), "triage_heading")
    section = DocSection(t(heading), paragraphs=(intro,), bullets=fits, table=table)
    return section, frameworks, watch


def _profile_section(convo: Conversation, kind: str, records: list[Result], t):
    """The latest profile (chart and table), what to act on, and what changed over time."""
    flow = convo.flow(kind)
    latest = records[-1]
    titles = item_titles(convo, kind)
    levels = in_order(titles, latest.result.get("levels", {}))
    before = records[-2].result.get("levels", {}) if len(records) > 1 else {}
    chart = profile_chart(convo, flow, levels, before, latest.date)
    rows = (
        (t("column_area"), t("column_rating")),
        *((titles[i], level_label(flow, lv)) for i, lv in levels.items()),
    )
    sections = [
        DocSection(
            t(f"{kind}_heading"),
            paragraphs=(t("profile_intro", date=long_date(latest.date)),),
            chart=chart,
            table=rows,
        )
    ]
    if kind == "readiness":
        focus = [i for i in latest.result.get("priorities", []) if i in convo.kb.factors]
        bullets = [_step(convo, i, t) for i in focus]
        if bullets:
            sections.append(DocSection(t("priorities_heading"), bullets=tuple(bullets)))
    else:
        domains = {d.id: d for d in convo.kb.frameworks["nasss"].domains}
        focus = ["nasss"]
        bullets = [
            t("complex_domain", title=domains[i].short_title, advice=domains[i].simplify)
            for i in latest.result.get("complex", [])
            if i in domains
        ]
        if bullets:
            sections.append(DocSection(t("complex_heading"), bullets=tuple(bullets)))
    if len(records) > 1:
        moves = compare(flow, before, levels)
        counts = ", ".join(
            plain(fill(flow.texts[f"count_{name}"], count=len(moves[name])))
            for name in MOVES
            if moves[name]
        )
        history = tuple(
            t("history_line", date=long_date(r.date), summary=summary(flow, r.result["levels"]))
            for r in reversed(records)
            if "levels" in r.result
        )
        changed = t("changed_since", date=long_date(records[-2].date), counts=counts)
        sections.append(
            DocSection(t(f"{kind}_history_heading"), paragraphs=(changed,), bullets=history)
        )
    return sections, focus


def _sips_sections(convo: Conversation, records: list[Result], t) -> list[DocSection]:
    """The SIPS record section by section; after an update, before and now side by side."""
    latest = records[-1]
    record = latest.result.get("record", {})
    before = latest.result.get("before") or {}
    first = next((r for r in reversed(records) if not r.result.get("before")), records[0])
    paragraphs = [t("sips_intro", date=long_date(first.date))]
    if before:
        paragraphs.append(t("sips_updated", date=long_date(latest.date)))
    sections = [DocSection(t("sips_heading"), paragraphs=tuple(paragraphs))]
    for part in convo.kb.frameworks["sips"].sections:
        rows = []
        for n, question in enumerate(part.questions, start=1):
            key = f"{part.id}-{n}"
            if before:
                if before.get(key) or record.get(key):
                    old, new = before.get(key) or t("not_answered"), record.get(key) or ""
                    rows.append((question, old, t("unchanged") if new == old else new))
            elif record.get(key):
                rows.append((question, record[key]))
        if before:
            columns = (
                t("column_question"),
                t("column_before", date=long_date(first.date)),
                t("column_now", date=long_date(latest.date)),
            )
        else:
            columns = (t("column_question"), t("column_answer"))
        sections.append(
            DocSection(
                part.title,
                paragraphs=() if rows else (t("section_empty"),),
                table=(columns, *rows) if rows else (),
            )
        )
    return sections


def _draft_section(convo: Conversation, kind: str, t) -> DocSection:
    """A journey left half done: marked as such, with the answers given so far."""
    draft = convo.state.drafts[kind]
    done, total = draft_progress(convo, kind)
    flow = convo.flow(kind)
    rows: list[tuple[str, str]] = []
    if kind == "sips":
        answers = draft.answers.get("changes") or draft.answers.get("sips") or {}
        for section in convo.kb.frameworks["sips"].sections:
            for n, question in enumerate(section.questions, start=1):
                if answer := answers.get(f"{section.id}-{n}"):
                    rows.append((f"{section.title}: {question}", answer))
        columns = (t("column_question"), t("column_answer"))
    else:
        series = next(s for s in flow.steps.values() if s.kind == "series")
        given = draft.answers.get(series.key) or {}
        for item, title in item_titles(convo, kind).items():
            if item in given:
                rows.append((title, level_label(flow, flow.levels.get(given[item], "unknown"))))
        columns = (t("column_area"), t("column_rating"))
    heading = t("draft_heading", title=t(f"{kind}_heading"))
    intro = t("draft_intro", done=done, total=total, date=long_date(draft.started))
    return DocSection(heading, paragraphs=(intro,), table=(columns, *rows) if rows else ())


def _reading_line(entry: Reading, t) -> str:
    """An entry as the seed gives it: its title, then who and when (no year, no comma)."""
    title = entry.title if entry.title[-1] in ".?!" else f"{entry.title}."
    if entry.year:
        return t("reading_line", title=title, by=entry.by, year=entry.year)
    return t("reading_line_undated", title=title, by=entry.by)


def _reading_for(convo: Conversation, topics: list[str]) -> list[str]:
    """Reading linked to the topics the plan covers, first come first served, no repeats."""
    found: list[str] = []
    for topic_id in dict.fromkeys(topics):
        topic = convo.kb.topic(topic_id)
        if topic is not None:
            found += topic.reading
    return list(dict.fromkeys(found))[:READING_IN_PLAN]


JOURNEY = Journey(
    name="plan",
    computes={"plan": plan, "plan-name": plan_name},
    texts={
        "empty": (),
        "ready": (),
        "ready_ask_name": (),
        "title": (),
        "title_named": ("name",),
        "subtitle": ("date", "review_by"),
        "footer": (),
        "triage_heading": (),
        "triage_heading_levers": (),
        "triage_heading_person": (),
        "triage_intro": ("date",),
        "triage_intro_none": ("date",),
        "recommended": ("title", "reasons"),
        "readiness_heading": (),
        "nasss_heading": (),
        "profile_intro": ("date",),
        "priorities_heading": (),
        "complex_heading": (),
        "complex_domain": ("title", "advice"),
        "readiness_history_heading": (),
        "nasss_history_heading": (),
        "changed_since": ("date", "counts"),
        "history_line": ("date", "summary"),
        "sips_heading": (),
        "sips_intro": ("date",),
        "sips_updated": ("date",),
        "section_empty": (),
        "not_answered": (),
        "unchanged": (),
        "step": ("title", "action"),
        "review_step": ("date",),
        "next_heading": (),
        "reading_heading": (),
        "reading_line": ("title", "by", "year"),
        "reading_line_undated": ("title", "by"),
        "column_question": (),
        "column_answer": (),
        "column_before": ("date",),
        "column_now": ("date",),
        "column_area": (),
        "column_rating": (),
        "draft_heading": ("title",),
        "draft_intro": ("done", "total", "date"),
    },
    labels=("triage", "readiness", "add_name", "rename"),
    jumps=(TRIAGE, READINESS, NAME),
)
