"""The staff review's door, on the real Datasette app: guessing is slowed then locked out and
audited, unknown logins take as long as known ones, HTTP Basic is refused, the session cookie
is HttpOnly, SameSite=Strict, Secure over HTTPS and expires, the bot's internal tables cannot
be read even when logged in, and weak password hashes are refused at start-up."""

from __future__ import annotations

import base64
import io
import sqlite3
import statistics
import time
from pathlib import Path

import pytest
from datasette.app import Datasette
from datasette.utils import tilde_encode
from datasette_auth_passwords.utils import hash_password as pbkdf2_hash

from storage.review import (
    PLUGINS_DIR,
    SETTINGS,
    TEMPLATES_DIR,
    hash_password,
    load_base_metadata,
    main,
    password_hash_variable,
    review_metadata,
    session_value,
)
from storage.review._passwords import hash_password_command, verify_password

from .review_samples import write_review_sample

LOGIN, PASSWORD = "alice", "correct horse"
HIDDEN = sorted(
    name
    for name, table in load_base_metadata()["databases"]["bot"]["tables"].items()
    if (table or {}).get("hidden")
)


def make_review(db: Path, iterations: int = 1_000, **extra: str) -> Datasette:
    """The review as `make review` starts it; the hashes reach it through the environment."""
    variable = password_hash_variable(LOGIN)
    env = {"REVIEW_USERS": LOGIN, variable: hash_password(PASSWORD, iterations)} | extra
    MONKEYPATCH.setenv(variable, env[variable])
    return Datasette(
        [str(db)],
        metadata=review_metadata(env, database=db.stem),
        plugins_dir=str(PLUGINS_DIR),
        template_dir=str(TEMPLATES_DIR),
        settings=SETTINGS,
    )


MONKEYPATCH = pytest.MonkeyPatch()


@pytest.fixture(autouse=True)
def _environment():
    yield
    MONKEYPATCH.undo()


@pytest.fixture
def review_db(tmp_path: Path) -> Path:
    path = tmp_path / "bot.db"
    write_review_sample(path)
    return path


@pytest.fixture
def review(review_db: Path) -> Datasette:
    return make_review(review_db)


async def attempt(datasette: Datasette, login: str, password: str, **headers: str):
    page = await datasette.client.get("/-/login")
    token = page.cookies["ds_csrftoken"]
    return await datasette.client.post(
        "/-/login",
        data={"username": login, "password": password, "csrftoken": token},
        cookies={"ds_csrftoken": token},
        headers=headers,
    )


def audit(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT action, detail FROM staff_actions WHERE action IN ('login', 'locked')"
            " ORDER BY id"
        ).fetchall()


async def test_thirty_wrong_passwords_are_slowed_then_locked_out_and_audited(review, review_db):
    statuses = [(await attempt(review, LOGIN, f"guess {n}")).status_code for n in range(30)]
    assert statuses[:3] == [401, 401, 401]  # a few honest mistakes cost nothing...
    assert statuses[3] == 401 and set(statuses[4:]) == {429}  # ...then each try must wait
    right = await attempt(review, LOGIN, PASSWORD)
    assert right.status_code == 429 and "locked" in right.text  # even the right password
    assert "ds_actor" not in right.cookies
    locked = [detail for action, detail in audit(review_db) if action == "locked"]
    assert any("login alice" in d for d in locked) and any("address" in d for d in locked)


async def test_the_wait_grows_and_ends(review):
    from storage.review._door import LOCK_SECONDS

    guard_clock = [1000.0]
    guard = _guard(review)
    guard.clock = lambda: guard_clock[0]
    waits = []
    for n in range(6):
        response = await attempt(review, LOGIN, f"guess {n}")
        assert response.status_code == 401
        refusal = guard.refusal([f"login {LOGIN}"])
        waits.append(refusal.seconds if refusal else 0)
        guard_clock[0] += waits[-1] + 0.01
    assert waits[:3] == [0, 0, 0] and waits[3] < waits[4] < waits[5]
    assert (await attempt(review, LOGIN, PASSWORD)).status_code == 302
    for _ in range(10):
        guard.failed([f"login {LOGIN}"])
    assert (await attempt(review, LOGIN, PASSWORD)).status_code == 429
    guard_clock[0] += LOCK_SECONDS + 1
    assert (await attempt(review, LOGIN, PASSWORD)).status_code == 302


def _guard(datasette: Datasette):
    module = next(p for p in datasette_plugins() if "staff_login" in p.__name__)
    return module.login_guard(datasette)


def datasette_plugins():
    from datasette.plugins import pm

    return list(pm.get_plugins())


