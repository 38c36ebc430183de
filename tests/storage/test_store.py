"""The Store's verbs on a real database file: users, state, messages, sessions, follow-ups."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import (
    MAX_TEXT_CHARS,
    SESSION_GAP,
    TRUNCATION_MARKER,
    AlreadyClosed,
    BadReference,
    DuplicateUpdate,
    NotFound,
    ReferenceTaken,
    Store,
)
from tests.turns import replied, said

from .conftest import FakeClock, keeping_user

# --- users ----------------------------------------------------------------------------------


def test_a_user_is_created_once_per_channel_and_id(store: Store, clock: FakeClock):
    first = store.ensure_user("telegram", 42, 4200)
    clock.advance(minutes=5)
    again = store.ensure_user("telegram", 42, 4201)
    other_channel = store.ensure_user("terminal", 42)
    assert again.id == first.id != other_channel.id
    assert again.chat_id == 4201
    assert again.first_seen == first.first_seen < again.last_seen == clock.now
    assert first.consent is None and not first.blocked and not first.keeps_messages
    assert store.stats(1).new_users == 2


def test_an_unknown_channel_is_refused(store: Store):
    with pytest.raises(ValueError):
        store.ensure_user("whatsapp", 1)


def test_consent_and_blocking_are_recorded(store: Store):
    user = store.ensure_user("telegram", 7, 7)
    assert store.set_consent(user.id, True).consent is True
    assert store.set_consent(user.id, False).consent is False
    store.set_blocked(user.id, True)
    assert store.user(user.id).blocked
    store.set_blocked(user.id, False)
    assert not store.user(user.id).blocked


def test_a_message_marks_the_user_seen_now(store: Store, clock: FakeClock):
    user = store.ensure_user("telegram", 7, 7)
    clock.advance(days=3)
    said(store, user.id, "hello again")
    assert store.user(user.id).last_seen == clock.now


def test_unknown_users_raise_not_found(store: Store):
    for call in (
        lambda: store.user(999),
        lambda: store.set_consent(999, True),
        lambda: store.set_blocked(999, True),
        lambda: store.save_state(999, {}, "menu"),
        lambda: said(store, 999, "hi", "text"),
        lambda: store.record_outbound(999, "hi"),
        lambda: store.create_followup(999, "SA-00001", "note", "email"),
        lambda: store.forget(999),
    ):
        with pytest.raises(NotFound):
            call()


# --- state ----------------------------------------------------------------------------------


def test_state_round_trips_exactly_and_keeps_its_step(store: Store):
    user = store.ensure_user("telegram", 7, 7)
    assert store.load_state(user.id) is None
    state = {"node": "triage.role", "answers": {"role": "provider", "note": "😀 שלום e\u0301"}}
    store.save_state(user.id, state, "triage.role")
    store.save_state(user.id, {**state, "node": "triage.field"}, "triage.field")
    assert store.load_state(user.id) == {**state, "node": "triage.field"}
    step = store.db.execute("SELECT step FROM states WHERE user_id = ?", (user.id,)).fetchone()
    assert step == ("triage.field",)


def test_state_survives_even_lone_surrogates(store: Store):
    user = store.ensure_user("telegram", 7, 7)
    store.save_state(user.id, {"typed": "\ud800 and \x00"}, "menu")
    assert store.load_state(user.id) == {"typed": "\ud800 and \x00"}


# --- messages -------------------------------------------------------------------------------


def test_inbound_messages_are_kept_with_what_they_matched(store: Store):
    user = keeping_user(store)
    message_id = said(
        store,
        user.id,
        "how do I fund scale?",
        "text",
        update_id=10,
        matched=["scale-funding"],
        step="ask",
    )
    assert message_id is not None
    (message,) = store.transcript(store.list_sessions()[0].reference)
    assert (message.id, message.direction, message.kind) == (message_id, "in", "text")
    assert message.text == "how do I fund scale?"
    assert message.matched == ("scale-funding",)
    assert message.step == "ask"
    assert message.status is None


def test_message_kinds_and_statuses_are_checked(store: Store):
    user = keeping_user(store)
    with pytest.raises(ValueError):
        said(store, user.id, "x", "sticker")
    with pytest.raises(ValueError):
        store.record_outbound(user.id, "x", kind="video")


def test_a_redelivered_update_is_detected_and_not_recorded_twice(store: Store):
    user = keeping_user(store)
    assert not store.seen_update("telegram", 555)
    said(store, user.id, "first", "text", update_id=555)
    assert store.seen_update("telegram", 555)
    assert not store.seen_update("terminal", 555)
    with pytest.raises(DuplicateUpdate):
        said(store, user.id, "first", "text", update_id=555)
    assert [m.text for m in store.transcript(store.list_sessions()[0].reference)] == ["first"]
    assert store.stats(1).messages_in == 1


def test_outbound_messages_carry_their_delivery_status(store: Store):
    user = keeping_user(store)
    other = keeping_user(store, 2002)
    (first, first_queued), (second, second_queued), (third, third_queued) = (
        replied(store, user.id, "one"),
        replied(store, user.id, "two", kind="picture"),
        replied(store, other.id, "three"),
    )
    assert first is not None and second is not None and third is not None

    def statuses() -> dict[int, str | None]:
        return {
            m.id: m.status for s in store.list_sessions() for m in store.transcript(s.reference)
        }

    assert statuses() == {first: "pending", second: "pending", third: "pending"}
    store.dequeue(first_queued, "sent")
    store.dequeue(second_queued, "failed", error="Bad Request: message is too long")
    store.dequeue(third_queued, "blocked", error="Forbidden: bot was blocked by the user")
    assert statuses() == {first: "sent", second: "failed", third: "blocked"}
    messages = {m.id: m for m in store.transcript(store.list_sessions()[-1].reference)}
    assert messages[second].error == "Bad Request: message is too long"
    assert store.outbox() == []
    store.dequeue(first_queued, "failed")  # done with already (a resend after a restart)
    assert statuses()[first] == "sent"


def test_nul_bytes_long_text_and_odd_unicode_are_stored_safely(store: Store):
    user = keeping_user(store)
    texts = ["nul\x00inside", "x" * 100_000, "😀👩🏽‍🦯 مرحبا e\u0301\u200f", "lone \udc80 half"]
    for text in texts:
        said(store, user.id, text, "text")
    stored = [m.text for m in store.transcript(store.list_sessions()[0].reference)]
    assert stored[0] == "nul\ufffdinside"
    assert len(stored[1]) == MAX_TEXT_CHARS and stored[1].endswith(TRUNCATION_MARKER)
    assert stored[2] == texts[2]
    assert stored[3] == "lone \ufffd half"


# --- transactions ---------------------------------------------------------------------------


def test_a_failed_transaction_leaves_nothing_behind(store: Store):
    user = keeping_user(store)
    with pytest.raises(RuntimeError), store.transaction():
        said(store, user.id, "lost", "text", update_id=1)
        store.save_state(user.id, {"node": "lost"}, "lost")
        raise RuntimeError("the engine failed")
    assert store.load_state(user.id) is None
    assert store.list_sessions() == []
    assert not store.seen_update("telegram", 1)


def test_nested_transactions_join_the_outer_one(store: Store):
    user = keeping_user(store)
    with pytest.raises(RuntimeError), store.transaction():
        with store.transaction():
            store.save_state(user.id, {"node": "inner"}, "inner")
        assert store.load_state(user.id) == {"node": "inner"}
        raise RuntimeError("outer fails")
    assert store.load_state(user.id) is None


# --- sessions -------------------------------------------------------------------------------


def test_a_new_session_starts_after_thirty_minutes_of_silence(store: Store, clock: FakeClock):
    user = keeping_user(store)
    said(store, user.id, "one", "text")
    clock.advance(minutes=29)
    store.record_outbound(user.id, "two")
    clock.advance(seconds=SESSION_GAP.total_seconds() + 1)
    said(store, user.id, "three", "text")
    newest, oldest = store.list_sessions()
    assert oldest.reference != newest.reference
    assert (oldest.message_count, newest.message_count) == (2, 1)
    assert [m.text for m in store.transcript(oldest.reference)] == ["one", "two"]
    assert [m.session_reference for m in store.transcript(newest.reference)] == [newest.reference]
    assert store.stats(1).conversations == 2


def test_sessions_can_be_listed_since_a_day(store: Store, clock: FakeClock):
    user = keeping_user(store)
    said(store, user.id, "old", "text")
    clock.advance(days=10)
    said(store, user.id, "new", "text")
    recent = store.list_sessions(since=(clock.now.date()))
    assert [s.message_count for s in recent] == [1]
    assert len(store.list_sessions()) == 2
    assert len(store.list_sessions(limit=1)) == 1


def test_a_session_starts_when_consent_is_given_mid_conversation(store: Store):
    user = store.ensure_user("telegram", 5, 5)
    assert said(store, user.id, "/start", "command") is None
    store.set_consent(user.id, True)
    assert said(store, user.id, "yes, keep them", "button") is not None
    (session,) = store.list_sessions()
    assert [m.text for m in store.transcript(session.reference)] == ["yes, keep them"]
    assert store.stats(1).conversations == 1


# --- transcripts and search -----------------------------------------------------------------


def test_a_follow_up_reference_gives_the_users_whole_history(store: Store, clock: FakeClock):
    user = keeping_user(store)
    other = keeping_user(store, 2002)
    said(store, user.id, "first visit", "text")
    said(store, other.id, "someone else", "text")
    clock.advance(days=2)
    said(store, user.id, "second visit", "text")
    store.create_followup(user.id, "SA-4K9P2", "please call", "phone")
    history = store.transcript("sa-4k9p2")
    assert [m.text for m in history] == ["first visit", "second visit"]
    assert len({m.session_reference for m in history}) == 2


def test_typed_session_references_are_forgiven(store: Store):
    user = keeping_user(store)
    said(store, user.id, "hello", "text")
    reference = store.list_sessions()[0].reference
    assert [m.text for m in store.transcript(f"  {reference.lower()} ")] == ["hello"]


def test_unknown_and_malformed_references_raise(store: Store):
    with pytest.raises(NotFound):
        store.transcript("C-0000000")
    with pytest.raises(NotFound):
        store.transcript("SA-N0PE1")
    for bad in ("", "C 123", "'; DROP TABLE messages; --", "x" * 50):
        with pytest.raises(BadReference):
            store.transcript(bad)


def test_search_finds_words_newest_first(store: Store, clock: FakeClock):
    user = keeping_user(store)
    for text in ("funding for scale", "evidence first", "more funding please"):
        said(store, user.id, text, "text")
        clock.advance(minutes=1)
    assert [m.text for m in store.search("funding")] == ["more funding please", "funding for scale"]
    assert [m.text for m in store.search("FUNDING scale")] == ["funding for scale"]
    assert len(store.search("funding", limit=1)) == 1
    assert store.search("nothing-like-this") == []


HOSTILE_QUERIES = [
    '"',
    '"""',
    "'",
    "*",
    "fund*",
    "NEAR",
    "NEAR(funding evidence, 2)",
    "funding NEAR evidence",
    "(",
    "((funding)",
    "funding)",
    "AND",
    "OR OR",
    "NOT funding",
    "text:funding",
    "-funding",
    "^funding",
    "{funding}",
    "funding + evidence",
    "",
    "   ",
    "\x00",
    "\ud800",
    "x" * 10_000,
    "'; DROP TABLE messages; --",
]


