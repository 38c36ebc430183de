"""Regenerate docs/images/review-queue.png: the staff review's follow-up queue in Chromium.

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

OUT = Path(__file__).with_name("images") / "review-queue.png"
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
            shot = asyncio.run(_queue(chromium, f"http://127.0.0.1:{port}", Path(folder)))
    image = Image.open(io.BytesIO(shot)).convert("RGB").quantize(colors=128)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    OUT.write_bytes(out.getvalue())
    print(f"{OUT}  {len(out.getvalue()) / 1024:.0f} KB")
    return 0


async def _queue(chromium: str, base_url: str, folder: Path) -> bytes:
    async with chromium_page(chromium) as page:
        await log_in(page, base_url, LOGIN, PASSWORD)
        await page.click_and_wait("a[href='/bot/followups_open']")
        return await page.screenshot(folder / "queue.png")


if __name__ == "__main__":
    sys.exit(main())
