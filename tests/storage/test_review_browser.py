"""The staff review in a real browser: headless Chromium logs in through the form (landing on
the page it asked for), opens the follow-up queue from the home page, is shown it
(screenshot), and closes a follow-up.

Needs Debian's chromium. Skipped only on a developer's machine without it; under CI (the CI
variable set) a missing browser fails the test, so it never passes by not running.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

import pytest

from storage.review import hash_password, password_hash_variable

from ._browser import chromium_page, chromium_path, free_port, log_in, serving
from .review_samples import write_review_sample
from .test_review import open_followups_oldest_first

pytestmark = pytest.mark.browser

LOGIN, PASSWORD = "alice", "correct horse"
WIDTH = 1280


@pytest.fixture
def chromium() -> str:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(
                "chromium is not installed (apt-get install -y chromium): .ci/run installs it"
            )
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return path


@pytest.fixture
def review_url(tmp_path: Path) -> str:
    """`python -m storage.review` (what make review runs) over a sample database."""
    db_path = tmp_path / "data" / "bot.db"
    write_review_sample(db_path)
    port = free_port()
    env = {
        **os.environ,
        "BOT_DB": str(db_path),
        "REVIEW_PORT": str(port),
        "REVIEW_USERS": f"{LOGIN},bob",
        password_hash_variable(LOGIN): hash_password(PASSWORD, iterations=1_000),
        password_hash_variable("bob"): hash_password("another one", iterations=1_000),
    }
    command = [sys.executable, "-m", "storage.review"]
    with serving(command, port, env, tmp_path / "review.log"):
        yield f"http://127.0.0.1:{port}"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


async def test_staff_log_in_see_the_queue_and_close_a_follow_up(
    chromium: str, review_url: str, tmp_path: Path
):
    async with chromium_page(chromium) as page:
        await log_in(page, review_url, LOGIN, PASSWORD, start="/bot/followups_open?_size=max")
        # Landed on the page asked for, not the home page.
        where = await page.evaluate("location.pathname + location.search")
        assert where == "/bot/followups_open?_size=max"
        assert LOGIN in await page.text("header")
        await page.goto(review_url + "/")
        await page.click_and_wait("a[href='/bot/followups_open']")

        assert await page.text("h1") == "Follow-ups waiting, oldest first"
        queue = await page.table()
        assert [row["Reference"] for row in queue] == open_followups_oldest_first()
        assert queue[0]["What they asked"].startswith("We run a Shared Lives scheme")
        assert "4 follow-ups waiting" in await page.text()
        shot = await page.screenshot(tmp_path / "review-queue.png")
        width, height = png_size(shot)
        assert width == WIDTH and height > 400

        assert not await page.scrolls_sideways()  # at a desk's 1280 px, nothing off the side

        link = "a[href='/-/review/act?reference=SA-4K9P2']"
        href = await page.evaluate(f'document.querySelector("{link}").getAttribute("href")')
        await page.goto(review_url + href)  # the link may be below the fold: follow it
        assert "SA-4K9P2" in await page.text("h1")
        await page.type_into("#text", "Spoke to Jo; funding guide sent.")
        await page.click_and_wait("button[value=close]")
        assert "Close SA-4K9P2?" in await page.text("h2")  # it asks first, with the note
        assert "Spoke to Jo; funding guide sent." in await page.text()
        await page.click_and_wait("button[name=confirmed]")
        assert "SA-4K9P2 is closed" in await page.text()
        await page.goto(review_url + "/bot/followups_open")
        after = [row["Reference"] for row in await page.table()]
        assert after == open_followups_oldest_first()[1:]

        await page.goto(review_url + "/bot/transcript?reference=SA-9VB6R")
        assert "<b>" not in await page.text() and not await page.scrolls_sideways()
        await page.goto(review_url + "/")
        assert "waiting, nobody has them" in await page.text()
        loaded = await page.evaluate(
            "[...document.querySelectorAll('p.review-charts img')].map(i => i.naturalWidth)"
        )
        assert loaded and all(width > 0 for width in loaded)  # the charts drew
