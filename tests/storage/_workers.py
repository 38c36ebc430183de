"""Processes the concurrency and crash tests start: each opens its own Store on a shared file.

Example: python -m tests.storage._workers write-forever data/bot.db
"""

from __future__ import annotations

import sqlite3
import sys
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path

from storage import Store
from tests.turns import said


def write_messages(path: str, external_id: int, count: int, go: Event) -> None:
    """Record `count` inbound messages with their state change, each pair in one transaction."""
    with Store.open(Path(path)) as store:
        user = store.ensure_user("telegram", external_id, external_id)
        store.set_consent(user.id, True)
        go.wait()
        for index in range(count):
            text = f"user {external_id} message {index}"
            said(store, user.id, text, step=f"step.{index}", state={"index": index})


def read_until(path: str, stop: Event, results: Queue) -> None:
    """A Datasette-style reader: a plain read-only connection, querying in a loop until `stop`.

    Puts (message counts seen, errors) on `results`.
    """
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    seen: list[int] = []
    errors: list[str] = []
    while not stop.is_set():
        try:
            seen.append(connection.execute("SELECT count(*) FROM messages").fetchone()[0])
            connection.execute(
                "SELECT s.reference, count(m.id) FROM sessions s"
                " LEFT JOIN messages m ON m.session_id = s.id GROUP BY s.id"
            ).fetchall()
            connection.execute(
                "SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'message' LIMIT 5"
            ).fetchall()
        except sqlite3.Error as error:
            errors.append(str(error))
    connection.close()
    results.put((seen, errors))


def write_forever(path: str) -> None:
    """Write message + state pairs until killed, printing each index once it is committed."""
    with Store.open(Path(path)) as store:
        user = store.ensure_user("telegram", 1, 1)
        store.set_consent(user.id, True)
        index = 0
        while True:
            message_id = said(
                store, user.id, f"message {index}", step=f"step.{index}", state={"index": index}
            )
            print(index, message_id, flush=True)
            index += 1


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    if command == "write-forever":
        write_forever(arguments[0])
    else:
        sys.exit(f"unknown command {command}")
