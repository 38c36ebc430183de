"""The engine end to end with the real YAML: navigation, consent, asides, stale buttons."""

from __future__ import annotations

import pytest

from dialogues import (
    Button,
    ConsentGiven,
    Context,
    ForgetMe,
    Matched,
    Text,
    Unsupported,
    plain,
)
from dialogues._state import STATE_VERSION
from dialogues.actions import Navigate, Open, Topic, encode
from tests.conftest import NOW


def test_first_contact_explains_what_is_kept_and_asks_for_consent(talk):
    talk("/start")
    assert "What I keep" in talk.text
    assert "/forget" in talk.text
    assert "365 days" in talk.text
    assert talk.at == ("welcome", "consent")
    assert any("keep my messages" in label for label in talk.labels)


def test_choosing_to_keep_messages_records_consent_and_shows_the_menu(talk):
    talk("/start", "[OK, keep my messages]")
    assert list(talk.effects_of(ConsentGiven)) == [ConsentGiven(True)]
    assert "What would you like to do?" in talk.text
    assert talk.at == ("menu", "menu")


def test_declining_still_gives_the_full_service(talk):
    talk("/start", "[Don't keep my messages]")
    assert list(talk.effects_of(ConsentGiven)) == [ConsentGiven(False)]
    talk("/readiness")
    assert "Readiness check" in talk.text


def test_nothing_else_works_until_the_user_has_chosen(talk):
    talk("/start", "/triage")
    assert talk.at == ("welcome", "consent")
    for action in (Navigate("menu"), Navigate("back"), Open("readiness"), Topic("workforce")):
        talk.send(Button(encode(action)))  # buttons of an old chat
        assert talk.at == ("welcome", "consent")
        assert "What I keep" in talk.text


def test_the_consent_screen_has_no_back_or_menu(talk):
    talk("/start")
    assert "« Back" not in talk.labels and "☰ Menu" not in talk.labels
    talk("[More about privacy]")
    assert talk.labels == ["Back to the choice"]


def test_privacy_before_consent_leads_back_to_the_choice_not_the_menu(talk):
    talk("/privacy")
    assert "Your privacy" in talk.text
    talk("[Back]")
    assert talk.at == ("welcome", "consent") and "What I keep" in talk.text
    talk("/privacy", "[Menu]")
    assert talk.at == ("welcome", "consent")


@pytest.mark.parametrize("choice", ["[OK, keep my messages]", "[Don't keep my messages]"])
def test_a_journey_asked_for_before_consent_starts_once_they_have_chosen(talk, choice):
    talk("/triage")
    assert talk.at == ("welcome", "consent")
    talk(choice)
    assert len(list(talk.effects_of(ConsentGiven))) == 1
    assert talk.at == ("triage", "role")
    assert "Which best describes you?" in talk.text
    assert talk.state["pending_command"] is None


def test_only_the_last_thing_asked_before_consent_is_done(talk):
    talk("/nasss", "how do we evidence our outcomes?", "/readiness")
    talk("[OK, keep my messages]")
    assert talk.at == ("readiness", "intro")
    assert not [e for e in talk.effects if isinstance(e, Matched)]
    talk2 = type(talk)(talk.engine)
    talk2("/readiness", "how do we evidence our outcomes?", "[OK, keep my messages]")
    assert talk2.at != ("readiness", "intro")
    assert any(e.ids[0] == "evidence" for e in talk2.effects if isinstance(e, Matched))


def test_menu_or_start_before_consent_leaves_nothing_to_do_after_it(talk):
    talk("/menu", "/start", "[OK, keep my messages]")
    assert talk.at == ("menu", "menu")
    assert "What would you like to do?" in talk.text


def test_a_question_asked_before_consent_is_answered_after_it(talk):
    talk("how do we evidence our outcomes?")
    assert talk.at == ("welcome", "consent")
    talk("[keep my messages]")
    assert talk.state["pending"] is None
    assert [e.ids[0] for e in talk.effects if isinstance(e, Matched)] == ["evidence"]
    assert "Evidence that it works" in talk.text


def test_typing_a_button_label_counts_as_pressing_it(talk):
    talk("/start", "OK, keep my messages")
    assert talk.at == ("menu", "menu")


def test_a_number_typed_on_a_card_picks_that_cards_button_not_the_menus(user):
    user("how do we recruit and keep care staff?")
    assert user.labels[1] == "What to do"
    user("2")  # on Telegram the card's buttons carry no numbers; the terminal numbers them so
    assert "what to do" in user.text and user.at == ("menu", "menu")


def test_a_label_typed_on_a_card_or_a_near_spelling_of_it_presses_that_button(user):
    for typed in ("What to do", "waht to do"):
        user("how do we recruit and keep care staff?", typed)
        assert "what to do" in user.text, typed
    user("menu")
    assert user.at == ("menu", "menu") and "What would you like to do?" in user.text


def test_a_number_beyond_the_buttons_shown_is_taken_as_text(user):
    user("how do we recruit and keep care staff?", "42")
    assert user.at == ("menu", "menu") and "couldn't find" in user.text


def test_privacy_detail_is_reachable_from_the_welcome_and_back(talk):
    talk("/start", "[More about privacy]")
    assert "Nothing is sold" in talk.text
    talk("[Back to the choice]")
    assert talk.at == ("welcome", "consent")


def test_every_prompt_has_back_and_menu(user):
    user("/triage")
    assert "« Back" in user.labels and "☰ Menu" in user.labels


