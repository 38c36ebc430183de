"""Privacy: /forget leaves nothing, retention purges, and a "no" keeps no message text at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import NotFound, Store, User
from tests.turns import replied, said

from .conftest import FakeClock, all_tables, cells_containing, every_cell, keeping_user

FORGOTTEN_TELEGRAM_ID = 987_654_321
KEPT_TELEGRAM_ID = 123_456_789


def fill_every_kind_of_row(store: Store, telegram_id: int, marker: str, ref: str) -> User:
    """A user with a row in every table that can hold something about them."""
    user = keeping_user(store, telegram_id)
    said(
        store,
        user.id,
        f"my {marker} scheme",
        update_id=telegram_id,
        matched=["evidence"],
        step="ask",
        state={"typed": f"about {marker}"},
    )
    _, sent = replied(store, user.id, f"answer about {marker}")
    store.dequeue(sent, "failed", error=f"error {marker}")
    replied(store, user.id, f"still pending {marker}")
    store.save_assessment(user.id, "sips", {"plan": f"plan {marker}"}, {"summary": marker})
    store.record_feedback(user.id, "evidence", True)
    store.create_followup(user.id, ref, f"note {marker}", f"contact {marker}@example.org")
    store.add_staff_note(ref, 77, f"staff note {marker}")
    store.link_staff_message(-100999, telegram_id % 100_000, ref)
    store.record_staff_action(77, "show", ref, f"looked at {marker}")
    store.record_staff_action(77, "show", store.transcript(ref)[0].session_reference, marker)
    store.close_followup(ref, 77, f"closed {marker}")
    return user


def test_forget_erases_every_row_about_the_user_in_every_table(store: Store, db_path: Path):
    gone = fill_every_kind_of_row(store, FORGOTTEN_TELEGRAM_ID, "zqxforgetme", "SA-G0NE1")
    kept = fill_every_kind_of_row(store, KEPT_TELEGRAM_ID, "stayingword", "SA-KEPT1")
    session_refs = {m.session_reference for m in store.transcript("SA-G0NE1")}
    before = {table: store.db[table].count for table in all_tables(db_path)}

    deleted = store.forget(gone.id)

    assert deleted["users"] == 1 and deleted["messages"] == 3 and deleted["followups"] == 1
    # Of the three messages only the user's own was in the search index (not the bot's replies).
    assert deleted["messages_fts"] == 1 and deleted["staff_actions"] == 4
    for needle in ("zqxforgetme", str(FORGOTTEN_TELEGRAM_ID), "SA-G0NE1", *session_refs):
        assert cells_containing(db_path, needle) == [], needle
    for table, column, value in every_cell(db_path):
        if column == "user_id" or (table == "users" and column == "id"):
            assert value != gone.id, (table, column)
    assert store.search("zqxforgetme") == []
    # The other user keeps every row.
    assert cells_containing(db_path, "stayingword")
    assert store.transcript("SA-KEPT1")[0].text == "my stayingword scheme"
    assert store.load_state(kept.id) == {"typed": "about stayingword"}
    assert store.reference_for_staff_message(-100999, KEPT_TELEGRAM_ID % 100_000) == "SA-KEPT1"
    after = {table: store.db[table].count for table in all_tables(db_path)}
    assert after["counts"] == before["counts"]  # anonymous counts stay


def test_forgotten_text_is_gone_from_the_files_too(store: Store, db_path: Path):
    gone = fill_every_kind_of_row(store, FORGOTTEN_TELEGRAM_ID, "zqxforgetme", "SA-G0NE1")
    fill_every_kind_of_row(store, KEPT_TELEGRAM_ID, "stayingword", "SA-KEPT1")
    store.forget(gone.id)
    raw = b"".join(
        path.read_bytes() for path in db_path.parent.iterdir() if path.name.startswith("bot.db")
    )
    assert b"stayingword" in raw
    assert b"zqxforgetme" not in raw


def test_forget_of_an_unknown_user_changes_nothing(store: Store):
    user = keeping_user(store)
    said(store, user.id, "hello", "text", state={"at": "menu"})
    with pytest.raises(NotFound):
        store.forget(user.id + 1)
    assert store.load_state(user.id) == {"at": "menu"} and len(store.list_sessions()) == 1


def test_declined_storage_keeps_no_message_text_anywhere(store: Store, db_path: Path):
    user = store.ensure_user("telegram", FORGOTTEN_TELEGRAM_ID, FORGOTTEN_TELEGRAM_ID)
    store.set_consent(user.id, False)
    with store.transaction():
        inbound = said(
            store, user.id, "private zqxsecret words", "text", update_id=1, matched=["workforce"]
        )
        store.save_state(user.id, {"node": "ask"}, "ask")
    outbound = store.record_outbound(user.id, "reply about zqxsecret")
    assessment = store.save_assessment(user.id, "readiness", {"evidence": "zqxsecret"}, {})
    store.record_feedback(user.id, "workforce", False)
    followup = store.create_followup(user.id, "SA-CA111", "please call me", "phone 0123")

    assert inbound is None and outbound is None and assessment is None
    assert cells_containing(db_path, "zqxsecret") == []
    for table in ("messages", "sessions", "assessments", "feedback"):
        assert store.db[table].count == 0, table
    # The service still works for them: state, follow-up and anonymous counts are kept.
    assert store.load_state(user.id) == {"node": "ask"}
    assert store.followup("SA-CA111") == followup and store.transcript("SA-CA111") == []
    stats = store.stats(1)
    assert (stats.messages_in, stats.messages_out, stats.conversations) == (1, 1, 1)
    assert [(t.topic_id, t.count) for t in stats.top_topics] == [("workforce", 1)]
    assert stats.feedback_unhelpful == 1
    assert store.seen_update("telegram", 1)


def test_users_not_yet_asked_are_treated_as_declining(store: Store, db_path: Path):
    user = store.ensure_user("telegram", 5, 5)
    assert said(store, user.id, "/start zqxearly", "command") is None
    assert cells_containing(db_path, "zqxearly") == []


def test_saying_no_after_yes_erases_what_was_kept(store: Store, db_path: Path):
    user = keeping_user(store)
    said(store, user.id, "kept zqxwithdrawn", "text")
    store.save_assessment(user.id, "readiness", {"a": "zqxwithdrawn"}, {})
    store.create_followup(user.id, "SA-STAY1", "call me", "email")
    store.set_consent(user.id, False)
    assert cells_containing(db_path, "zqxwithdrawn") == []
    assert store.followup("SA-STAY1").note == "call me"


def test_purge_deletes_what_is_older_than_the_retention(store: Store, clock: FakeClock):
    idle = fill_every_kind_of_row(store, FORGOTTEN_TELEGRAM_ID, "zqxidle", "SA-1D1E1")
    active = keeping_user(store, KEPT_TELEGRAM_ID)
    said(store, active.id, "an old question", "text")
    store.save_assessment(active.id, "readiness", {"a": "yes"}, {"a": "green"})
    store.create_followup(active.id, "SA-01DC1", "old, closed", "email")
    store.close_followup("SA-01DC1", 77)
    clock.advance(days=400)
    store.ensure_user("telegram", KEPT_TELEGRAM_ID, KEPT_TELEGRAM_ID)
    said(store, active.id, "a new question", "text")
    counts_before = store.db["counts"].count

    deleted = store.purge(365)

    assert deleted["users"] == 1 and deleted["messages"] >= 4 and deleted["followups"] == 2
    with pytest.raises(NotFound):
        store.user(idle.id)
    (session,) = store.list_sessions()
    assert session.message_count == 1
    assert [m.text for m in store.transcript(session.reference)] == ["a new question"]
    assert store.followup_queue(None) == []
    assert len(store.assessments(active.id)) == 1  # kept while the user is active
    assert store.db["counts"].count == counts_before
    assert store.search("zqxidle") == [] and store.search("old") == []
    assert not store.seen_update("telegram", FORGOTTEN_TELEGRAM_ID)
    assert store.purge(365) == dict.fromkeys(deleted, 0)


def test_purge_keeps_a_follow_up_until_closed_for_the_retention_period(
    store: Store, clock: FakeClock, db_path: Path
):
    waiting = keeping_user(store, 501)
    said(store, waiting.id, "zqxwaiting about funding", "text")
    store.create_followup(waiting.id, "SA-0PEN1", "please call zqxwaiting", "phone 01234")
    store.add_staff_note("SA-0PEN1", 77, "rang once zqxwaiting")
    store.record_staff_action(77, "show", "SA-0PEN1")
    declined = store.ensure_user("telegram", 502, 502)
    store.set_consent(declined.id, False)
    store.create_followup(declined.id, "SA-0PEN2", "call zqxdeclined", "email")
    closed = keeping_user(store, 503)
    said(store, closed.id, "zqxclosed question", "text")
    store.create_followup(closed.id, "SA-D0NE1", "zqxclosed please", "email")
    clock.advance(days=200)
    store.close_followup("SA-D0NE1", 77, "rang them")

    clock.advance(days=366)  # a year and a day since anyone was seen
    store.purge(365)

    assert {f.reference for f in store.followup_queue()} == {"SA-0PEN1", "SA-0PEN2"}
    assert [m.text for m in store.transcript("SA-0PEN1")] == ["zqxwaiting about funding"]
    assert store.followup("SA-0PEN1").notes[0].text == "rang once zqxwaiting"
    assert [a.action for a in store.staff_actions("SA-0PEN1")] == ["note", "show"]
    # Closed 366 days after it was asked for, 366 days ago: gone with its user and their words.
    assert cells_containing(db_path, "zqxclosed") == []
    with pytest.raises(NotFound):
        store.user(closed.id)

    store.close_followup("SA-0PEN1", 77)
    clock.advance(days=2)
    store.purge(1)  # "--days 1": closed two days ago now, so it goes; the open one stays
    assert [f.reference for f in store.followup_queue(None)] == ["SA-0PEN2"]
    assert cells_containing(db_path, "zqxwaiting") == []
    assert store.user(declined.id).consent is False


def test_a_session_straddling_the_cutoff_keeps_a_true_count(store: Store, clock: FakeClock):
    user = keeping_user(store)
    said(store, user.id, "first", "text")
    clock.advance(minutes=20)
    said(store, user.id, "second", "text")
    clock.advance(days=30, minutes=-10)
    store.ensure_user(user.channel, user.external_id)  # back, and seen (the bot does this first)
    store.purge(30)
    (session,) = store.list_sessions()
    assert session.message_count == 1
    assert [m.text for m in store.transcript(session.reference)] == ["second"]


def test_purge_needs_a_positive_retention(store: Store):
    with pytest.raises(ValueError):
        store.purge(0)


def _raw(db_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db_path.parent.iterdir() if p.name.startswith("bot.db"))


def test_forget_in_a_callers_transaction_empties_the_log_once_it_commits(
    store: Store, db_path: Path
):
    gone = fill_every_kind_of_row(store, FORGOTTEN_TELEGRAM_ID, "zqxforgetme", "SA-G0NE1")
    with store.transaction():  # as the service does: the whole turn is one transaction
        store.forget(gone.id, update_id=4242)
        assert b"zqxforgetme" in _raw(db_path)  # not committed yet
    assert b"zqxforgetme" not in _raw(db_path)
    assert (db_path.parent / "bot.db-wal").stat().st_size == 0
    assert not store.log_scrub_due


def test_the_update_that_erased_someone_is_still_known_and_purged_later(
    store: Store, clock: FakeClock
):
    gone = keeping_user(store, FORGOTTEN_TELEGRAM_ID)
    store.forget(gone.id, update_id=4242)
    assert store.seen_update("telegram", 4242) and not store.seen_update("terminal", 4242)
    assert store.db["users"].count == 0
    clock.advance(days=8)
    store.purge(365)
    assert not store.seen_update("telegram", 4242)


def test_a_delivered_reply_that_is_not_kept_is_scrubbed_from_the_log(store: Store, db_path: Path):
    user = store.ensure_user("telegram", 5, 5)
    store.set_consent(user.id, False)
    outbox_id = store.enqueue(user.id, {"text": "you said zqxunkept"}, chat_id=5)
    store.dequeue(outbox_id)
    assert store.log_scrub_due and b"zqxunkept" in _raw(db_path)
    assert store.scrub_log()
    assert b"zqxunkept" not in _raw(db_path) and not store.log_scrub_due
