"""Several processes on one file: a writer killed with SIGKILL, two writers and a reader at once."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from storage import BUSY_TIMEOUT_MS, Busy, Store
from tests.turns import said

from . import _workers
from .conftest import keeping_user

ROOT = Path(__file__).resolve().parents[2]


def test_a_writer_killed_mid_stream_loses_no_committed_row(db_path: Path):
    Store.open(db_path).close()
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.storage._workers", "write-forever", str(db_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    committed: list[tuple[int, int]] = []
    while len(committed) < 300:
        line = writer.stdout.readline()
        assert line, "the writer stopped before it was killed"
        index, message_id = line.split()
        committed.append((int(index), int(message_id)))
    os.kill(writer.pid, signal.SIGKILL)
    committed += [tuple(map(int, line.split())) for line in writer.stdout.read().splitlines()]
    writer.wait()
    assert writer.returncode == -signal.SIGKILL

    with Store.open(db_path) as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = dict(store.db.execute("SELECT id, text FROM messages").fetchall())
        for index, message_id in committed:
            assert stored[message_id] == f"message {index}"
        state = store.load_state(1)
        assert state is not None
        # The state moved with each message, in the same transaction: never ahead, never behind.
        assert state["index"] >= committed[-1][0]
        assert len(stored) == state["index"] + 1
        step = store.db.execute("SELECT step FROM states WHERE user_id = 1").fetchone()[0]
        assert step == f"step.{state['index']}"


def test_two_writing_processes_and_a_reader_lose_nothing(db_path: Path):
    Store.open(db_path).close()
    per_writer = 2_000
    context = multiprocessing.get_context("spawn")
    go, stop, results = context.Event(), context.Event(), context.Queue()
    writers = [
        context.Process(target=_workers.write_messages, args=(str(db_path), uid, per_writer, go))
        for uid in (101, 202)
    ]
    reader = context.Process(target=_workers.read_until, args=(str(db_path), stop, results))
    for process in (*writers, reader):
        process.start()
    go.set()  # both writers start together
    for writer in writers:
        writer.join(timeout=120)
    stop.set()
    seen, errors = results.get(timeout=60)
    reader.join(timeout=60)

    assert [writer.exitcode for writer in writers] == [0, 0]
    assert errors == []
    assert seen and seen == sorted(seen)  # every read saw a consistent, growing table
    with Store.open(db_path) as store:
        for uid in (101, 202):
            user = store.ensure_user("telegram", uid, uid)
            history = [
                m for s in reversed(store.list_sessions()) for m in store.transcript(s.reference)
                if m.user_id == user.id
            ]  # fmt: skip
            assert [m.text for m in history] == [
                f"user {uid} message {i}" for i in range(per_writer)
            ]
            assert store.load_state(user.id) == {"index": per_writer - 1}
        # The writers really did run at once: in commit order their messages interleave.
        everything = [m for s in store.list_sessions() for m in store.transcript(s.reference)]
        assert len(everything) == 2 * per_writer
        owners = [m.user_id for m in sorted(everything, key=lambda m: m.id)]
        assert sum(1 for a, b in itertools.pairwise(owners) if a != b) > 1


def test_a_locked_database_is_waited_for_not_skipped(store: Store, db_path: Path):
    user = keeping_user(store)
    blocker = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    blocker.execute("INSERT INTO counts (day, metric, key, n) VALUES ('2000-01-01', 'x', '', 1)")
    release = threading.Timer(0.5, lambda: blocker.execute("COMMIT"))
    release.start()
    started = time.perf_counter()
    with store.transaction():
        said(store, user.id, "written after the wait", "text")
        store.save_state(user.id, {"node": "after"}, "after")
    waited = time.perf_counter() - started
    release.join()
    blocker.close()
    assert waited >= 0.4
    assert store.load_state(user.id) == {"node": "after"}
    assert store.search("wait")[0].text == "written after the wait"
    assert store.db.execute("SELECT n FROM counts WHERE metric = 'x'").fetchone() == (1,)


def test_a_transaction_asked_not_to_wait_gives_up_on_a_busy_store_writing_nothing(
    db_path: Path,
):
    store = Store.open(db_path)
    user = store.ensure_user("telegram", 1, 1)
    holding, release = threading.Event(), threading.Event()

    def hold_the_connection() -> None:
        with store.transaction():
            holding.set()
            release.wait(5)

    holder = threading.Thread(target=hold_the_connection)
    holder.start()
    holding.wait(5)
    started = time.monotonic()
    with pytest.raises(Busy), store.transaction(wait=0.05):
        store.set_blocked(user.id, True)
    assert time.monotonic() - started < 1.0  # gave up soon, not after the busy timeout
    release.set()
    holder.join()

    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's write lock
    started = time.monotonic()
    with pytest.raises(Busy), store.transaction(wait=0.05):
        store.set_blocked(user.id, True)
    assert time.monotonic() - started < 1.0  # gave up soon, not after the busy timeout
    other.execute("ROLLBACK")
    other.close()
    assert not store.user(user.id).blocked  # nothing written either time
    with store.transaction(wait=0.05):  # free again: it goes through, and the wait is undone
        store.set_blocked(user.id, True)
    assert store.user(user.id).blocked
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS
    store.close()
