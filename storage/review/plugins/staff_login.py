"""Datasette plugin: the staff review's login, sessions and what staff may read.

- /-/login checks a password only when the address and the login are not being slowed down
  or locked out (storage/review/_door.py), takes as long for an unknown login as for a known
  one, audits logins and lock-outs, and sets a session cookie that is HttpOnly, SameSite=Strict,
  Secure over HTTPS, and expires after 12 hours.
- Any request with an Authorization header (HTTP Basic) is refused; a session cookie without
  this door's expiry is ignored.
- Tables marked `hidden: true` in metadata.yaml cannot be read by anyone, logged in or not.

datasette-auth-passwords is installed for its password hashing only: its own hooks (a login
with no limits, Basic credentials accepted on every URL) are taken out here.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from datasette import hookimpl
from datasette.plugins import pm
from datasette.utils.asgi import Response

from storage import normalise_reference
from storage.review._door import (
    SESSION_COOKIE,
    SESSION_SECONDS,
    LoginGuard,
    client_address,
    cookie_of,
    local_path,
    served_over_https,
    session_is_current,
    session_value,
    without_cookie,
)
from storage.review._passwords import ITERATIONS, iterations_of, verify_password
from storage.review._passwords import hash_password as make_hash

PLUGIN = "scaling-advisor-login"
WORDS_PLUGIN = "scaling-advisor-review"
LOGIN_PATH = "/-/login"

for _plugin in list(pm.get_plugins()):
    if getattr(_plugin, "__name__", "").startswith("datasette_auth_passwords"):
        pm.unregister(_plugin)


def _config(datasette: Any) -> dict[str, Any]:
    return datasette.plugin_config(PLUGIN) or {}


def _words(datasette: Any) -> dict[str, str]:
    """The review's words (metadata.yaml, plugins: scaling-advisor-review: words)."""
    return (datasette.plugin_config(WORDS_PLUGIN) or {}).get("words") or {}


def _state(datasette: Any) -> dict[str, Any]:
    """Per-instance state: the guard, and a decoy hash as costly as the real ones."""
    state = getattr(datasette, "_staff_login_state", None)
    if state is None:
        accounts = _config(datasette).get("accounts") or {}
        iterations = max((iterations_of(h or "") for h in accounts.values()), default=ITERATIONS)
        decoy = make_hash(secrets.token_urlsafe(24), iterations=iterations)
        state = {"guard": LoginGuard(), "decoy": decoy}
        datasette._staff_login_state = state
    return state


def login_guard(datasette: Any) -> LoginGuard:
    """The guard of this Datasette instance (tests move its clock)."""
    return _state(datasette)["guard"]


async def _audit(datasette: Any, action: str, detail: str, reference: str | None = None) -> None:
    """Add to the bot's audit trail (staff_actions), as the Telegram actions are."""
    database = _config(datasette).get("database")
    if not database or database not in datasette.databases:
        return
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    await datasette.get_database(database).execute_write(
        "INSERT INTO staff_actions (staff_id, action, reference, detail, at)"
        " VALUES (NULL, ?, ?, ?, ?)",
        [action, reference, detail[:500], at],
    )


