"""The SIPS planning record: answered before implementing, revisited to record what changed."""

from __future__ import annotations

from dialogues._conversation import Conversation, long_date, rows_of
from dialogues._markup import Markup, fill
from dialogues._navigation import go_to
from dialogues._registry import Journey, Jump
from dialogues.actions import option
from dialogues.journeys._common import end_buttons, opens, previous, remember

START = Jump("sips")
QUESTIONS = Jump("sips", "questions")
UPDATE = Jump("sips", "update")
SHOW = Jump("sips", "show")


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
    """The latest SIPS record, section by section."""
    earlier = previous(convo, "sips")
    if earlier is None:
        convo.say(convo.flow_text("empty"), [(option(convo.flow_label("new"), opens(START)),)])
        return
    sections = sips_sections(convo, earlier.result.get("record", {}))
    text = convo.flow_text("record", date=long_date(earlier.date), sections=sections)
    convo.say(text, end_buttons(convo, option(convo.flow_label("update"), opens(UPDATE))))


def sips(convo: Conversation) -> None:
    """Save a new record, or an update after implementation that says what changed and why."""
    answers = convo.state.answers
    earlier = previous(convo, "sips")
    if "changes" in answers and earlier is not None:
        before = earlier.result.get("record", {})
        changes = {k: v for k, v in answers["changes"].items() if v}
        text = convo.flow_text(
            "updated",
            date=long_date(earlier.date),
            sections=sips_sections(convo, changes, before=before),
        )
        result = {"record": {**before, **changes}, "before": before, "changed": sorted(changes)}
        remember(convo, "sips", changes, result)
    else:
        record = {k: v for k, v in (answers.get("sips") or {}).items() if v}
        text = convo.flow_text("saved", sections=sips_sections(convo, record))
        remember(convo, "sips", record, {"record": record, "before": {}, "changed": []})
    convo.say(text, end_buttons(convo, option(convo.flow_label("see"), opens(SHOW))))


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


JOURNEY = Journey(
    name="sips",
    computes={"sips-start": sips_start, "sips-show": sips_show, "sips": sips},
    texts={
        "review": ("date",),
        "record": ("date", "sections"),
        "empty": (),
        "saved": ("sections",),
        "updated": ("date", "sections"),
        "section": ("title", "lines"),
        "answer": ("question", "answer"),
        "change": ("question", "before", "after"),
        "skipped": (),
        "unchanged": (),
    },
    labels=("update", "new", "see"),
    jumps=(START, QUESTIONS, UPDATE, SHOW),
)
