"""Framework triage: the framework(s) that fit the answers, with reasons, and what to watch."""

from __future__ import annotations

from collections import Counter
from typing import Any

from dialogues._content import FlowSpec, label
from dialogues._conversation import Conversation
from dialogues._markup import Markup, fill, plain, shorten
from dialogues._registry import Journey, Jump
from dialogues._types import Matched
from dialogues.actions import Open, Topic, option
from dialogues.journeys._common import end_buttons, remember

TRIAGE_CHOICES = 2  # at most this many frameworks are recommended
TRIAGE_WATCH = 3  # factors to watch first
# Which result text each role gets (see triage.yaml); anyone else gets "result".
AUDIENCE = {"commissioner": "result_levers", "policy": "result_levers", "person": "result_person"}
TEAM = label("team")
TEAM_FLOW = Jump("team")


def triage(convo: Conversation) -> None:
    """Recommend the framework(s) that fit the answers, with reasons, and three factors to watch."""
    flow = convo.flow()
    kb = convo.kb
    answers = dict(convo.state.answers)
    hardest = answers.get("hardest") or ""
    hardest_ids: list[str] = []
    if hardest:
        found = convo.matcher.match(hardest).matches[:3]
        # Only topics about as clear as the best: "staff say the kit is too fiddly" is about the
        # kit (NASSS, 90), not staff turnover (40), though "staff" is a word of that topic.
        hardest_ids = [m.id for m in found if m.score * 2 >= found[0].score]
        if hardest_ids:
            convo.record(Matched(tuple(hardest_ids)))
    # The reasons quote the user's words briefly; the record keeps all of them.
    words = _answer_labels(flow, answers) | {"hardest": shorten(hardest, 80)}

    scores: Counter[str] = Counter()
    reasons: dict[str, list[Markup]] = {}
    # Things to watch start from what their own words were about.
    first = [i for i in hardest_ids if i in kb.factors]
    then: list[str] = []
    for rule in flow.rules:
        if not _rule_fires(rule.when, answers, hardest_ids):
            continue
        if rule.recommend:
            scores[rule.recommend] += rule.weight
            if rule.because:
                reasons.setdefault(rule.recommend, []).append(fill(rule.because, **words))
        (first if "hardest" in rule.when else then).extend(rule.watch)
    ranked = [f for f, _ in scores.most_common()]
    # A runner-up is worth reading about only when it scores at least half as well.
    chosen = [f for f in ranked[:TRIAGE_CHOICES] if scores[f] * 2 >= scores[ranked[0]]]
    watch = list(dict.fromkeys(w for w in [*first, *then] if w in kb.factors))[:TRIAGE_WATCH]

    role = answers.get("role")
    text_name = AUDIENCE.get(role, "result")
    frameworks = [
        convo.flow_text(
            "framework", title=kb.frameworks[f].short_title, reasons=reasons.get(f, [""])[0]
        )
        if n == 0
        else convo.flow_text("runner_up", title=kb.frameworks[f].short_title)
        for n, f in enumerate(chosen)
    ]
    said = convo.flow_text("you_said", words=shorten(hardest, 40)) if hardest else Markup("")
    text = convo.flow_text(
        text_name,
        frameworks=Markup("\n\n".join(frameworks)),
        hardest=said,
    )
    if text_name == "result_person":
        chosen = []  # taking part: no frameworks to plan with, and no advice to funders
    kept = {**answers, "hardest": hardest}
    why = {f: [plain(r) for r in reasons.get(f, [])[:2]] for f in chosen}
    remember(convo, "triage", kept, {"frameworks": chosen, "watch": watch, "reasons": why})
    buttons = [option(kb.frameworks[f].short_title, Topic(f)) for f in chosen]
    buttons += [option(kb.factors[w].short_title, Topic(w)) for w in watch]
    if text_name == "result_person":
        buttons.append(option(convo.label(TEAM), Open(TEAM_FLOW.flow)))
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
        "result": ("frameworks", "hardest"),
        "result_levers": ("frameworks", "hardest"),
        "result_person": ("hardest",),
        "you_said": ("words",),
        "framework": ("title", "reasons"),
        "runner_up": ("title",),
    },
    # The names of its questions, which the plan's table of answers uses.
    labels=("role", "stage", "kind", "scope", "aim", "part", "hardest"),
    jumps=(TEAM_FLOW,),
)
