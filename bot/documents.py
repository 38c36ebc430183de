"""Lay a Document (a plan) out as an A4 PDF that reads well printed or forwarded.

Title and subtitle, then each section: its heading, paragraphs, bullets, chart (drawn by
bot.charts, with its caption beneath for readers who cannot see it) and table, whose first row
is the header. Every page carries the document's footer and its page number. Text is set in
DejaVu Sans, so accents, Welsh, Polish, Greek and Cyrillic print as written, and characters the
font lacks (emoji, CJK) become a replacement mark rather than an error. Every word comes from the
Document; a fresh FPDF per call keeps rendering thread-safe.
"""

from __future__ import annotations

import io
import logging
import struct
from collections.abc import Iterator

from fpdf import FPDF, FontFace, XPos, YPos

from bot.charts import MARGIN, WIDTH, render_chart
from bot.fonts import drawable_text, font_file
from dialogues import DocSection, Document

logger = logging.getLogger(__name__)

__all__ = ["render_document"]

FAMILY = "dejavu"
SIDE, TOP, BOTTOM = 22.0, 20.0, 24.0  # margins, mm
FOOTER_TOP = -16.0  # mm from the bottom edge
NUMBER_WIDTH = 22.0  # mm kept at the footer's right for "3 / 7"

ACCENT = (0, 77, 122)  # dark blue: strong on screen, a dark grey when printed
TEXT = (26, 26, 26)
MUTED = (85, 85, 85)
RULE = (180, 180, 180)
HEADER_FILL = (228, 237, 244)

# Type sizes in points; line heights and gaps in mm.
TITLE_PT, SUBTITLE_PT, HEADING_PT = 21, 12, 14.5
BODY_PT, TABLE_PT, CAPTION_PT, FOOTER_PT = 10.5, 9.5, 9, 8
TITLE_LINE, SUBTITLE_LINE, HEADING_LINE, CAPTION_LINE, FOOTER_LINE = 9.0, 6.0, 7.0, 4.4, 3.6
BODY_LINE = 5.4  # from one baseline to the next in body text
PARAGRAPH_GAP, BULLET_GAP = 2.2, 1.4
BULLET_INDENT = 6.5  # where a bullet's text starts, from the margin
CHART_WIDTH = 115.0  # mm; the 1000 px chart prints at about 220 dpi, its text near body size
CHART_INSET = MARGIN / WIDTH  # the chart's own margin, as a share of its width
HEADING_SPACE = 10.0  # mm a one-line heading takes, with the space under it
TEXT_LEAD = 3 * BODY_LINE  # mm of text a heading needs below it on the same page
CAPTION_SPACE = 12.0  # mm kept under a chart for its caption
KEEP_TABLE = 90.0  # mm: a table no taller than this is never split across pages
KEEP_BULLET = 40.0  # mm: a bullet no taller than this is never split across pages
TABLE_LINE, TABLE_PADDING = 4.6, (1.6, 2.0)  # mm: line height; padding top/bottom, left/right
ELLIPSIS = "\u2026"


def render_document(doc: Document) -> bytes:
    """The document as PDF bytes: A4, every section in order, footer and page numbers."""
    pdf = _PlanPDF(drawable_text(doc.footer))
    pdf.set_title(drawable_text(doc.title))
    pdf.add_page()
    _title(pdf, doc)
    for section in doc.sections:
        _section(pdf, section)
    data = bytes(pdf.output())
    logger.debug(
        "rendered document %s: %d sections, %d pages, %d bytes",
        doc.name,
        len(doc.sections),
        pdf.page,
        len(data),
    )
    return data


