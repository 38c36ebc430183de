"""`python -m bot review`: the staff review in the browser, as `python -m storage.review` runs it.

Here so that the console script (`scaling-advisor review`) reaches it like every other command;
without the review extra it says what to install, as storage.review does.
"""

from __future__ import annotations

import argparse

from bot.cli._parser import PROG, add_command


def register(commands: argparse._SubParsersAction) -> None:
    """Add `review` and `review hash-password`."""
    review = add_command(
        commands,
        "review",
        help="the staff review in the browser (needs the review extra)",
        description="Serve the staff review (Datasette behind a login) on 127.0.0.1 over the "
        "live database. Settings come from the environment: BOT_DB, REVIEW_PORT, REVIEW_USERS "
        "and one REVIEW_PASSWORD_HASH_<LOGIN> per login (README, 'Staff review in the browser').",
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

    return main([])


def _hash_password(args: argparse.Namespace) -> int:
    from storage.review import main

    return main(["hash-password", *(["--stdin"] if args.stdin else [])])
