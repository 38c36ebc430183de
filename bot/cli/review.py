"""`python -m bot review`: the staff review in the browser, as `python -m storage.review` runs it.

Here so that the console script (`scaling-advisor review`) reaches it like every other command;
without the review extra it says what to install, as storage.review does.
"""

from __future__ import annotations

import argparse
import sys

from bot.cli._parser import PROG, add_command
from bot.config import ConfigError, Settings


def register(commands: argparse._SubParsersAction) -> None:
    """Add `review` and `review hash-password`."""
    review = add_command(
        commands,
        "review",
        help="the staff review in the browser (needs the review extra)",
        description="Serve the staff review (Datasette behind a login) on 127.0.0.1 over the "
        "live database. Settings come from the environment: BOT_DB, STAFF_CHAT_ID, REVIEW_PORT, "
        "REVIEW_USERS and one REVIEW_PASSWORD_HASH_<LOGIN> per login (README, 'Staff review in "
        "the browser').",
        example=f"{PROG} review",
    )
    review.set_defaults(func=_serve)
    kinds = review.add_subparsers(dest="review_command", metavar="COMMAND")
    hashing = add_command(
        kinds,
        "hash-password",
        help="make a password hash for a member of staff",
        description="Ask for a password twice (10 characters or more) and print its hash, "
        "for REVIEW_PASSWORD_HASH_<LOGIN>.",
        example=f"{PROG} review hash-password",
    )
    hashing.add_argument(
        "--stdin", action="store_true", help="read the password from the first line of stdin"
    )
    hashing.set_defaults(func=_hash_password)


def _serve(args: argparse.Namespace) -> int:
    from storage.review import main

    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"review: {error}", file=sys.stderr)
        return 1
    # Where a follow-up's page edits the notice: the staff chat, as the bot posts to it.
    return main([], staff_chat_id=settings.staff_chat_id)


def _hash_password(args: argparse.Namespace) -> int:
    from storage.review import main

    return main(["hash-password", *(["--stdin"] if args.stdin else [])])
