"""A user's plan from their real journeys, rendered to PDF and read back; charts decoded."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from PIL import Image
from pypdf import PdfReader

from bot.charts import render_chart
from bot.documents import render_document

WELSH_ANSWER = "Cynllun Rhannu Bywydau ym Mhowys: ŵyr a wyres yn helpu"


def _journeys(user) -> None:
    user("/triage", "[Innovator]", "[Piloting]")
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
    # the readiness history: both checks, with dates, and what changed counted as in the chat
    assert "What changed in your readiness" in flat
    assert "3 March 2026" in flat and "14 April 2026" in flat
    assert "Since 3 March 2026: 2 better, 4 the same, 1 newly answered." in flat
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


def _pages(pdf: bytes) -> list[list[str]]:
    """Each page's lines of body text (the footer and page number taken off)."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        while lines and (re.fullmatch(r"\d+ / \d+", lines[-1]) or FOOTER_BIT in lines[-1]):
            lines.pop()
        pages.append(lines)
    return pages


FOOTER_BIT = "Social Care Innovation Network"


def _plan(user):
    user("/plan")
    (document,) = [r.document for r in user.replies if r.document]
    return document, render_document(document)


def test_the_plan_keeps_the_chats_order_titles_and_item_order(user):
    _journeys(user)
    document, pdf = _plan(user)
    flat = " ".join(" ".join(lines) for lines in _pages(pdf))
    chat_order = ["What fits your innovation", "Your readiness profile", "Your priorities",
                  "What changed in your readiness", "Your complexity profile", "Your SIPS record",
                  "Next steps", "Further reading"]  # fmt: skip
    found = [flat.index(heading) for heading in chat_order]
    assert found == sorted(found)
    # The areas in the order the questions asked them, not sorted by id.
    readiness = next(s for s in document.sections if s.heading == "Your readiness profile")
    asked = [g.short_title for g in user.engine.kb.key_factors]
    assert [row[0] for row in readiness.table[1:]] == asked
    assert [row.label for row in readiness.chart.rows] == asked
    nasss = next(s for s in document.sections if s.heading == "Your complexity profile")
    domains = [d.short_title for d in user.engine.kb.frameworks["nasss"].domains]
    assert [row[0] for row in nasss.table[1:]] == domains


def test_no_heading_is_left_alone_at_the_foot_of_a_page(user):
    _journeys(user)
    user("/sips", "[Start]", "[Record what changed]", "We now run it in two areas")
    while user.at == ("sips", "update"):
        user("More carers recruited through local radio")
    document, pdf = _plan(user)
    headings = {s.heading for s in document.sections}
    pages = _pages(pdf)
    assert len(pages) > 2
    for number, lines in enumerate(pages, start=1):
        assert lines, f"page {number} is empty"
        assert lines[-1] not in headings, f"page {number} ends with its heading {lines[-1]!r}"


def test_a_sips_update_shows_before_and_now_side_by_side_for_each_section(user):
    user("/sips", "[Start]", "A befriending scheme")
    while user.at == ("sips", "questions"):
        user("[Skip]")
    user.now += timedelta(days=90)
    user("/sips", "[Start]", "[Record what changed]", "Befriending by phone as well")
    while user.at == ("sips", "update"):
        user("[Skip]")
    document, pdf = _plan(user)
    sections = {s.heading: s for s in document.sections}
    first = user.engine.kb.frameworks["sips"].sections[0]
    table = sections[first.title].table
    assert table[0] == ("Question", "First (3 March 2026)", "Now (1 June 2026)")
    assert table[1] == (first.questions[0], "A befriending scheme", "Befriending by phone as well")
    for part in user.engine.kb.frameworks["sips"].sections:
        assert part.title in sections  # every section, in the framework's order
    flat = " ".join(" ".join(lines) for lines in _pages(pdf))
    assert flat.index("A befriending scheme") < flat.index("Befriending by phone as well")
    assert "First (3 March 2026)" in flat and "Now (1 June 2026)" in flat


def test_the_innovations_name_is_asked_once_goes_on_the_cover_and_can_be_changed(user):
    user("/readiness", "[Start]", *["[Yes]"] * 7)
    document, pdf = _plan(user)
    assert "What's your innovation called?" in user.text
    assert document.title == "Scaling plan"
    user("[Put its name on the cover]", "Shared Lives in Powys")
    document, pdf = next(
        (r.document, render_document(r.document)) for r in user.replies if r.document
    )
    assert document.title == "Scaling plan: Shared Lives in Powys"
    assert _pages(pdf)[0][0] == "Scaling plan: Shared Lives in Powys"
    user("/plan")
    assert "What's your innovation called?" not in user.text  # asked once
    assert "✏️ Change the name on the cover" in user.labels
    user("[Change the name]", "Shared Lives Powys and Ceredigion")
    document = next(r.document for r in user.replies if r.document)
    assert document.title.endswith("Powys and Ceredigion")


def test_the_plan_suggests_a_date_to_review_it_by(user):
    user("/readiness", "[Start]", *["[Yes]"] * 7)
    _, pdf = _plan(user)
    cover = " ".join(_pages(pdf)[0])
    assert "A suggestion: review it again by 2 June 2026." in cover
    flat = " ".join(" ".join(lines) for lines in _pages(pdf))
    assert "look at this plan again by 2 June 2026" in flat


def test_next_steps_read_on_their_own(user):
    _journeys(user)
    document, _ = _plan(user)
    steps = next(s for s in document.sections if s.heading == "Next steps").bullets
    kb = user.engine.kb
    titles = {f.short_title for f in kb.factors.values()} | {g.short_title for g in kb.key_factors}
    role = user.state["results"]["triage"][-1]["answers"]["role"]
    for step in steps[:-1]:
        # The factors' actions are the bot's suggestions, and say so, as in the chat, worded
        # for who they said they are.
        title, _, action = step.partition(". A suggestion: ")
        assert title in titles, step
        assert action in [kb.factors[i].actions_of(role)[0] for i in kb.factors], step
    assert steps[-1].startswith("A suggestion: look at this plan again by")
    assert len({s.partition(". ")[0] for s in steps}) == len(steps)  # each factor once


def test_the_triage_table_lists_each_answer_once(user):
    user("/triage", "[Innovator]", "[Spreading]", "[way of working]", "[Several]", "Finding carers")
    document, _ = _plan(user)
    questions = [row[0] for row in document.sections[0].table[1:]]
    assert questions == ["You are", "Stage", "Technology", "Scale of change", "Hardest part"]


def test_the_triage_heading_is_worded_as_the_chat_worded_the_result(user):
    user("/triage", "[I use services or I'm a carer]", "[Help design]", "[Skip]")
    document, _ = _plan(user)
    assert document.sections[0].heading == "Taking part"
    user("/triage", "[Commissioner]", "[Commission or fund]", "[Skip]")
    document, _ = _plan(user)
    assert document.sections[0].heading == "What fits, and where your levers are"


def test_next_steps_do_not_repeat_the_priorities(user):
    _journeys(user)
    document, _ = _plan(user)
    bullets = {s.heading: s.bullets for s in document.sections}
    assert not set(bullets["Your priorities"]) & set(bullets["Next steps"])
