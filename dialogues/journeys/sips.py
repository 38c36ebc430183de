"""The SIPS planning record: answered before implementing, revisited to record what changed.

The record is shown a section a screen, with buttons between the sections: all sixteen answers
would run to several phone screens in one message.
"""

from __future__ import annotations

from collections.abc import Callable

from dialogues._conversation import Conversation, long_date, rows_of
from dialogues._markup import Markup, fill, shorten
from dialogues._navigation import go_to
from dialogues._registry import Journey, Jump
from dialogues._state import Result
from dialogues.actions import RecordPage, option
from dialogues.journeys._common import opens, plan_button, previous, remember
from dialogues.screens import SCREEN_LINES, phone_lines

START = Jump("sips")
QUESTIONS = Jump("sips", "questions")
UPDATE = Jump("sips", "update")
SHOW = Jump("sips", "show")
# Characters an answer is cut to, longest first, until a section fits one screen (the plan
# keeps every answer in full); None: as written.
CUTS = (None, 400, 300, 220, 160, 120, 90, 70, 55, 45, 35, 25)


def sips_start(convo: Conversation) -> None:
    """A first record starts at the questions; with an earlier one, offer update, new or view."""
    earlier = previous(convo, "sips")
    if earlier is None:
        go_to(convo, QUESTIONS)
        return
    options = [
        option(convo.flow_label("update"), opens(UPDATE)),
        option(convo.flow_label("new"), opens(QUESTIONS)),
        option(convo.flow_label("see"), opens(SHOW)),
    ]
    text = convo.flow_text("review", date=long_date(earlier.date))
    convo.say(text, [*rows_of(options, 1), convo.nav_row()])


def sips_show(convo: Conversation) -> None:
    """The latest SIPS record, from its first section."""
    if not sips_page(convo, 1):
        start = option(convo.flow_label("new"), opens(START))
        convo.say(convo.flow_text("empty"), [(start,), convo.nav_row()])


def sips_page(convo: Conversation, page: int) -> bool:
    """One section of the latest record (a button between sections); False if there is none."""
    earlier = previous(convo, "sips")
    if earlier is None or not 1 <= page <= len(convo.kb.frameworks["sips"].sections):
        return False
    heading = convo.flow_text("record", flow_id="sips", date=long_date(earlier.date))
    _section(convo, earlier, page, heading)
    return True


def sips(convo: Conversation) -> None:
    """Save a new record, or an update after implementation that says what changed and why."""
    answers = convo.state.answers
    earlier = previous(convo, "sips")
    if "changes" in answers and earlier is not None:
        before = earlier.result.get("record", {})
        changes = {k: v for k, v in answers["changes"].items() if v}
        result = {"record": {**before, **changes}, "before": before, "changed": sorted(changes)}
        remember(convo, "sips", changes, result)
        heading = convo.flow_text(
            "updated" if changes else "unchanged", date=long_date(earlier.date)
        )
    else:
        record = {k: v for k, v in (answers.get("sips") or {}).items() if v}
        remember(convo, "sips", record, {"record": record, "before": {}, "changed": []})
        total = sum(len(s.questions) for s in convo.kb.frameworks["sips"].sections)
        heading = convo.flow_text("saved", done=len(record), total=total)
    saved = previous(convo, "sips")
    assert saved is not None  # just remembered
    _section(convo, saved, 1, heading)


def _section(convo: Conversation, saved: Result, page: int, heading: Markup) -> None:
    """A section of a record under `heading`; what an update changed shows before and now."""
    sections = convo.kb.frameworks["sips"].sections
    section = sections[page - 1]
    record: dict[str, str] = saved.result.get("record", {})
    before: dict[str, str] = saved.result.get("before", {})
    changed = set(saved.result.get("changed", []))
    texts = convo.flow("sips").texts

    def draw(cut: int | None) -> Markup:
        def shown(answer: str | None) -> str | Markup:
            if not answer:
                return fill(texts["skipped"])
            return shorten(answer, cut) if cut else answer

        lines = []
        for n, name in enumerate(section.short_questions, start=1):
            key = f"{section.id}-{n}"
            if key in changed:
                was, now = shown(before.get(key)), shown(record.get(key))
                lines.append(fill(texts["change"], question=name, before=was, after=now))
            else:
                lines.append(fill(texts["answer"], question=name, answer=shown(record.get(key))))
        return fill(
            texts["section"],
            heading=heading,
            title=section.title,
            lines=Markup("\n".join(lines)),
            cut=fill(texts["cut"]) if cut else "",
        )

    others = [
        option(s.short_title, RecordPage("sips", n))
        for n, s in enumerate(sections, start=1)
        if n != page
    ]
    update = option(convo.flow_label("update", "sips"), opens(UPDATE))
    rows = [*rows_of(others, 2), (update,), (plan_button(convo),), convo.nav_row()]
    convo.say(_fitted(draw), rows)


def _fitted(draw: Callable[[int | None], Markup]) -> Markup:
    """The text with answers as written, or cut just enough to fit one phone screen."""
    for cut in CUTS:
        text = draw(cut)
        if phone_lines(text) <= SCREEN_LINES:
            return text
    return text


JOURNEY = Journey(
    name="sips",
    computes={"sips-start": sips_start, "sips-show": sips_show, "sips": sips},
    texts={
        "review": ("date",),
        "record": ("date",),
        "empty": (),
        "saved": ("done", "total"),
        "updated": ("date",),
        "unchanged": ("date",),
        "section": ("heading", "title", "lines", "cut"),
        "answer": ("question", "answer"),
        "change": ("question", "before", "after"),
        "skipped": (),
        "cut": (),
    },
    labels=("update", "new", "see"),
    jumps=(START, QUESTIONS, UPDATE, SHOW),
    pages=sips_page,
)
