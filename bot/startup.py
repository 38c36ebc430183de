"""Putting the pieces together from the settings: content, engine, store, advisor."""

from __future__ import annotations

import logging
import sys

from bot.config import Settings
from bot.service import Advisor
from bot.staff import StaffDesk, StaffPosts
from dialogues import Engine
from knowledge import ContentError
from storage import StorageError, Store

logger = logging.getLogger(__name__)


class StartupError(Exception):
    """The bot cannot start; the message says why in one line."""


def make_advisor(settings: Settings) -> Advisor:
    """Load and check the content, open the database, apply retention, build the advisor."""
    try:
        engine = Engine.load(settings.engine_settings())
    except ContentError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        raise StartupError(
            f"the content has {len(error.problems)} problem(s); run: python -m bot check"
        ) from None
    try:
        store = Store.open(settings.db_path)
    except StorageError as error:
        raise StartupError(str(error)) from None
    purged = store.purge(settings.retention_days)
    if any(purged.values()):
        logger.info("retention: purged %s", {k: v for k, v in purged.items() if v})
    posts = StaffPosts(
        store, engine.dialogues, staff_chat(settings, store), settings.thread_quiet_hours
    )
    return Advisor(engine, store, staff_chat=posts)


def make_desk(settings: Settings, advisor: Advisor) -> StaffDesk:
    """The staff desk over the advisor, with the staff and their names from the settings."""
    posts = advisor.staff_chat or StaffPosts(
        advisor.store, advisor.engine.dialogues, staff_chat(settings, advisor.store)
    )
    return StaffDesk(advisor, posts, settings.staff_user_ids, settings.staff_names)


def staff_chat(settings: Settings, store: Store) -> int | None:
    """The staff chat's id: STAFF_CHAT_ID, followed to where Telegram moved it (kept in the
    database), so a group upgraded to a supergroup keeps its notices without a new setting."""
    if settings.staff_chat_id is None:
        return None
    now = store.chat_now(settings.staff_chat_id)
    if now != settings.staff_chat_id:
        logger.info("the staff chat %s moved to %s; posting there", settings.staff_chat_id, now)
    return now
