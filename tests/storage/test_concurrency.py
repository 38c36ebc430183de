"""Several processes on one file: a writer killed with SIGKILL, two writers and a reader at once."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from storage import Store

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


def read_while(path: Path, running: threading.Event, seen: list[int], errors: list[str]) -> None:
    """A Datasette-style reader: a plain read-only connection, querying in a loop."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        while running.is_set():
            try:
                seen.append(connection.execute("SELECT count(*) FROM messages").fetchone()[0])
                connection.execute(
                    "SELECT s.reference, count(m.id) FROM sessions s"
                    " LEFT JOIN messages m ON m.session_id = s.id GROUP BY s.id"
                ).fetchall()
            except sqlite3.Error as error:
                errors.append(str(error))
    finally:
        connection.close()


def test_two_writing_processes_and_a_reader_lose_nothing(db_path: Path):
    Store.open(db_path).close()
    per_writer = 300
    context = multiprocessing.get_context("spawn")
    writers = [
        context.Process(target=_workers.write_messages, args=(str(db_path), uid, per_writer))
        for uid in (101, 202)
    ]
    running, seen, errors = threading.Event(), [], []
    running.set()
    reader = threading.Thread(target=read_while, args=(db_path, running, seen, errors))
    reader.start()
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
    running.clear()
    reader.join()

    assert [writer.exitcode for writer in writers] == [0, 0]
    assert errors == []
    assert seen and seen == sorted(seen)  # the reader always saw a consistent, growing table
    with Store.open(db_path) as store:
        for uid in (101, 202):
            user = store.ensure_user("telegram", uid, uid)
            texts = [
                m.text
                for s in reversed(store.list_sessions())
                for m in store.transcript(s.reference)
                if m.user_id == user.id
            ]
            assert texts == [f"user {uid} message {i}" for i in range(per_writer)]
            assert store.load_state(user.id) == {"index": per_writer - 1}


def test_a_locked_database_is_waited_for_not_skipped(store: Store, db_path: Path):
    user = keeping_user(store)
    blocker = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    blocker.execute("INSERT INTO counts (day, metric, key, n) VALUES ('2000-01-01', 'x', '', 1)")
    release = threading.Timer(0.5, lambda: blocker.execute("COMMIT"))
    release.start()
    started = time.perf_counter()
    with store.transaction():
        store.record_inbound(user.id, "written after the wait", "text")
        store.save_state(user.id, {"node": "after"}, "after")
    waited = time.perf_counter() - started
    release.join()
    blocker.close()
    assert waited >= 0.4
    assert store.load_state(user.id) == {"node": "after"}
    assert store.search("wait")[0].text == "written after the wait"
    assert store.db.execute("SELECT n FROM counts WHERE metric = 'x'").fetchone() == (1,)
