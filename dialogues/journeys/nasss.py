"""The NASSS complexity check: the profile, the warning when several domains are complex."""

from __future__ import annotations

from dialogues._conversation import Conversation
from dialogues._markup import Markup
from dialogues._registry import Journey
from dialogues.actions import Topic, option
from dialogues.journeys._profiles import (
    PROFILE_TEXTS,
    changes_text,
    item_titles,
    levels_of,
    profile_lines,
    screens,
    send_profile,
)

COMPLEX_WARNING_AT = 2  # "complex in several domains": the NASSS finding


def nasss(convo: Conversation) -> None:
    """The NASSS complexity profile, the warning when several domains are complex, a chart."""
    flow, answers, levels = levels_of(convo)
    framework = convo.kb.frameworks["nasss"]
    domains = {d.id: d for d in framework.domains}
    complex_ids = [i for i, lv in levels.items() if lv == "complex"]
    complicated = [domains[i].short_title for i, lv in levels.items() if lv == "complicated"]
    advice: list[Markup] = []
    if len(complex_ids) >= COMPLEX_WARNING_AT:
        advice.append(convo.flow_text("warning", count=len(complex_ids)))
    advice += [
        convo.flow_text("simplify", title=domains[i].short_title, advice=domains[i].simplify)
        for i in complex_ids
    ]
    if complicated:
        advice.append(convo.flow_text("complicated", titles=", ".join(complicated)))
    profile = convo.flow_text(
        "result", profile=profile_lines(convo, flow, levels, item_titles(convo, flow.id))
    )
    advice = advice or [convo.flow_text("all_simple")]
    texts = screens([t for t in (profile, changes_text(convo, flow, levels), *advice) if t])
    buttons = [option(framework.short_title, Topic("nasss"))]
    send_profile(convo, flow, answers, levels, {"complex": complex_ids}, texts, buttons)


JOURNEY = Journey(
    name="nasss",
    computes={"nasss": nasss},
    texts={
        "result": ("profile",),
        "warning": ("count",),
        "simplify": ("title", "advice"),
        "complicated": ("titles",),
        "all_simple": (),
        "anchors_ours": (),  # under the question's anchors, where they are the bot's own words
        **PROFILE_TEXTS,
    },
    labels=("previous",),
)
