"""Typed text at a free-text step: which steps take it, and when it is put as a question."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from dialogues import reads_as_question, takes_typed_answer


@pytest.mark.parametrize(
    "text",
    [
        "what is a theory of change?",
        "How do we scale",
        "can we get tips on funding",
        "define wicked problem",
        "funding?",
    ],
)
def test_a_question_word_first_or_a_question_mark_reads_as_a_question(text):
    assert reads_as_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "We help older people stay at home",
        "",
        "   ",
        "?!",
        "Whatever works",
        "Help with commissioning",
    ],
)
def test_an_ordinary_answer_does_not(text):
    assert not reads_as_question(text)


def test_ask_steps_and_series_of_asks_take_typed_answers():
    assert takes_typed_answer(SimpleNamespace(kind="ask", input=None))
    assert takes_typed_answer(SimpleNamespace(kind="series", input="ask"))
    assert not takes_typed_answer(SimpleNamespace(kind="series", input="choose"))
    assert not takes_typed_answer(SimpleNamespace(kind="choose", input=None))
    assert not takes_typed_answer(None)
