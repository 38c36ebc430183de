"""For someone whose messages are not kept, the engine's state holds no words they typed."""

from __future__ import annotations

import json

from dialogues import ForgetMe

WORDS = "Jane Dolittle of 12 Acacia Avenue says the remote monitoring kit is too fiddly"


def _declined(talk):
    talk("/start", "[Don't keep my messages]")
    return talk


def _triage(talk, hardest: str) -> None:
    talk("/triage", "[Innovator]", "[Piloting]", "[technology is central]")
    talk("[One organisation]", hardest)


def test_declined_the_hardest_part_is_quoted_once_then_gone_from_the_state(talk):
    _triage(_declined(talk), WORDS)
    assert "Acacia" in talk.text  # the result speaks to what they wrote...
    stored = json.dumps(talk.state)
    assert "Acacia" not in stored and "Dolittle" not in stored  # ...and nothing keeps it
    (record,) = talk.state["results"]["triage"]
    assert record["answers"]["hardest"] == "" and record["answers"]["role"]
    assert record["result"]["frameworks"][0] == "nasss"  # the choices still make the plan


def test_declined_a_question_leaves_nothing_in_the_state(talk):
    _declined(talk)("I am Jane Dolittle of 12 Acacia Avenue: what about staff turnover?")
    assert "Acacia" not in json.dumps(talk.state)


def test_kept_the_hardest_part_stays_for_the_plan(user):
    _triage(user, WORDS)
    (record,) = user.state["results"]["triage"]
    assert record["answers"]["hardest"] == WORDS
    assert any("Acacia" in reason for reason in record["result"]["reasons"]["nasss"])


def test_saying_no_later_drops_the_words_kept_before(user):
    _triage(user, WORDS)
    user("/privacy", "[Change my choice]", "[No, don't keep them]")
    assert "Acacia" not in json.dumps(user.state)


def test_declined_a_sips_record_is_kept_as_the_welcome_says(talk):
    _declined(talk)
    assert "SIPS record" in talk.engine.dialogues.flows["welcome"].steps["consent"].text
    talk("/sips", "[Start]", "Acacia shared lives scheme")
    assert "Acacia" in json.dumps(talk.state)


def test_forget_works_before_the_consent_choice(talk):
    talk("/start", f"hello, I am {WORDS}")
    assert "Acacia" in json.dumps(talk.state)  # held to answer right after the choice
    talk("/forget", "[Yes, erase everything]")
    assert list(talk.effects_of(ForgetMe))
    assert "Acacia" not in json.dumps(talk.state) and "erased everything" in talk.text
    assert "team" not in talk.text  # they never asked the team for anything
