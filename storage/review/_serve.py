"""Start Datasette over the bot's live database for staff, behind the login (`make review`)."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from storage import NoDatabase, StorageError, Store
from storage.review._config import PLUGINS_DIR, TEMPLATES_DIR, ReviewConfigError, review_metadata

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
DEFAULT_DB = Path("data/bot.db")
DEFAULT_PORT = 8001
DB_VARIABLE = "BOT_DB"
PORT_VARIABLE = "REVIEW_PORT"
# Settings on top of the metadata: no SQL typed by hand (allow_sql is off too), no download of
# the whole file (Datasette refuses it for a mutable database anyway), and no facet suggestions
# (each one a query over every row of a big table, for nothing staff asked for).
SETTINGS = {"default_allow_sql": False, "allow_download": False, "suggest_facets": False}
# What the review extra installs; without it, `python -m storage.review` says so in one line.
EXTRA_MODULES = ("datasette", "datasette_auth_passwords", "markupsafe", "itsdangerous")
MISSING_EXTRA = (
    "review: the staff review needs the review extra: pip install 'scaling-advisor[review]'"
)


def review_port(environ: Mapping[str, str]) -> int:
    """The port from REVIEW_PORT (default 8001); ReviewConfigError if it is not one."""
    text = environ.get(PORT_VARIABLE, "").strip() or str(DEFAULT_PORT)
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ReviewConfigError(f"{PORT_VARIABLE} must be a port number (1-65535); got {text!r}")
    return int(text)


def serve_arguments(db_path: Path, port: int, metadata_file: Path) -> list[str]:
    """The `datasette` command line: the live file (never immutable), on 127.0.0.1 only."""
    arguments = [
        "serve",
        str(db_path),
        "--host",
        HOST,
        "--port",
        str(port),
        "--metadata",
        str(metadata_file),
        "--plugins-dir",
        str(PLUGINS_DIR),
        "--template-dir",
        str(TEMPLATES_DIR),
    ]
    for name, value in SETTINGS.items():
        arguments += ["--setting", name, "on" if value else "off"]
    return arguments


def prepare_database(db_path: Path) -> None:
    """Bring an existing database's schema up to date (the close query needs migration 0004)."""
    Store.open(db_path, create=False).close()


def main(
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    staff_chat_id: int | None = None,
) -> int:
    """Check the environment and the database, then serve until interrupted; the exit code.

    `staff_chat_id` is the bot's staff chat (from bot/config.py, which owns STAFF_CHAT_ID):
    what is done on a follow-up's page edits its notice there.
    """
    env = os.environ if environ is None else environ
    missing = [name for name in EXTRA_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        print(f"{MISSING_EXTRA} ({missing[0]} is missing)", file=sys.stderr)
        return 1
    # Here, not at the top: the review is an extra, and without it this module still loads.
    from datasette.cli import cli

    if argv and argv[0] == "hash-password":
        from storage.review._passwords import hash_password_command

        return hash_password_command(argv[1:])
    if argv:
        print(
            "usage: python -m bot review [hash-password [--stdin]]"
            "  (settings come from the environment)",
            file=sys.stderr,
        )
        return 2
    db_path = Path(env.get(DB_VARIABLE, "").strip() or DEFAULT_DB)
    try:
        port = review_port(env)
        metadata = review_metadata(env, database=db_path.stem, staff_chat_id=staff_chat_id)
        prepare_database(db_path)
    except NoDatabase:
        print(
            f"review: no database at {db_path}: set {DB_VARIABLE}, or start the bot once",
            file=sys.stderr,
        )
        return 1
    except (ReviewConfigError, StorageError) as error:
        print(f"review: {error}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="review-") as folder:
        # Only variable names ($env) are written here, never a password hash.
        metadata_file = Path(folder) / "metadata.json"
        metadata_file.write_text(json.dumps(metadata), encoding="utf-8")
        logger.info("staff review on http://%s:%s/ over %s", HOST, port, db_path)
        try:
            cli.main(args=serve_arguments(db_path, port, metadata_file), prog_name="datasette")
        except SystemExit as done:
            return done.code if isinstance(done.code, int) else 0
    return 0
