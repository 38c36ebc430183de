"""Draw a Chart (a readiness or NASSS profile) as a PNG that reads well on a phone.

The layout is built for a narrow screen: each row's label sits on its own line above a full-width
track, the bar's length is the level's score, and the level's label is written beside the bar,
so nothing depends on colour alone. Colours are Okabe-Ito (safe for colour-blind readers) and
each level also has its own hatching, so a greyscale print still tells them apart. Every word
drawn comes from the Chart. Each call builds its own Figure on the Agg canvas (no pyplot, no
rcParams), so charts can be rendered from several threads at once.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from PIL import Image

from bot.fonts import Style, drawable_text, font_file
from dialogues import Chart, ChartLevel

logger = logging.getLogger(__name__)

__all__ = ["PALETTES", "Swatch", "render_chart"]


@dataclass(frozen=True)
class Swatch:
    """How one level is painted: fill colour, hatch pattern, and the hatch's colour."""

    fill: str
    hatch: str
    ink: str


# Okabe & Ito (2008): vermillion, orange, bluish green, sky blue, blue; plus neutral grey.
PALETTES: dict[str, dict[str, Swatch]] = {
    "readiness": {
        "red": Swatch("#D55E00", "x", "#FBE3D2"),
        "amber": Swatch("#E69F00", "/", "#6B4A00"),
        "green": Swatch("#009E73", "", "#004F3A"),
        "unknown": Swatch("#9A9A9A", ".", "#3C3C3C"),
    },
    "complexity": {
        "simple": Swatch("#56B4E9", "", "#1F5F85"),
        "complicated": Swatch("#0072B2", "/", "#DCEFFA"),
        "complex": Swatch("#D55E00", "x", "#FBE3D2"),
    },
}

# For a level id a palette does not name: the remaining Okabe-Ito colours, in order.
_SPARE = (
    Swatch("#CC79A7", "\\", "#5E2A47"),
    Swatch("#F0E442", "-", "#6E6710"),
    Swatch("#56B4E9", "+", "#1F5F85"),
    Swatch("#000000", "", "#000000"),
)

# Layout in pixels at 100 dpi, type sizes in points (1 pt = 100/72 px).
DPI = 100
WIDTH = 1000
MARGIN = 44
TRACK_SHARE = 0.6  # of the content width; the rest holds the level's label
GAP = 34  # clears a previous-level marker drawn at the very end of the track
BAR_HEIGHT = 48
AFTER_TITLE, AFTER_LEGEND, ABOVE_BAR, BELOW_BAR = 26, 34, 8, 30
TITLE_PT, LABEL_PT, LEVEL_PT, LEVEL_SMALL_PT, LEGEND_PT = 28, 23, 23, 18, 19
TITLE_LINES, LABEL_LINES = 3, 2
LEADING = 1.28
BAR_MARKER, LEGEND_MARKER = 19, 15  # marker sizes in points
# Pixels from the margin to the legend marker's centre (which puts its left edge on the margin,
# in line with the text above) and to the legend's text.
LEGEND_MARKER_X, LEGEND_INDENT = 17, 40
HATCH_WIDTH = 2.2  # points: bolder than matplotlib's default, to survive downscaling
BACKGROUND, INK, SOFT_INK, TRACK = "#FFFFFF", "#1A1A1A", "#333333", "#ECECEC"
PNG_COLOURS = 64
SNAP_DISTANCE = 12  # how far (in RGB units) quantizing may move a painted colour
ELLIPSIS = "\u2026"

Measure = Callable[[str, FontProperties], float]


