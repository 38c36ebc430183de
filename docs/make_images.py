"""Regenerate the README images in docs/images/ from the sample plan (tests/bot/samples.yaml).

Run from the repository root:

    .venv/bin/pip install pypdfium2   # once; not a project dependency (or: apt poppler-utils)
    .venv/bin/python -m docs.make_images

It writes:
    readiness-chart.png   the sample readiness profile, exactly as the bot sends it
    nasss-chart.png       the sample NASSS complexity profile, likewise
    plan-page-1.png       page 1 of the sample plan PDF (title, answers, frameworks)
    plan-page-2.png       page 2 (the readiness chart embedded, with its history table)

PDF pages are rasterised with pypdfium2 when it is importable, otherwise with pdftoppm.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from bot.charts import render_chart
from bot.documents import render_document
from tests.bot import samples

OUT = Path(__file__).with_name("images")
PAGES = (1, 2)
DPI = 110  # an A4 page 910 px wide: sharp on GitHub, small in the repository


def main() -> int:
    """Render the sample charts and plan pages into docs/images/."""
    OUT.mkdir(exist_ok=True)
    for name in ("readiness", "nasss"):
        _write(OUT / f"{name}-chart.png", render_chart(samples.chart(name)))
    pdf = render_document(samples.plan())
    for number in PAGES:
        page = _rasterise(pdf, number)
        out = io.BytesIO()
        page.convert("RGB").quantize(colors=128).save(out, format="PNG", optimize=True)
        _write(OUT / f"plan-page-{number}.png", out.getvalue())
    return 0


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