def test_hostile_search_queries_never_raise(store: Store):
    user = keeping_user(store)
    said(store, user.id, "funding NEAR evidence (quoted) * star", "text")
    for query in HOSTILE_QUERIES:
        results = store.search(query)
        assert all(m.text for m in results)
    assert [m.text for m in store.search("NEAR")] == ["funding NEAR evidence (quoted) * star"]
    assert store.db.execute("SELECT count(*) FROM messages").fetchone() == (1,)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text())
def test_any_search_query_is_answered_without_raising(store: Store, query: str):
    assert isinstance(store.search(query), list)


# --- assessments ----------------------------------------------------------------------------


def test_assessments_are_listed_newest_first_by_kind(store: Store, clock: FakeClock):
    user = keeping_user(store)
    first = store.save_assessment(user.id, "readiness", {"evidence": "no"}, {"evidence": "red"})
    clock.advance(days=30)
    store.save_assessment(user.id, "nasss", {"technology": "complex"}, {"complex": 1})
    clock.advance(days=30)
    second = store.save_assessment(user.id, "readiness", {"evidence": "yes"}, {"evidence": "green"})
    readiness = store.assessments(user.id, "readiness")
    assert [a.id for a in readiness] == [second, first]
    assert readiness[0].answers == {"evidence": "yes"}
    assert readiness[1].result == {"evidence": "red"}
    assert readiness[0].created_at == clock.now
    assert [a.kind for a in store.assessments(user.id)] == ["readiness", "nasss", "readiness"]
    with pytest.raises(ValueError):
        store.save_assessment(user.id, "horoscope", {}, {})