def render_chart(chart: Chart) -> bytes:
    """The chart as PNG bytes: one horizontal bar per row, in order, labelled in words."""
    levels = {level.id: level for level in chart.levels}
    for row in chart.rows:
        for level_id in (row.level, row.previous):
            if level_id is not None and level_id not in levels:
                raise ValueError(f"chart {chart.name!r}: no level {level_id!r}")
    swatches = _swatches(chart.palette, chart.levels)
    top_score = max([level.score for level in chart.levels] + [1])

    measure = _measurer()
    fonts = _Fonts()
    content = WIDTH - 2 * MARGIN
    track = round(content * TRACK_SHARE)
    column = content - track - GAP

    title = _wrap(drawable_text(chart.title, "bold"), fonts.title, content, TITLE_LINES, measure)
    show_legend = bool(chart.legend_previous) and any(r.previous for r in chart.rows)
    legend_width = content - LEGEND_INDENT
    legend = _wrap(drawable_text(chart.legend_previous), fonts.legend, legend_width, 1, measure)
    rows = [
        (
            _wrap(drawable_text(row.label), fonts.label, content, LABEL_LINES, measure),
            _level_label(levels[row.level].label, column, measure, fonts),
        )
        for row in chart.rows
    ]

    # Work out the height first, then draw top-down in pixel coordinates.
    title_step, label_step = _line(TITLE_PT), _line(LABEL_PT)
    height = MARGIN + len(title) * title_step + AFTER_TITLE
    if show_legend:
        height += _line(LEGEND_PT) + AFTER_LEGEND
    for label_lines, _ in rows:
        height += len(label_lines) * label_step + ABOVE_BAR + BAR_HEIGHT + BELOW_BAR
    height += MARGIN - BELOW_BAR

    figure = Figure(figsize=(WIDTH / DPI, height / DPI), dpi=DPI, facecolor=BACKGROUND)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, WIDTH)
    axes.set_ylim(height, 0)
    axes.set_axis_off()

    def text(x: float, y: float, s: str, font: FontProperties, **kw: object) -> None:
        kw.setdefault("va", "top")
        axes.text(x, y, s, fontproperties=font, parse_math=False, **kw)  # never as mathtext

    y = MARGIN
    for line in title:
        text(MARGIN, y, line, fonts.title, color=INK)
        y += title_step
    y += AFTER_TITLE
    if show_legend:
        middle = y + _line(LEGEND_PT) / 2
        _previous_marker(axes, MARGIN + LEGEND_MARKER_X, middle, LEGEND_MARKER)
        text(MARGIN + LEGEND_INDENT, middle, legend[0], fonts.legend, color=SOFT_INK, va="center")
        y += _line(LEGEND_PT) + AFTER_LEGEND

    for row, (label_lines, (level_lines, level_font)) in zip(chart.rows, rows, strict=True):
        for line in label_lines:
            text(MARGIN, y, line, fonts.label, color=SOFT_INK)
            y += label_step
        y += ABOVE_BAR
        middle = y + BAR_HEIGHT / 2
        axes.add_patch(Rectangle((MARGIN, y), track, BAR_HEIGHT, facecolor=TRACK, linewidth=0))
        length = track * max(levels[row.level].score, 0) / top_score
        if length > 0:
            axes.add_patch(_bar(MARGIN, y, length, swatches[row.level]))
        if row.previous is not None:
            earlier = track * max(levels[row.previous].score, 0) / top_score
            _previous_marker(axes, MARGIN + earlier, middle, BAR_MARKER)
        axes.text(
            MARGIN + track + GAP,
            middle,
            "\n".join(level_lines),
            fontproperties=level_font,
            parse_math=False,
            va="center",
            color=INK,
            linespacing=1.1,
        )
        y += BAR_HEIGHT + BELOW_BAR

    canvas.draw()
    painted = [s.fill for s in swatches.values()] + [BACKGROUND, INK, SOFT_INK, TRACK]
    png = _to_png(canvas, painted)
    logger.debug("rendered chart %s: %d rows, %d bytes", chart.name, len(chart.rows), len(png))
    return png


class _Fonts:
    """The font properties of one rendering (FontProperties are mutable, so never shared)."""

    def __init__(self) -> None:
        self.title = _font("bold", TITLE_PT)
        self.label = _font("regular", LABEL_PT)
        self.level = _font("bold", LEVEL_PT)
        self.level_small = _font("bold", LEVEL_SMALL_PT)
        self.legend = _font("regular", LEGEND_PT)


def _font(style: Style, size: float) -> FontProperties:
    """DejaVu Sans in this style and size, by file, so no font lookup is involved."""
    return FontProperties(fname=font_file(style), size=size)


def _line(points: float) -> float:
    """Pixels from one baseline to the next for type of this size."""
    return points * DPI / 72 * LEADING


def _measurer() -> Measure:
    """A function giving the width in pixels of a string drawn in a font, as Agg will draw it."""
    renderer = RendererAgg(WIDTH, 1, DPI)

    def measure(s: str, font: FontProperties) -> float:
        return renderer.get_text_width_height_descent(s, font, ismath=False)[0]

    return measure


