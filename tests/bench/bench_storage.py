"""Storage figures: the per-message write, and reads on a database of a million messages.

Example: python -m tests.bench storage

The large database is generated once (about 20 s) and cached in out/bench-storage.db.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path

from storage import Inbound, Outbound, Store, utc_now
from tests.bench._stats import report, time_each
from tests.bench.sample import fill_with_sample_data

CACHE = Path("out/bench-storage.db")
SESSIONS = 50_000
MESSAGES = 1_000_000
FOLLOWUPS = 1_000
WRITES = 2_000
BENCH_USER = 999_999_999
QUERIES = {
    "search: common word": "funding",
    "search: rare word": "kintsugi",
    "search: two words": "evidence workforce",
    "search: FTS syntax, quoted": "funding* AND (evidence",
}


def per_message_writes(store: Store, count: int) -> list[float]:
    """Seconds for each message recorded with the state it leaves (one transaction each, as
    the bot records a turn with no reply)."""
    user = store.ensure_user("telegram", BENCH_USER, BENCH_USER)
    store.set_consent(user.id, True)
    samples = []
    for index in range(count):
        start = time.perf_counter()
        inbound = Inbound(f"question {index} about funding", "text", step="ask.question")
        store.record_turn(user.id, inbound, {"node": "ask", "turn": index})
        samples.append(time.perf_counter() - start)
    return samples


def large_database() -> Path:
    """The cached million-message database, generated (atomically) if it is missing."""
    if CACHE.exists():
        return CACHE
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    partial = CACHE.with_suffix(".partial")
    for leftover in CACHE.parent.glob(partial.name + "*"):
        leftover.unlink()
    start = time.perf_counter()
    with Store.open(partial) as store:
        fill_with_sample_data(
            store, sessions=SESSIONS, messages=MESSAGES, followups=FOLLOWUPS, now=utc_now()
        )
        store.db.analyze()
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.replace(partial, CACHE)
    print(f"generated {CACHE} in {time.perf_counter() - start:.1f} s")
    return CACHE


def whole_turn_writes(store: Store, count: int) -> list[float]:
    """Seconds for each record_turn: what the bot writes per message (in, state, reply, outbox)."""
    user = store.ensure_user("telegram", BENCH_USER + 1, BENCH_USER + 1)
    store.set_consent(user.id, True)
    reply = "Staff turnover in adult social care was 30.8% in 2018/19. " * 40  # a card's size
    samples = []
    for index in range(count):
        inbound = Inbound(f"question {index} about funding", "text", index, ("workforce",), "ask")
        start = time.perf_counter()
        store.record_turn(
            user.id, inbound, {"node": "ask", "turn": index}, [Outbound(reply, "text", {})]
        )
        samples.append(time.perf_counter() - start)
    return samples


def run() -> None:
    """Print the write and read figures."""
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "bot.db") as fresh:
        report("per-message write, new database", per_message_writes(fresh, WRITES), "ms", "≤ 1 ms")
        report("whole turn (in, state, reply, outbox)", whole_turn_writes(fresh, WRITES), "ms")

    path = large_database()
    with Store.open(path) as store:
        sessions = store.list_sessions()
        messages = sum(session.message_count for session in sessions)
        size = path.stat().st_size / 1e6
        print(f"large database: {len(sessions):,} sessions, {messages:,} messages, {size:.0f} MB")
        queue = store.followup_queue()
        report(
            f"follow-up queue ({len(queue)} open)",
            time_each([store.followup_queue], repeat=50),
            "ms",
            "≤ 50 ms",
        )
        chosen = random.Random(1).sample(sessions, 200)
        report(
            "one transcript (by session reference)",
            time_each([lambda ref=s.reference: store.transcript(ref) for s in chosen]),
            "ms",
            "≤ 50 ms",
        )
        for name, query in QUERIES.items():
            found = len(store.search(query))
            report(
                f"{name} ({found} shown)",
                time_each([lambda q=query: store.search(q)], repeat=50),
                "ms",
                "≤ 50 ms",
            )
        report(
            "per-message write, large database", per_message_writes(store, WRITES), "ms", "≤ 1 ms"
        )
        user = store.ensure_user("telegram", BENCH_USER, BENCH_USER)
        start = time.perf_counter()
        store.forget(user.id)
        print(
            f"forget one user ({WRITES} messages) on the large database: "
            f"{(time.perf_counter() - start) * 1e3:.0f} ms"
        )