def test_free_text_in_assessment_answers_is_capped(store: Store):
    user = keeping_user(store)
    store.save_assessment(user.id, "sips", {"plan": "p" * 10_000}, {})
    (saved,) = store.assessments(user.id, "sips")
    assert len(saved.answers["plan"]) == MAX_TEXT_CHARS


# --- follow-ups -----------------------------------------------------------------------------


def test_follow_ups_are_queued_oldest_first_and_closed(store: Store, clock: FakeClock):
    user = keeping_user(store)
    first = store.create_followup(user.id, "SA-AAAA1", "call me about funding", "phone: 0123")
    clock.advance(hours=1)
    store.create_followup(user.id, "SA-BBBB2", "email me", "email: x@example.org")
    assert first.status == "open" and first.contact == "phone: 0123"
    assert [f.reference for f in store.followup_queue()] == ["SA-AAAA1", "SA-BBBB2"]
    store.add_staff_note("SA-AAAA1", 77, "left a voicemail")
    clock.advance(hours=1)
    closed = store.close_followup("sa-aaaa1", 77, "spoke to them")
    assert (closed.status, closed.closed_by, closed.close_note) == ("closed", 77, "spoke to them")
    assert closed.closed_at == clock.now
    assert [(n.staff_id, n.text) for n in closed.notes] == [(77, "left a voicemail")]
    assert [f.reference for f in store.followup_queue()] == ["SA-BBBB2"]
    assert [f.reference for f in store.followup_queue("closed")] == ["SA-AAAA1"]
    assert len(store.followup_queue(None)) == 2
    with pytest.raises(AlreadyClosed):
        store.close_followup("SA-AAAA1", 78)
    assert [a.action for a in store.staff_actions("SA-AAAA1")] == ["note", "close"]


