"""Messages that are not scaling questions: safety, a person's own care, off-topic, about, words.

The matcher decides the route (knowledge/data/routes.yaml); this module says the fixed answer.
Nothing here changes where the user is or what they have entered, and nothing is recorded as
a topic: the user's place and answers stay as they were.
"""

from __future__ import annotations

from dialogues import _cards
from dialogues._content import label, uses
from dialogues._conversation import Conversation
from dialogues._markup import Markup, escape
from dialogues._registry import Jump
from dialogues._types import Option
from dialogues.actions import Open, option
from knowledge import MatchResult

TEAM_OFFER = uses("team_offer")
TEAM = label("team")
TOPICS = label("topics")
FIXED = ("safety", "personal-care", "off-topic", "about")  # routes with a fixed YAML answer
BROWSE_FLOW = Jump("browse")
ROUTING_JUMPS = (_cards.TEAM_FLOW, BROWSE_FLOW)


def answer_routed(convo: Conversation, result: MatchResult, keep: Option | None = None) -> bool:
    """Say the fixed answer for a routed message; False when the message is a topic or none.
    `keep`: a button to take the message as the answer to the step after all."""
    if result.route == "glossary" and result.route_id:
        return _cards.glossary_term(convo, result.route_id)
    if result.route not in FIXED or result.route_id not in convo.kb.routes:
        return False
    route = convo.kb.routes[result.route_id]
    text = escape(route.message)
    rows: list[tuple] = []
    if route.route == "safety":
        # No question comes after it: the way back is a button, taken when they are ready.
        text = Markup(f"{text}\n\n{convo.text(TEAM_OFFER)}")
        if keep is not None:
            rows.append((keep,))
        if convo.state.at.flow != _cards.TEAM_FLOW.flow:  # in it, the note is the way to them
            rows.append((option(convo.label(TEAM), Open(_cards.TEAM_FLOW.flow)),))
        rows.append(convo.menu_row())
    else:
        if route.route != "about":
            rows.append((option(convo.label(TOPICS), Open(BROWSE_FLOW.flow)),))
        rows.append(convo.menu_row())
    convo.say(text, rows)
    return True
