"""Each list of allowed values is written once, in storage/_records.py; the schema must agree.

A landed migration is never edited, so when one of these lists changes, a new migration must
change the CHECK that enforces it; this test says so when the two part.
"""

from __future__ import annotations

import re

import pytest

from storage import (
    ASSESSMENT_KINDS,
    CHANNELS,
    DELIVERY_STATUSES,
    FOLLOWUP_STATUSES,
    INBOUND_KINDS,
    OUTBOUND_KINDS,
    UNANSWERED_REASONS,
    Store,
)

ALLOWED = {
    ("users", "channel"): CHANNELS,
    ("messages", "kind"): (*INBOUND_KINDS, *OUTBOUND_KINDS),
    ("messages", "status"): DELIVERY_STATUSES,
    ("assessments", "kind"): ASSESSMENT_KINDS,
    ("followups", "status"): FOLLOWUP_STATUSES,
    ("messages", "unanswered"): UNANSWERED_REASONS,
}


def checked_values(store: Store, table: str, column: str) -> set[str]:
    """The values a CHECK (column IN (...)) in the table's live schema allows."""
    sql = store.db[table].schema
    found = re.search(rf"\b{column}\b[^,]*?CHECK \({column} IN \(([^)]*)\)\)", sql, re.S)
    assert found, f"no CHECK on {table}.{column}"
    return set(re.findall(r"'([^']*)'", found.group(1)))


@pytest.mark.parametrize(("table", "column"), sorted(ALLOWED))
def test_the_schema_allows_exactly_the_listed_values(store: Store, table: str, column: str):
    assert checked_values(store, table, column) == set(ALLOWED[table, column])
