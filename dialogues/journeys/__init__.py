"""Every journey's code, one module each, and the registry that hands them to loader and engine."""

from __future__ import annotations

from dialogues._asking import ASKING_JUMPS
from dialogues._cards import CARD_JUMPS
from dialogues._registry import Journey, Jump, Registry
from dialogues._routing import ROUTING_JUMPS
from dialogues.journeys import consent, forget, nasss, plan, readiness, sips, team, triage

JOURNEYS = Registry(
    (
        consent.JOURNEY,
        forget.JOURNEY,
        triage.JOURNEY,
        readiness.JOURNEY,
        nasss.JOURNEY,
        sips.JOURNEY,
        team.JOURNEY,
        plan.JOURNEY,
    ),
    jumps=(*CARD_JUMPS, *ASKING_JUMPS, *ROUTING_JUMPS),
)

__all__ = ["JOURNEYS", "Journey", "Jump", "Registry"]
