"""Messages that are not scaling questions, at the menu and in the middle of every journey."""

from __future__ import annotations

import pytest

from dialogues import AssessmentDone, Matched

CRISIS = "i dont want to be alive anymore"
SAFETY = {
    "danger": ("my neighbour has collapsed and is not breathing", "999"),
    "safeguarding": ("i think my nans carer is taking money from her purse", "101"),
    "crisis": (CRISIS, "116 123"),
    "complaint": ("i want to make a complaint about my dads care home", "Ombudsman"),
}

# (how to reach a step in the middle of a journey, what to do there to finish it)
MIDDLE = {
    "triage choice": (["/triage", "[Innovator]"], ["[Piloting]"]),
    "triage hardest part": (
        ["/triage", "[Innovator]", "[Piloting]", "[Partly]", "[One team]"],
        ["Complexity"],
    ),
    "readiness": (["/readiness", "[Start]", "[Yes]"], ["[No]"]),
    "nasss": (["/nasss", "[Start]", "[Simple]"], ["[Complex]"]),
    "sips typed answer": (["/sips", "[Start]", "A befriending scheme"], ["Volunteers and staff"]),
    "team note": (["/team"], ["We would like help spreading our scheme"]),
}


def _signposts_only(text: str) -> None:
    """Only numbers the signposting reference gives appear in a safety message."""
    numbers = {"999", "101", "116 123", "111"}
    digits = [w for w in text.replace("116 123", "").split() if any(c.isdigit() for c in w)]
    assert all(any(n in d for n in numbers) or d.startswith("2") for d in digits), digits


@pytest.mark.parametrize("kind", SAFETY)
def test_a_safety_message_at_the_menu_gets_the_signposts_and_the_team(user, kind):
    message, signpost = SAFETY[kind]
    user(message)
    assert signpost in user.text
    assert "network team" in user.text
    assert "Talk to the network team" in user.labels
    assert not list(user.effects_of(Matched))
    _signposts_only(user.text)


def test_a_safety_message_before_consent_is_answered_and_not_kept(talk):
    talk("/start")
    talk(CRISIS)
    assert "116 123" in talk.text
    assert talk.state["pending"] is None
    assert talk.at == ("welcome", "consent")


@pytest.mark.parametrize("kind", SAFETY)
@pytest.mark.parametrize("where", MIDDLE)
def test_a_safety_message_in_a_journey_keeps_the_place_and_the_answers(user, where, kind):
    reach, finish = MIDDLE[where]
    user(*reach)
    place, answers, seq = user.at, dict(user.state["answers"]), user.state["seq"]
    index = user.state["at"]["index"]
    message, signpost = SAFETY[kind]
    user(message)
    assert signpost in user.text
    assert (user.at, user.state["at"]["index"]) == (place, index)
    assert user.state["answers"] == answers  # never stored as an answer
    assert user.state["seq"] == seq  # the step's buttons still work
    assert not list(user.effects_of(Matched))
    assert "« Back to where I was" in user.labels
    user("[Back to where I was]")
    assert (user.at, user.state["at"]["index"]) == (place, index)
    before = dict(user.state["answers"])
    user(*finish)
    assert user.at != place or user.state["at"]["index"] != index  # the journey went on
    assert all(user.state["answers"].get(k, v) == v or k in before for k, v in answers.items())


def test_the_journey_goes_on_after_a_crisis_message_with_the_answers_kept(user):
    user("/readiness", "[Start]", "[Yes]", CRISIS, "[Back to where I was]")
    user("[No]", "[No]", "[Partly]", "[Yes]", "[Not sure]", "[No]")
    (done,) = user.effects_of(AssessmentDone)
    assert done.answers and CRISIS not in str(done.answers)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("how do i get a needs assessment for my mum", "adult social care team"),
        ("looking for a care home near Leeds", "adult social care team"),
        ("how much do care workers earn", "not something I can help with"),
        ("can i get carers allowance", "not something I can help with"),
        ("whats the weather tomorrow", "not something I can help with"),
    ],
)
def test_own_care_and_off_topic_get_an_honest_answer_and_no_topic(user, message, expected):
    user(message)
    assert expected in user.text
    assert not list(user.effects_of(Matched))
    assert "📚 Browse the evidence" in user.labels


