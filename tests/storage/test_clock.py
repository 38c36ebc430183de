"""Stored times: fixed-width UTC text, so ordering text orders time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from storage._clock import as_text, day_text, from_text, start_of


def test_times_are_stored_in_utc_and_read_back_equal():
    paris = datetime(2026, 6, 1, 12, 30, tzinfo=timezone(timedelta(hours=2)))
    assert as_text(paris) == "2026-06-01T10:30:00.000000+00:00"
    assert from_text(as_text(paris)) == paris


def test_text_order_is_time_order():
    moments = [
        datetime(2026, 1, 1, tzinfo=UTC) + timedelta(microseconds=n * 999) for n in range(50)
    ]
    assert sorted(as_text(m) for m in moments) == [as_text(m) for m in moments]


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        as_text(datetime(2026, 1, 1))


def test_day_and_start_of_day_are_utc():
    assert day_text(datetime(2026, 1, 1, 23, 30, tzinfo=timezone(timedelta(hours=-2)))) == (
        "2026-01-02"
    )
    assert start_of(date(2026, 1, 2)) == datetime(2026, 1, 2, tzinfo=UTC)
