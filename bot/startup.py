"""Putting the pieces together from the settings: content, engine, store, advisor."""

from __future__ import annotations

import logging
import sys

from bot.config import Settings
from bot.service import Advisor
from dialogues import Engine
from dialogues import Settings as EngineSettings
from knowledge import ContentError
from storage import Store

logger = logging.getLogger(__name__)


class StartupError(Exception):
    """The bot cannot start; the message says why in one line."""


def make_advisor(settings: Settings) -> Advisor:
    """Load and check the content, open the database, apply retention, build the advisor."""
    try:
        engine = Engine.load(EngineSettings(retention_days=settings.retention_days))
    except ContentError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        raise StartupError(
            f"the content has {len(error.problems)} problem(s); run: python -m bot check"
        ) from None
    store = Store.open(settings.db_path)
    purged = store.purge(settings.retention_days)
    if any(purged.values()):
        logger.info("retention: purged %s", {k: v for k, v in purged.items() if v})
    return Advisor(engine, store)
