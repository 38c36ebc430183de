"""Plans as PDF: text extracted with pypdf, pages counted, charts found, threads compared."""

from __future__ import annotations

import io
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from pypdf import PdfReader

from bot.documents import render_document
from dialogues._types import DocSection, Document
from tests.bot import samples

MAX_PDF_BYTES = 1024 * 1024


def pages_text(pdf: bytes) -> list[str]:
    """The text of each page, whitespace collapsed so wrapped lines read as one."""
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def body_text(pdf: bytes, footer: str) -> str:
    """All pages' text without their footers, so text running across a page break reads on."""
    footer = " ".join(footer.split())
    pages = pages_text(pdf)
    return " ".join(
        text.replace(f"{footer} {number} / {len(pages)}", "")
        for number, text in enumerate(pages, start=1)
    )


def document(*sections: DocSection, **changes) -> Document:
    doc = Document(
        name="plan",
        title="Scaling plan",
        subtitle="For the test",
        sections=sections,
        footer="Social Care Innovation Network",
    )
    return replace(doc, **changes)


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    return render_document(samples.plan())


def test_sample_plan_is_a_pdf_under_the_size_limit(sample_pdf):
    assert sample_pdf.startswith(b"%PDF-")
    assert len(sample_pdf) <= MAX_PDF_BYTES
    assert 2 <= len(PdfReader(io.BytesIO(sample_pdf)).pages) <= 6


def test_sample_plan_holds_title_headings_bullets_tables_and_answers(sample_pdf):
    plan = samples.plan()
    text = " ".join(body_text(sample_pdf, plan.footer).split())
    assert plan.title in text
    assert plan.subtitle in text  # "Siân" included
    for section in plan.sections:
        assert section.heading in text
        for bullet in section.bullets:
            assert bullet in text
        for row in section.table:
            for cell in row:
                assert " ".join(cell.split()) in text
        for paragraph in section.paragraphs:
            assert " ".join(paragraph.split()) in text
        if section.chart is not None:
            assert " ".join(section.chart.caption.split()) in text
    assert "Recruiting enough carers in Kirklees" in text  # the user's own free-text answer
    assert "\u2022" in text  # bullets carry a bullet mark


def test_sample_plan_embeds_one_image_per_chart(sample_pdf):
    reader = PdfReader(io.BytesIO(sample_pdf))
    images = [image for page in reader.pages for image in page.images]
    charts = [s.chart for s in samples.plan().sections if s.chart is not None]
    assert len(images) == len(charts) == 2
    for image in images:
        assert image.image.width == 1000


def test_every_page_has_the_footer_and_its_number_of_the_total(sample_pdf):
    texts = pages_text(sample_pdf)
    footer_start = " ".join(samples.plan().footer.split())[:40]
    for number, text in enumerate(texts, start=1):
        assert footer_start in text
        assert f"{number} / {len(texts)}" in text


def test_users_own_words_in_other_scripts_come_back_out():
    answers = [
        "Siân Hughes, Ynys Môn: dŵr, tŷ, ŷd",
        "Zoë and Chloé run the naïve café",
        "Łódź i Gdańsk: źdźbło, żółw",
        "Καλημέρα από την Αθήνα",
        "Привет из Москвы",
    ]
    pdf = render_document(
        document(
            DocSection(
                heading="Ŵyl Ddewi: your answers",
                paragraphs=tuple(answers[:2]),
                bullets=(answers[2],),
                table=(("Question", "Answer"), ("Greek", answers[3]), ("Russian", answers[4])),
            ),
        )
    )
    text = " ".join(pages_text(pdf))
    assert "Ŵyl Ddewi: your answers" in text
    for answer in answers:
        assert answer in text


def test_emoji_and_cjk_degrade_to_a_replacement_mark_without_error_or_logging(caplog):
    caplog.set_level(logging.DEBUG)
    emoji = "Great team 👍🏽👨\u200d👩\u200d👧 and 中文 notes ✅"
    pdf = render_document(
        document(
            DocSection(heading=f"Heading {emoji}", paragraphs=(emoji,), bullets=(emoji,)),
            DocSection(heading="Table", table=(("a", emoji), (emoji, "b"))),
            title=f"Plan 🚀 {emoji}",
            footer=f"Footer 🙂 {emoji}",
        )
    )
    text = " ".join(pages_text(pdf))
    assert "Great team \ufffd and \ufffd notes" in text
    # fpdf2 names missing glyphs (the user's characters) in a warning; there must be none.
    assert not [r for r in caplog.records if "missing" in r.getMessage()]


