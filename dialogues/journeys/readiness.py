"""The readiness check on the seven factors: red-amber-green, priorities, what changed."""

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

PRIORITIES = 3  # readiness priorities shown


def readiness(convo: Conversation) -> None:
    """Red-amber-green on the seven factors, three priorities, what changed, a chart."""
    flow, answers, levels = levels_of(convo)
    kb = convo.kb
    groups = {g.factors[0]: g for g in kb.key_factors}
    order = {level: n for n, level in enumerate(flow.priority_order)}
    urgent = sorted((i for i in levels if levels[i] in order), key=lambda i: order[levels[i]])
    urgent = urgent[:PRIORITIES]
    priorities = [
        convo.flow_text(
            "priority", title=groups[i].short_title, action=kb.factors[i].actions_of(convo.role)[0]
        )
        for i in urgent
    ]
    profile = convo.flow_text(
        "result", profile=profile_lines(convo, flow, levels, item_titles(convo, flow.id))
    )
    advice = priorities or [convo.flow_text("all_green")]
    advice[0] = Markup(convo.flow_text("priorities") + advice[0])
    texts = screens([t for t in (profile, changes_text(convo, flow, levels), *advice) if t])
    buttons = [option(groups[i].short_title, Topic(i)) for i in urgent]
    send_profile(convo, flow, answers, levels, {"priorities": urgent}, texts, buttons)


JOURNEY = Journey(
    name="readiness",
    computes={"readiness": readiness},
    texts={
        "result": ("profile",),
        "priorities": (),
        "priority": ("title", "action"),
        "all_green": (),
        **PROFILE_TEXTS,
    },
    labels=("previous",),
)
