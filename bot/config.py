"""Settings read from the environment, validated once at start-up.

This module owns the environment contract of ../shared/design.md (TELEGRAM_BOT_TOKEN, BOT_DB,
STAFF_USER_IDS, ...): nothing else in the bot reads those variables. The dialogue engine reads
no environment at all; it is handed the two values it needs as an EngineSettings, made here
(`Settings.engine_settings()`), whose defaults are also these. The staff review (storage/review,
an extra) reads its own REVIEW_* variables and BOT_DB, with the same default
(tests/bot/test_config.py keeps them equal); the bot's STAFF_CHAT_ID it is handed by
`python -m bot review` (bot/cli/review.py), from here.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from dialogues import EngineSettings

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_DB = Path("data/bot.db")
# A staff name is also their staff-review login (storage/review), so it follows the same rule.
STAFF_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{0,31}$")


class ConfigError(Exception):
    """The environment holds a value the bot cannot use."""


class Settings(BaseModel):
    """What the environment tells the bot; names as in the design's contract."""

    model_config = ConfigDict(frozen=True)

    token: SecretStr | None = None
    api_base_url: str = DEFAULT_API_BASE_URL
    db_path: Path = DEFAULT_DB
    staff_user_ids: frozenset[int] = frozenset()
    staff_names: dict[int, str] = Field(default_factory=dict)  # from "900001:sam,900002:asha"
    staff_chat_id: int | None = None
    retention_days: int = Field(EngineSettings.retention_days, ge=1)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    port: int = Field(8443, ge=1, le=65535)
    # Webhook mode listens on every interface by default: platforms that run the Procfile route
    # outside traffic to the container's own address. 127.0.0.1 behind a proxy on the machine.
    listen_address: str = "0.0.0.0"
    rate_limit: bool = True
    log_level: str = "INFO"
    thread_quiet_hours: int = Field(EngineSettings.thread_quiet_hours, ge=1, le=24 * 90)

    @field_validator("staff_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part.partition(":")[0]) for part in _staff_entries(value))
        return value

    @field_validator("listen_address")
    @classmethod
    def _address(cls, value: str) -> str:
        try:
            return str(ipaddress.ip_address(value.strip()))
        except ValueError:
            raise ValueError("must be an IP address, e.g. 0.0.0.0 or 127.0.0.1") from None

    @field_validator("staff_names", mode="before")
    @classmethod
    def _split_names(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        names = {}
        for entry in _staff_entries(value):
            number, _, name = entry.partition(":")
            if name and not STAFF_NAME.match(name):
                raise ValueError(
                    f"{name!r} is not a staff name (lower-case letters, digits, '.' and '-',"
                    " as their review login)"
                )
            if name:
                names[int(number)] = name
        return names

    def engine_settings(self) -> EngineSettings:
        """What the dialogue engine is told of how the service runs."""
        return EngineSettings(
            retention_days=self.retention_days,
            thread_quiet_hours=self.thread_quiet_hours,
            staff_chat=self.staff_chat_id is not None,
        )

    def staff_name(self, user_id: int) -> str:
        """A member of staff's name: from STAFF_USER_IDS, else their Telegram id."""
        return self.staff_names.get(user_id) or str(user_id)

    @field_validator("rate_limit", mode="before")
    @classmethod
    def _on_off(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip().lower() not in {"off", "0", "false", "no"}
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value

    @property
    def api_file_url(self) -> str:
        """The file download base: Telegram's convention is /file/bot beside /bot."""
        base = self.api_base_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("bot")] + "file/bot"
        return base + "/file/bot"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings; raise ConfigError naming the variable that is wrong."""
        env = os.environ if environ is None else environ
        names = {
            "TELEGRAM_BOT_TOKEN": "token",
            "TELEGRAM_API_BASE_URL": "api_base_url",
            "BOT_DB": "db_path",
            "STAFF_USER_IDS": "staff_user_ids",
            "THREAD_QUIET_HOURS": "thread_quiet_hours",
            "STAFF_CHAT_ID": "staff_chat_id",
            "RETENTION_DAYS": "retention_days",
            "WEBHOOK_URL": "webhook_url",
            "WEBHOOK_SECRET": "webhook_secret",
            "PORT": "port",
            "LISTEN_ADDRESS": "listen_address",
            "BOT_RATE_LIMIT": "rate_limit",
            "LOG_LEVEL": "log_level",
        }
        values = {field: env[name] for name, field in names.items() if env.get(name, "").strip()}
        if "staff_user_ids" in values:
            values["staff_names"] = values["staff_user_ids"]
        try:
            return cls(**values)
        except ValidationError as error:
            by_field = {field: name for name, field in names.items()}
            by_field["staff_names"] = "STAFF_USER_IDS"
            first = error.errors(include_url=False)[0]
            variable = by_field.get(str(first["loc"][0]), str(first["loc"][0]))
            raise ConfigError(f"{variable}: {first['msg']}") from None


def _staff_entries(text: str) -> list[str]:
    """The comma-separated entries of STAFF_USER_IDS: "900001" or "900001:sam"."""
    return [part for part in text.replace(" ", "").split(",") if part]
