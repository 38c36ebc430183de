"""Fixtures for the fake Bot API tests: a running server and an Application builder for it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram.ext import ApplicationBuilder

from tests.fakes.bot_api import FakeBotAPI


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    """A FakeBotAPI serving on 127.0.0.1 in the test's event loop."""
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
def builder(api: FakeBotAPI) -> ApplicationBuilder:
    """An ApplicationBuilder already pointed at the fake server."""
    return (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
    )
