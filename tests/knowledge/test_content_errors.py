"""Content errors as staff read them: plain words, positions from 1, YAML's yes/no explained."""

from __future__ import annotations

import re

import pytest

from knowledge.content import YAML_BOOLEAN, Strict, validate_one
from tests.content_copy import ContentCopy

TRIAGE = "dialogues/flows/triage.yaml"
FACTORS = "knowledge/data/factors.yaml"


@pytest.fixture
def copy(tmp_path) -> ContentCopy:
    return ContentCopy.make(tmp_path)


def test_an_unquoted_yes_where_a_label_was_meant_is_explained(copy, capsys):
    copy.edit(TRIAGE, 'label: "Innovator or provider"', "label: yes")
    code, problems = copy.check(capsys)
    assert code == 1
    assert problems == [f"{TRIAGE}: triage: steps.role.options.1.label: {YAML_BOOLEAN}"]


def test_the_wrong_kind_of_value_is_named_in_plain_words(copy, capsys):
    copy.edit(FACTORS, "  short_title: Evidence of what works\n", "  short_title: 42\n")
    copy.edit(FACTORS, "  level: innovation\n", "  level: outer-space\n")
    copy.edit(
        FACTORS, "  actions:\n    - Record how", "  actions: Record how"
    )  # one text where a list was meant
    code, problems = copy.check(capsys)
    assert code == 1
    assert f"{FACTORS}: evidence: short_title: should be text, found a number" in problems
    assert f"{FACTORS}: evidence: level: should be one of 'innovation' or 'external'" in problems
    assert any(
        p.startswith(f"{FACTORS}: evidence: actions: should be a list (one '- ' line per item)")
        for p in problems
    ), problems


def test_no_message_is_in_pydantics_words_and_no_position_counts_from_0(copy, capsys):
    copy.edit(TRIAGE, "- {value: innovator,", "- {value: Innovator!,")
    copy.edit(TRIAGE, 'label: "Commissioner or funder"', 'label: ""')
    copy.edit(FACTORS, "- id: evidence\n", "- id: evidence\n  weight: heavy\n")
    code, problems = copy.check(capsys)
    assert code == 1 and len(problems) >= 3
    for problem in problems:
        assert not re.search(r"Input should|String should|List should|valid string", problem)
        assert not re.search(r"\.0(\.|:)", problem), problem
    assert f"{TRIAGE}: triage: steps.role.options.2.label: should not be empty" in problems
    assert f"{FACTORS}: evidence: weight: unknown field (misspelt?)" in problems


class Sample(Strict):
    name: str
    count: int
    tags: tuple[str, ...] = ()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": None, "count": 1}, "name", "is empty: write the text after the colon"),
        ({"name": "a", "count": "many"}, "count", "should be a whole number, found text"),
        (
            {"name": "a", "count": 1, "tags": "x"},
            "tags",
            "should be a list (one '- ' line per item), found text",
        ),
        ({"name": "a", "count": 1, "tags": ["x", False]}, "tags.2", YAML_BOOLEAN),
        ({"name": "a"}, "count", "required field is missing"),
    ],
)
def test_each_kind_of_mistake_reads_plainly(data, field, message):
    _, [problem] = validate_one(data, Sample, "file.yaml", "entry")
    assert (problem.field, problem.message) == (field, message)