def test_a_follow_up_reference_is_used_once(store: Store):
    user = keeping_user(store)
    store.create_followup(user.id, "SA-AAAA1", "note", "email")
    with pytest.raises(ReferenceTaken):
        store.create_followup(user.id, "sa-aaaa1", "again", "email")
    with pytest.raises(BadReference):
        store.create_followup(user.id, "not a reference!", "note", "email")
    with pytest.raises(NotFound):
        store.followup("SA-ZZZZ9")


def test_staff_chat_messages_map_to_follow_ups_across_restarts(
    store: Store, db_path: Path, clock: FakeClock
):
    user = keeping_user(store)
    store.create_followup(user.id, "SA-AAAA1", "note", "email")
    store.link_staff_message(-100123, 55, "SA-AAAA1")
    with pytest.raises(NotFound):
        store.link_staff_message(-100123, 56, "SA-N0PE1")
    store.close()
    with Store.open(db_path, clock=clock) as reopened:
        assert reopened.reference_for_staff_message(-100123, 55) == "SA-AAAA1"
        assert reopened.reference_for_staff_message(-100123, 56) is None


# --- feedback, staff actions and stats ------------------------------------------------------


def test_staff_actions_form_an_audit_trail(store: Store, clock: FakeClock):
    store.record_staff_action(77, "queue")
    clock.advance(seconds=1)
    store.record_staff_action(77, "reply", "sa-aaaa1", "sent a reply")
    actions = store.staff_actions()
    assert [(a.staff_id, a.action, a.reference, a.detail) for a in actions] == [
        (77, "queue", None, None),
        (77, "reply", "SA-AAAA1", "sent a reply"),
    ]
    assert actions[1].at == clock.now
    with pytest.raises(ValueError):
        store.record_staff_action(77, "launch-missiles")