class _PlanPDF(FPDF):
    """A4 pages in DejaVu Sans, with the footer text and page numbers drawn on each."""

    def __init__(self, footer: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer
        self.footer_lines: list[str] | None = None
        self.set_margins(SIDE, TOP, SIDE)
        self.set_auto_page_break(True, margin=BOTTOM)
        self.add_font(FAMILY, "", font_file("regular"))
        self.add_font(FAMILY, "B", font_file("bold"))
        self.add_font(FAMILY, "I", font_file("italic"))
        self.set_text_color(*TEXT)

    def footer(self) -> None:
        """The footer text (at most two lines) on the left, "page / pages" on the right."""
        width = self.w - 2 * SIDE - NUMBER_WIDTH
        self.set_font(FAMILY, size=FOOTER_PT)
        self.set_text_color(*MUTED)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(SIDE, self.h + FOOTER_TOP - 2, self.w - SIDE, self.h + FOOTER_TOP - 2)
        if self.footer_lines is None:
            self.footer_lines = _clip_lines(self, self.footer_text, width, 2)
        self.set_xy(SIDE, FOOTER_TOP)
        for line in self.footer_lines:
            self.set_x(SIDE)
            self.cell(width, FOOTER_LINE, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_xy(self.w - SIDE - NUMBER_WIDTH, FOOTER_TOP)
        # str_alias_nb_pages is the placeholder fpdf2 swaps for the page count on output.
        number = f"{self.page_no()} / {self.str_alias_nb_pages}"
        self.cell(NUMBER_WIDTH, FOOTER_LINE, number, align="R")
        self.set_text_color(*TEXT)


def _clip_lines(pdf: FPDF, text: str, width: float, most: int) -> list[str]:
    """The text wrapped to width in the current font: at most `most` lines, ellipsis if cut."""
    if not text.strip():
        return []
    lines = pdf.multi_cell(width, FOOTER_LINE, text, dry_run=True, output="LINES")
    if len(lines) <= most:
        return lines
    last = lines[most - 1].rstrip()
    while last and pdf.get_string_width(last + ELLIPSIS) > width:
        last = last[:-1].rstrip()
    return [*lines[: most - 1], last + ELLIPSIS]


def _title(pdf: FPDF, doc: Document) -> None:
    """The title, the subtitle, and a rule under them."""
    pdf.set_font(FAMILY, "B", TITLE_PT)
    pdf.set_text_color(*ACCENT)
    _flow(pdf, drawable_text(doc.title, "bold"), TITLE_LINE)
    pdf.set_text_color(*MUTED)
    if doc.subtitle.strip():
        pdf.ln(1.5)
        pdf.set_font(FAMILY, "", SUBTITLE_PT)
        _flow(pdf, drawable_text(doc.subtitle), SUBTITLE_LINE)
    pdf.ln(3)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.set_text_color(*TEXT)
    pdf.ln(4)


def _section(pdf: FPDF, section: DocSection) -> None:
    """One section: heading, paragraphs, bullets, chart, table, in that order."""
    png = render_chart(section.chart) if section.chart is not None else None
    pdf.ln(4)
    _keep_together(pdf, HEADING_SPACE + _lead_height(pdf, section, png))
    pdf.set_font(FAMILY, "B", HEADING_PT)
    pdf.set_text_color(*ACCENT)
    _flow(pdf, drawable_text(section.heading, "bold"), HEADING_LINE)
    pdf.set_text_color(*TEXT)
    pdf.ln(1.5)
    pdf.set_font(FAMILY, "", BODY_PT)
    for paragraph in section.paragraphs:
        _flow(pdf, drawable_text(paragraph), BODY_LINE)
        pdf.ln(PARAGRAPH_GAP)
    for bullet in section.bullets:
        _bullet(pdf, drawable_text(bullet))
    if png is not None and section.chart is not None:
        _chart(pdf, png, section.chart.caption)
    if any(section.table):
        _table(pdf, section.table)


def _keep_together(pdf: FPDF, height: float) -> None:
    """Start a new page unless this much fits on the current one (or the page is still empty)."""
    if pdf.will_page_break(height) and pdf.get_y() > pdf.t_margin + 1:
        pdf.add_page()


def _flow(pdf: FPDF, text: str, line: float) -> None:
    """Text across the full width, wrapping and flowing onto new pages as needed."""
    pdf.multi_cell(0, line, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _bullet(pdf: FPDF, text: str) -> None:
    """A bullet mark with its text indented beside it (wrapped lines stay indented)."""
    margin = pdf.l_margin
    width = pdf.w - pdf.r_margin - margin - BULLET_INDENT
    height = pdf.multi_cell(width, BODY_LINE, text, dry_run=True, output="HEIGHT")
    _keep_together(pdf, min(height, KEEP_BULLET))  # a bullet reads whole, on one page
    top = pdf.get_y()
    pdf.set_xy(margin + 1.5, top)
    pdf.cell(5, BODY_LINE, "\u2022")
    pdf.set_left_margin(margin + BULLET_INDENT)  # so lines after a page break stay indented
    pdf.set_xy(margin + BULLET_INDENT, top)
    _flow(pdf, text, BODY_LINE)
    pdf.set_left_margin(margin)
    pdf.set_x(margin)
    pdf.ln(BULLET_GAP)


def _lead_height(pdf: FPDF, section: DocSection, png: bytes | None) -> float:
    """How much of a section must share a page with its heading.

    A chart with only a short introduction before it stays with that introduction; otherwise
    the first few lines of text, the whole of a leading chart, or a table's first rows.
    """
    if png is not None and section.paragraphs and not section.bullets:
        pdf.set_font(FAMILY, "", BODY_PT)
        together = (
            _chart_size(pdf, png)[1]
            + CAPTION_SPACE
            + sum(
                pdf.multi_cell(0, BODY_LINE, drawable_text(p), dry_run=True, output="HEIGHT")
                + PARAGRAPH_GAP
                for p in section.paragraphs
            )
        )
        if together <= pdf.h - TOP - BOTTOM - HEADING_SPACE:
            return together
    if section.bullets and png is None and not any(section.table):
        # A short list (a few priorities, next steps) reads better whole than split.
        pdf.set_font(FAMILY, "", BODY_PT)
        width = pdf.epw - BULLET_INDENT
        whole = sum(
            pdf.multi_cell(0, BODY_LINE, drawable_text(p), dry_run=True, output="HEIGHT")
            + PARAGRAPH_GAP
            for p in section.paragraphs
        ) + sum(
            pdf.multi_cell(width, BODY_LINE, drawable_text(b), dry_run=True, output="HEIGHT")
            + BULLET_GAP
            for b in section.bullets
        )
        if whole <= KEEP_TABLE:
            return whole
    if section.paragraphs or section.bullets:
        return TEXT_LEAD
    if png is not None:
        return _chart_size(pdf, png)[1] + CAPTION_SPACE
    if any(section.table):
        return _table_keep(pdf, _table_cells(section.table))
    return 0.0


def _chart_size(pdf: FPDF, png: bytes) -> tuple[float, float]:
    """Width and height in mm at which to place a chart: CHART_WIDTH, or less to fit a page."""
    width_px, height_px = struct.unpack(">II", png[16:24])  # the PNG's IHDR chunk
    usable = pdf.h - TOP - BOTTOM - HEADING_SPACE - CAPTION_SPACE - 6  # room for a heading
    width = min(CHART_WIDTH, pdf.epw)
    height = width * height_px / width_px
    if height > usable:  # a very tall chart: shrink it to fit one page
        width, height = width * usable / height, usable
    return width, height


def _chart(pdf: FPDF, png: bytes, caption: str) -> None:
    """A chart drawn by render_chart, its text aligned with the page's, caption beneath."""
    width, height = _chart_size(pdf, png)
    pdf.ln(2)
    _keep_together(pdf, height + CAPTION_SPACE)
    top = pdf.get_y()
    pdf.image(
        io.BytesIO(png),
        x=pdf.l_margin + pdf.c_margin - width * CHART_INSET,
        y=top,
        w=width,
        h=height,
        alt_text=drawable_text(caption),
    )
    pdf.set_y(top + height + 2)
    if caption.strip():
        pdf.set_font(FAMILY, "I", CAPTION_PT)
        pdf.set_text_color(*MUTED)
        _flow(pdf, drawable_text(caption, "italic"), CAPTION_LINE)
        pdf.set_text_color(*TEXT)
    pdf.ln(3)


def _table(pdf: FPDF, rows: tuple[tuple[str, ...], ...]) -> None:
    """A simple table across the page; the first row is its header when there are others."""
    cells = _table_cells(rows)
    pdf.ln(1)
    _keep_together(pdf, _table_keep(pdf, cells))
    pdf.set_font(FAMILY, "", TABLE_PT)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    with pdf.table(
        col_widths=_column_weights(pdf, cells),
        text_align="LEFT",
        v_align="TOP",
        line_height=TABLE_LINE,
        padding=TABLE_PADDING,
        borders_layout="HORIZONTAL_LINES",
        first_row_as_headings=len(cells) > 1,
        headings_style=FontFace(emphasis="BOLD", color=ACCENT, fill_color=HEADER_FILL),
    ) as table:
        for row in cells:
            table.row(row)
    pdf.set_font(FAMILY, "", BODY_PT)
    pdf.ln(3)


def _table_cells(rows: tuple[tuple[str, ...], ...]) -> list[list[str]]:
    """The rows made safe to print and padded to the same number of cells."""
    columns = max(len(row) for row in rows)
    header = len(rows) > 1
    return [
        [drawable_text(cell, "bold" if header and index == 0 else "regular") for cell in row]
        + [""] * (columns - len(row))
        for index, row in enumerate(rows)
    ]


def _column_weights(pdf: FPDF, cells: list[list[str]]) -> list[float]:
    """Each column's share of the width: by how much it holds, never narrower than its words."""
    columns = list(zip(*cells, strict=True))
    total = sum(len(text) for column in columns for text in column) or 1
    pdf.set_font(FAMILY, "B", TABLE_PT)  # the widest a word can be drawn, in the header
    weights = []
    for column in columns:
        longest = max((pdf.get_string_width(w) for text in column for w in text.split()), default=0)
        word = (longest + 2 * TABLE_PADDING[1] + 1) / pdf.epw
        weights.append(max(sum(map(len, column)) / total, 0.6 / len(columns), word))
    pdf.set_font(FAMILY, "", TABLE_PT)
    return weights


def _table_keep(pdf: FPDF, cells: list[list[str]]) -> float:
    """How much of a table must start on one page: all of a short one, else two rows.

    A short table reads better whole than with a row or two overleaf; a long one may break
    anywhere after its first row, and fpdf2 repeats the header on the next page.
    """
    heights = []
    for height in _row_heights(pdf, cells):
        heights.append(height)
        if sum(heights) > KEEP_TABLE:
            return sum(heights[:2])
    return sum(heights)


def _row_heights(pdf: FPDF, cells: list[list[str]]) -> Iterator[float]:
    """The height each row will take in the table, in order."""
    weights = _column_weights(pdf, cells)
    for row in cells:
        lines = 1
        for text, weight in zip(row, weights, strict=True):
            inner = pdf.epw * weight / sum(weights) - 2 * TABLE_PADDING[1]
            wrapped = pdf.multi_cell(inner, TABLE_LINE, text, dry_run=True, output="LINES")
            lines = max(lines, len(wrapped))
        yield lines * TABLE_LINE + 2 * TABLE_PADDING[0]
