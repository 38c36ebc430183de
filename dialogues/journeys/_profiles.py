"""What the readiness and NASSS checks share: levels, 'what changed', the profile chart."""

from __future__ import annotations

from collections import Counter
from typing import Any

from dialogues._cards import bullets
from dialogues._content import FlowSpec
from dialogues._conversation import Conversation, since
from dialogues._markup import Markup, escape, fill, plain
from dialogues._navigation import series_items
from dialogues._types import Chart, ChartLevel, ChartRow, Option
from dialogues.journeys._common import end_buttons, previous, remember
from dialogues.screens import SCREEN_LINES, phone_lines

# Bar lengths on the charts; "unknown" (not sure) has none.
LEVEL_SCORES = {"red": 1, "amber": 2, "green": 3, "simple": 1, "complicated": 2, "complex": 3}
# Higher is better for readiness, worse for complexity.
BETTER_WHEN_HIGHER = {"readiness": True, "nasss": False}

# The texts both profiles' flows need.
PROFILE_TEXTS = {
    "profile_line": ("title", "level"),
    "chart_title": (),
    "caption": ("summary",),
    "changes": ("since", "counts", "lines"),
    "count_better": ("count",),
    "count_worse": ("count",),
    "count_same": ("count",),
    "count_new": ("count",),
    "count_unsure": ("count",),
    "unchanged_all": (),
}
# Each item falls in exactly one of these, in this order in "what changed".
MOVES = ("better", "worse", "same", "new", "unsure")
UNKNOWN = "unknown"


def level_label(flow: FlowSpec, level: str) -> str:
    """The words for a level, e.g. green -> "Ready" (flow labels level-green)."""
    return flow.labels.get(f"level-{level}", level)


def move(flow: FlowSpec, old: str | None, new: str) -> str:
    """How one item moved: better, worse, same, new (answered now, not before) or unsure.

    `old` is None when the item was not asked last time; "not sure" counts as unanswered.
    """
    old_score, new_score = LEVEL_SCORES.get(old or UNKNOWN, 0), LEVEL_SCORES.get(new, 0)
    if not new_score:
        return "same" if not old_score else "unsure"
    if not old_score:
        return "new"
    if old_score == new_score:
        return "same"
    return "better" if (new_score > old_score) == BETTER_WHEN_HIGHER[flow.id] else "worse"


def compare(flow: FlowSpec, before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    """Every item of `after` in exactly one of MOVES."""
    moves: dict[str, list[str]] = {name: [] for name in MOVES}
    for item, level in after.items():
        moves[move(flow, before.get(item), level)].append(item)
    return moves


def changes_text(convo: Conversation, flow: FlowSpec, levels: dict[str, str]) -> Markup:
    """'Since 14:05 today: 2 better, 1 worse, 4 the same', then each change from what to what."""
    earlier = previous(convo, flow.id)
    if earlier is None:
        return Markup("")
    titles = item_titles(convo, flow.id)
    before = earlier.result.get("levels", {})
    moves = compare(flow, before, levels)
    counts = [
        convo.flow_text(f"count_{name}", count=len(moves[name])) for name in MOVES if moves[name]
    ]
    lines = [
        f"{titles[i]}: {level_label(flow, before.get(i, UNKNOWN))} → {level_label(flow, levels[i])}"
        for i in levels
        if i not in moves["same"]
    ]
    return fill(
        flow.texts["changes"],
        since=since(convo, earlier),
        counts=Markup(", ".join(counts)),
        lines=bullets(convo, lines) if lines else fill(flow.texts["unchanged_all"]),
    )


def levels_of(convo: Conversation) -> tuple[FlowSpec, dict[str, str], dict[str, str]]:
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


def in_order(titles: dict[str, str], levels: dict[str, str]) -> dict[str, str]:
    """The levels in the order the questions are asked (stored data may come back sorted)."""
    return {i: levels[i] for i in titles if i in levels}


def summary(flow: FlowSpec, levels: dict[str, str]) -> str:
    """'2 ready, 3 partly ready, 1 not yet, 1 not sure': counts in the order of the scale."""
    counts = Counter(levels.values())
    scale = dict.fromkeys([*flow.levels.values(), UNKNOWN])
    return ", ".join(f"{counts[lv]} {level_label(flow, lv).lower()}" for lv in scale if counts[lv])


def profile_chart(
    convo: Conversation, flow: FlowSpec, levels: dict[str, str], before: dict[str, str], date: str
) -> Chart:
    """The chart of a readiness or NASSS profile, with the previous levels marked if any."""
    titles = item_titles(convo, flow.id)
    levels = in_order(titles, levels)
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
        caption=plain(fill(flow.texts["caption"], summary=summary(flow, levels))),
        legend_previous=flow.labels["previous"] if before else "",
    )


def profile_lines(
    convo: Conversation, flow: FlowSpec, levels: dict[str, str], names: dict[str, str]
) -> Markup:
    """A line per item: its name and its level in words."""
    return Markup(
        "\n".join(
            convo.flow_text("profile_line", title=names[i], level=level_label(flow, lv))
            for i, lv in levels.items()
        )
    )


def send_profile(
    convo: Conversation,
    flow: FlowSpec,
    answers: dict[str, str],
    levels: dict[str, str],
    result: dict[str, Any],
    texts: list[Markup],
    buttons: list[Option],
) -> None:
    """Send the chart (its caption says the result in words) and the texts, a phone screen
    each, the buttons under the last; keep the result."""
    earlier = previous(convo, flow.id)  # before remember: the chart marks the previous levels
    before = earlier.result.get("levels", {}) if earlier else {}
    chart = profile_chart(convo, flow, levels, before, convo.today)
    remember(convo, flow.id, answers, {"levels": levels, **result})
    convo.say(escape(chart.caption), chart=chart)
    screens = [text for text in texts if text]
    for text in screens[:-1]:
        convo.say(text)
    convo.say(screens[-1], end_buttons(convo, *buttons))


def screens(paragraphs: list[Markup]) -> list[Markup]:
    """Paragraphs packed, in order, into as few messages as fit a phone screen each."""
    packed: list[str] = []
    for paragraph in paragraphs:
        joined = f"{packed[-1]}\n\n{paragraph}" if packed else ""
        if packed and phone_lines(joined) <= SCREEN_LINES:
            packed[-1] = joined
        else:
            packed.append(str(paragraph))
    return [Markup(text) for text in packed]