def test_stats_count_the_last_days_only(store: Store, clock: FakeClock):
    user = keeping_user(store)
    said(store, user.id, "long ago", "text", matched=["evidence"])
    clock.advance(days=10)
    said(store, user.id, "a", "text", matched=["workforce", "evidence"])
    store.record_outbound(user.id, "answer")
    said(store, user.id, "b", "text", matched=["workforce"])
    store.record_feedback(user.id, "workforce", True)
    store.record_feedback(user.id, "evidence", False)
    store.create_followup(user.id, "SA-AAAA1", "note", "email")
    store.create_followup(user.id, "SA-BBBB2", "note", "email")
    store.close_followup("SA-AAAA1", 77)
    week = store.stats(7)
    assert week.since == clock.now.date() - timedelta(days=6)
    assert (week.messages_in, week.messages_out, week.conversations) == (2, 1, 1)
    assert [(t.topic_id, t.count) for t in week.top_topics] == [("workforce", 2), ("evidence", 1)]
    assert (week.feedback_helpful, week.feedback_unhelpful) == (1, 1)
    assert (week.followups_opened, week.followups_closed, week.followups_open_now) == (2, 1, 1)
    assert store.stats(30).messages_in == 3
    with pytest.raises(ValueError):
        store.stats(0)


# --- restart --------------------------------------------------------------------------------


def test_a_restart_resumes_every_user_where_they_were(db_path: Path, clock: FakeClock):
    with Store.open(db_path, clock=clock) as store:
        user = keeping_user(store)
        with store.transaction():
            said(store, user.id, "I run a Shared Lives scheme", "text", update_id=9)
            store.save_state(user.id, {"node": "triage.stage", "role": "provider"}, "triage.stage")
            pending = store.record_outbound(user.id, "What stage are you at?")
        reference = store.list_sessions()[0].reference
    with Store.open(db_path, clock=clock) as store:
        assert store.load_state(user.id) == {"node": "triage.stage", "role": "provider"}
        assert store.seen_update("telegram", 9)
        (waiting,) = [m for m in store.transcript(reference) if m.id == pending]
        assert waiting.status == "pending"
        assert [m.text for m in store.transcript(reference)] == [
            "I run a Shared Lives scheme",
            "What stage are you at?",
        ]


# --- chats Telegram moved -------------------------------------------------------------------


def test_a_moved_chat_takes_what_is_queued_for_it_and_is_followed_after_a_reopen(
    tmp_path: Path,
):
    path = tmp_path / "bot.db"
    with Store.open(path) as store:
        queued = store.enqueue_post(-500, {"text": "a notice"}, post="notice")
        other = store.enqueue_post(7, {"text": "for a member of staff"}, post="answer")
        assert store.chat_now(-500) == -500  # never moved
        assert store.move_chat(-500, -100600) == 1
        assert {q.id: q.chat_id for q in store.outbox()} == {queued: -100600, other: 7}
    with Store.open(path) as store:
        assert store.chat_now(-500) == -100600
        store.move_chat(-100600, -100700)  # moved again: followed to the end
        assert store.chat_now(-500) == -100700
        store.move_chat(-100700, -500)  # a loop in what Telegram said must not hang
        assert store.chat_now(-500) == -100700
