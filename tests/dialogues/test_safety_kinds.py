"""A message of each kind of worry, said without the obvious words, at the menu and in the
middle of every journey: the signposts, the place and the answers kept, the journey going on."""

from __future__ import annotations

import pytest

from dialogues import Matched
from tests.dialogues.test_routes import MIDDLE, _signposts_only

# (message, a signpost its answer gives); one of each kind seen missed, written for this test
KINDS = {
    "self-neglect": ("my aunt's flat stinks, rubbish is piled up and she isn't eating", "101"),
    "money taken by a stranger": (
        "a man talked my grandad into paying him for work never done",
        "101",
    ),
    "money taken by family": ("her son has taken all her pension again", "101"),
    "dementia got out": ("dad has dementia and has got out, we can't find him", "999"),
    "tablets put by": ("ive been saving up my tablets just in case", "116 123"),
    "a burden": ("they would all be better off if i wasnt here", "116 123"),
    "staff abuse unnamed": ("staff strap my mum into her chair every afternoon", "101"),
    "lost belongings": ("the care home lost my dad's glasses and won't replace them", "Ombudsman"),
    "visits missed": ("the carers didn't come again and nobody showed up today", "Ombudsman"),
    "a threat without a harm word": ("he says he'll put me in a home if i tell anyone", "101"),
    "control": ("my son wont let me go out or see my friends", "101"),
    "not missed": ("no one would even miss me if i was gone", "116 123"),
}
OWN_CARE = {
    "home from hospital": "mum is coming out of hospital, what help can she get at home",
    "respite": "how do i get a break from caring for my husband",
    "selling a home": "will dad have to sell his house to pay for his care",
}
BUTTON_STEPS = ("triage choice", "readiness", "nasss")


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_at_the_menu_gets_its_signposts(user, kind):
    message, signpost = KINDS[kind]
    user(message)
    assert signpost in user.text
    assert "Talk to the network team" in user.labels
    assert not list(user.effects_of(Matched))
    _signposts_only(user.text)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("where", MIDDLE)
def test_each_kind_in_a_journey_keeps_the_place_and_the_answers(user, where, kind):
    reach, finish = MIDDLE[where]
    user(*reach)
    place, answers = (user.at, user.state["at"]["index"]), dict(user.state["answers"])
    message, signpost = KINDS[kind]
    user(message)
    assert signpost in user.text
    assert (user.at, user.state["at"]["index"]) == place
    assert user.state["answers"] == answers  # never stored as an answer
    # Held only for the one turn in which "Keep that as my answer" is offered, if it is.
    assert message not in str({key: v for key, v in user.state.items() if key != "typed"})
    user("[Back to where I was]", *finish)
    assert (user.at, user.state["at"]["index"]) != place  # the journey went on
    assert message not in str(user.state)


@pytest.mark.parametrize("where", ["sips typed answer", "team note"])
def test_at_a_free_text_step_the_words_can_be_kept_after_the_signposts(user, where):
    reach, _ = MIDDLE[where]
    user(*reach)
    place = user.at, user.state["at"]["index"]
    message = "her son has taken all her pension again and i want the team to know"
    user(message)
    assert "101" in user.text and "Keep that as my answer" in user.labels
    if where == "team note":  # in the team's own journey: no second way to the team
        assert "Talk to the network team" not in " ".join(user.labels)
    user("[Keep that as my answer]")
    assert (user.at, user.state["at"]["index"]) != place  # taken, and the journey went on
    assert message in str(user.state["answers"]) or message in str(user.state["drafts"])


@pytest.mark.parametrize("kind", OWN_CARE)
def test_own_care_at_the_menu_points_to_the_council(user, kind):
    user(OWN_CARE[kind])
    assert "adult social care team" in user.text
    assert not list(user.effects_of(Matched))


@pytest.mark.parametrize("kind", OWN_CARE)
@pytest.mark.parametrize("where", BUTTON_STEPS)
def test_own_care_at_a_button_step_points_to_the_council_and_keeps_the_place(user, where, kind):
    reach, finish = MIDDLE[where]
    user(*reach)
    place, answers = (user.at, user.state["at"]["index"]), dict(user.state["answers"])
    user(OWN_CARE[kind])
    assert "adult social care team" in user.text
    assert (user.at, user.state["at"]["index"]) == place
    assert user.state["answers"] == answers
    user("[Back to where I was]", *finish)
    assert (user.at, user.state["at"]["index"]) != place
