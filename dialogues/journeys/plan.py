"""The plan document: the user's answers, recommendations, profiles, SIPS record and history."""

from __future__ import annotations

from dialogues._conversation import Conversation, long_date, rows_of
from dialogues._markup import fill, plain
from dialogues._navigation import draft_progress
from dialogues._registry import Journey, Jump
from dialogues._state import Result
from dialogues._types import ASSESSMENT_KINDS, DocSection, Document
from dialogues.actions import option
from dialogues.journeys._common import opens
from dialogues.journeys._profiles import item_titles, level_label, profile_chart
from knowledge import Reading

READING_IN_PLAN = 6  # reading entries listed at the end
DRAFTED = ("readiness", "nasss", "sips")  # journeys whose half-done answers the plan shows

TRIAGE = Jump("triage")
READINESS = Jump("readiness")


def plan(convo: Conversation) -> None:
    """Send the plan document, or say what to do first when there is nothing to put in it."""
    document = build_plan(convo)
    if document is None:
        options = [
            option(convo.flow_label("triage"), opens(TRIAGE)),
            option(convo.flow_label("readiness"), opens(READINESS)),
        ]
        convo.say(convo.flow_text("empty"), [*rows_of(options, 1), convo.menu_row()])
        return
    convo.say(convo.flow_text("ready"), [convo.menu_row()], document=document)


def build_plan(convo: Conversation) -> Document | None:
    """The document for /plan, or None when the user has done nothing to put in it yet."""
    results = convo.state.results
    drafts = {kind: d for kind, d in convo.state.drafts.items() if kind in DRAFTED}
    if not drafts and not any(results.get(kind) for kind in ASSESSMENT_KINDS):
        return None
    texts = convo.flow("plan").texts

    def t(name: str, **values: object) -> str:
        return plain(fill(texts[name], **values))

    sections: list[DocSection] = []
    topics: list[str] = []
    next_steps: list[str] = []
    if triage := results.get("triage"):
        section, frameworks, watch = _triage_section(convo, triage[-1], t)
        sections.append(section)
        topics += frameworks + watch
        next_steps += [
            t("watch", title=convo.kb.factors[w].title, action=convo.kb.factors[w].actions[0])
            for w in watch
        ]
    for kind in ("readiness", "nasss"):
        if records := results.get(kind):
            profile, focus = _profile_section(convo, kind, records, t)
            sections += profile
            topics += focus
            if kind == "readiness":
                next_steps += [
                    t("priority", title=convo.kb.factors[i].title, action=_second_action(convo, i))
                    for i in focus
                ]
        if kind in drafts:
            sections.append(_draft_section(convo, kind, t))
    if records := results.get("sips"):
        sections.append(_sips_section(convo, records, t))
        topics.append("sips")
    if "sips" in drafts:
        sections.append(_draft_section(convo, "sips", t))
    if next_steps:
        sections.append(DocSection(t("next_heading"), bullets=tuple(dict.fromkeys(next_steps))))
    if reading := _reading_for(convo, topics):
        lines = tuple(_reading_line(convo.kb.reading[i], t) for i in reading)
        sections.append(DocSection(t("reading_heading"), bullets=lines))
    return Document(
        name=f"scaling-plan-{convo.today}.pdf",
        title=t("title"),
        subtitle=t("subtitle", date=long_date(convo.today)),
        sections=tuple(sections),
        footer=t("footer"),
    )


def _triage_section(convo: Conversation, record: Result, t) -> tuple[DocSection, list, list]:
    flow = convo.flow("triage")
    rows = []
    for step in flow.steps.values():
        answer = record.answers.get(step.key or "")
        if step.kind == "choose" and answer:
            chosen = next((o.label for o in step.options if o.value == answer), answer)
            rows.append((flow.labels[step.key], chosen))
        elif step.kind == "ask" and answer:
            rows.append((flow.labels[step.key], answer))
    frameworks = [f for f in record.result.get("frameworks", []) if f in convo.kb.frameworks]
    watch = [w for w in record.result.get("watch", []) if w in convo.kb.factors]
    reasons = record.result.get("reasons", {})
    paragraphs = [t("triage_intro", date=long_date(record.date))]
    paragraphs += [
        t("recommended", title=convo.kb.frameworks[f].title, reasons=" ".join(reasons.get(f, [])))
        for f in frameworks
    ]
    table = ((t("column_question"), t("column_answer")), *rows)
    section = DocSection(t("triage_heading"), paragraphs=tuple(paragraphs), table=table)
    return section, frameworks, watch


