"""What the state may hold for someone whose messages are not kept: no words they typed.

Their typed answers live in the state only while the journey that asked for them runs (finish
and the menu drop the journey's answers). What outlives the journey is the results list, used
for "what changed" and the plan: for them, results keep the choices made with buttons but not
the words typed, nor any text quoting them. A SIPS record is the exception: filling it in is
asking the bot to save it (the consent text says so), and /forget erases it.
"""

from __future__ import annotations

from typing import Any

from dialogues._content import Dialogues, FlowSpec
from dialogues._state import State

# Results kept whole whatever the consent: the user asked for them to be saved.
SAVED_ON_REQUEST = frozenset({"sips"})
PROBE_CHARS = 24  # this much of a typed answer marks a text that quotes it (quotes are shortened)


def drop_typed_text(state: State, dialogues: Dialogues) -> None:
    """Take every typed answer, and every text quoting one, out of the state's results."""
    for kind, records in state.results.items():
        flow = dialogues.flows.get(kind)
        if kind in SAVED_ON_REQUEST or flow is None:
            continue
        keys = _typed_keys(flow)
        for n, record in enumerate(records):
            typed = [text for key in keys for text in _texts(record.answers.get(key))]
            if typed:
                records[n] = record.model_copy(
                    update={
                        "answers": {
                            k: _emptied(v) if k in keys else v for k, v in record.answers.items()
                        },
                        "result": _without(record.result, [_probe(t) for t in typed]),
                    }
                )


def _typed_keys(flow: FlowSpec) -> set[str]:
    """The answer keys of a flow's steps that take typed text."""
    return {
        step.key
        for step in flow.steps.values()
        if step.key and (step.kind == "ask" or (step.kind == "series" and step.input == "ask"))
    }


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() and value != "skip" else []
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    return []


def _emptied(value: Any) -> Any:
    return {} if isinstance(value, dict) else ""


def _probe(text: str) -> str:
    return " ".join(text.split())[:PROBE_CHARS]


def _without(value: Any, probes: list[str]) -> Any:
    """The value with every string that contains a probe left out (lists) or emptied."""
    if isinstance(value, str):
        return "" if any(p and p in " ".join(value.split()) for p in probes) else value
    if isinstance(value, dict):
        return {k: _without(v, probes) for k, v in value.items()}
    if isinstance(value, list):
        kept = [_without(item, probes) for item in value]
        return [item for item, old in zip(kept, value, strict=True) if item != "" or old == ""]
    return value
