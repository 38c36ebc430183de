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


def load_base_metadata(path: Path = METADATA_FILE) -> dict[str, Any]:
    """metadata.yaml as it is in the repository (no staff named); ReviewConfigError listing
    every problem (metadata_problems) when an edit broke it."""
    try:
        metadata = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ReviewConfigError(f"{METADATA_NAME}: not valid YAML: {error}") from None
    problems = metadata_problems(metadata)
    if problems:
        raise ReviewConfigError("\n".join(problems))
    return metadata


def review_content_problems(path: Path = METADATA_FILE) -> list[str]:
    """What `python -m bot check` reports of metadata.yaml: each problem, [] if none."""
    try:
        load_base_metadata(path)
    except ReviewConfigError as error:
        return str(error).splitlines()
    return []


METADATA_NAME = "storage/review/metadata.yaml"
WORDS_PLUGIN = "scaling-advisor-review"
# What a word may say in braces, filled in where it is shown.
PLACEHOLDERS = ("n", "reference", "login", "name", "page", "pages", "first", "last", "minutes")
PLACEHOLDERS += ("seconds",)
_USED_IN_TEMPLATE = re.compile(r"words\.([a-z_]+)")
_USED_IN_CODE = re.compile(r"""words\[["']([a-z_]+)["']\]|["'](done_[a-z_]+)["']""")


def words_used() -> dict[str, str]:
    """Every word the templates and plugins show, by name, with where it is used."""
    from storage import FOLLOWUP_STAGES

    used = {}
    for path in sorted(TEMPLATES_DIR.glob("*.html")):
        for name in _USED_IN_TEMPLATE.findall(path.read_text(encoding="utf-8")):
            used.setdefault(name, f"templates/{path.name}")
    for path in sorted(PLUGINS_DIR.glob("*.py")):
        for found in _USED_IN_CODE.findall(path.read_text(encoding="utf-8")):
            used.setdefault(found[0] or found[1], f"plugins/{path.name}")
    for stage in FOLLOWUP_STAGES:  # review_act.html shows words["act_stage_" ~ stage]
        used.setdefault(f"act_stage_{stage}", "templates/review_act.html")
    return used


def metadata_problems(metadata: Any) -> list[str]:
    """Each problem of metadata.yaml in plain words, naming the entry and field; [] if none."""
    where = METADATA_NAME
    if not isinstance(metadata, dict):
        return [f"{where}: must be a mapping of settings"]
    problems = []
    plugins = metadata.get("plugins") or {}
    words = (plugins.get(WORDS_PLUGIN) or {}).get("words") or {}
    for name, used_in in words_used().items():
        if name not in words:
            problems.append(f"{where}: words: {name}: missing (shown by {used_in})")
    for name, text in words.items():
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: words: {name}: must be some text")
            continue
        try:
            text.format(**dict.fromkeys(PLACEHOLDERS, 1))
        except (KeyError, IndexError, ValueError):
            problems.append(
                f"{where}: words: {name}: only these may stand in braces: "
                + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            )
    for database, block in (metadata.get("databases") or {}).items():
        for query, spec in ((block or {}).get("queries") or {}).items():
            entry = f"{where}: databases: {database}: queries: {query}"
            if not isinstance(spec, dict) or not str(spec.get("sql") or "").strip():
                problems.append(f"{entry}: sql: missing")
                continue
            if not str(spec.get("title") or "").strip():
                problems.append(f"{entry}: title: missing")
            if "paging" in spec:
                problems += _paging_problems(entry, spec)
    return problems


def _paging_problems(entry: str, spec: dict[str, Any]) -> list[str]:
    """A paged query pages by its `paging` block: its LIMIT and OFFSET, its parameter."""
    paging = spec["paging"]
    if not isinstance(paging, dict):
        return [f"{entry}: paging: must give param, per_page and count"]
    param, per_page, count = paging.get("param"), paging.get("per_page"), paging.get("count")
    problems = []
    if not isinstance(per_page, int) or isinstance(per_page, bool) or not 1 <= per_page <= 500:
        problems.append(f"{entry}: paging: per_page: must be a whole number from 1 to 500")
    if not isinstance(param, str) or param not in (spec.get("params") or []):
        problems.append(f"{entry}: paging: param: must be one of the query's params")
    if not isinstance(count, str) or not count.strip().upper().startswith("SELECT"):
        problems.append(f"{entry}: paging: count: must be a SELECT of the total")
    if problems:
        return problems
    limit = f"LIMIT {per_page} OFFSET {per_page} * (max(CAST(:{param} AS INTEGER), 1) - 1)"
    if limit not in " ".join(str(spec["sql"]).split()):
        problems.append(f"{entry}: sql: must end its rows with {limit} (paging: per_page)")
    return problems


def review_metadata(
    environ: Mapping[str, str],
    database: str = METADATA_DATABASE,
    staff_chat_id: int | None = None,
) -> dict[str, Any]:
    """The metadata Datasette runs with: staff accounts and the allow list from the environment.

    `database` is the Datasette name of the bot's file (its stem: data/bot.db is "bot");
    `staff_chat_id` the bot's STAFF_CHAT_ID (bot/config.py reads it; `python -m bot review`
    hands it over), where the follow-up page's actions edit the notice.
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
    metadata["plugins"][WORDS_PLUGIN]["staff_chat_id"] = staff_chat_id
    return metadata
