"""Triage that fits the person: the role chooses the questions, the wording and the advice."""

from __future__ import annotations

import itertools

import pytest

from dialogues import AssessmentDone

# The questions each role is asked after "Which best describes you?", as (step, its options).
PATHS = {
    "[Innovator or provider]": ["stage", "kind", "scope", "hardest"],
    "[Something else]": ["stage", "kind", "scope", "hardest"],
    "[Commissioner or funder]": ["aim", "hardest-system"],
    "[Policy or strategy]": ["aim", "hardest-system"],
    "[I use services or I'm a carer]": ["part", "hardest-person"],
}


def _steps_seen(user, role: str) -> list[str]:
    user("/triage", role)
    seen = []
    while user.at[0] == "triage":
        seen.append(user.at[1])
        step = user.engine.dialogues.flows["triage"].steps[user.at[1]]
        user(f"[{step.options[0].label}]" if step.options else "[Skip]")
    return seen


@pytest.mark.parametrize("role", sorted(PATHS))
def test_the_role_chooses_the_questions(user, role):
    assert _steps_seen(user, role) == PATHS[role]


def _result(user, role: str, answers: dict[str, int], hardest: str = "") -> AssessmentDone:
    user("/triage", role)
    flow = user.engine.dialogues.flows["triage"]
    while user.at[0] == "triage":
        step = flow.steps[user.at[1]]
        if step.options:
            user(f"[{step.options[answers.get(step.key, 0)].label}]")
        else:
            user(hardest or "[Skip]")
    (done,) = user.effects_of(AssessmentDone)
    return done


@pytest.mark.parametrize("role", sorted(PATHS))
def test_every_question_asked_changes_something(user, role):
    """For each question on a role's path, with the other answers set somehow (first, last or
    middle options), some two of its answers give different frameworks or things to watch."""
    flow = user.engine.dialogues.flows["triage"]
    asked = [flow.steps[s] for s in PATHS[role] if flow.steps[s].options]
    for step in asked:
        outcomes = set()
        for pick in (lambda n: 0, lambda n: n - 1, lambda n: n // 2):
            base = {other.key: pick(len(other.options)) for other in asked}
            for n in range(len(step.options)):
                done = _result(user, role, base | {step.key: n})
                outcomes.add((pick, tuple(done.result["frameworks"]), tuple(done.result["watch"])))
        by_base = {}
        for pick, *result in outcomes:
            by_base.setdefault(pick, set()).add(tuple(map(tuple, result)))
        assert any(len(r) > 1 for r in by_base.values()), f"{role}: {step.key} changes nothing"


def test_no_step_of_the_flow_goes_unused_by_the_rules(engine):
    """Each answer key a question keeps is read by at least one rule (or is the free text)."""
    flow = engine.dialogues.flows["triage"]
    used = {key for rule in flow.rules for key in rule.when}
    kept = {s.key for s in flow.steps.values() if s.kind == "choose" and s.key != "role"}
    assert kept <= used
    assert "field" not in {s.key for s in flow.steps.values()}  # it changed nothing: gone


def test_a_carer_is_asked_about_taking_part_and_gets_no_advice_for_funders(user):
    assert (
        "How would you like to take part?" in user("/triage", "[I use services or I'm a carer]")[0]
    )
    done = _result(user, "[I use services or I'm a carer]", {"part": 0})
    text = user.text
    assert "Taking part" in text and "co-production" in text.lower()
    assert done.result["frameworks"] == []  # nothing to plan or fund with
    for word in ("commissioner", "funder", "What fits your innovation", "your levers"):
        assert word.lower() not in text.lower().replace("commissioners)", ""), word
    assert "Talk to the network team" in user.labels


def test_a_commissioner_gets_the_levers(user):
    done = _result(user, "[Commissioner or funder]", {"aim": 0})
    assert "where your levers are" in user.text
    assert {"commissioning", "risk-aversion"} <= set(done.result["watch"])
    done = _result(user, "[Commissioner or funder]", {"aim": 2})
    assert done.result["frameworks"][0] == "nhs-large-scale-change"
    assert "policy-levers" in done.result["watch"]


def test_a_shared_lives_scheme_spreading_to_a_second_area_is_offered_sips(user):
    stage = ["idea", "pilot", "growing", "spreading", "sustaining"].index("spreading")
    done = _result(
        user,
        "[Innovator or provider]",
        {"stage": stage, "kind": 2, "scope": 2},
        "Recruiting enough carers in the new area",
    )
    assert done.result["frameworks"][0] == "sips"
    assert "passing what was learned in one place on to the next site" in user.text


def test_things_to_watch_start_from_what_they_said_was_hardest(user):
    done = _result(
        user,
        "[Innovator or provider]",
        {"stage": 0, "kind": 0, "scope": 0},
        "the kit is fiddly and the wifi keeps dropping",
    )
    assert done.result["watch"][0] == "complexity"  # not staff turnover
    assert "the kit is fiddly" in user.text
    done = _result(user, "[Innovator or provider]", {}, "we cannot recruit or keep staff")
    assert done.result["watch"][0] == "workforce"


def test_a_word_of_another_topic_in_what_was_hardest_does_not_lead(user):
    # "staff" is a word of staff turnover, but the message is about the kit (a way of working,
    # so no technology rule adds turnover either).
    done = _result(
        user,
        "[Innovator or provider]",
        {"stage": 0, "kind": 2, "scope": 0},
        "the care home staff say the remote monitoring kit is too fiddly",
    )
    assert done.result["watch"][0] == "complexity"
    assert "workforce" not in done.result["watch"]


@pytest.mark.parametrize("role", sorted(PATHS))
def test_every_role_and_answer_gives_a_result_that_fits_a_phone(user, role):
    from dialogues.screens import fits

    flow = user.engine.dialogues.flows["triage"]
    choices = [range(len(flow.steps[s].options)) for s in PATHS[role] if flow.steps[s].options]
    keys = [flow.steps[s].key for s in PATHS[role] if flow.steps[s].options]
    for combo in itertools.islice(itertools.product(*choices), 0, None, 3):
        _result(user, role, dict(zip(keys, combo, strict=True)), "staff keep leaving " * 3)
        assert fits(user.replies[-1].text), user.replies[-1].text


@pytest.mark.parametrize("role", sorted(PATHS))
def test_every_answer_leaves_topics_below_the_result(user, role):
    """The result names its topics once, as the buttons under it: there are always some."""
    flow = user.engine.dialogues.flows["triage"]
    asked = [flow.steps[s] for s in PATHS[role] if flow.steps[s].options]
    for picks in itertools.product(*(range(len(step.options)) for step in asked)):
        done = _result(user, role, {s.key: n for s, n in zip(asked, picks, strict=True)})
        assert done.result["watch"], (role, picks)
        assert "the topics below" in user.text
        titles = {user.engine.kb.factors[w].short_title for w in done.result["watch"]}
        assert titles <= set(user.labels)
        assert not any(f"• {title}" in user.text for title in titles)  # named once, not twice
