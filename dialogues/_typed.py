"""Typed text at a step that takes typed answers: the step kind, and whether it reads as a question.

One owner for both, used by the engine (answer a question typed at such a step) and by
`python -m bot misses` (text typed there that is not put as a question is an answer, not a miss).
"""

from __future__ import annotations

from knowledge import normalise

# A message starting with one of these, or ending with "?", is put as a question.
QUESTION_WORDS = frozenset(
    [
        "what",
        "whats",
        "how",
        "why",
        "who",
        "where",
        "when",
        "which",
        "can",
        "could",
        "should",
        "is",
        "are",
        "do",
        "does",
        "define",
    ]
)


def takes_typed_answer(step) -> bool:
    """Whether a step takes typed text as its answer (an `ask`, or a series of asks)."""
    return step is not None and (
        step.kind == "ask" or (step.kind == "series" and step.input == "ask")
    )


def reads_as_question(text: str) -> bool:
    """Whether typed text is put as a question: a question mark at the end, or a question word
    first."""
    typed = normalise(text).split()
    return bool(typed) and (text.rstrip().endswith("?") or typed[0] in QUESTION_WORDS)
