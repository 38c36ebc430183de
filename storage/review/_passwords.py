"""Staff passwords for the review: hashes made here, checked at start-up, verified at login.

The hashes are datasette-auth-passwords' PBKDF2-SHA256 (``pbkdf2_sha256$iterations$salt$hash``,
made and verified by its functions). A hash made here has a salt that starts with ``min10-``: it
was made by `make review-password`, which refuses passwords shorter than ten characters. A hash
cannot say how long its password was, so the review refuses any hash without that mark (made
some other way: `datasette hash-password --no-confirm` hashed the empty password whatever it
was given) and any hash of the empty password.
"""

from __future__ import annotations

import getpass
import re
import secrets
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

MIN_LENGTH = 10
ITERATIONS = 480_000  # as datasette-auth-passwords, after Django's 2023 figure
MARK = "min10-"
HASH_PATTERN = re.compile(r"^pbkdf2_sha256\$(\d+)\$([^$]+)\$[^$]+$")

__all__ = ["MIN_LENGTH", "WeakPassword", "check_hash", "hash_password", "verify_password"]


def verify_password(password: str, password_hash: str) -> bool:
    """Whether the password is the one the hash was made from (constant-time comparison)."""
    # Imported here: the review is an extra, and without it this package still loads.
    from datasette_auth_passwords.utils import verify_password as verify

    return verify(password, password_hash)


class WeakPassword(ValueError):
    """The password is too short to protect personal data."""


def hash_password(password: str, iterations: int = ITERATIONS) -> str:
    """The hash to put in REVIEW_PASSWORD_HASH_<LOGIN>; WeakPassword if under ten characters."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters")
    from datasette_auth_passwords.utils import hash_password as pbkdf2_hash

    return pbkdf2_hash(password, salt=MARK + secrets.token_hex(16), iterations=iterations)


def check_hash(value: str) -> str | None:
    """What is wrong with a hash, in words; None when the review may use it."""
    found = HASH_PATTERN.match(value.strip())
    if found is None:
        return "is not a password hash"
    if not found.group(2).startswith(MARK):
        return "was not made by `make review-password` (which refuses short passwords)"
    if verify_password("", value.strip()):
        return "is the hash of an empty password"
    return None


def iterations_of(value: str) -> int:
    """The PBKDF2 iteration count of a hash (for a decoy of equal cost)."""
    found = HASH_PATTERN.match(value.strip())
    return int(found.group(1)) if found else ITERATIONS


def hash_password_command(
    argv: Sequence[str],
    stdin: TextIO = sys.stdin,
    ask: Callable[[str], str] = getpass.getpass,
) -> int:
    """`python -m storage.review hash-password [--stdin]`: print a hash; 0, or 1 with a reason.

    It asks twice (without echo); with --stdin it reads the password from the first line of
    standard input, for scripts.
    """
    if list(argv) not in ([], ["--stdin"]):
        print("usage: python -m storage.review hash-password [--stdin]", file=sys.stderr)
        return 2
    if argv:
        password = stdin.readline().rstrip("\r\n")
    else:
        password = ask("Password for the staff review: ")
        if ask("The same again: ") != password:
            print("review-password: the two passwords differ; nothing written", file=sys.stderr)
            return 1
    try:
        print(hash_password(password))
    except WeakPassword as error:
        print(f"review-password: {error}; nothing written", file=sys.stderr)
        return 1
    return 0
