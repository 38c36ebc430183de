"""The staff review's configuration: staff from the environment, the Datasette command line and
the launcher's refusals, without starting a server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from datasette_auth_passwords.utils import hash_password as pbkdf2_hash

from storage import Store
from storage.review import (
    HOST,
    METADATA_FILE,
    PLUGINS_DIR,
    TEMPLATES_DIR,
    ReviewConfigError,
    hash_password,
    load_base_metadata,
    main,
    password_hash_variable,
    review_metadata,
    review_port,
    serve_arguments,
    staff_logins,
)

HASH = hash_password("pw-long-enough", iterations=1_000)
# Hashes the review must refuse: of the empty password (even with our mark), and of a short
# password made some other way (no mark, so nothing says it was checked).
EMPTY = pbkdf2_hash("", salt="min10-0123", iterations=1_000)
SHORT = pbkdf2_hash("hunter2", iterations=1_000)


def env_for(*logins: str) -> dict[str, str]:
    return {"REVIEW_USERS": ",".join(logins)} | {
        password_hash_variable(login): HASH for login in logins
    }


def test_each_login_has_its_own_hash_variable():
    assert password_hash_variable("alice") == "REVIEW_PASSWORD_HASH_ALICE"
    assert password_hash_variable("mary-jane.o") == "REVIEW_PASSWORD_HASH_MARY_JANE_O"


def test_staff_come_from_review_users_in_order_without_repeats():
    env = env_for("alice", "bob") | {"REVIEW_USERS": " alice, bob ,alice,"}
    assert staff_logins(env) == ("alice", "bob")


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "REVIEW_USERS"),
        ({"REVIEW_USERS": " , "}, "REVIEW_USERS"),
        (env_for("Alice"), "'Alice' is not a login"),
        (env_for("al ice"), "is not a login"),
        (env_for("alice") | {"REVIEW_PASSWORD_HASH_ALICE": ""}, "REVIEW_PASSWORD_HASH_ALICE"),
        (env_for("alice") | {"REVIEW_PASSWORD_HASH_ALICE": "hunter2"}, "review-password"),
        # `datasette hash-password --no-confirm` hashed the empty password whatever it was given.
        (env_for("alice") | {"REVIEW_PASSWORD_HASH_ALICE": EMPTY}, "empty password"),
        (env_for("alice") | {"REVIEW_PASSWORD_HASH_ALICE": SHORT}, "not made by"),
        (env_for("a.b", "a-b"), "share one password variable"),
    ],
)
def test_unusable_staff_settings_are_refused_naming_what_is_wrong(env: dict, named: str):
    with pytest.raises(ReviewConfigError, match=named):
        staff_logins(env)


def test_the_metadata_names_the_staff_and_keeps_hashes_out_of_it():
    metadata = review_metadata(env_for("alice", "bob"), database="advisor")
    assert metadata["allow"] == {"id": ["alice", "bob"]}
    assert metadata["allow_sql"] is False
    assert metadata["plugins"]["scaling-advisor-login"] == {
        "accounts": {
            "alice": {"$env": "REVIEW_PASSWORD_HASH_ALICE"},
            "bob": {"$env": "REVIEW_PASSWORD_HASH_BOB"},
        },
        "https": False,
        "trusted_proxy": False,
        "database": "advisor",
    }
    https = review_metadata(env_for("alice") | {"REVIEW_HTTPS": "on"}, database="advisor")
    assert https["plugins"]["scaling-advisor-login"]["https"] is True
    with pytest.raises(ReviewConfigError, match="REVIEW_TRUSTED_PROXY must be on or off"):
        review_metadata(env_for("alice") | {"REVIEW_TRUSTED_PROXY": "maybe"})
    assert set(metadata["databases"]) == {"advisor"}
    assert HASH not in json.dumps(metadata)
    assert load_base_metadata()["allow"] == {"id": "*"}, "the file alone still needs a login"


def test_every_canned_query_and_table_has_a_title_and_description():
    database = load_base_metadata()["databases"]["bot"]
    for name, query in database["queries"].items():
        assert query["title"] and query["description"] and query["hide_sql"], name
    for name, table in database["tables"].items():
        assert table.get("hidden") or (table["title"] and table["description"]), name
    # Nothing writes through SQL: staff act through the staff desk (/-/review/act), so that a
    # close edits the notice and tells the person, as on Telegram.
    writes = [name for name, query in database["queries"].items() if query.get("write")]
    assert writes == []


def test_every_column_of_every_shown_table_is_described(tmp_path: Path):
    with Store.open(tmp_path / "bot.db") as store:
        tables = load_base_metadata()["databases"]["bot"]["tables"]
        # Every table is either described or hidden (full-text shadow tables Datasette hides).
        for name in store.db.table_names():
            assert name in tables or name.startswith("messages_fts"), name
        for name, table in tables.items():
            if table.get("hidden"):
                continue
            columns = {c.name for c in store.db[name].columns}
            assert set(table["columns"]) == columns, name


def test_the_command_line_serves_the_live_file_on_loopback_only(tmp_path: Path):
    arguments = serve_arguments(tmp_path / "bot.db", 8123, tmp_path / "m.json")
    assert arguments[:2] == ["serve", str(tmp_path / "bot.db")]
    assert "--immutable" not in arguments and "-i" not in arguments
    assert arguments[arguments.index("--host") + 1] == HOST == "127.0.0.1"
    assert arguments[arguments.index("--port") + 1] == "8123"
    assert arguments[arguments.index("--plugins-dir") + 1] == str(PLUGINS_DIR)
    assert arguments[arguments.index("--template-dir") + 1] == str(TEMPLATES_DIR)
    settings = [arguments[i + 1 : i + 3] for i, a in enumerate(arguments) if a == "--setting"]
    assert ["default_allow_sql", "off"] in settings


@pytest.mark.parametrize(("value", "port"), [("", 8001), (" 9000 ", 9000), ("65535", 65535)])
def test_the_port_comes_from_review_port(value: str, port: int):
    assert review_port({"REVIEW_PORT": value}) == port


@pytest.mark.parametrize("value", ["0", "65536", "http", "-1", "80.5"])
def test_a_port_that_is_not_one_is_refused(value: str):
    with pytest.raises(ReviewConfigError, match="REVIEW_PORT"):
        review_port({"REVIEW_PORT": value})


def test_the_launcher_refuses_a_missing_database_without_creating_it(tmp_path: Path, capsys):
    missing = tmp_path / "nowhere" / "bot.db"
    assert main([], env_for("alice") | {"BOT_DB": str(missing)}) == 1
    assert f"no database at {missing}" in capsys.readouterr().err
    assert not missing.exists()


def test_the_launcher_refuses_to_start_without_staff(tmp_path: Path, capsys):
    db_path = tmp_path / "bot.db"
    Store.open(db_path).close()
    assert main([], {"BOT_DB": str(db_path)}) == 1
    assert "REVIEW_USERS" in capsys.readouterr().err


def test_the_launcher_takes_no_arguments(capsys):
    assert main(["--immutable"], env_for("alice")) == 2
    assert "usage" in capsys.readouterr().err


def test_the_metadata_file_is_the_one_in_the_package():
    assert METADATA_FILE.parent.name == "review" and METADATA_FILE.is_file()
    assert (PLUGINS_DIR / "staff_review.py").is_file()
    assert (TEMPLATES_DIR / "query.html").is_file()


def test_the_package_exports_exactly_its_documented_names():
    import inspect

    import storage.review

    public = {
        name
        for name in dir(storage.review)
        if not name.startswith("_") and not inspect.ismodule(getattr(storage.review, name))
    }
    assert public == set(storage.review.__all__)
    for name in storage.review.__all__:
        value = getattr(storage.review, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            assert value.__doc__, name


def test_every_word_the_pages_show_is_in_the_metadata_and_each_edit_is_checked(
    tmp_path, monkeypatch, capsys
):
    """Every word staff see is in metadata.yaml; a word left out, a brace misspelt or a page
    size that is not the query's is named with its entry and field at load and by `check`."""
    from storage.review import METADATA_FILE, review_content_problems
    from storage.review._config import words_used

    assert review_content_problems() == []
    words = load_base_metadata()["plugins"]["scaling-advisor-review"]["words"]
    assert set(words_used()) <= set(words)
    text = METADATA_FILE.read_text(encoding="utf-8")
    broken = (
        text.replace("      login_wrong: Wrong login or password.\n", "")
        .replace('act_title: "Follow-up {reference}"', 'act_title: "Follow-up {referense}"')
        .replace(
            "          per_page: 25\n          count: SELECT count(*) FROM followups"
            " WHERE status = 'open'",
            "          per_page: 20\n          count: SELECT"
            " count(*) FROM followups WHERE status = 'open'",
        )
    )
    copy = tmp_path / "storage" / "review" / "metadata.yaml"
    copy.parent.mkdir(parents=True)
    copy.write_text(broken, encoding="utf-8")
    problems = review_content_problems(copy)
    assert problems == [
        "storage/review/metadata.yaml: words: login_wrong: missing (shown by"
        " plugins/staff_login.py)",
        "storage/review/metadata.yaml: words: act_title: only these may stand in braces: "
        "{n}, {reference}, {login}, {name}, {page}, {pages}, {first}, {last}, {minutes},"
        " {seconds}",
        "storage/review/metadata.yaml: databases: bot: queries: followups_open: sql: must end"
        " its rows with LIMIT 20 OFFSET 20 * (max(CAST(:page AS INTEGER), 1) - 1)"
        " (paging: per_page)",
    ]
    with pytest.raises(ReviewConfigError, match="login_wrong: missing"):
        load_base_metadata(copy)
    from bot.cli import main

    monkeypatch.setattr("storage.review.METADATA_FILE", copy)
    assert main(["check"]) == 1
    said = capsys.readouterr().err
    assert "words: login_wrong: missing" in said and "3 problem(s) found." in said
