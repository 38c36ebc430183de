"""/forget tells each person exactly what was erased: only what they had, on every path."""

from __future__ import annotations

import pytest

from dialogues import Context, Engine, EngineSettings
from dialogues.screens import SCREEN_LINES, phone_lines
from tests.conftest import NOW, Talk


@pytest.fixture(scope="module")
def staffed(engine: Engine) -> Engine:
    """The same engine as a service with a staff chat runs it."""
    return Engine(engine.kb, engine.dialogues, engine.matcher, EngineSettings(staff_chat=True))


def _erase(talk: Talk) -> str:
    talk("/forget", "[Yes, erase everything]")
    return talk.text


def test_someone_who_never_contacted_the_team_hears_nothing_of_the_team(staffed):
    talk = Talk(staffed)
    talk("/start", "[Don't keep my messages]", "what about co-production")
    done = _erase(talk)
    assert "erased everything" in done and "where you were in our chat" in done
    for absent in ("team", "48 hours", "our messages", "answers"):
        assert absent not in done, absent


def test_kept_messages_answers_and_a_request_are_each_named(staffed):
    talk = Talk(staffed)
    talk("/start", "[OK, keep my messages]", "/readiness", "[Start]", "[Partly]")
    talk("/team", "Please call me", "[Message me here]")
    done = _erase(talk)
    for named in ("our messages", "your answers", "request to the team", "48 hours"):
        assert named in done, named
    assert "I can't delete" not in done


def test_without_a_staff_chat_no_notices_are_claimed(engine):
    talk = Talk(engine)  # the terminal chat, or a deployment without STAFF_CHAT_ID
    talk("/start", "[OK, keep my messages]", "/team", "Please call me", "[Message me here]")
    done = _erase(talk)
    assert "request to the team" in done
    assert "Telegram chat" not in done and "48 hours" not in done


def test_words_written_to_the_team_in_a_conversation_are_owned_up_to(staffed):
    talk = Talk(staffed)
    talk("/start", "[OK, keep my messages]")
    turn = staffed.team_message(talk.state, "C-ABC123", "Hello from the team", Context(NOW))
    talk.state = turn.state.to_json()
    talk("Thanks, here is my number")
    done = _erase(talk)
    assert "C-ABC123" in done and "deleting what you wrote" in done and "can't delete" not in done
    assert "request to the team" not in done  # they never asked for one


def test_a_reply_in_a_thread_of_their_own_request_is_deleted_with_it(staffed):
    talk = Talk(staffed)
    talk("/start", "[OK, keep my messages]", "/team", "Please call me", "[Message me here]")
    reference = talk.state["followup_refs"][0]
    turn = staffed.team_message(talk.state, reference, "Hello", Context(NOW))
    talk.state = turn.state.to_json()
    talk("Thanks")
    done = _erase(talk)
    assert "48 hours" in done and "can't delete it there" not in done


def test_a_state_that_had_to_be_reset_still_knows_of_the_request(staffed):
    talk = Talk(staffed)
    talk("/start", "[OK, keep my messages]", "/team", "Please call me", "[Message me here]")
    talk.state = {**talk.state, "at": {"flow": "gone", "step": "gone"}, "v": 0}
    done = _erase(talk)
    assert "request to the team" in done and "48 hours" in done


def test_the_longest_confirmation_fits_a_phone(staffed):
    talk = Talk(staffed)
    talk("/start", "[OK, keep my messages]", "/team", "Please call me", "[Message me here]")
    state = dict(talk.state)
    state["wrote_to_team"] = ["C-ABC123", "C-DEF456"]
    state["results"] = {"sips": []}
    talk.state = state
    _erase(talk)
    (reply,) = talk.replies
    assert phone_lines(reply.text) <= SCREEN_LINES
    assert reply.text.count("•") == 4
