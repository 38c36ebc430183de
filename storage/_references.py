"""Short human references, e.g. C-7K2QXM (a conversation) and SA-4K9P2M (a follow-up).

The one owner of their format: Crockford's base32 after a prefix, made here for both kinds (the
engine is handed its follow-up reference ready-made), and read back forgivingly.
"""

from __future__ import annotations

import re
import secrets

# Crockford's base32: digits and letters without I, L, O and U, so nothing is misread.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 6
SESSION_PREFIX = "C-"
FOLLOWUP_PREFIX = "SA-"
PREFIXES = (SESSION_PREFIX, FOLLOWUP_PREFIX)
SESSION_REFERENCE = re.compile(rf"^{SESSION_PREFIX}[{ALPHABET}]{{{CODE_LENGTH}}}$")
# Anything that could be a reference: letters, digits and dashes (older follow-ups were made
# with other lengths, so the length is not checked here).
ANY_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
# What people mistype when they copy a code by hand: Crockford's own decoding of O, I and L.
_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_reference(prefix: str) -> str:
    """A fresh random reference with one of the PREFIXES (about a billion possibilities)."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown reference prefix {prefix!r}")
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def new_session_reference() -> str:
    """A fresh conversation reference, C- and six characters."""
    return new_reference(SESSION_PREFIX)


def new_followup_reference() -> str:
    """A fresh follow-up reference, SA- and six characters."""
    return new_reference(FOLLOWUP_PREFIX)


def normalise_reference(text: str) -> str | None:
    """A typed reference in its stored form (upper case, O→0, I/L→1 after the prefix), or None."""
    candidate = text.strip().upper()
    for prefix in PREFIXES:
        if candidate.startswith(prefix):
            candidate = prefix + candidate[len(prefix) :].translate(_MISREAD)
            break
    return candidate if ANY_REFERENCE.match(candidate) else None


def is_session_reference(reference: str) -> bool:
    """True for a well-formed session reference such as C-7K2QXM."""
    return SESSION_REFERENCE.match(reference) is not None
