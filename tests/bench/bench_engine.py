"""Engine step: one event through Engine.handle (state restored from JSON, matcher included)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from dialogues import Button, Command, Context, Engine, Text
from tests.bench._stats import report

NOW = datetime(2026, 3, 3, 10, tzinfo=UTC)
QUESTIONS = [
    line.split("\t")[0]
    for line in (Path(__file__).parents[1] / "data" / "dev-questions.tsv").read_text().splitlines()
    if line and not line.startswith("#")
]


def _press(turn, label: str) -> Button:
    for reply in turn.replies:
        for row in reply.options:
            for option in row:
                if label in option.label:
                    return Button(option.data)
    raise LookupError(label)


def _session(engine: Engine, samples: list[float]) -> None:
    """One visit: consent, questions, a triage, a readiness check, browsing; each step timed."""
    state = None
    script = [
        Command("start"),
        "✅ OK, keep my messages",
        *(Text(q) for q in QUESTIONS[:20]),
        Command("triage"),
        "Innovator",
        "Piloting",
        "technology is central",
        "One organisation",
        Text("we cannot find staff"),
        Command("readiness"),
        "Start",
        *["Yes", "No", "Partly", "Not sure", "Yes", "No", "Yes"],
        Command("browse"),
        "Frameworks",
        Button("t:nasss"),
        Button("p:nasss"),
        Command("menu"),
    ]
    turn = None
    for item in script:
        event = _press(turn, item) if isinstance(item, str) else item
        start = time.perf_counter()
        turn = engine.handle(state, event, Context(NOW))
        state = turn.state.to_json()
        samples.append(time.perf_counter() - start)


def run() -> None:
    """Print the median and p99 of an engine step over many simulated visits."""
    start = time.perf_counter()
    engine = Engine.load()
    print(
        f"{'engine load (YAML, checks, matcher)':44} {(time.perf_counter() - start) * 1e3:8.1f} ms"
    )
    warm: list[float] = []
    _session(engine, warm)
    samples: list[float] = []
    for _ in range(40):
        _session(engine, samples)
    report("engine step (matcher included)", samples, unit="ms", target="median <= 1, p99 <= 5")
