"""The one owner of unanswered questions (storage/_misses.py): Store.misses, the candidates
`python -m bot misses` reads, and Store.unanswered, the review's page, read the same record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage import Inbound, Store
from tests.storage.conftest import FakeClock
from tests.turns import said


def _user(store: Store) -> int:
    user = store.ensure_user("terminal", 1)
    store.set_consent(user.id, True)
    return user.id


def asked(store: Store, user: int, text: str, **how) -> None:
    """A question typed, recorded as the bot records it (Advisor → record_turn)."""
    store.record_turn(user, Inbound(text, "text", step="menu.menu", **how), {})


def test_misses_are_no_match_did_you_mean_low_margin_and_unhelpful_answers(store, clock):
    user = _user(store)
    asked(store, user, "nothing fits this", unanswered="nothing")
    asked(store, user, "two topics", unanswered="unsure")
    asked(store, user, "a narrow answer", matched=("workforce",), margin=9)
    asked(store, user, "a clear answer", matched=("workforce",))
    asked(store, user, "an unhelpful answer", matched=("evidence",))
    clock.advance(seconds=5)
    store.record_feedback(user, "evidence", False)
    said(store, user, "[Menu]", "button")
    found = {row.text: row for row in store.misses()}
    assert set(found) == {
        "nothing fits this",
        "two topics",
        "a narrow answer",
        "an unhelpful answer",
    }
    assert found["an unhelpful answer"].unhelpful
    assert not found["a narrow answer"].unhelpful
    assert found["a narrow answer"].matched == ("workforce",)


def test_a_low_margin_answer_marked_unhelpful_is_one_miss(store, clock):
    user = _user(store)
    asked(store, user, "a narrow answer", matched=("evidence",), margin=9)
    clock.advance(seconds=5)
    store.record_feedback(user, "evidence", False)
    [row] = store.misses()
    assert (row.text, row.unhelpful) == ("a narrow answer", True)


def test_feedback_counts_against_the_question_it_answered_not_an_earlier_one(store, clock):
    user = _user(store)
    asked(store, user, "first question", matched=("evidence",))
    clock.advance(seconds=5)
    asked(store, user, "second question", matched=("evidence",))
    clock.advance(seconds=5)
    store.record_feedback(user, "evidence", False)
    found = {row.text: row for row in store.misses()}
    assert set(found) == {"second question"}


def test_helpful_feedback_is_no_miss_and_since_leaves_older_messages_out(store, clock):
    user = _user(store)
    asked(store, user, "old miss", unanswered="nothing")
    clock.advance(days=3)
    since = clock()
    asked(store, user, "a good answer", matched=("evidence",))
    store.record_feedback(user, "evidence", True)
    asked(store, user, "new miss", unanswered="nothing")
    assert [row.text for row in store.misses()] == ["old miss", "new miss"]
    assert [row.text for row in store.misses(since)] == ["new miss"]
    assert [row.text for row in store.misses(since.date() + timedelta(days=1))] == []


def test_an_unknown_reason_is_refused(store):
    user = _user(store)
    with pytest.raises(ValueError, match="unanswered must be one of nothing, unsure"):
        asked(store, user, "what?", unanswered="maybe")


def test_the_page_groups_the_same_questions_newest_first_with_each_reason(db_path):
    clock = FakeClock(datetime.now(UTC) - timedelta(days=1))  # the page reads 90 days back
    with Store.open(db_path, clock=clock) as store:
        user = _user(store)
        asked(store, user, "Who pays for scaling?", unanswered="nothing")
        clock.advance(minutes=1)
        asked(store, user, "who pays for scaling? ", unanswered="unsure")
        clock.advance(minutes=1)
        asked(store, user, "how to measure impact", matched=("evidence",), margin=10)
        asked(store, user, "a clear answer", matched=("evidence",))
        page = store.unanswered()
        assert [(r["question"].strip().lower(), r["times"]) for r in page] == [
            ("how to measure impact", 1),
            ("who pays for scaling?", 2),
        ]
        assert (page[0]["low_margin"], page[1]["unsure"], page[1]["low_margin"]) == (1, 1, 0)
        assert page[0]["conversation"].startswith("C-")
        # the CLI reads the same rows, one each
        assert sorted(r.text.strip().lower() for r in store.misses()) == [
            "how to measure impact",
            "who pays for scaling?",
            "who pays for scaling?",
        ]
