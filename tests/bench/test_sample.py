"""Generated sample data: the shape asked for, searchable, and only into an empty database."""

from __future__ import annotations

import pytest

from storage import StorageError, Store
from tests.bench.sample import RARE_WORDS, fill_with_sample_data
from tests.storage.conftest import FakeClock
from tests.turns import said


def test_sample_data_has_the_sessions_and_messages_asked_for(store: Store, clock: FakeClock):
    fill_with_sample_data(store, sessions=40, messages=1_003, followups=9, now=clock.now)
    sessions = store.list_sessions()
    assert len(sessions) == 40
    assert sum(s.message_count for s in sessions) == 1_003
    assert store.db["messages"].count == 1_003
    assert len(store.transcript(sessions[0].reference)) == sessions[0].message_count
    assert len(store.followup_queue(None)) == 9 and len(store.followup_queue()) == 3
    assert store.search("funding")
    assert store.db.triggers_dict.keys() >= {"messages_ai", "messages_ad", "messages_au"}


def test_the_search_index_stays_current_after_sample_data(store: Store, clock: FakeClock):
    fill_with_sample_data(store, sessions=5, messages=50, followups=0, now=clock.now)
    user = store.ensure_user("telegram", 1, 1)
    store.set_consent(user.id, True)
    said(store, user.id, f"a {RARE_WORDS[0]}-free zqxafter message", "text")
    assert [m.text for m in store.search("zqxafter")] == [
        f"a {RARE_WORDS[0]}-free zqxafter message"
    ]


def test_sample_data_refuses_a_database_with_users(store: Store, clock: FakeClock):
    store.ensure_user("terminal", 0)
    with pytest.raises(StorageError):
        fill_with_sample_data(store, sessions=5, messages=10, now=clock.now)
