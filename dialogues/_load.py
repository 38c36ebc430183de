"""Loading everything the engine runs on: the knowledge, the dialogue YAML and the journeys."""

from __future__ import annotations

from pathlib import Path

from dialogues._content import DialogueContentError, Dialogues, load_dialogues
from dialogues._registry import Registry
from dialogues.journeys import JOURNEYS
from knowledge import ContentError, KnowledgeBase, Problem, load_knowledge


def load_all(
    root: Path | None = None, journeys: Registry = JOURNEYS
) -> tuple[KnowledgeBase, Dialogues]:
    """Load the knowledge and the dialogues together, reporting every problem in both.

    `root` is a directory laid out like the repository (knowledge/data/, dialogues/); by
    default, the content shipped with the code. `journeys` is the code the flows are checked
    against and run with.
    """
    data_dir = root / "knowledge" / "data" if root else None
    try:
        kb: KnowledgeBase | None = load_knowledge(data_dir)
        knowledge_problems: list[Problem] = []
    except ContentError as error:
        kb, knowledge_problems = None, list(error.problems)
    try:
        dialogues = load_dialogues(kb, journeys, root / "dialogues" if root else None)
    except ContentError as error:
        raise DialogueContentError([*knowledge_problems, *error.problems]) from None
    if kb is None:
        raise DialogueContentError(knowledge_problems)
    return kb, dialogues
