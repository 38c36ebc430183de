"""What each journey concludes: consent, triage, the readiness and NASSS profiles, SIPS, team."""

from __future__ import annotations

from collections import Counter
from typing import Any

from dialogues._asking import answer_question
from dialogues._cards import bullets
from dialogues._content import FlowSpec, flow_labels, flow_texts, label
from dialogues._conversation import Conversation, long_date, rows_of
from dialogues._markup import Markup, escape, fill, plain, shorten
from dialogues._navigation import compute, go, series_items, to_menu
from dialogues._state import HISTORY_LIMIT, Result, State
from dialogues._types import (
    AssessmentDone,
    Chart,
    ChartLevel,
    ChartRow,
    ConsentGiven,
    FollowUpRequested,
    ForgetMe,
    Matched,
    Option,
)

REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O or U
# Bar lengths on the charts; "unknown" (not sure) has none.
LEVEL_SCORES = {"red": 1, "amber": 2, "green": 3, "simple": 1, "complicated": 2, "complex": 3}
# Higher is better for readiness, worse for complexity.
BETTER_WHEN_HIGHER = {"readiness": True, "nasss": False}
COMPLEX_WARNING_AT = 2  # "complex in several domains": the NASSS finding
TRIAGE_CHOICES = 2  # at most this many frameworks are recommended
TRIAGE_WATCH = 3  # factors to watch first
PRIORITIES = 3  # readiness priorities shown

PLAN = label("plan")

flow_texts("consent", kept=("retention_days",), not_kept=())
flow_texts("forget", done=())
flow_texts(
    "triage",
    result=("frameworks", "watch"),
    framework=("title", "reasons"),
    watch_line=("title", "action"),
)
_CHANGES = {"changes": ("date", "better", "worse", "same", "lines"), "unchanged_all": ()}
flow_texts(
    "readiness",
    result=("profile", "priorities", "changes"),
    profile_line=("title", "level"),
    priority=("title", "action"),
    all_green=(),
    chart_title=(),
    caption=("summary",),
    **_CHANGES,
)
flow_texts(
    "nasss",
    result=("profile", "advice", "changes"),
    profile_line=("title", "level"),
    warning=("count",),
    simplify=("title", "advice"),
    complicated=("titles",),
    all_simple=(),
    chart_title=(),
    caption=("summary",),
    **_CHANGES,
)
flow_texts("sips-start", review=("date",))
flow_texts("sips-show", record=("date", "sections"), empty=())
flow_texts(
    "sips",
    saved=("sections",),
    updated=("date", "sections"),
    section=("title", "lines"),
    answer=("question", "answer"),
    change=("question", "before", "after"),
    skipped=(),
    unchanged=(),
)
flow_texts("team", done=("reference",), contact_here=())
flow_labels("sips-start", "update", "new", "see")
flow_labels("sips-show", "update", "new")
flow_labels("sips", "see")
flow_labels("readiness", "previous")
flow_labels("nasss", "previous")


# --- shared helpers ---------------------------------------------------------------------------


def _remember(convo: Conversation, kind: str, answers: dict[str, Any], result: dict[str, Any]):
    """Keep the result in the state (for comparisons and the plan) and record it for storage."""
    records = convo.state.results.setdefault(kind, [])
    records.append(Result(date=convo.today, answers=answers, result=result))
    del records[:-HISTORY_LIMIT]
    convo.record(AssessmentDone(kind, answers, result))


def _previous(convo: Conversation, kind: str) -> Result | None:
    records = convo.state.results.get(kind) or []
    return records[-1] if records else None


def _end_buttons(convo: Conversation, *extra: Option) -> list[tuple[Option, ...]]:
    """The buttons under a journey's result: its own, then the plan, then the menu."""
    plan = Option(convo.label(PLAN), "f:plan")
    return [*rows_of(list(extra), 2), (plan,), convo.menu_row()]


def level_label(flow: FlowSpec, level: str) -> str:
    """The words for a level, e.g. green -> "Ready" (flow labels level-green)."""
    return flow.labels.get(f"level-{level}", level)


