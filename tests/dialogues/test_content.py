"""Broken copies of the dialogue YAML: `check` names the file, the flow and the field."""

from __future__ import annotations

import pytest

from tests.content_copy import ContentCopy

TRIAGE = "dialogues/flows/triage.yaml"
READINESS = "dialogues/flows/readiness.yaml"
MESSAGES = "dialogues/messages.yaml"


@pytest.fixture
def copy(tmp_path) -> ContentCopy:
    return ContentCopy.make(tmp_path)


def problems_after(copy, capsys, path: str, old: str, new: str) -> list[str]:
    copy.edit(path, old, new)
    code, problems = copy.check(capsys)
    assert code == 1
    return problems


def test_a_next_that_does_not_exist(copy, capsys):
    problems = problems_after(copy, capsys, TRIAGE, "    next: kind\n", "    next: knid\n")
    assert f"{TRIAGE}: triage: steps.stage.next: no step 'knid' in this flow" in problems


def test_a_step_that_cannot_be_reached(copy, capsys):
    problems = problems_after(copy, capsys, TRIAGE, "    next: hardest\n", "    next: result\n")
    assert f"{TRIAGE}: triage: steps.hardest: cannot be reached from the start" in problems
    assert not any("steps.hardest-person" in p for p in problems)


def test_a_rule_naming_a_framework_that_does_not_exist(copy, capsys):
    problems = problems_after(copy, capsys, TRIAGE, "recommend: nasss\n", "recommend: nass\n")
    assert f"{TRIAGE}: triage: rules.1.recommend: no framework 'nass'" in problems


def test_a_rule_naming_an_answer_that_no_option_gives(copy, capsys):
    problems = problems_after(copy, capsys, TRIAGE, "{kind: [technology]}", "{kind: [tech]}")
    assert f"{TRIAGE}: triage: rules.1.when.kind: no option 'tech'" in problems


def test_a_watch_naming_a_factor_that_does_not_exist(copy, capsys):
    old = "watch: [complexity, workforce]"
    problems = problems_after(copy, capsys, TRIAGE, old, "watch: [complexity, staff]")
    assert f"{TRIAGE}: triage: rules.1.watch: no factor 'staff'" in problems


def test_a_missing_question_for_a_key_factor(copy, capsys):
    problems = problems_after(copy, capsys, READINESS, "  workforce: ", "  workforse: ")
    assert f"{READINESS}: readiness: questions.workforce: missing question" in problems
    assert f"{READINESS}: readiness: questions.workforse: not a key factor's first id" in problems


def test_an_unknown_placeholder_in_a_text(copy, capsys):
    old = 'profile_line: "• {title}: <b>{level}</b>"'
    problems = problems_after(copy, capsys, READINESS, old, 'profile_line: "{titel}"')
    assert f"{READINESS}: readiness: texts.profile_line: unknown placeholder {{titel}}" in problems


def test_markup_telegram_would_refuse(copy, capsys):
    problems = problems_after(
        copy, capsys, MESSAGES, 'welcome_back: "Welcome back."', 'welcome_back: "<b>Welcome & back"'
    )
    assert f"{MESSAGES}: texts: welcome_back: a bare '&' (write &amp;)" in problems
    assert f"{MESSAGES}: texts: welcome_back: unclosed tag <b>" in problems


def test_a_missing_shared_text(copy, capsys):
    problems = problems_after(copy, capsys, MESSAGES, '  expired: "', '  expird: "')
    assert f"{MESSAGES}: texts: expired: required text is missing" in problems


def test_a_missing_flow_text(copy, capsys):
    problems = problems_after(copy, capsys, READINESS, "  all_green:", "  all_gren:")
    assert f"{READINESS}: readiness: texts.all_green: required text is missing" in problems
    assert f"{READINESS}: readiness: texts.all_gren: not used by this flow (misspelt?)" in problems


def test_a_button_label_too_long_for_a_phone(copy, capsys):
    old = '{value: innovator, label: "Innovator or provider", next: stage}'
    new = '{value: innovator, label: "' + "x" * 60 + '", next: stage}'
    problems = problems_after(copy, capsys, TRIAGE, old, new)
    assert any(p.startswith(f"{TRIAGE}: triage: steps.role.options.1.label:") for p in problems)


def test_a_choose_step_without_options_or_key(copy, capsys):
    problems = problems_after(copy, capsys, TRIAGE, "    key: role\n", "")
    assert any(p.startswith(f"{TRIAGE}: triage: steps.role.key") for p in problems)


def test_two_flows_claiming_one_command(copy, capsys):
    problems = problems_after(copy, capsys, READINESS, "command: readiness", "command: triage")
    assert any("command: also used by" in p for p in problems)
