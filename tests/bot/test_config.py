"""One owner of the environment: bot.config reads the contract, the engine is handed its part."""

from __future__ import annotations

from pathlib import Path

from bot.config import DEFAULT_DB, Settings
from dialogues import EngineSettings
from storage.review import _serve as review


def test_the_engine_is_handed_what_the_environment_says():
    settings = Settings.from_env(
        {"RETENTION_DAYS": "30", "THREAD_QUIET_HOURS": "6", "STAFF_CHAT_ID": "-100"}
    )
    expected = EngineSettings(retention_days=30, thread_quiet_hours=6, staff_chat=True)
    assert settings.engine_settings() == expected


def test_the_defaults_are_written_once():
    assert Settings.from_env({}).engine_settings() == EngineSettings()


def test_the_review_reads_the_same_database_variable_with_the_same_default():
    variable = review.DB_VARIABLE
    assert Settings.from_env({variable: "elsewhere/bot.db"}).db_path == Path("elsewhere/bot.db")
    assert review.DEFAULT_DB == DEFAULT_DB == Path("data/bot.db")
