"""Framework triage: the framework(s) that fit the answers, with reasons, and what to watch."""

from __future__ import annotations

from collections import Counter
from typing import Any

from dialogues._content import FlowSpec
from dialogues._conversation import Conversation
from dialogues._markup import Markup, fill, plain, shorten
from dialogues._registry import Journey
from dialogues._types import Matched
from dialogues.actions import Topic, option
from dialogues.journeys._common import end_buttons, remember

TRIAGE_CHOICES = 2  # at most this many frameworks are recommended
TRIAGE_WATCH = 3  # factors to watch first


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
    remember(convo, "triage", kept, {"frameworks": chosen, "watch": watch, "reasons": why})
    buttons = [option(kb.frameworks[f].short_title, Topic(f)) for f in chosen]
    buttons += [option(kb.factors[w].short_title, Topic(w)) for w in watch]
    convo.say(text, end_buttons(convo, *buttons))


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


JOURNEY = Journey(
    name="triage",
    computes={"triage": triage},
    texts={
        "result": ("frameworks", "watch"),
        "framework": ("title", "reasons"),
        "watch_line": ("title", "action"),
    },
    # The names of its questions, which the plan's table of answers uses.
    labels=("role", "field", "stage", "kind", "scope", "hardest"),
)