def _profile_section(convo: Conversation, kind: str, records: list[Result], t):
    flow = convo.flow(kind)
    latest = records[-1]
    levels = latest.result.get("levels", {})
    before = records[-2].result.get("levels", {}) if len(records) > 1 else {}
    titles = item_titles(convo, kind)
    chart = profile_chart(convo, flow, levels, before, latest.date)
    if kind == "readiness":
        focus = [i for i in latest.result.get("priorities", []) if i in convo.kb.factors]
        bullets = [
            t("priority", title=convo.kb.factors[i].title, action=convo.kb.factors[i].actions[0])
            for i in focus
        ]
    else:
        domains = {d.id: d for d in convo.kb.frameworks["nasss"].domains}
        focus = ["nasss"]
        bullets = [
            t("complex_domain", title=domains[i].short_title, advice=domains[i].simplify)
            for i in latest.result.get("complex", [])
            if i in domains
        ]
    rows = (
        (t("column_area"), t("column_rating")),
        *((titles[i], level_label(flow, lv)) for i, lv in levels.items() if i in titles),
    )
    lead = "priorities_intro" if kind == "readiness" else "complex_intro"
    paragraphs = [t("profile_intro", date=long_date(latest.date))]
    if bullets:
        paragraphs.append(t(lead))
    sections = [
        DocSection(
            t(f"{kind}_heading"),
            paragraphs=tuple(paragraphs),
            bullets=tuple(bullets),
            chart=chart,
            table=rows,
        )
    ]
    if len(records) > 1:
        history = tuple(
            t("history_line", date=long_date(r.date), summary=_summary(flow, r))
            for r in reversed(records)
        )
        sections.append(DocSection(t(f"{kind}_history_heading"), bullets=history))
    return sections, focus


def _summary(flow, record: Result) -> str:
    counts: dict[str, int] = {}
    for level in record.result.get("levels", {}).values():
        counts[level] = counts.get(level, 0) + 1
    return ", ".join(f"{n} {level_label(flow, lv).lower()}" for lv, n in counts.items())


def _sips_section(convo: Conversation, records: list[Result], t) -> DocSection:
    latest = records[-1]
    record = latest.result.get("record", {})
    rows = []
    for section in convo.kb.frameworks["sips"].sections:
        for n, question in enumerate(section.questions, start=1):
            answer = record.get(f"{section.id}-{n}")
            if answer:
                rows.append((f"{section.title}: {question}", answer))
    first = records[0].date
    paragraphs = [t("sips_intro", date=long_date(first))]
    updates = [long_date(r.date) for r in records[1:] if r.result.get("changed")]
    if updates:
        paragraphs.append(t("sips_updates", dates=", ".join(updates)))
    table = ((t("column_question"), t("column_answer")), *rows) if rows else ()
    return DocSection(t("sips_heading"), paragraphs=tuple(paragraphs), table=table)


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


def _second_action(convo: Conversation, factor_id: str) -> str:
    actions = convo.kb.factors[factor_id].actions
    return actions[1] if len(actions) > 1 else actions[0]


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
    computes={"plan": plan},
    texts={
        "empty": (),
        "ready": (),
        "title": (),
        "subtitle": ("date",),
        "footer": (),
        "triage_heading": (),
        "triage_intro": ("date",),
        "recommended": ("title", "reasons"),
        "watch": ("title", "action"),
        "readiness_heading": (),
        "nasss_heading": (),
        "profile_intro": ("date",),
        "priority": ("title", "action"),
        "complex_domain": ("title", "advice"),
        "readiness_history_heading": (),
        "nasss_history_heading": (),
        "priorities_intro": (),
        "complex_intro": (),
        "history_line": ("date", "summary"),
        "sips_heading": (),
        "sips_intro": ("date",),
        "sips_updates": ("dates",),
        "next_heading": (),
        "reading_heading": (),
        "reading_line": ("title", "by", "year"),
        "reading_line_undated": ("title", "by"),
        "column_question": (),
        "column_answer": (),
        "column_area": (),
        "column_rating": (),
        "draft_heading": ("title",),
        "draft_intro": ("done", "total", "date"),
    },
    labels=("triage", "readiness"),
    jumps=(TRIAGE, READINESS),
)
