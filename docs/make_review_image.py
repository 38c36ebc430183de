"""Regenerate docs/images/review-*.png: the staff review in Chromium at a desk (1280 px) and on
a phone (390 px): the home page, the follow-up queue, a transcript, one follow-up's page (take,
note, close, write to them), the questions the bot could not answer; each at both widths.

Run from the repository root (needs Debian's chromium):

    .venv/bin/python -m docs.make_review_image

It starts `python -m storage.review` over the fictional sample of tests/storage/review_samples.yaml,
logs in through the form as the browser test does, opens the queue and screenshots the page.
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
import tempfile
from pathlib import Path

from PIL import Image

from storage.review import hash_password, password_hash_variable
from tests.storage._browser import chromium_page, chromium_path, free_port, log_in, serving
from tests.storage.review_samples import write_review_sample

IMAGES = Path(__file__).with_name("images")
# (file, path, width): what README shows.
SHOTS = (
    ("review-home.png", "/", 1280),
    ("review-queue.png", "/bot/followups_open", 1280),
    ("review-transcript.png", "/bot/transcript?reference=SA-9VB6R", 1280),
    ("review-queue-phone.png", "/bot/followups_open", 390),
    ("review-followup.png", "/-/review/act?reference=SA-7QH3M", 1280),
    ("review-followup-phone.png", "/-/review/act?reference=SA-7QH3M", 390),
    ("review-unanswered.png", "/bot/unanswered_questions", 1280),
    ("review-home-phone.png", "/", 390),
    ("review-transcript-phone.png", "/bot/transcript?reference=SA-9VB6R", 390),
    ("review-unanswered-phone.png", "/bot/unanswered_questions", 390),
)
LOGIN, PASSWORD = "alice", "sample password"


def main() -> int:
    """Serve the sample, screenshot the queue, write the PNG."""
    chromium = chromium_path()
    if chromium is None:
        print("chromium is not installed (apt-get install -y chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "bot.db"
        write_review_sample(db_path)
        port = free_port()
        env = {
            **os.environ,
            "BOT_DB": str(db_path),
            "REVIEW_PORT": str(port),
            "REVIEW_USERS": LOGIN,
            password_hash_variable(LOGIN): hash_password(PASSWORD, iterations=1_000),
        }
        command = [sys.executable, "-m", "storage.review"]
        with serving(command, port, env, Path(folder) / "review.log"):
            shots = asyncio.run(_shoot(chromium, f"http://127.0.0.1:{port}", Path(folder)))
    for name, shot in shots.items():
        image = Image.open(io.BytesIO(shot)).convert("RGB").quantize(colors=128)
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        (IMAGES / name).write_bytes(out.getvalue())
        print(f"{IMAGES / name}  {len(out.getvalue()) / 1024:.0f} KB")
    return 0


async def _shoot(chromium: str, base_url: str, folder: Path) -> dict[str, bytes]:
    shots = {}
    async with chromium_page(chromium) as page:
        await log_in(page, base_url, LOGIN, PASSWORD)
        for name, path, width in SHOTS:
            await page.set_width(width)
            await page.goto(base_url + path)
            if width >= 1280 and await page.scrolls_sideways():
                print(f"warning: {path} scrolls sideways at {width} px", file=sys.stderr)
            shots[name] = await page.screenshot(folder / name)
    return shots


if __name__ == "__main__":
    sys.exit(main())