def test_back_returns_to_the_previous_question_with_answers_kept(user):
    user("/triage", "[Innovator]", "[Piloting]")
    assert user.at == ("triage", "kind")
    user("[Back]")
    assert user.at == ("triage", "stage")
    assert user.state["answers"]["role"] == "innovator"


def test_back_from_the_first_step_goes_to_the_menu(user):
    user("/triage", "[Back]")
    assert user.at == ("menu", "menu")


def test_menu_and_restart_work_anywhere(user):
    user("/readiness", "[Start]", "[Yes]")
    user("[Menu]")
    assert user.at == ("menu", "menu")
    user("/readiness", "[Start]", "/restart")
    assert user.at == ("menu", "menu")
    assert "starting again" in user.text


def test_a_stale_button_says_it_has_expired_and_shows_the_current_step(user):
    user("/triage", "[Innovator]")
    old = user.button("Piloting")
    user("[Piloting]", "[Back]", "[Back]")
    assert user.at == ("triage", "role")
    user.send(Button(old))
    assert "expired" in user.text
    assert "Which best describes you" in user.text
    assert user.at == ("triage", "role")


def test_a_forged_button_is_treated_as_expired(user):
    for data in ("s:999:0", "s:abc", "t:not-a-topic", "zzz", "", "fb:evidence:7", "f:nope"):
        user.send(Button(data))
        assert "expired" in user.text, data


def test_a_question_in_the_middle_of_a_choice_step_keeps_the_users_place(user):
    user("/readiness", "[Start]", "[Yes]")
    place = user.at, user.state["at"]["index"]
    user("what is double running?")
    assert (user.at, user.state["at"]["index"]) == place
    assert "Back to" in user.text
    assert "2 of 7" in user.text


def test_unknown_commands_get_a_friendly_answer(user):
    user("/frobnicate")
    assert "don't know /frobnicate" in user.text
    assert "Help" in user.labels


def test_unsupported_messages_get_a_helpful_reply_and_the_place_is_kept(user):
    user("/nasss", "[Start]")
    answers = user.engine.dialogues.messages.unsupported
    for what in ("sticker", "photo", "voice", "location", "contact", "document", "edited", "other"):
        user.send(Unsupported(what))
        assert user.texts[0] == plain(answers[what]), what  # each kind gets its own answer
        assert user.at == ("nasss", "rate")
        assert "1 of 7" in user.text  # and the question is asked again


def test_help_lists_the_commands(user):
    user("/help")
    for command in ("/triage", "/readiness", "/nasss", "/sips", "/team", "/forget", "/plan"):
        assert command in user.text


def test_forget_asks_first_then_erases_and_starts_afresh(user):
    user("/forget")
    assert "can't be undone" in user.text
    user("[No, keep it]")
    assert user.at == ("menu", "menu")
    assert not list(user.effects_of(ForgetMe))
    user("/forget", "[Yes, erase everything]")
    assert list(user.effects_of(ForgetMe)) == [ForgetMe()]
    assert user.state["consent"] is None
    user("hello")
    assert user.at == ("welcome", "consent")


def test_a_state_from_an_older_version_resumes_at_the_menu_with_an_apology(talk, engine):
    old = {"v": STATE_VERSION - 1, "consent": True, "at": {"flow": "gone", "step": "gone"}}
    turn = engine.handle(old, Text("hello"), Context(NOW))
    assert "Sorry" in turn.replies[0].text
    assert turn.state.at.flow == "menu"
    assert turn.state.consent is True


def test_a_state_naming_a_step_that_no_longer_exists_resumes_at_the_menu(user, engine):
    broken = dict(user.state, at={"flow": "triage", "step": "removed-step", "index": 0})
    turn = engine.handle(broken, Button("s:1:0"), Context(NOW))
    assert turn.state.at.flow == "menu"
    assert "changed since you were last here" in turn.replies[0].text


def test_garbage_state_is_treated_as_a_new_user(engine):
    turn = engine.handle({"v": "x", "at": 3}, Text("hi"), Context(NOW))
    assert turn.state.at.flow == "welcome"


def test_empty_text_gets_a_prompt(user):
    user("   ")
    assert "Type a question" in user.text


def test_state_survives_a_json_round_trip_at_every_step(user):
    import json

    for item in ("/sips", "[Start]", "our idea", "[Skip]", "/browse", "[Glossary]"):
        user(item)
        assert json.loads(json.dumps(user.state)) == user.state


def test_commands_for_the_telegram_menu_have_descriptions(engine):
    commands = dict(engine.commands())
    for name in ("triage", "readiness", "nasss", "sips", "team", "plan", "forget", "privacy"):
        assert 3 <= len(commands[name]) <= 80


def test_a_question_at_a_free_text_step_counts_the_one_topic_it_answers(talk):
    """Answered briefly in the middle of a journey, a question is one topic raised (the one
    shown), not every candidate the matcher weighed (the review's topic counts read this)."""
    talk("/start", "[OK, keep my messages]", "/sips", "[Start]")
    assert talk.at == ("sips", "questions")
    talk("how can we evidence outcomes to get funding?")  # evidence first, funding close
    assert [e.ids for e in talk.effects if isinstance(e, Matched)] == [("evidence",)]
    assert talk.texts[0].startswith("Evidence of what works")  # the one shown
    assert talk.at == ("sips", "questions")
