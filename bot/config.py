"""Settings read from the environment, validated once at start-up."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_DB = Path("data/bot.db")


class ConfigError(Exception):
    """The environment holds a value the bot cannot use."""


class Settings(BaseModel):
    """What the environment tells the bot; names as in the design's contract."""

    model_config = ConfigDict(frozen=True)

    token: SecretStr | None = None
    api_base_url: str = DEFAULT_API_BASE_URL
    db_path: Path = DEFAULT_DB
    staff_user_ids: frozenset[int] = frozenset()
    staff_chat_id: int | None = None
    retention_days: int = Field(365, ge=1)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    port: int = Field(8443, ge=1, le=65535)
    # Webhook mode listens on every interface by default: platforms that run the Procfile route
    # outside traffic to the container's own address. 127.0.0.1 behind a proxy on the machine.
    listen_address: str = "0.0.0.0"
    rate_limit: bool = True
    log_level: str = "INFO"

    @field_validator("staff_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        return value

    @field_validator("listen_address")
    @classmethod
    def _address(cls, value: str) -> str:
        try:
            return str(ipaddress.ip_address(value.strip()))
        except ValueError:
            raise ValueError("must be an IP address, e.g. 0.0.0.0 or 127.0.0.1") from None

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
        try:
            return cls(**values)
        except ValidationError as error:
            by_field = {field: name for name, field in names.items()}
            first = error.errors(include_url=False)[0]
            variable = by_field.get(str(first["loc"][0]), str(first["loc"][0]))
            raise ConfigError(f"{variable}: {first['msg']}") from None
