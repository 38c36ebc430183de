"""Cards read right for whoever asks: neutral for anyone, worded for a role where advice differs."""

from __future__ import annotations

import pytest

from dialogues import Button
from dialogues.screens import SCREEN_LINES, phone_lines
from tests.conftest import Talk
from tests.content_copy import ContentCopy

ROLES = {
    "innovator": "Innovator or provider",
    "commissioner": "Commissioner or funder",
    "policy": "Policy or strategy",
    "person": "I use services or I'm a carer",
}


def _triaged(talk: Talk, role: str) -> Talk:
    talk("/triage", f"[{ROLES[role]}]")
    while talk.at[0] == "triage" and talk.at[1] != "result":
        labels = [label for label in talk.labels if label not in ("« Back", "☰ Menu")]
        talk(f"[{labels[0]}]")  # the first option, or "Skip this one"
    return talk


def _card(talk: Talk, topic: str) -> str:
    talk.send(Button(f"t:{topic}"))
    return talk.text


def _do(talk: Talk, topic: str) -> str:
    _card(talk, topic)
    talk("[What to do]")
    return talk.text


def test_someone_who_has_not_said_who_they_are_gets_the_neutral_wording(user):
    for factor in user.engine.kb.factors.values():
        assert factor.actions[0] in _card(user, factor.id), factor.id


def test_a_commissioner_is_not_told_to_involve_commissioners(user):
    _triaged(user, "commissioner")
    text = _do(user, "commissioning")
    assert "Involve commissioners" not in text and "Give commissioners" not in text
    assert "your contracts" in text
    assert "If you fund or commission" not in _do(user, "scale-funding")
    assert "Set aside money for the scaling stage" in user.text


def test_a_provider_is_told_what_to_put_in_their_bids_first(user):
    _triaged(user, "innovator")
    card = _card(user, "scale-funding")
    assert "in your bids" in card and "If you fund or commission" not in card
    assert "Involve commissioners early" in _do(user, "commissioning")


def test_a_carer_is_told_how_to_take_part_not_how_to_design_services(user):
    _triaged(user, "person")
    text = _do(user, "co-production")
    assert "Ask the service, or your council" in text
    assert "network team" in text


def test_policy_people_share_the_commissioners_levers(engine):
    factors = engine.kb.factors
    for factor in factors.values():
        assert factor.actions_for.get("policy") == factor.actions_for.get("commissioner")


def test_no_card_leads_anyone_with_advice_for_someone_else(engine):
    for factor in engine.kb.factors.values():
        for role in (None, *ROLES):
            first = factor.actions_of(role)[0]
            assert not first.startswith(("If you fund", "If you commission")), (factor.id, role)
        # Someone who has not said who they are is not addressed as one kind of person first.
        assert not factor.actions[0].startswith("If you"), factor.id


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_s_cards_and_what_to_do_fit_a_phone(talk, role):
    talk("/start", "[OK, keep my messages]")
    _triaged(talk, role)
    for factor in talk.engine.kb.factors.values():
        _card(talk, factor.id)
        assert phone_lines(talk.replies[0].text) <= SCREEN_LINES, factor.id
        talk("[What to do]")
        for action in factor.actions_of(role):
            assert action in talk.text, (factor.id, role)


def test_the_plan_s_next_steps_are_worded_for_them(user):
    _triaged(user, "commissioner")
    user("/readiness", "[Start]")
    for _ in range(7):
        user("[No]")
    user("/plan")
    document = next(r.document for r in user.history[::-1] if r.document)
    steps = " ".join(b for s in document.sections for b in s.bullets)
    worded = [
        f.actions_for["commissioner"][0]
        for f in user.engine.kb.factors.values()
        if "commissioner" in f.actions_for
    ]
    assert any(action in steps for action in worded), steps
    assert "Ask early what evidence your commissioners" not in steps


def test_a_word_the_card_turns_on_is_one_tap_away_and_leads_back(user):
    _card(user, "scale-funding")
    user("[📖 Double running]")
    assert "Double running" in user.text
    assert "« Funding to scale" in user.labels
    user("[« Funding to scale]")
    assert "Scaling needs money of its own" in user.text


def test_check_names_a_role_the_triage_does_not_ask_about(tmp_path, capsys):
    copy = ContentCopy.make(tmp_path)
    copy.edit(
        "knowledge/data/factors.yaml",
        "    person:\n      - Ask the service what",
        "    carer:\n      - Ask the service what",
    )
    code, problems = copy.check(capsys)
    assert code == 1
    assert any(
        p.startswith("knowledge/data/factors.yaml: evidence: actions_for.carer: no role 'carer'")
        for p in problems
    ), problems


def test_a_word_looked_up_on_its_own_leads_to_the_topics_it_belongs_to(user):
    user("what is double running")
    assert "Keeping the old service going" in user.text
    assert {"Resources", "Funding to scale", "Glossary"} <= set(user.labels)
    user("[Funding to scale]")
    assert "Scaling needs money of its own" in user.text


@pytest.mark.parametrize("role", list(ROLES))
def test_readiness_priorities_are_worded_for_them_and_fit_a_phone(talk, role):
    talk("/start", "[OK, keep my messages]")
    _triaged(talk, role)
    talk("/readiness", "[Start]", *["[No]"] * 7)
    result = next(r for r in talk.replies if "Your priorities" in r.text)
    assert phone_lines(result.text) <= SCREEN_LINES
    kb = talk.engine.kb
    firsts = [kb.factors[g.factors[0]].actions_of(role)[0] for g in kb.key_factors]
    assert sum(action in talk.text for action in firsts) == 3


def test_the_longest_results_come_a_phone_screen_at_a_time(user):
    user("/nasss", "[Start]", *["[Complex]"] * 7)
    user.now = user.now.replace(day=20)
    user("/nasss", "[Start]", *["[Simple]"] * 3, *["[Complicated]"] * 4)
    user("/readiness", "[Start]", *["[No]"] * 7)
    user.now = user.now.replace(day=25)
    user("/readiness", "[Start]", *["[Partly]"] * 7)
    assert "Since 20 March" in user.text and "Your priorities" in user.text
    for reply in user.history:
        assert phone_lines(reply.text) <= SCREEN_LINES, reply.text
