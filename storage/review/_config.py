"""Datasette metadata for the staff review: metadata.yaml plus the staff named in the environment.

Staff are listed in REVIEW_USERS (comma-separated logins); each login's password hash, made with
`make review-password`, is in REVIEW_PASSWORD_HASH_<LOGIN> (upper case, - and . as _).
The metadata refers to the hashes by variable name ($env), so no hash is ever written to a file.
REVIEW_HTTPS=on marks the session cookie Secure (the review is reached over HTTPS);
REVIEW_TRUSTED_PROXY=on believes a proxy's X-Forwarded-For and X-Forwarded-Proto (the address
counted for failed logins, and HTTPS).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from storage.review._passwords import check_hash

HERE = Path(__file__).parent
METADATA_FILE = HERE / "metadata.yaml"
PLUGINS_DIR = HERE / "plugins"
TEMPLATES_DIR = HERE / "templates"
# The database block in metadata.yaml is written for data/bot.db.
METADATA_DATABASE = "bot"

USERS_VARIABLE = "REVIEW_USERS"
HASH_VARIABLE_PREFIX = "REVIEW_PASSWORD_HASH_"
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]{0,31}$")
LOGIN_PLUGIN = "scaling-advisor-login"  # plugins/staff_login.py
HTTPS_VARIABLE = "REVIEW_HTTPS"
PROXY_VARIABLE = "REVIEW_TRUSTED_PROXY"


class ReviewConfigError(Exception):
    """The environment does not name the staff, or a login or password hash is unusable."""


def password_hash_variable(login: str) -> str:
    """The environment variable holding a login's password hash, e.g. REVIEW_PASSWORD_HASH_ALICE."""
    return HASH_VARIABLE_PREFIX + re.sub(r"[^A-Z0-9]", "_", login.upper())


def staff_logins(environ: Mapping[str, str]) -> tuple[str, ...]:
    """The staff logins in REVIEW_USERS, each with a usable hash; ReviewConfigError otherwise."""
    names = [name.strip() for name in environ.get(USERS_VARIABLE, "").split(",") if name.strip()]
    if not names:
        raise ReviewConfigError(
            f"{USERS_VARIABLE} names no staff: set it to their logins, e.g. alice,bob"
        )
    logins = tuple(dict.fromkeys(names))
    for login in logins:
        if not LOGIN_PATTERN.match(login):
            raise ReviewConfigError(
                f"{USERS_VARIABLE}: {login!r} is not a login (lower-case letters, digits, "
                "'.' and '-', at most 32)"
            )
    variables = [password_hash_variable(login) for login in logins]
    if len(set(variables)) < len(variables):
        raise ReviewConfigError(f"{USERS_VARIABLE}: two logins share one password variable")
    for login, variable in zip(logins, variables, strict=True):
        value = environ.get(variable, "").strip()
        problem = check_hash(value) if value else "is not set"
        if problem:
            raise ReviewConfigError(
                f"{variable} {problem}: it must hold the password hash for {login!r}; make one "
                "with `make review-password` (at least 10 characters)"
            )
    return logins


def _on_off(environ: Mapping[str, str], variable: str) -> bool:
    text = environ.get(variable, "").strip().lower()
    if text in ("", "off", "0", "no", "false"):
        return False
    if text in ("on", "1", "yes", "true"):
        return True
    raise ReviewConfigError(f"{variable} must be on or off; got {text!r}")


def load_base_metadata() -> dict[str, Any]:
    """metadata.yaml as it is in the repository: no staff named."""
    return yaml.safe_load(METADATA_FILE.read_text(encoding="utf-8"))


def review_metadata(
    environ: Mapping[str, str], database: str = METADATA_DATABASE
) -> dict[str, Any]:
    """The metadata Datasette runs with: staff accounts and the allow list from the environment.

    `database` is the Datasette name of the bot's file (its stem: data/bot.db is "bot").
    """
    logins = staff_logins(environ)
    metadata = copy.deepcopy(load_base_metadata())
    metadata["allow"] = {"id": list(logins)}
    databases = metadata["databases"]
    databases[database] = databases.pop(METADATA_DATABASE)
    metadata.setdefault("plugins", {})[LOGIN_PLUGIN] = {
        "accounts": {login: {"$env": password_hash_variable(login)} for login in logins},
        "https": _on_off(environ, HTTPS_VARIABLE),
        "trusted_proxy": _on_off(environ, PROXY_VARIABLE),
        "database": database,
    }
    return metadata
