"""Keeping what people give: answers saved as given, carry on or start again, Back shows them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dialogues import AssessmentDone, Button, FollowUpRequested
from dialogues.actions import Answer, encode

# (command, the answers before leaving, the answers that finish it)
JOURNEYS = {
    "readiness": ("/readiness", ["[Yes]", "[No]", "[Partly]"], ["[Yes]"] * 4),
    "nasss": ("/nasss", ["[Simple]", "[Complex]"], ["[Simple]"] * 5),
}


def _sips_total(user) -> int:
    return int(user.text.split("1 of ")[1].split(" ")[0])


@pytest.mark.parametrize("flow", sorted(JOURNEYS))
@pytest.mark.parametrize("leave", ["/menu", "/triage", "how do we find staff?", "/plan"])
def test_leaving_a_check_half_done_and_carrying_on(user, flow, leave):
    command, first, rest = JOURNEYS[flow]
    user(command, "[Start]", *first)
    user(leave)
    user.now += timedelta(hours=3)
    user(command)
    assert f"answered {len(first)} of 7" in user.text
    assert " at 10:00 today and answered" in user.text
    user("[Carry on where you left off]")
    assert f"{len(first) + 1} of 7" in user.text
    user(*rest)
    (done,) = user.effects_of(AssessmentDone)
    assert len(done.answers) == 7
    assert list(done.answers.values())[: len(first)] == [
        a.strip("[]").lower().replace("not sure", "unsure") for a in first
    ]
    assert flow not in user.state["drafts"]  # finished: nothing left to carry on
    user(command)
    assert "Carry on" not in " ".join(user.labels)


@pytest.mark.parametrize("flow", sorted(JOURNEYS))
def test_starting_again_drops_the_half_done_answers(user, flow):
    command, first, _ = JOURNEYS[flow]
    user(command, "[Start]", *first, "/menu", command, "[Start again]")
    assert flow not in user.state["drafts"]
    user("[Start]")
    assert "1 of 7" in user.text


def test_a_sips_record_is_saved_answer_by_answer_and_carried_on(user):
    user("/sips", "[Start]")
    total = _sips_total(user)
    user("A befriending scheme", "[Skip]", "Older people who are lonely", "/menu")
    user("/sips")
    assert f"answered 2 of {total}" in user.text
    user("[Carry on where you left off]")
    assert f"4 of {total}" in user.text
    while user.at == ("sips", "questions"):
        user("[Skip]")
    (done,) = user.effects_of(AssessmentDone)
    assert sorted(done.answers.values()) == ["A befriending scheme", "Older people who are lonely"]


def test_back_after_carrying_on_goes_through_the_questions_already_answered(user):
    user("/sips", "[Start]")
    total = _sips_total(user)
    user("A befriending scheme", "Older people who are lonely", "/menu", "/sips")
    user("[Carry on where you left off]", "[Back]")
    assert f"2 of {total}" in user.text and "You wrote: Older people who are lonely" in user.text
    user("[Back]")
    assert f"1 of {total}" in user.text and "You wrote: A befriending scheme" in user.text


def test_a_half_done_sips_update_carries_on_as_an_update(user):
    user("/sips", "[Start]", "A befriending scheme")
    while user.at == ("sips", "questions"):
        user("[Skip]")
    user("/sips", "[Start]", "[Record what changed]", "We match by interests now", "/menu")
    user("/sips", "[Carry on where you left off]")
    assert user.at == ("sips", "update")
    while user.at == ("sips", "update"):
        user("[Skip]")
    (done,) = user.effects_of(AssessmentDone)
    assert "Before: A befriending scheme" in user.text
    assert "Now: We match by interests now" in user.text
    assert done.answers


def test_back_at_a_typed_answer_shows_it_with_a_button_to_keep_it(user):
    user("/sips", "[Start]", "A befriending scheme", "[Back]")
    assert "You wrote: A befriending scheme" in user.text
    assert "Keep what I wrote" in user.labels
    user("[Keep what I wrote]")
    assert "2 of" in user.text
    user("[Back]", "A home-share scheme instead")
    user("[Back]")
    assert "You wrote: A home-share scheme instead" in user.text


def test_back_to_the_note_for_the_team_shows_what_was_written(user):
    user("/team", "Help with commissioning our scheme", "[Back]")
    assert "You wrote: Help with commissioning our scheme" in user.text
    user("[Keep what I wrote]", "[Message me here]")
    (request,) = user.effects_of(FollowUpRequested)
    assert request.note == "Help with commissioning our scheme"


def test_keep_is_refused_where_nothing_was_written(user):
    user("/sips", "[Start]")
    seq = user.state["seq"]
    user.send(Button(encode(Answer(seq, "keep"))))
    assert "expired" in user.text


def test_the_plan_includes_a_half_done_record_marked_as_such(user):
    user("/readiness", "[Start]", "[Yes]", "[No]", "/menu")
    user("/sips", "[Start]", "A befriending scheme", "/menu")
    user("/plan")
    document = next(r.document for r in user.replies if r.document)
    headings = [s.heading for s in document.sections]
    assert "Your readiness profile (not finished)" in headings
    assert "Your SIPS record (not finished)" in headings
    readiness = document.sections[headings.index("Your readiness profile (not finished)")]
    assert "2 of 7 answered so far" in readiness.paragraphs[0]
    assert [row[1] for row in readiness.table[1:]] == ["Ready", "Not yet"]
    sips = document.sections[headings.index("Your SIPS record (not finished)")]
    assert sips.table[1][1] == "A befriending scheme"


def test_with_nothing_done_or_half_done_the_plan_is_empty(user):
    user("/readiness", "[Start]", "/menu")  # started, nothing answered
    assert user.state["drafts"] == {}
    user("/plan")
    assert "nothing in your plan yet" in user.text


def test_a_check_left_on_another_day_says_on_which(user):
    command, first, _ = JOURNEYS["readiness"]
    user(command, "[Start]", *first, "/menu")
    user.now += timedelta(days=2)
    user(command)
    day = user.now - timedelta(days=2)
    assert f"You started the readiness check on {day.day} {day:%B} and answered" in user.text


def test_the_menu_offers_to_carry_on_a_journey_left_half_done(user):
    user("/sips", "[Start]")
    total = _sips_total(user)
    user("A befriending scheme", "/start")
    assert "↩️ Carry on your SIPS record" in user.labels
    user("[Carry on your SIPS record]")
    assert user.at == ("sips", "questions") and f"2 of {total}" in user.text
    while user.at == ("sips", "questions"):
        user("[Skip]")
    user("/menu")
    assert not any("Carry on" in label for label in user.labels)  # done: nothing to carry on


def test_a_question_answered_before_offers_keep_not_skip_so_nothing_is_wiped(user):
    user("/sips", "[Start]", "A befriending scheme", "Volunteers and staff", "[« Back]")
    assert "You wrote: Volunteers and staff" in user.text
    assert "Keep what I wrote" in user.labels and "Skip this one" not in user.labels
    user("[Keep what I wrote]", "[« Back]")
    assert "You wrote: Volunteers and staff" in user.text