def _wrap(
    text: str, font: FontProperties, width: float, max_lines: int, measure: Measure
) -> list[str]:
    """Words laid into at most `max_lines` lines no wider than `width`; an ellipsis if cut."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        if len(lines) > max_lines:
            break  # enough to know it will be cut
        trial = f"{current} {word}" if current else word
        if measure(trial, font) <= width:
            current = trial
            continue
        if current:
            lines.append(current)
        current = word
        while measure(current, font) > width:  # a word longer than a line: break it
            cut = _fit(current, font, width, measure)
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], _ellipsize(lines[max_lines - 1], font, width, measure)]
    return lines


def _fit(s: str, font: FontProperties, width: float, measure: Measure, suffix: str = "") -> int:
    """How many leading characters of s fit in width with the suffix after them (at least 1)."""
    low, high = 1, len(s)  # binary search: long unbroken text must not cost a measure per char
    while low < high:
        middle = (low + high + 1) // 2
        if measure(s[:middle] + suffix, font) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def _ellipsize(line: str, font: FontProperties, width: float, measure: Measure) -> str:
    """The line shortened until it fits with an ellipsis after it."""
    line = line.rstrip()
    if not line:
        return ELLIPSIS
    return line[: _fit(line, font, width, measure, ELLIPSIS)].rstrip() + ELLIPSIS


def _level_label(
    label: str, width: float, measure: Measure, fonts: _Fonts
) -> tuple[list[str], FontProperties]:
    """The level's words on one line at full size, or two smaller lines if they do not fit."""
    label = drawable_text(label, "bold")
    lines = _wrap(label, fonts.level, width, 1, measure)
    if not lines or not lines[0].endswith(ELLIPSIS):
        return lines, fonts.level
    return _wrap(label, fonts.level_small, width, 2, measure), fonts.level_small


def _swatches(palette: str, levels: tuple[ChartLevel, ...]) -> dict[str, Swatch]:
    """Each level's swatch: the palette's own, or a spare colour for ids it does not name."""
    named = PALETTES.get(palette, {})
    spare = iter(_SPARE * (len(levels) // len(_SPARE) + 1))
    return {level.id: named.get(level.id) or next(spare) for level in levels}


def _bar(x: float, y: float, length: float, swatch: Swatch) -> Rectangle:
    """A bar painted with the swatch's fill and hatching."""
    bar = Rectangle(
        (x, y),
        length,
        BAR_HEIGHT,
        facecolor=swatch.fill,
        edgecolor=swatch.ink,  # the hatch takes the edge colour; the edge itself is not drawn
        linewidth=0,
        hatch=swatch.hatch or None,
    )
    if hasattr(bar, "set_hatch_linewidth"):  # matplotlib >= 3.10
        bar.set_hatch_linewidth(HATCH_WIDTH)
    return bar


def _previous_marker(axes: Axes, x: float, y: float, size: float) -> None:
    """An outlined diamond: where the row stood last time."""
    marker = Line2D(
        [x],
        [y],
        marker="D",
        markersize=size,
        markerfacecolor=BACKGROUND,
        markeredgecolor=INK,
        markeredgewidth=3,
        linestyle="none",
    )
    axes.add_line(marker)


def _to_png(canvas: FigureCanvasAgg, exact: list[str]) -> bytes:
    """The canvas as a 64-colour PNG, small and quick to write, with `exact` colours kept."""
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    # Octree is several times faster than median cut here, but it shifts flat colours slightly:
    # snap each palette entry that lies near a colour we painted back onto that colour.
    image = image.convert("RGB").quantize(colors=PNG_COLOURS, method=Image.Quantize.FASTOCTREE)
    targets = [_rgb(colour) for colour in exact]
    palette = image.getpalette() or []
    for start in range(0, len(palette), 3):
        entry = palette[start : start + 3]
        near = min(targets, key=lambda target: _distance(target, entry))
        if _distance(near, entry) <= SNAP_DISTANCE:
            palette[start : start + 3] = near
    image.putpalette(palette)
    out = io.BytesIO()
    image.save(out, format="PNG")  # zlib's optimize pass saves under 10% for 3x the time
    return out.getvalue()


def _rgb(colour: str) -> list[int]:
    """A "#RRGGBB" colour as three 0-255 integers."""
    return [int(colour[i : i + 2], 16) for i in (1, 3, 5)]


def _distance(one: list[int], other: list[int]) -> float:
    """Euclidean distance between two RGB colours."""
    return sum((a - b) ** 2 for a, b in zip(one, other, strict=True)) ** 0.5
