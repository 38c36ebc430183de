"""The staff web view: Datasette reads the live file, and its search uses the messages index."""

from __future__ import annotations

from pathlib import Path

from datasette.app import Datasette

from storage import Store
from tests.turns import said

from .conftest import keeping_user


async def test_datasette_reads_what_the_bot_writes_while_it_writes(store: Store, db_path: Path):
    user = keeping_user(store)
    datasette = Datasette([str(db_path)])
    texts = []
    for index in range(20):
        text = f"funding question {index}"
        with store.transaction():
            said(store, user.id, text, "text")
            store.save_state(user.id, {"turn": index}, "ask")
        texts.append(text)
        response = await datasette.client.get("/bot/messages.json?_shape=array&_search=funding")
        assert response.status_code == 200
        assert sorted(row["text"] for row in response.json()) == sorted(texts)
    followups = await datasette.client.get("/bot/followups.json?_shape=array")
    assert followups.status_code == 200 and followups.json() == []