async def login(request: Any, datasette: Any) -> Response:
    """The login form, and what happens when it is sent."""
    config = _config(datasette)
    error, status = None, 200
    after = local_path(request.args.get("next"))  # the page asked for, if on this site
    if request.method == "POST":
        form = await request.post_vars()
        after = local_path(form.get("next"))
        username = (form.get("username") or "").strip()[:64]
        password = form.get("password") or ""
        address = client_address(request.scope, bool(config.get("trusted_proxy")))
        keys = [f"address {address}", f"login {username}"]
        guard = login_guard(datasette)
        refusal = guard.refusal(keys)
        if refusal is None:
            stored = (config.get("accounts") or {}).get(username)
            # An unknown login costs the same hash as a known one: the time says nothing.
            right = await asyncio.to_thread(
                verify_password, password, stored or _state(datasette)["decoy"]
            )
            if right and stored:
                guard.succeeded(keys)
                await _audit(datasette, "login", f"web: {username} from {address}")
                return _logged_in(datasette, request, username, after)
        newly_locked = guard.failed(keys)
        for key in newly_locked:
            await _audit(datasette, "locked", f"web: {key} locked out after failed logins")
        refusal = guard.refusal(keys) if refusal is None and newly_locked else refusal
        words = _words(datasette)
        if refusal is None:
            error, status = words["login_wrong"], 401
        elif refusal.locked:
            minutes = max(1, round(refusal.seconds / 60))
            error, status = words["login_locked"].format(minutes=minutes), 429
        else:
            error, status = words["login_wait"].format(seconds=refusal.seconds), 429
    page = await datasette.render_template(
        "review_login.html", {"error": error, "next": after}, request=request
    )
    return Response.html(page, status=status)


def _logged_in(datasette: Any, request: Any, username: str, after: str | None) -> Response:
    config = _config(datasette)
    response = Response.redirect(after or datasette.urls.path("/"))
    response.set_cookie(
        SESSION_COOKIE,
        session_value(datasette.sign, username),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=served_over_https(
            request.scope, bool(config.get("https")), bool(config.get("trusted_proxy"))
        ),
    )
    return response


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    """Our /-/login, in place of any other."""
    return [(r"^/-/login$", login)]


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    """Refuse Authorization headers; drop session cookies this door did not hand out."""

    def wrap(app: Any) -> Any:
        async def door(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope.get("type") == "http":
                headers = list(scope.get("headers") or [])
                if any(name == b"authorization" for name, _ in headers):
                    refused = Response.text(
                        "Sign-in with an Authorization header (HTTP Basic) is not accepted "
                        f"here. Log in at {LOGIN_PATH}.",
                        status=403,
                    )
                    await refused.asgi_send(send)
                    return
                session = cookie_of(headers, SESSION_COOKIE)
                if session is not None and not session_is_current(datasette.unsign, session):
                    scope = {**scope, "headers": without_cookie(headers, SESSION_COOKIE)}
                    session = None
                reference = _transcript_reference(datasette, scope)
                if session is not None and reference is not None:
                    await _audited_read(datasette, scope, receive, send, app, session, reference)
                    return
            await app(scope, receive, send)

        return door

    return wrap


def _transcript_reference(datasette: Any, scope: dict[str, Any]) -> str | None:
    """The reference asked for, when the request is for the transcript query."""
    database = _config(datasette).get("database")
    path = scope.get("path") or ""
    if not database or path not in (f"/{database}/transcript", f"/{database}/transcript.json"):
        return None
    query = parse_qs((scope.get("query_string") or b"").decode("latin-1"))
    return normalise_reference((query.get("reference") or [""])[0])


async def _audited_read(
    datasette: Any, scope: Any, receive: Any, send: Any, app: Any, session: str, reference: str
) -> None:
    """Serve a transcript, then add who read it to the audit trail (as /show on Telegram)."""
    status = []

    async def sending(message: dict[str, Any]) -> None:
        if message.get("type") == "http.response.start":
            status.append(message.get("status"))
        await send(message)

    await app(scope, receive, sending)
    login = (datasette.unsign(session, "actor").get("a") or {}).get("id")
    if status == [200] and login:
        await _audit(datasette, "read", f"web: {login}", reference)


@hookimpl(trylast=True)
def permission_allowed(datasette: Any, actor: Any, action: str, resource: Any) -> bool | None:
    """No one reads a table marked hidden (the bot's internals: states, outbox and the like)."""
    if action in ("view-table", "insert-row", "update-row", "delete-row") and isinstance(
        resource, tuple | list
    ):
        database, table = resource[0], resource[1]
        if (datasette.table_metadata(database, table) or {}).get("hidden"):
            return False
    return None
