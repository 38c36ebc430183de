"""Answering free text: the matcher's verdict turned into a card, a choice, or an honest 'no'."""

from __future__ import annotations

from dialogues import _cards
from dialogues._content import label, uses
from dialogues._conversation import Conversation
from dialogues._registry import Jump
from dialogues._routing import answer_routed
from dialogues._types import Matched, Unanswered
from dialogues.actions import NoneOfThese, Open, Topic, option
from knowledge import MatchResult

GREETING = uses("greeting")
THANKS = uses("thanks")
HELP_TEXT = uses("help")
NOTHING = uses("nothing_found")
DID_YOU_MEAN = uses("did_you_mean")
NONE_OF_THESE = label("none_of_these")
TOPICS = label("topics")
TEAM = label("team")
BRIEF = uses("brief_answer", "title", "summary")
OPEN_CARD = label("open_card")
SUGGESTIONS = 3  # topics offered when the matcher cannot choose
TEAM_FLOW = Jump("team")
BROWSE_FLOW = Jump("browse")
ASKING_JUMPS = (TEAM_FLOW, BROWSE_FLOW)


def answer_question(convo: Conversation, text: str, result: MatchResult | None = None) -> None:
    """Answer free text: a fixed route's answer, a card, 'did you mean', or an honest 'no'."""
    result = result or convo.matcher.match(text)
    if answer_routed(convo, result):
        return
    if result.smalltalk:
        name = {"greeting": GREETING, "thanks": THANKS}.get(result.smalltalk, HELP_TEXT)
        convo.say(convo.text(name), [convo.menu_row()])
        return
    if not result.matches:
        convo.record(Unanswered("nothing"))
        nothing_found(convo)
        return
    if result.ambiguous:
        # Not answered yet, so no topic is counted for it; the question goes to the misses.
        convo.record(Unanswered("unsure"))
        options = [
            (option(convo.kb.topic(m.id).short_title, Topic(m.id)),)
            for m in result.matches[:SUGGESTIONS]
        ]
        none = (option(convo.label(NONE_OF_THESE), NoneOfThese()),)
        convo.say(convo.text(DID_YOU_MEAN), [*options, none, convo.menu_row()])
        return
    # One topic per question: the one answered, not every candidate the matcher weighed.
    convo.record(Matched((result.matches[0].id,)))
    if result.close_call:
        convo.record(Unanswered("low-margin", result.margin))
    _cards.topic_card(convo, result.matches[0].id)


def nothing_found(convo: Conversation) -> None:
    """Nothing in the evidence fits: say so, and offer the topics and the team."""
    options = (
        option(convo.label(TOPICS), Open(BROWSE_FLOW.flow)),
        option(convo.label(TEAM), Open(TEAM_FLOW.flow)),
    )
    convo.say(convo.text(NOTHING), [options, convo.menu_row()])


def brief_answer(convo: Conversation, result: MatchResult) -> None:
    """A topic in two lines (its title and summary), the card one tap away; counted as asked."""
    best = result.best
    if best is None:
        return
    topic = convo.kb.topic(best.id)
    convo.record(Matched((best.id,)))  # one topic per question: the one it answered
    text = convo.text(BRIEF, title=topic.short_title, summary=topic.summary)
    convo.say(text, [(option(convo.label(OPEN_CARD), Topic(best.id)),)])
