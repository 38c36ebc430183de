"""The flow language's code side: each journey as one value, and the registry of them all.

A flow's YAML says which steps there are; a result step names a `compute`, code that decides
what to say and where to go next. A `Journey` bundles that code with everything `check` needs
to know about it: the texts and labels it reads from its flow's YAML and every step it can jump
to. The registry is handed to the loader, which checks the YAML against it, and travels with the
loaded dialogues to the engine, so the engine only ever runs code that was checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dialogues._conversation import Conversation

Compute = Callable[["Conversation"], None]
# Shows page n (from 1) of what a journey keeps; False when there is no such page.
Pager = Callable[["Conversation", int], bool]


@dataclass(frozen=True)
class Jump:
    """A place a journey's code can send the user: a flow's start, or one of its entry steps."""

    flow: str
    step: str | None = None

    def __str__(self) -> str:
        return f"{self.flow}.{self.step}" if self.step else self.flow


@dataclass(frozen=True)
class Journey:
    """One journey's code: its computes by name, the texts and labels they use, their jumps.

    `texts` maps each text name in the flow's `texts` to the placeholders it may use;
    `labels` names the flow's `labels` the code reads; `jumps` is every `Jump` the code goes to
    or puts on a button. A compute may serve several flows (consent: the welcome and privacy);
    each flow with a step running it then needs those texts and labels. `pages`, if given,
    shows a page of what the journey keeps, for the buttons that move between them.
    """

    name: str
    computes: Mapping[str, Compute]
    texts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    labels: tuple[str, ...] = ()
    jumps: tuple[Jump, ...] = ()
    pages: Pager | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "computes", MappingProxyType(dict(self.computes)))
        texts = {name: tuple(values) for name, values in self.texts.items()}
        object.__setattr__(self, "texts", MappingProxyType(texts))


class Registry:
    """Every journey, by the compute names the YAML uses; each name belongs to one journey."""

    def __init__(self, journeys: Iterable[Journey], jumps: Iterable[Jump] = ()):
        self.journeys: tuple[Journey, ...] = tuple(journeys)
        self._by_compute: dict[str, Journey] = {}
        for journey in self.journeys:
            for name in journey.computes:
                if name in self._by_compute:
                    other = self._by_compute[name].name
                    raise ValueError(f"compute {name!r} is in both {other} and {journey.name}")
                self._by_compute[name] = journey
        # Jumps made by code outside the journeys (cards, answers): checked the same way.
        self.other_jumps: tuple[Jump, ...] = tuple(jumps)

    @property
    def compute_names(self) -> frozenset[str]:
        """Every name a result step's `compute` may give."""
        return frozenset(self._by_compute)

    def journey_of(self, compute: str) -> Journey | None:
        """The journey whose code runs `compute`, if any."""
        return self._by_compute.get(compute)

    def pager(self, name: str) -> Pager | None:
        """What shows the pages of the journey called `name`, if it has pages."""
        journey = next((j for j in self.journeys if j.name == name), None)
        return journey.pages if journey else None

    def compute(self, name: str) -> Compute:
        """The function that runs a result step with `compute: name`."""
        return self._by_compute[name].computes[name]

    def jumps(self) -> Iterable[tuple[str, Jump]]:
        """(who, jump) for every jump any code can make."""
        for journey in self.journeys:
            for jump in journey.jumps:
                yield journey.name, jump
        for jump in self.other_jumps:
            yield "engine", jump
