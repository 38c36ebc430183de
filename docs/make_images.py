"""Regenerate the README images in docs/images/ from a scripted user of the real engine.

Run from the repository root:

    .venv/bin/pip install pypdfium2   # once; not a project dependency (or: apt poppler-utils)
    .venv/bin/python -m docs.make_images

It writes, from one user's visits (a triage, two readiness checks six weeks apart, a NASSS
check, a SIPS record and its update after eight weeks), exactly as the bot would send them:
    readiness-chart.png   the second readiness profile, with the first marked
    nasss-chart.png       the NASSS complexity profile
    plan-page-1.png … plan-page-5.png   every page of their plan PDF: what fits and why, with
                          their answers; the readiness profile; priorities, what changed and
                          the NASSS profile; where it is complex and the SIPS record before and
                          after; next steps and reading

PDF pages are rasterised with pypdfium2 when it is importable, otherwise with pdftoppm.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from PIL import Image

from bot.charts import render_chart
from bot.documents import render_document
from dialogues import Chart, Document, Engine
from tests.conftest import Talk

OUT = Path(__file__).with_name("images")
PAGES = (1, 2, 3, 4, 5)  # every page: a test keeps this equal to the plan's page count
DPI = 110  # an A4 page 910 px wide: sharp on GitHub, small in the repository


def main() -> int:
    """Render the scripted user's charts and plan pages into docs/images/."""
    OUT.mkdir(exist_ok=True)
    charts, plan = _visits()
    for name, chart in charts.items():
        _write(OUT / f"{name}-chart.png", render_chart(chart))
    pdf = render_document(plan)
    for stale in OUT.glob("plan-page-*.png"):
        stale.unlink()
    for number in PAGES:
        page = _rasterise(pdf, number)
        out = io.BytesIO()
        page.convert("RGB").quantize(colors=128).save(out, format="PNG", optimize=True)
        _write(OUT / f"plan-page-{number}.png", out.getvalue())
    return 0


def _visits() -> tuple[dict[str, Chart], Document]:
    """A Shared Lives scheme manager uses the bot over six weeks; what it sends them."""
    user = Talk(Engine.load())
    user("/start", "[OK, keep my messages]")
    user("/triage", "[Innovator]", "[Spreading]")
    user("[No, it's a way of working]", "[Several organisations]")
    user("Recruiting enough carers in the new area, and agreeing one rate with both councils")
    user("/readiness", "[Start]", "[Partly]", "[No]", "[No]", "[Partly]", "[Yes]", "[Yes]")
    user("[Not sure]")
    user.now += timedelta(days=42)
    user("/readiness", "[Start]", "[Partly]", "[Partly]", "[No]", "[No]", "[Yes]", "[Yes]")
    user("[Not sure]")
    charts = {"readiness": user.replies[0].chart}
    user("/nasss", "[Start]", "[Simple]", "[Simple]", "[Complicated]", "[Complex]")
    user("[Complex]", "[Complicated]", "[Complicated]")
    charts["nasss"] = user.replies[0].chart
    user(
        "/sips", "[Start]", "Shared Lives: adults live with, or visit, an approved carer's family."
    )
    while user.at == ("sips", "questions"):
        user("[Skip]")
    user.now += timedelta(days=56)  # after the second area started: what changed, and why
    user("/sips", "[Start]", "[Record what changed]")
    user("Shared Lives in two areas now: short breaks as well as long-term arrangements.")
    while user.at == ("sips", "update"):
        user("[Skip]")
    user("/plan")
    (plan,) = [r.document for r in user.replies if r.document]
    return charts, plan


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    print(f"{path}  {len(data) / 1024:.0f} KB")


def _rasterise(pdf: bytes, number: int) -> Image.Image:
    """One page of the PDF as an image, by pypdfium2 or else pdftoppm."""
    try:
        import pypdfium2
    except ImportError:
        return _pdftoppm(pdf, number)
    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[number - 1].render(scale=DPI / 72).to_pil()
    finally:
        document.close()


def _pdftoppm(pdf: bytes, number: int) -> Image.Image:
    if shutil.which("pdftoppm") is None:
        sys.exit("Need pypdfium2 (pip install pypdfium2) or pdftoppm (apt install poppler-utils).")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "plan.pdf"
        source.write_bytes(pdf)
        args = ["-png", "-r", str(DPI), "-f", str(number), "-l", str(number), "-singlefile"]
        subprocess.run(["pdftoppm", *args, str(source), f"{tmp}/page"], check=True)
        with Image.open(f"{tmp}/page.png") as image:
            return image.copy()


if __name__ == "__main__":
    sys.exit(main())
