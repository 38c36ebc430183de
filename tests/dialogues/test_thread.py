"""A follow-up thread in the engine (dialogues/_thread.py): how long it lasts, what the person is
told when it ends, and that the safety routes still come first inside it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dialogues import (
    Context,
    Engine,
    EngineSettings,
    Matched,
    SafetyInThread,
    ThreadEnded,
    ThreadMessage,
)
from tests.conftest import NOW, Talk

CRISIS = "I want to end my life"


@pytest.fixture(scope="module")
def staffed(engine: Engine) -> Engine:
    """The engine as a service with a staff chat runs it, with a 72-hour quiet period."""
    settings = EngineSettings(staff_chat=True, thread_quiet_hours=72)
    return Engine(engine.kb, engine.dialogues, engine.matcher, settings)


@pytest.fixture
def in_thread(staffed: Engine) -> Talk:
    """Someone the team has just written to about their request."""
    talk = Talk(staffed)
    talk("/start", "[OK, keep my messages]", "/team", "Please call me", "[Message me here]")
    reference = talk.state["followup_refs"][0]
    turn = staffed.team_message(talk.state, reference, "What number suits?", Context(NOW))
    talk.state = turn.state.to_json()
    talk.history += list(turn.replies)  # the team's message, with its "Back to the bot"
    return talk


def test_a_crisis_typed_in_a_thread_gets_the_signposts_first_and_the_thread_stays(in_thread):
    reference = in_thread.state["thread"]["reference"]
    in_thread(CRISIS)
    assert "116 123" in in_thread.text  # Samaritans, from the signposting reference
    assert not list(in_thread.effects_of(ThreadMessage))  # answered by the bot, not an answer
    (told,) = in_thread.effects_of(SafetyInThread)  # but the team is told
    assert (told.reference, told.text) == (reference, CRISIS)
    assert told.kind == in_thread.engine.kb.routes["crisis"].title
    assert f"also gone to the network team ({reference})" in in_thread.text
    assert in_thread.state["thread"]["open"]
    in_thread("07700 900123, after 2pm")
    (passed,) = in_thread.effects_of(ThreadMessage)
    assert passed.text == "07700 900123, after 2pm"
    assert "Passed to the network team" in in_thread.text


def test_after_the_quiet_period_the_bot_answers_again_and_says_why(in_thread):
    reference = in_thread.state["thread"]["reference"]
    in_thread.now = NOW + timedelta(hours=71)
    in_thread("Still there?")
    assert list(in_thread.effects_of(ThreadMessage))  # within 72 hours: to the team
    in_thread.now += timedelta(hours=72, minutes=1)
    in_thread("how do we recruit and keep care staff?")
    (ended,) = in_thread.effects_of(ThreadEnded)
    assert (ended.reference, ended.why) == (reference, "quiet")
    assert f"conversation with the team about {reference} has ended after 72 hours" in (
        in_thread.text
    )
    assert [e.ids for e in in_thread.effects_of(Matched)] == [("workforce",)]  # answered
    assert in_thread.state["thread"] is None


def test_back_to_the_bot_ends_the_thread_and_says_the_team_can_still_write(in_thread):
    reference = in_thread.state["thread"]["reference"]
    in_thread("[Back to the bot]")
    (ended,) = in_thread.effects_of(ThreadEnded)
    assert ended.why == "person"
    assert f"The team can still write to you about {reference}" in in_thread.text
    in_thread("how do we recruit and keep care staff?")
    assert not list(in_thread.effects_of(ThreadMessage))


def test_a_safety_message_outside_a_thread_tells_no_team(staffed):
    talk = Talk(staffed)
    talk("/start", "[OK, keep my messages]", CRISIS)
    assert "116 123" in talk.text
    assert not list(talk.effects_of(SafetyInThread))


def test_a_safety_message_after_the_quiet_period_tells_no_team(in_thread):
    in_thread.now = NOW + timedelta(hours=73)
    in_thread(CRISIS)
    assert "116 123" in in_thread.text
    assert not list(in_thread.effects_of(SafetyInThread))
