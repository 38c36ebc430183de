"""The staff review's door: sessions that expire, and a login that resists guessing.

Used by the plugin in plugins/staff_login.py (Datasette loads it from there); kept here so that
it can be imported and tested like the rest of the package.

Why by hand: datasette-auth-passwords (whose hashing is used) checks a password as often and as
fast as anyone sends one, answers an unknown login at once (so logins can be guessed), accepts
HTTP Basic credentials on every URL whatever it is configured with, and sets a cookie with no
HttpOnly, Secure or expiry. None of that can be configured away.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import urlsplit

SESSION_COOKIE = "ds_actor"  # Datasette's own: its log-out clears it
SESSION_SECONDS = 12 * 3600
FREE_TRIES = 3  # failures (per address, per login) before each try must wait
FIRST_DELAY = 1.0  # seconds; doubles with each further failure
MAX_DELAY = 60.0
LOCK_AFTER = 10  # failures within WINDOW lock the address or login out...
LOCK_SECONDS = 15 * 60  # ...for this long, right password or not
WINDOW = 15 * 60
MAX_TRACKED = 10_000  # addresses and logins remembered at once (oldest dropped first)


@dataclass
class _Failures:
    times: deque[float] = field(default_factory=deque)
    next_try: float = 0.0
    locked_until: float = 0.0


@dataclass(frozen=True)
class Refusal:
    """Why a login attempt is not even checked: slowed down, or locked out; for how long."""

    seconds: int
    locked: bool


class LoginGuard:
    """Failed logins per key (an address, a login): a growing wait, then a lock-out."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._keys: dict[str, _Failures] = {}

    def refusal(self, keys: Iterable[str]) -> Refusal | None:
        """None if an attempt under these keys may be checked now, else why not."""
        now = self.clock()
        worst: Refusal | None = None
        for key in keys:
            record = self._keys.get(key)
            if record is None:
                continue
            if record.locked_until > now:
                found = Refusal(int(record.locked_until - now) + 1, True)
            elif record.next_try > now:
                found = Refusal(int(record.next_try - now) + 1, False)
            else:
                continue
            if worst is None or (found.locked, found.seconds) > (worst.locked, worst.seconds):
                worst = found
        return worst

    def failed(self, keys: Iterable[str]) -> list[str]:
        """Count a failed (or refused) attempt under each key; the keys it has just locked."""
        now = self.clock()
        locked = []
        for key in keys:
            record = self._keys.pop(key, None) or _Failures()
            self._keys[key] = record  # most recently failed last, for pruning
            while record.times and record.times[0] <= now - WINDOW:
                record.times.popleft()
            record.times.append(now)
            failures = len(record.times)
            if failures >= LOCK_AFTER and record.locked_until <= now:
                record.locked_until = now + LOCK_SECONDS
                record.times.clear()
                locked.append(key)
            elif failures > FREE_TRIES:
                delay = FIRST_DELAY * 2 ** (failures - FREE_TRIES - 1)
                record.next_try = now + min(delay, MAX_DELAY)
        while len(self._keys) > MAX_TRACKED:
            self._keys.pop(next(iter(self._keys)))
        return locked

    def succeeded(self, keys: Iterable[str]) -> None:
        """A right password: forget the failures under these keys."""
        for key in keys:
            self._keys.pop(key, None)


def session_value(sign: Callable[[Any, str], str], login: str, now: float | None = None) -> str:
    """The signed session cookie for a login, expiring SESSION_SECONDS from now."""
    from datasette.utils import baseconv

    expires = int((time.time() if now is None else now) + SESSION_SECONDS)
    return sign({"a": {"id": login}, "e": baseconv.base62.encode(expires)}, "actor")


def session_is_current(unsign: Callable[[str, str], Any], value: str) -> bool:
    """True for a session cookie this review signed that has not expired."""
    from datasette.utils import baseconv

    try:
        decoded = unsign(value, "actor")
    except Exception:  # a bad signature (itsdangerous, through Datasette) or worse: no session
        return False
    if not isinstance(decoded, dict) or "a" not in decoded or "e" not in decoded:
        return False  # signed without an expiry: not a session this door handed out
    try:
        expires = int(baseconv.base62.decode(decoded["e"]))
    except (TypeError, ValueError):
        return False
    return time.time() < expires <= time.time() + SESSION_SECONDS + 60


def without_cookie(headers: list[tuple[bytes, bytes]], name: str) -> list[tuple[bytes, bytes]]:
    """ASGI headers with one cookie taken out of every Cookie header."""
    kept = []
    for header, value in headers:
        if header != b"cookie":
            kept.append((header, value))
            continue
        cookies = SimpleCookie()
        try:
            cookies.load(value.decode("latin-1"))
        except CookieError:
            continue  # a Cookie header we cannot read is dropped whole
        rest = "; ".join(f"{k}={m.coded_value}" for k, m in cookies.items() if k != name)
        if rest:
            kept.append((b"cookie", rest.encode("latin-1")))
    return kept


def cookie_of(headers: list[tuple[bytes, bytes]], name: str) -> str | None:
    """The value of one cookie in ASGI headers, if sent."""
    for header, value in headers:
        if header == b"cookie":
            cookies = SimpleCookie()
            try:
                cookies.load(value.decode("latin-1"))
            except CookieError:
                continue
            if name in cookies:
                return cookies[name].value
    return None


MAX_NEXT_CHARS = 2000


def local_path(value: str | None) -> str | None:
    """`value` if it is a path on this site (where to go after logging in), else None.

    Only "/…" is kept: never a scheme or host ("https://…", "//evil.com", which a browser
    reads as another site), nor a backslash, space or control character (browsers read
    "/\\evil.com" as "//evil.com" and drop tabs and newlines), so the login is no open redirect.
    """
    if not value or len(value) > MAX_NEXT_CHARS or not value.startswith("/"):
        return None
    if value.startswith("//") or any(c == "\\" or ord(c) <= 0x20 or ord(c) == 0x7F for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def client_address(scope: Mapping[str, Any], trust_proxy: bool) -> str:
    """Who is knocking: the peer's address, or the proxy's X-Forwarded-For when trusted."""
    if trust_proxy:
        for header, value in scope.get("headers") or ():
            if header == b"x-forwarded-for":
                return value.decode("latin-1").split(",")[-1].strip() or "unknown"
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def served_over_https(scope: Mapping[str, Any], https: bool, trust_proxy: bool) -> bool:
    """Whether the browser reached the review over HTTPS (so the cookie can be Secure)."""
    if https or scope.get("scheme") == "https":
        return True
    if trust_proxy:
        for header, value in scope.get("headers") or ():
            if header == b"x-forwarded-proto":
                return value.decode("latin-1").strip().lower() == "https"
    return False