def compare(flow: FlowSpec, before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    """Items that got better, worse, stayed the same or changed to or from 'not sure'."""
    higher_is_better = BETTER_WHEN_HIGHER[flow.id]
    moves: dict[str, list[str]] = {"better": [], "worse": [], "same": [], "other": []}
    for item, level in after.items():
        old = before.get(item)
        old_score, new_score = LEVEL_SCORES.get(old or "", 0), LEVEL_SCORES.get(level, 0)
        if old == level:
            moves["same"].append(item)
        elif not old_score or not new_score:
            moves["other"].append(item)
        elif (new_score > old_score) == higher_is_better:
            moves["better"].append(item)
        else:
            moves["worse"].append(item)
    return moves


def _changes_text(convo: Conversation, flow: FlowSpec, levels: dict[str, str]) -> Markup:
    """'Since 3 March: 2 better, 1 worse, 4 the same', then each change from what to what."""
    previous = _previous(convo, flow.id)
    if previous is None:
        return Markup("")
    titles = item_titles(convo, flow.id)
    before = previous.result.get("levels", {})
    moves = compare(flow, before, levels)
    changed = [i for i in levels if i not in moves["same"]]
    lines = [
        f"{titles[i]}: {level_label(flow, before.get(i, 'unknown'))} → "
        f"{level_label(flow, levels[i])}"
        for i in changed
    ]
    return fill(
        flow.texts["changes"],
        date=long_date(previous.date),
        better=len(moves["better"]),
        worse=len(moves["worse"]),
        same=len(moves["same"]),
        lines=bullets(convo, lines) if lines else fill(flow.texts["unchanged_all"]),
    )


# --- consent and forgetting ----------------------------------------------------------------


@compute("consent")
def consent(convo: Conversation) -> None:
    """Keep the user's choice, thank them, answer any question they asked first, show the menu."""
    keep = convo.state.answers.get("consent") == "keep"
    convo.state.consent = keep
    convo.record(ConsentGiven(keep))
    pending, convo.state.pending = convo.state.pending, None
    days = convo.settings.retention_days
    intro = convo.flow_text("kept" if keep else "not_kept", retention_days=days)
    if pending:
        convo.say(intro)
        answer_question(convo, pending)
        return
    to_menu(convo, intro)


@compute("forget")
def forget(convo: Conversation) -> None:
    """Erase: the service deletes every row; the state starts again from nothing."""
    text = convo.flow_text("done")
    convo.record(ForgetMe())
    convo.state = State(seq=convo.state.seq + 1)
    convo.say(text)


# --- framework triage -------------------------------------------------------------------------


@compute("triage")
def triage(convo: Conversation) -> None:
    """Recommend the framework(s) that fit the answers, with reasons, and three factors to watch."""
    flow = convo.flow()
    kb = convo.kb
    answers = dict(convo.state.answers)
    hardest = answers.get("hardest") or ""
    hardest_ids: list[str] = []
    if hardest:
        hardest_ids = [m.id for m in convo.matcher.match(hardest).matches[:3]]
        if hardest_ids:
            convo.record(Matched(tuple(hardest_ids)))
    # The reasons quote the user's words briefly; the record keeps all of them.
    words = _answer_labels(flow, answers) | {"hardest": shorten(hardest, 80)}

    scores: Counter[str] = Counter()
    reasons: dict[str, list[Markup]] = {}
    watch = [i for i in hardest_ids if i in kb.factors]
    for rule in flow.rules:
        if not _rule_fires(rule.when, answers, hardest_ids):
            continue
        if rule.recommend:
            scores[rule.recommend] += rule.weight
            if rule.because:
                reasons.setdefault(rule.recommend, []).append(fill(rule.because, **words))
        watch += rule.watch
    ranked = [f for f, _ in scores.most_common()]
    # A runner-up is worth reading about only when it scores at least half as well.
    chosen = [f for f in ranked[:TRIAGE_CHOICES] if scores[f] * 2 >= scores[ranked[0]]]
    watch = list(dict.fromkeys(w for w in watch if w in kb.factors))[:TRIAGE_WATCH]

    frameworks = [
        convo.flow_text(
            "framework",
            title=kb.frameworks[f].title,
            reasons=Markup(" ".join(reasons.get(f, [])[:2])),
        )
        for f in chosen
    ]
    watching = [
        convo.flow_text("watch_line", title=kb.factors[w].title, action=kb.factors[w].actions[0])
        for w in watch
    ]
    text = convo.flow_text(
        "result", frameworks=Markup("\n\n".join(frameworks)), watch=Markup("\n".join(watching))
    )
    kept = {**answers, "hardest": hardest}
    why = {f: [plain(r) for r in reasons.get(f, [])[:2]] for f in chosen}
    _remember(convo, "triage", kept, {"frameworks": chosen, "watch": watch, "reasons": why})
    buttons = [Option(kb.frameworks[f].short_title, f"t:{f}") for f in chosen]
    buttons += [Option(kb.factors[w].short_title, f"t:{w}") for w in watch]
    convo.say(text, _end_buttons(convo, *buttons))


def _answer_labels(flow: FlowSpec, answers: dict[str, Any]) -> dict[str, str]:
    """The labels of the options the user chose, by answer key (for 'because' texts)."""
    words: dict[str, str] = {}
    for step in flow.steps.values():
        if step.kind == "choose" and step.key in answers:
            chosen = next((o for o in step.options if o.value == answers[step.key]), None)
            words[step.key] = chosen.label.lower() if chosen else ""
    return words


def _rule_fires(when: dict[str, list[str]], answers: dict[str, Any], hardest: list[str]) -> bool:
    for key, accepted in when.items():
        if key == "hardest":
            if not set(accepted) & set(hardest):
                return False
        elif answers.get(key) not in accepted:
            return False
    return True


# --- readiness and NASSS profiles -------------------------------------------------------------


def _levels(convo: Conversation) -> tuple[FlowSpec, dict[str, str], dict[str, str]]:
    """The flow, the answers to its series, and each item's level (unanswered: unknown)."""
    flow = convo.flow()
    step = next(s for s in flow.steps.values() if s.kind == "series")
    answers: dict[str, str] = dict(convo.state.answers.get(step.key) or {})
    items = series_items(convo.kb, convo, step)
    levels = {item.id: flow.levels.get(answers.get(item.id) or "", "unknown") for item in items}
    return flow, answers, levels


def item_titles(convo: Conversation, flow_id: str) -> dict[str, str]:
    """Short titles of the items a profile rates: the seven factors, or the NASSS domains."""
    if flow_id == "readiness":
        return {g.factors[0]: g.short_title for g in convo.kb.key_factors}
    return {d.id: d.short_title for d in convo.kb.frameworks["nasss"].domains}


def profile_chart(
    convo: Conversation, flow: FlowSpec, levels: dict[str, str], before: dict[str, str], date: str
) -> Chart:
    """The chart of a readiness or NASSS profile, with the previous levels marked if any."""
    titles = item_titles(convo, flow.id)
    counts = Counter(levels.values())
    summary = ", ".join(f"{n} {level_label(flow, lv).lower()}" for lv, n in counts.items())
    return Chart(
        name=f"{flow.id}-{date}",
        title=plain(fill(flow.texts["chart_title"])),
        palette="readiness" if flow.id == "readiness" else "complexity",
        levels=tuple(
            ChartLevel(lv, level_label(flow, lv), LEVEL_SCORES.get(lv, 0))
            for lv in dict.fromkeys([*flow.levels.values(), "unknown"])
        ),
        # A "not sure" last time has no place on the bar, so it gets no marker.
        rows=tuple(
            ChartRow(titles[i], lv, None if before.get(i) == "unknown" else before.get(i))
            for i, lv in levels.items()
        ),
        caption=plain(fill(flow.texts["caption"], summary=summary)),
        legend_previous=flow.labels["previous"] if before else "",
    )


def _profile_lines(
    convo: Conversation, flow: FlowSpec, levels: dict[str, str], names: dict[str, str]
) -> Markup:
    """A line per item: its name and its level in words."""
    return Markup(
        "\n".join(
            convo.flow_text("profile_line", title=names[i], level=level_label(flow, lv))
            for i, lv in levels.items()
        )
    )


def _send_profile(
    convo: Conversation,
    flow: FlowSpec,
    answers: dict[str, str],
    levels: dict[str, str],
    result: dict[str, Any],
    text: Markup,
    buttons: list[Option],
) -> None:
    """Send the chart (its caption says the result in words) and the text; keep the result."""
    chart = _chart(convo, flow, levels)  # before _remember: it marks the previous levels
    _remember(convo, flow.id, answers, {"levels": levels, **result})
    convo.say(escape(chart.caption), chart=chart)
    convo.say(text, _end_buttons(convo, *buttons))


def _chart(convo: Conversation, flow: FlowSpec, levels: dict[str, str]) -> Chart:
    previous = _previous(convo, flow.id)
    before = previous.result.get("levels", {}) if previous else {}
    return profile_chart(convo, flow, levels, before, convo.today)


@compute("readiness")
def readiness(convo: Conversation) -> None:
    """Red-amber-green on the seven factors, three priorities, what changed, a chart."""
    flow, answers, levels = _levels(convo)
    kb = convo.kb
    groups = {g.factors[0]: g for g in kb.key_factors}
    order = {level: n for n, level in enumerate(flow.priority_order)}
    urgent = sorted((i for i in levels if levels[i] in order), key=lambda i: order[levels[i]])
    urgent = urgent[:PRIORITIES]
    priorities = [
        convo.flow_text("priority", title=groups[i].title, action=kb.factors[i].actions[0])
        for i in urgent
    ]
    text = convo.flow_text(
        "result",
        profile=_profile_lines(convo, flow, levels, {i: g.title for i, g in groups.items()}),
        priorities=Markup("\n\n".join(priorities)) if priorities else convo.flow_text("all_green"),
        changes=_changes_text(convo, flow, levels),
    )
    buttons = [Option(groups[i].short_title, f"t:{i}") for i in urgent]
    _send_profile(convo, flow, answers, levels, {"priorities": urgent}, text, buttons)


@compute("nasss")
def nasss(convo: Conversation) -> None:
    """The NASSS complexity profile, the warning when several domains are complex, a chart."""
    flow, answers, levels = _levels(convo)
    framework = convo.kb.frameworks["nasss"]
    domains = {d.id: d for d in framework.domains}
    complex_ids = [i for i, lv in levels.items() if lv == "complex"]
    complicated = [domains[i].short_title for i, lv in levels.items() if lv == "complicated"]
    advice: list[Markup] = []
    if len(complex_ids) >= COMPLEX_WARNING_AT:
        advice.append(convo.flow_text("warning", count=len(complex_ids)))
    advice += [
        convo.flow_text("simplify", title=domains[i].title, advice=domains[i].simplify)
        for i in complex_ids
    ]
    if complicated:
        advice.append(convo.flow_text("complicated", titles=", ".join(complicated)))
    text = convo.flow_text(
        "result",
        profile=_profile_lines(convo, flow, levels, {i: d.title for i, d in domains.items()}),
        advice=Markup("\n\n".join(advice)) if advice else convo.flow_text("all_simple"),
        changes=_changes_text(convo, flow, levels),
    )
    buttons = [Option(framework.short_title, "t:nasss")]
    _send_profile(convo, flow, answers, levels, {"complex": complex_ids}, text, buttons)


# --- SIPS planning record ---------------------------------------------------------------------


@compute("sips-start")
def sips_start(convo: Conversation) -> None:
    """A first record starts at the questions; with an earlier one, offer update, new or view."""
    previous = _previous(convo, "sips")
    if previous is None:
        go(convo, "sips", "questions")
        return
    options = [
        Option(convo.flow_label("update"), "f:sips:update"),
        Option(convo.flow_label("new"), "f:sips:questions"),
        Option(convo.flow_label("see"), "f:sips:show"),
    ]
    text = convo.flow_text("review", date=long_date(previous.date))
    convo.say(text, [*rows_of(options, 1), convo.nav_row()])


@compute("sips-show")
def sips_show(convo: Conversation) -> None:
    """The latest SIPS record, section by section."""
    previous = _previous(convo, "sips")
    if previous is None:
        convo.say(convo.flow_text("empty"), [(Option(convo.flow_label("new"), "f:sips"),)])
        return
    sections = sips_sections(convo, previous.result.get("record", {}))
    text = convo.flow_text("record", date=long_date(previous.date), sections=sections)
    convo.say(text, _end_buttons(convo, Option(convo.flow_label("update"), "f:sips:update")))


@compute("sips")
def sips(convo: Conversation) -> None:
    """Save a new record, or an update after implementation that says what changed and why."""
    answers = convo.state.answers
    previous = _previous(convo, "sips")
    if "changes" in answers and previous is not None:
        before = previous.result.get("record", {})
        changes = {k: v for k, v in answers["changes"].items() if v}
        text = convo.flow_text(
            "updated",
            date=long_date(previous.date),
            sections=sips_sections(convo, changes, before=before),
        )
        result = {"record": {**before, **changes}, "before": before, "changed": sorted(changes)}
        _remember(convo, "sips", changes, result)
    else:
        record = {k: v for k, v in (answers.get("sips") or {}).items() if v}
        text = convo.flow_text("saved", sections=sips_sections(convo, record))
        _remember(convo, "sips", record, {"record": record, "before": {}, "changed": []})
    convo.say(text, _end_buttons(convo, Option(convo.flow_label("see"), "f:sips:show")))


def sips_sections(
    convo: Conversation, record: dict[str, str], before: dict[str, str] | None = None
) -> Markup:
    """The record as text, section by section; with `before`, only what changed, old → new."""
    texts = convo.flow("sips").texts
    parts = []
    for section in convo.kb.frameworks["sips"].sections:
        lines = []
        for n, question in enumerate(section.questions, start=1):
            answer = record.get(f"{section.id}-{n}")
            if before is None:
                shown = answer or fill(texts["skipped"])
                lines.append(fill(texts["answer"], question=question, answer=shown))
            elif answer:
                old = before.get(f"{section.id}-{n}") or fill(texts["skipped"])
                lines.append(fill(texts["change"], question=question, before=old, after=answer))
        if lines:
            joined = Markup("\n".join(lines))
            parts.append(fill(texts["section"], title=section.title, lines=joined))
    return Markup("\n\n".join(parts)) if parts else fill(texts["unchanged"])


# --- talk to the network team --------------------------------------------------------


@compute("team")
def team(convo: Conversation) -> None:
    """Make a follow-up reference, tell the user, and ask the service to notify staff."""
    answers = convo.state.answers
    convo.state.followups += 1
    reference = make_reference(convo.ctx.nonce, convo.state.followups)
    contact = answers.get("contact") or ""
    detail = (answers.get("detail") or "").strip()
    how = f"{contact}: {detail}" if detail else plain(convo.flow_text("contact_here"))
    convo.record(FollowUpRequested(reference, answers.get("note") or "", how))
    convo.say(convo.flow_text("done", reference=reference), [convo.menu_row()])


def make_reference(nonce: str, count: int) -> str:
    """A short follow-up reference people can read out: SA- and six Crockford characters."""
    value = int.from_bytes(nonce.encode(), "big") * 31 + count
    chars = []
    for _ in range(6):
        value, digit = divmod(value, len(REFERENCE_ALPHABET))
        chars.append(REFERENCE_ALPHABET[digit])
    return "SA-" + "".join(chars)
