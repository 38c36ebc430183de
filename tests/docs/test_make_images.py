"""README pictures every page of the scripted user's plan, and no page it no longer has."""

from __future__ import annotations

import io
import re
from pathlib import Path

from pypdf import PdfReader

from bot.documents import render_document
from docs.make_images import OUT, PAGES, _visits

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_page_of_the_plan_is_pictured_in_readme():
    _, plan = _visits()
    pages = len(PdfReader(io.BytesIO(render_document(plan))).pages)
    assert tuple(range(1, pages + 1)) == PAGES, "set PAGES, then run python -m docs.make_images"
    pictured = sorted(int(n) for n in re.findall(r"plan-page-(\d+)\.png", README.read_text()))
    assert pictured == list(PAGES)
    on_disk = sorted(int(p.stem.rsplit("-", 1)[1]) for p in OUT.glob("plan-page-*.png"))
    assert on_disk == list(PAGES)
