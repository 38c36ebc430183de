"""Store.unanswered: the candidates `python -m bot misses` and the review page read."""

from __future__ import annotations

from datetime import timedelta

from storage import Store


def _user(store: Store) -> int:
    user = store.ensure_user("terminal", 1)
    store.set_consent(user.id, True)
    return user.id


def test_unanswered_finds_no_match_several_matches_and_unhelpful_answers(store, clock):
    user = _user(store)
    store.record_inbound(user, "nothing fits this", "text")
    store.record_inbound(user, "two topics", "text", matched=["workforce", "scale-funding"])
    store.record_inbound(user, "a clear answer", "text", matched=["workforce"])
    store.record_inbound(user, "an unhelpful answer", "text", matched=["evidence"])
    clock.advance(seconds=5)
    store.record_feedback(user, "evidence", False)
    store.record_inbound(user, "[Menu]", "button")
    found = {row.text: row for row in store.misses()}
    assert set(found) == {"nothing fits this", "two topics", "an unhelpful answer"}
    assert found["an unhelpful answer"].unhelpful
    assert not found["two topics"].unhelpful
    assert found["two topics"].matched == ("workforce", "scale-funding")


def test_feedback_counts_against_the_question_it_answered_not_an_earlier_one(store, clock):
    user = _user(store)
    store.record_inbound(user, "first question", "text", matched=["evidence"])
    clock.advance(seconds=5)
    store.record_inbound(user, "second question", "text", matched=["evidence"])
    clock.advance(seconds=5)
    store.record_feedback(user, "evidence", False)
    found = {row.text: row for row in store.misses()}
    assert set(found) == {"second question"}


def test_helpful_feedback_is_no_miss_and_since_leaves_older_messages_out(store, clock):
    user = _user(store)
    store.record_inbound(user, "old miss", "text")
    clock.advance(days=3)
    since = clock()
    store.record_inbound(user, "a good answer", "text", matched=["evidence"])
    store.record_feedback(user, "evidence", True)
    store.record_inbound(user, "new miss", "text")
    assert [row.text for row in store.misses()] == ["old miss", "new miss"]
    assert [row.text for row in store.misses(since)] == ["new miss"]
    assert [row.text for row in store.misses(since.date() + timedelta(days=1))] == []
