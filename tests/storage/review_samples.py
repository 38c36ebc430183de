"""The staff review's sample: the fictional people in review_samples.yaml, written by the Store.

Used by the review tests and by docs.make_review_image (the README screenshot).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from storage import Inbound, Store
from tests.turns import replied, said

SAMPLES = Path(__file__).with_name("review_samples.yaml")
# Each conversation starts this long before its day's "now", one minute between messages.
CONVERSATION_OFFSET = timedelta(hours=1)
BETWEEN_MESSAGES = timedelta(minutes=1)
STAFF_ID = 77


class SampleClock:
    """A clock the sample moves to each event's time."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def load_samples() -> list[dict[str, Any]]:
    """The people of review_samples.yaml."""
    return yaml.safe_load(SAMPLES.read_text(encoding="utf-8"))["people"]


def write_review_sample(path: Path, now: datetime | None = None) -> list[dict[str, Any]]:
    """Create the database at `path` with the sample, times counted back from `now`; the people."""
    now = now or datetime.now(UTC)
    clock = SampleClock(now)
    people = load_samples()
    with Store.open(path, clock=clock) as store:
        for person in people:
            _write_person(store, clock, person, now)
    return people


def _write_person(store: Store, clock: SampleClock, person: dict[str, Any], now: datetime) -> None:
    events: list[tuple[datetime, str, Any]] = []
    for conversation in person.get("conversations", []):
        at = now - timedelta(days=conversation["days_ago"]) - CONVERSATION_OFFSET
        for message in conversation["messages"]:
            events.append((at, "message", message))
            at += BETWEEN_MESSAGES
    followup = person.get("followup")
    if followup:
        asked = now - timedelta(days=followup["days_ago"]) - CONVERSATION_OFFSET / 2
        events.append((asked, "followup", followup))
    events.sort(key=lambda event: event[0])
    clock.now = events[0][0]
    user = store.ensure_user("telegram", person["telegram_id"], person["telegram_id"])
    store.set_consent(user.id, person["keeps_messages"])
    for at, kind, item in events:
        clock.now = at
        if kind == "followup":
            _write_followup(store, clock, user.id, item)
        elif "unanswered" in item or "margin" in item:  # as the bot records a question
            inbound = Inbound(
                item["in"],
                "text",
                matched=tuple(item.get("topics", ())),
                unanswered=item.get("unanswered"),
                margin=item.get("margin"),
            )
            store.record_turn(user.id, inbound, {})
        elif "in" in item:
            said(store, user.id, item["in"], "text", matched=item.get("topics", ()))
        elif "feedback" in item:
            store.record_feedback(user.id, item["feedback"]["topic"], item["feedback"]["helpful"])
        else:
            kind = "staff" if "staff" in item else "text"
            _, queued = replied(store, user.id, item.get("out") or item["staff"], kind=kind)
            store.dequeue(queued, "sent")


def _write_followup(store: Store, clock: SampleClock, user_id: int, item: dict[str, Any]) -> None:
    store.create_followup(user_id, item["reference"], item["note"], item["contact"])
    if "taken_by" in item:  # as /take on Telegram or "Take it" on the web
        clock.now += timedelta(minutes=20)
        store.take_followup(item["reference"], item["taken_by"], None, item["taken_by"])
    if "staff_note" in item:
        clock.now += timedelta(minutes=30)
        name = item.get("noted_by")
        staff_id = None if name else STAFF_ID
        store.add_staff_note(item["reference"], staff_id, item["staff_note"], name)
    if "stage" in item:  # waiting: the team wrote to them; answered: they wrote back
        store.set_followup_stage(item["reference"], item["stage"])
    if "closed_by_staff" in item:
        clock.now += timedelta(hours=2)
        store.close_followup(item["reference"], item["closed_by_staff"], item["close_note"])
