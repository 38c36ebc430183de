"""Generated conversations for the benchmarks: realistic volume, no real people.

It writes rows straight into the tables (sqlite-utils' row-at-a-time inserts would take minutes
for a million messages) and rebuilds the search index once at the end, so it lives with the
benchmarks, not in the package.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from storage import StorageError, Store
from storage._clock import as_text
from storage._references import ALPHABET, CODE_LENGTH, SESSION_PREFIX

# Words the generated messages are made of, most frequent first (drawn with Zipf weights).
SAMPLE_WORDS = (
    "the",
    "and",
    "to",
    "of",
    "a",
    "in",
    "we",
    "our",
    "is",
    "for",
    "how",
    "it",
    "with",
    "can",
    "scale",
    "people",
    "care",
    "what",
    "this",
    "on",
    "that",
    "are",
    "funding",
    "evidence",
    "team",
    "staff",
    "service",
    "local",
    "council",
    "support",
    "family",
    "carers",
    "shared",
    "lives",
    "home",
    "workforce",
    "commissioning",
    "spread",
    "adoption",
    "innovation",
    "pilot",
    "plan",
    "risk",
    "time",
    "partners",
    "leadership",
    "co-production",
    "framework",
    "complexity",
    "nasss",
    "sips",
    "vision",
    "resources",
    "budget",
    "training",
    "recruitment",
    "turnover",
    "vacancies",
    "outcomes",
    "data",
    "evaluation",
    "grant",
    "invest",
    "save",
    "double",
    "running",
    "policy",
    "levers",
    "priorities",
    "networks",
    "champions",
    "iterative",
    "learning",
    "adapting",
    "context",
    "environment",
    "difficult",
    "commitment",
    "embed",
    "years",
    "sustain",
    "community",
    "provider",
    "commissioner",
    "citizens",
    "volunteers",
    "digital",
    "technology",
    "platform",
    "app",
    "telecare",
    "sensors",
    "coaching",
    "wellbeing",
    "dementia",
    "autism",
    "mental",
    "health",
    "housing",
    "transport",
    "rural",
    "urban",
    "region",
    "national",
    "test",
    "measure",
    "report",
    "board",
    "trustees",
    "charity",
    "cooperative",
    "enterprise",
    "franchise",
    "replicate",
    "licence",
    "model",
    "fidelity",
    "core",
    "components",
    "flexible",
)
RARE_WORDS = ("kintsugi", "bellwether", "quillon", "zephyrine")
SEED = 20260101


def fill_with_sample_data(
    store: Store,
    *,
    sessions: int = 50_000,
    messages: int = 1_000_000,
    followups: int = 1_000,
    now: datetime,
    seed: int = SEED,
) -> None:
    """Fill an empty store with users, sessions, messages, follow-ups and counts, in one go.

    Five sessions per user, messages spread evenly over the sessions and over the last 300
    days, every user consenting. Deterministic for a given seed.
    """
    if store.db["users"].count:
        raise StorageError("sample data goes into an empty database only")
    rng = random.Random(seed)
    users = max(1, sessions // 5)
    span = timedelta(days=300)
    start = now - span
    step = span / max(1, sessions)
    per_session, extra = divmod(messages, sessions)
    weights = list(itertools.accumulate(1 / rank for rank in range(1, len(SAMPLE_WORDS) + 1)))
    session_starts = [start + i * step for i in range(sessions)]
    sizes = [per_session + (1 if i < extra else 0) for i in range(sessions)]
    references = _references(rng, sessions)
    connection = store.db.conn

    def message_rows() -> Iterator[tuple[object, ...]]:
        for index, (started, size) in enumerate(zip(session_starts, sizes, strict=True)):
            for position in range(size):
                words = rng.choices(SAMPLE_WORDS, cum_weights=weights, k=rng.randint(4, 24))
                if rng.random() < 0.001:
                    words.append(rng.choice(RARE_WORDS))
                direction = "in" if position % 2 == 0 else "out"
                missed = direction == "in" and (7 * index + position) % 33 == 0
                yield (
                    index % users + 1,
                    index + 1,
                    direction,
                    "text",
                    " ".join(words),
                    as_text(started + timedelta(seconds=20 * position)),
                    None if direction == "in" else "sent",
                    "nothing" if missed else None,  # a question the bot could not answer
                )

    with store.transaction():
        # Index the text in one pass at the end: about twice as fast as a trigger per row.
        triggers = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'messages'"
        ).fetchall()
        for name, _ in triggers:
            connection.execute(f"DROP TRIGGER {name}")
        connection.executemany(
            "INSERT INTO users (id, channel, external_id, chat_id, consent, first_seen, last_seen,"
            " last_message_at) VALUES (?, 'telegram', ?, ?, 1, ?, ?, ?)",
            (
                (u, 100_000 + u, 100_000 + u, as_text(start), as_text(now), as_text(now))
                for u in range(1, users + 1)
            ),
        )
        connection.executemany(
            "INSERT INTO sessions (id, reference, user_id, started_at, last_at, message_count)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                (
                    i + 1,
                    references[i],
                    i % users + 1,
                    as_text(session_starts[i]),
                    as_text(session_starts[i] + timedelta(seconds=20 * max(0, sizes[i] - 1))),
                    sizes[i],
                )
                for i in range(sessions)
            ),
        )
        rows = message_rows()
        while batch := list(itertools.islice(rows, 50_000)):
            connection.executemany(
                "INSERT INTO messages (user_id, session_id, direction, kind, text, at, status,"
                " unanswered) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                batch,
            )
        connection.executemany(
            "INSERT INTO followups (reference, user_id, note, contact, status, created_at,"
            " closed_at, closed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    f"SA-{i:06d}",
                    rng.randrange(users) + 1,
                    " ".join(rng.choices(SAMPLE_WORDS, cum_weights=weights, k=12)),
                    "email",
                    "open" if i % 3 == 0 else "closed",
                    as_text(start + i * span / followups),
                    None if i % 3 == 0 else as_text(start + i * span / followups + step),
                    None if i % 3 == 0 else 1,
                )
                for i in range(followups)
            ),
        )
        connection.execute("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')")
        for _, sql in triggers:
            connection.execute(sql)


def _references(rng: random.Random, count: int) -> list[str]:
    seen: set[str] = set()
    while len(seen) < count:
        seen.add(SESSION_PREFIX + "".join(rng.choices(ALPHABET, k=CODE_LENGTH)))
    references = sorted(seen)
    rng.shuffle(references)
    return references