@pytest.mark.parametrize(
    "message",
    [
        "how do we scale a safeguarding training programme",
        "our suicide prevention service wants to spread to other areas",
    ],
)
def test_scaling_questions_with_sensitive_words_still_get_their_topic(user, message):
    user(message)
    assert "116 123" not in user.text and "101" not in user.text
    # a card, or the choice of the closest topics when two are about as likely
    assert list(user.effects_of(Matched)) or "Which is closest?" in user.text


def test_about_and_glossary_questions_get_a_short_answer(user):
    user("what is double running")
    assert "old service going alongside the new one" in user.text
    assert len(user.text.splitlines()) <= 4
    user("who runs this bot")
    assert "Social Care Innovation Network" in user.text
    user("how do I delete my data")
    assert "/forget" in user.text
    assert not list(user.effects_of(Matched))


@pytest.mark.parametrize(
    ("typed", "chosen"),
    [
        ("2", "Commissioner or funder"),
        ("commisioner or funder", "Commissioner or funder"),
        ("something else", "Something else"),
    ],
)
def test_typed_answers_choose_a_role(user, typed, chosen):
    user("/triage", typed)
    assert user.state["answers"]["role"] == next(
        o.value
        for o in user.engine.dialogues.flows["triage"].steps["role"].options
        if o.label == chosen
    )


@pytest.mark.parametrize(
    ("steps", "typed", "value"),
    [
        (["/triage", "[Innovator]"], "piloting or testng", "pilot"),
        (["/triage", "[Innovator]"], "piloting", "pilot"),
        (["/readiness", "[Start]"], "not sure", "unsure"),
        (["/readiness", "[Start]"], "dont know", "unsure"),
        (["/nasss", "[Start]"], "3", "complex"),
    ],
)
def test_typed_answers_choose_the_option_they_name(user, steps, typed, value):
    user(*steps)
    place = user.at, user.state["at"]["index"]
    user(typed)
    assert (user.at, user.state["at"]["index"]) != place
    assert value in str(user.state["answers"])


@pytest.mark.parametrize("typed", ["➂", "➌"])
def test_a_character_that_only_looks_like_a_number_is_not_an_option(user, typed):
    """Typed "➂" is a digit to str.isdigit() but not a number to int(): the step is asked again
    (found by the Telegram fuzz test: the engine raised ValueError)."""
    user("/nasss", "[Start]")
    place = user.at, user.state["at"]["index"]
    replies = user(typed)
    assert replies, "every input gets an answer"
    assert (user.at, user.state["at"]["index"]) == place


def test_a_question_at_a_free_text_step_is_answered_and_the_step_asked_again(user):
    user("/sips", "[Start]", "A befriending scheme")
    place = user.at, user.state["at"]["index"]
    user("what is a theory of change?")
    assert "what an innovation aims to achieve" in user.text
    assert (user.at, user.state["at"]["index"]) == place
    assert "Keep that as my answer" in user.labels
    user("[Keep that as my answer]")
    assert (user.at, user.state["at"]["index"]) != place
    assert "what is a theory of change?" in str(user.state["answers"])


def test_an_ordinary_answer_at_a_free_text_step_is_taken_as_it_is(user):
    user("/sips", "[Start]")
    place = user.at, user.state["at"]["index"]
    user("We match volunteers with older people who live alone, to reduce loneliness")
    assert (user.at, user.state["at"]["index"]) != place
    assert "Keep that as my answer" not in user.labels


def test_a_question_only_like_an_example_at_a_free_text_step_is_taken_as_the_answer(user):
    # Somewhere to write to the team: a question the rules do not place is the note itself,
    # even when it is a little like an example question.
    question = "Can someone help us grow our scheme?"
    found = user.engine.matcher.match(question)
    assert not found.matches[0].by_rules  # the rules do not place it (a weak hint may fire)
    user("/sips", "[Start]")
    place = user.at, user.state["at"]["index"]
    user(question)
    assert (user.at, user.state["at"]["index"]) != place
    assert question in str(user.state["answers"])