async def test_known_and_unknown_logins_take_the_same_time(review_db):
    review = make_review(review_db, iterations=60_000)  # a real cost, so time is measurable
    guard = _guard(review)

    async def timed(login: str) -> float:
        guard.succeeded(["address 127.0.0.1", f"login {login}"])
        started = time.perf_counter()
        response = await attempt(review, login, "not the password")
        assert response.status_code == 401
        return time.perf_counter() - started

    known = statistics.median([await timed(LOGIN) for _ in range(5)])
    unknown = statistics.median([await timed("mallory") for _ in range(5)])
    assert 1 / 3 < known / unknown < 3, (known, unknown)


async def test_http_basic_credentials_are_refused_everywhere(review):
    basic = "Basic " + base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()
    for path in ("/", "/bot", "/bot/followups_open.json", "/-/actor.json"):
        response = await review.client.get(path, headers={"Authorization": basic})
        assert response.status_code == 403, path
        assert "not accepted" in response.text


async def test_the_session_cookie_is_httponly_strict_and_expires(review_db):
    response = await attempt(make_review(review_db), LOGIN, PASSWORD)
    assert response.status_code == 302
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "max-age=43200" in cookie
    assert "secure" not in cookie  # plain http on 127.0.0.1: a Secure cookie would never return
    for review, headers in (
        (make_review(review_db, REVIEW_HTTPS="on"), {}),
        (make_review(review_db, REVIEW_TRUSTED_PROXY="on"), {"X-Forwarded-Proto": "https"}),
    ):
        secure = await attempt(review, LOGIN, PASSWORD, **headers)
        assert "; secure" in secure.headers["set-cookie"].lower()


async def test_an_old_or_unexpiring_session_is_not_accepted(review):
    actor = "/-/actor.json"
    fresh = {"ds_actor": session_value(review.sign, LOGIN)}
    assert (await review.client.get(actor, cookies=fresh)).json() == {"actor": {"id": LOGIN}}
    forever = {"ds_actor": review.sign({"a": {"id": LOGIN}}, "actor")}
    old = {"ds_actor": session_value(review.sign, LOGIN, now=time.time() - 13 * 3600)}
    for cookies in (forever, old):
        assert (await review.client.get(actor, cookies=cookies)).status_code == 403


async def test_the_bots_internal_tables_are_unreachable_for_staff(review, review_db):
    assert {"states", "outbox", "inbound_updates", "staff_messages"} <= set(HIDDEN)
    cookies = {"ds_actor": session_value(review.sign, LOGIN)}
    for table in HIDDEN:
        base = f"/bot/{tilde_encode(table)}"
        for path in (base, f"{base}.json", f"{base}.csv", f"{base}/1", f"{base}/1.json"):
            response = await review.client.get(path, cookies=cookies)
            assert response.status_code == 403, path
    # What staff need is still there.
    ok = await review.client.get("/bot/followups_open.json", cookies=cookies)
    assert ok.status_code == 200


def test_weak_hashes_stop_the_review_at_start_up(review_db, capsys):
    for weak in (
        pbkdf2_hash("", iterations=1_000),
        pbkdf2_hash("", salt="min10-ab", iterations=1_000),
    ):
        env = {"REVIEW_USERS": LOGIN, password_hash_variable(LOGIN): weak, "BOT_DB": str(review_db)}
        assert main([], env) == 1
        assert "REVIEW_PASSWORD_HASH_ALICE" in capsys.readouterr().err


def test_review_password_asks_twice_and_refuses_short_ones(capsys):
    answers = iter(["long enough pass", "long enough pass"])
    assert hash_password_command([], ask=lambda _: next(answers)) == 0
    made = capsys.readouterr().out.strip()
    assert verify_password("long enough pass", made)
    differ = iter(["long enough pass", "long enough pasz"])
    assert hash_password_command([], ask=lambda _: next(differ)) == 1
    short = iter(["short", "short"])
    assert hash_password_command([], ask=lambda _: next(short)) == 1
    assert "at least 10 characters" in capsys.readouterr().err


def test_the_non_interactive_recipe_hashes_the_password_given(capsys):
    assert hash_password_command(["--stdin"], stdin=io.StringIO("a piped passphrase\n")) == 0
    made = capsys.readouterr().out.strip()
    assert verify_password("a piped passphrase", made) and not verify_password("", made)


async def test_reading_a_transcript_on_the_web_is_audited(review, review_db):
    cookies = {"ds_actor": session_value(review.sign, LOGIN)}
    read = await review.client.get("/bot/transcript?reference=sa-4k9p2", cookies=cookies)
    assert read.status_code == 200
    refused = await review.client.get("/bot/transcript?reference=SA-4K9P2")  # not logged in
    assert refused.status_code in (302, 403)
    with sqlite3.connect(review_db) as connection:
        shown = connection.execute(
            "SELECT reference, detail FROM staff_actions"
            " WHERE action = 'read' AND detail LIKE 'web:%'"
        ).fetchall()
    assert shown == [("SA-4K9P2", f"web: {LOGIN}")]
