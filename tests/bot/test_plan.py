"""A user's plan from their real journeys, rendered to PDF and read back; charts decoded."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image
from pypdf import PdfReader

from bot.charts import render_chart
from bot.documents import render_document

WELSH_ANSWER = "Cynllun Rhannu Bywydau ym Mhowys: ŵyr a wyres yn helpu"


def _journeys(user) -> None:
    user("/triage", "[Innovator]", "[Adult social care]", "[Piloting]")
    user("[technology is central]", "[One organisation]", "finding and keeping staff")
    user(
        "/readiness", "[Start]", "[Yes]", "[No]", "[No]", "[Partly]", "[Yes]", "[Not sure]", "[No]"
    )
    user.now += timedelta(days=42)
    user(
        "/readiness", "[Start]", "[Yes]", "[Yes]", "[Partly]", "[Partly]", "[Yes]", "[Yes]", "[No]"
    )
    user("/nasss", "[Start]", "[Complex]", "[Complex]", "[Simple]", "[Complicated]", "[Simple]")
    user("[Simple]", "[Not sure]")
    user("/sips", "[Start]", WELSH_ANSWER)
    while user.at == ("sips", "questions"):
        user("[Skip]")


def test_the_plan_pdf_holds_the_answers_recommendations_and_history(user):
    _journeys(user)
    user("/plan")
    (document,) = [r.document for r in user.replies if r.document]
    pdf = render_document(document)
    assert pdf.startswith(b"%PDF") and len(pdf) < 1_000_000
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    # the user's own answers
    assert "Yes, technology is central" in flat
    assert "finding and keeping staff" in flat
    assert WELSH_ANSWER in flat
    # the recommendations, with their reasons
    assert "NASSS" in flat and "You said technology is central" in flat
    # the readiness history: both checks, with dates
    assert "Every readiness check so far" in flat
    assert "3 March 2026" in flat and "14 April 2026" in flat
    # the charts are in it
    images = sum(len(page.images) for page in reader.pages)
    assert images == 2


def test_profile_charts_decode_as_pngs_within_budget(user):
    user(
        "/readiness", "[Start]", "[Yes]", "[No]", "[No]", "[Partly]", "[Yes]", "[Not sure]", "[No]"
    )
    chart = user.replies[0].chart
    png = render_chart(chart)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width >= 800 and len(png) <= 200_000
    assert len(image.convert("RGB").getcolors(1_000_000)) > 5