def test_long_content_flows_onto_further_pages():
    paragraphs = tuple(
        f"Paragraph {n} starts. " + "Carers share their home. " * 30 + f"Paragraph {n} ends."
        for n in range(40)
    )
    pdf = render_document(document(DocSection(heading="Notes", paragraphs=paragraphs)))
    texts = pages_text(pdf)
    assert len(texts) >= 8
    assert "Paragraph 0 starts." in texts[0]
    assert "Paragraph 39 ends." in texts[-1]
    whole = " ".join(texts)
    positions = [whole.index(f"Paragraph {n} ends.") for n in range(40)]
    assert positions == sorted(positions)
    assert len(pdf) <= MAX_PDF_BYTES


def test_a_long_table_continues_on_the_next_page_with_its_header_repeated():
    rows = (("Factor", "Then", "Now"), *((f"Row {n}", "Partly", "Ready") for n in range(90)))
    texts = pages_text(render_document(document(DocSection(heading="History", table=rows))))
    assert len(texts) >= 2
    for text in texts:
        assert "Factor Then Now" in text
    assert "Row 89" in texts[-1]


def test_no_page_ends_on_a_heading(sample_pdf):
    headings = [s.heading for s in samples.plan().sections]
    # Sections of every kind, many times over, so headings land all over the pages.
    filler = samples.plan().sections
    many = render_document(document(*(filler * 4)))
    footer = " ".join(samples.plan().footer.split())
    for pdf in (sample_pdf, many):
        reader = PdfReader(io.BytesIO(pdf))
        for page in reader.pages[:-1]:
            lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
            body = [line for line in lines if not _in_footer(line, footer)]
            assert body[-1] not in headings, body[-3:]


def test_a_short_table_is_never_split_across_pages():
    rows = (("Factor", "Then", "Now"), *((f"Row {n}", "Partly", "Ready") for n in range(8)))
    split = 0
    for count in range(0, 40, 2):  # push the table down the page a little at a time
        filler = tuple(f"Filler paragraph {n} about carers and councils." for n in range(count))
        pdf = render_document(document(DocSection("Notes", filler, table=rows)))
        pages = [n for n, text in enumerate(pages_text(pdf)) if "Row 0 " in text]
        assert all("Row 7 " in pages_text(pdf)[n] for n in pages), count
        split += len(pages_text(pdf)) > 1
    assert split  # some of these documents did run onto a second page


def _in_footer(line: str, footer: str) -> bool:
    """Whether an extracted line is part of the footer: its text or the page number."""
    return line in footer or bool(re.search(r"\d+ / \d+$", line))


def test_ragged_single_row_and_awkward_tables_render():
    unbroken = "https://www.example.org/" + "segment/" * 40
    pdf = render_document(
        document(
            DocSection(heading="Ragged", table=(("A", "B", "C"), ("only one",), ("x", "y"))),
            DocSection(heading="Single", table=(("Just", "a", "row"),)),
            DocSection(heading="Unbroken", paragraphs=(unbroken,), table=(("Link",), (unbroken,))),
            DocSection(heading="Empty cells", table=(("", ""), ("", ""))),
            DocSection(heading="No cells at all", table=((), ())),
        )
    )
    text = " ".join(pages_text(pdf))
    assert "only one" in text
    assert "Just a row" in text
    assert "segment/segment/" in text
    assert "No cells at all" in text


def test_empty_parts_are_simply_left_out():
    pdf = render_document(
        document(DocSection(heading="Only a heading"), subtitle="", footer="", title="Plan")
    )
    texts = pages_text(pdf)
    assert len(texts) == 1
    assert "Only a heading" in texts[0]
    assert "1 / 1" in texts[0]


def test_a_chart_taller_than_a_page_is_shrunk_onto_one_page():
    sample = samples.chart("readiness")
    rows = tuple(replace(sample.rows[0], label=f"Row {n}") for n in range(40))
    chart = replace(sample, rows=rows, caption="Forty rows.")
    pdf = render_document(document(DocSection("Tall", chart=chart)))
    reader = PdfReader(io.BytesIO(pdf))
    with_chart = [page for page in reader.pages if page.images]
    assert len(reader.pages) <= 2  # the title block's page, then the section's
    assert len(with_chart) == 1
    assert len(with_chart[0].images) == 1
    assert "Tall" in with_chart[0].extract_text()
    assert "Forty rows." in with_chart[0].extract_text()


def test_text_that_looks_like_markup_is_printed_as_written():
    written = "**not bold** and <b>not html</b> and --not strike-- $x^2$"
    text = " ".join(pages_text(render_document(document(DocSection("Notes", (written,))))))
    assert written in text


def test_the_same_plan_renders_the_same_text_from_several_threads_at_once(sample_pdf):
    expected = pages_text(sample_pdf)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: render_document(samples.plan()), range(4)))
    for pdf in results:
        assert pages_text(pdf) == expected
