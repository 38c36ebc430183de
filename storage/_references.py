"""Short human references for sessions, e.g. C-7K2QXM, in Crockford's base32."""

from __future__ import annotations

import re
import secrets

# Crockford's base32: digits and letters without I, L, O and U, so nothing is misread.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SESSION_PREFIX = "C-"
SESSION_CODE_LENGTH = 6
SESSION_REFERENCE = re.compile(rf"^{SESSION_PREFIX}[{ALPHABET}]{{{SESSION_CODE_LENGTH}}}$")
# Any reference (sessions' and the engine's follow-up ones): letters, digits and dashes.
ANY_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
# What people mistype when they copy a code by hand.
_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_session_reference() -> str:
    """A fresh random session reference (about a billion possibilities)."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(SESSION_CODE_LENGTH))
    return SESSION_PREFIX + code


def normalise_reference(text: str) -> str | None:
    """A typed reference in its stored form (upper case, O→0, I/L→1 in session codes), or None."""
    candidate = text.strip().upper()
    if candidate.startswith(SESSION_PREFIX):
        candidate = SESSION_PREFIX + candidate[len(SESSION_PREFIX) :].translate(_MISREAD)
    return candidate if ANY_REFERENCE.match(candidate) else None


def is_session_reference(reference: str) -> bool:
    """True for a well-formed session reference such as C-7K2QXM."""
    return SESSION_REFERENCE.match(reference) is not None
