"""Charts: decoded with Pillow and checked for size, colour, layout and thread safety."""

from __future__ import annotations

import io
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import matplotlib
import numpy as np
import pytest
from PIL import Image

from bot.charts import MARGIN, PALETTES, WIDTH, render_chart
from dialogues._types import Chart, ChartLevel, ChartRow
from tests.bot import samples

MAX_PNG_BYTES = 200 * 1024
BAR = 1000  # fewer pixels than the shortest bar paints (about 180 x 48)
STRAY = 300  # more pixels than antialiased text may share with a fill colour


def decode(png: bytes) -> Image.Image:
    """The PNG as an RGB image, after checking that it is one."""
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image.convert("RGB")


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def pixels_of(image: Image.Image, colour: str) -> int:
    """How many pixels are exactly this colour."""
    return int(mask(image, colour).sum())


def mask(image: Image.Image, colour: str) -> np.ndarray:
    """True where the image is exactly this colour."""
    return (np.asarray(image) == hex_rgb(colour)).all(axis=2)


def bounding_box(image: Image.Image, colour: str) -> tuple[int, int, int, int]:
    """Left, top, right, bottom of the pixels of this colour."""
    ys, xs = np.nonzero(mask(image, colour))
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def region(image: Image.Image, left: int, top: int, right: int, bottom: int) -> Image.Image:
    return image.crop((left, top, right, bottom))


def simple_chart(rows: list[tuple[str, str, str | None]], **changes) -> Chart:
    """A readiness chart with the usual four levels and the given (label, level, previous)."""
    chart = Chart(
        name="test",
        title="Readiness",
        palette="readiness",
        levels=(
            ChartLevel("green", "Ready", 3),
            ChartLevel("amber", "Partly", 2),
            ChartLevel("red", "Not yet", 1),
            ChartLevel("unknown", "Not sure", 0),
        ),
        rows=tuple(ChartRow(label, level, previous) for label, level, previous in rows),
        caption="",
    )
    return replace(chart, **changes)


@pytest.mark.parametrize("name", ["readiness", "nasss"])
def test_sample_chart_is_a_phone_width_png_under_the_size_limit(name):
    png = render_chart(samples.chart(name))
    image = decode(png)
    assert len(png) <= MAX_PNG_BYTES
    assert image.width == WIDTH
    assert 700 <= image.height <= 1400
    assert len(image.getcolors(1 << 20)) >= 8  # not blank: fills, track, ink, antialiasing


@pytest.mark.parametrize(("name", "palette"), [("readiness", "readiness"), ("nasss", "complexity")])
def test_every_level_in_use_is_painted_in_its_palette_colour(name, palette):
    chart = samples.chart(name)
    image = decode(render_chart(chart))
    used = {row.level for row in chart.rows}
    scored = {level.id for level in chart.levels if level.score > 0}
    for level_id in used & scored:
        assert pixels_of(image, PALETTES[palette][level_id].fill) > BAR, level_id
    for level_id in PALETTES[palette].keys() - used:  # a stray antialiased edge at most
        assert pixels_of(image, PALETTES[palette][level_id].fill) < STRAY, level_id


def test_the_two_palettes_paint_differently():
    rows = [("One", "simple", None), ("Two", "complicated", None), ("Three", "complex", None)]
    nasss = samples.chart("nasss")
    complexity = decode(render_chart(replace(nasss, rows=tuple(ChartRow(*r) for r in rows))))
    readiness = decode(render_chart(simple_chart([("One", "green", None)])))
    assert pixels_of(complexity, PALETTES["complexity"]["simple"].fill) > BAR
    assert pixels_of(readiness, PALETTES["readiness"]["green"].fill) > BAR
    assert pixels_of(readiness, PALETTES["complexity"]["simple"].fill) < STRAY


def test_bar_length_is_proportional_to_the_level_score():
    green = PALETTES["readiness"]["green"].fill  # unhatched, so every bar pixel counts
    full = decode(render_chart(simple_chart([("A", "green", None)])))
    levels = (ChartLevel("green", "Ready", 1), ChartLevel("amber", "Partly", 2))
    half = decode(render_chart(simple_chart([("A", "green", None)], levels=levels)))
    assert pixels_of(half, green) / pixels_of(full, green) == pytest.approx(0.5, abs=0.02)


def test_a_level_scored_zero_draws_no_bar_but_still_names_the_level():
    with_label = decode(render_chart(simple_chart([("A", "unknown", None)])))
    no_words = decode(
        render_chart(
            simple_chart(
                [("A", "unknown", None)],
                levels=(ChartLevel("unknown", "", 0),),
            )
        )
    )
    assert pixels_of(with_label, PALETTES["readiness"]["unknown"].fill) < STRAY
    assert with_label.tobytes() != no_words.tobytes()  # the words "Not sure" were drawn


def test_previous_levels_add_markers_and_a_legend():
    rows = [("Evidence", "green", "red"), ("Workforce", "red", "amber")]
    before = decode(render_chart(simple_chart([(label, level, None) for label, level, _ in rows])))
    after = decode(render_chart(simple_chart(rows, legend_previous="Last time, 12 January")))
    unlabelled = decode(render_chart(simple_chart(rows)))
    assert after.height > before.height  # the legend takes a line
    assert unlabelled.height == before.height  # no legend text, no legend line
    # Within the green bar's box, the marker for "red" shows as white (its face) and ink.
    green = PALETTES["readiness"]["green"].fill
    for image, marked in ((before, False), (after, True), (unlabelled, True)):
        box = region(image, *bounding_box(image, green))
        assert (pixels_of(box, "#FFFFFF") > 50) is marked
        assert (pixels_of(box, "#1A1A1A") > 50) is marked


def test_long_labels_wrap_and_never_spill_past_the_margin():
    long_label = " ".join(["Recruitment and turnover of staff across two councils"] * 8)
    unbroken = "https://www.example.org/" + "a-very-long-path-segment/" * 12
    chart = simple_chart(
        [(long_label, "amber", None), (unbroken, "red", None), ("Short", "green", None)],
        title="A title that goes on " * 20,
        levels=(
            ChartLevel("green", "Ready", 3),
            ChartLevel("amber", "Partly ready but with a very long qualification attached", 2),
            ChartLevel("red", "Not yet", 1),
        ),
    )
    image = decode(render_chart(chart))
    short = decode(render_chart(simple_chart([("A", "amber", None)] * 3)))
    assert image.width == WIDTH
    # Title at most three lines, each row label at most two: the height stays bounded.
    assert image.height < short.height + 400
    right_margin = image.crop((WIDTH - MARGIN // 2, 0, WIDTH, image.height))
    assert right_margin.getcolors(1 << 20) == [(right_margin.width * image.height, (255, 255, 255))]


def test_seven_rows_are_drawn_in_a_taller_chart_than_three():
    labels = ["Complexity", "Environment", "Resources", "Workforce", "Risk", "Co-production"]
    seven = decode(
        render_chart(simple_chart([(label, "green", None) for label in [*labels, "Evidence"]]))
    )
    three = decode(render_chart(simple_chart([(label, "green", None) for label in labels[:3]])))
    green = PALETTES["readiness"]["green"].fill
    assert seven.height > three.height
    assert pixels_of(seven, green) == pytest.approx(pixels_of(three, green) * 7 / 3, rel=0.01)


def test_all_twenty_two_factors_fit_in_one_png_under_the_size_limit():
    rows = [(f"Factor number {n} with a fairly ordinary label", "amber", "red") for n in range(22)]
    png = render_chart(simple_chart(rows, legend_previous="Last time"))
    image = decode(png)
    assert len(png) <= MAX_PNG_BYTES
    assert image.width == WIDTH
    assert image.height > 2500


def test_level_ids_the_palette_does_not_name_get_spare_colours():
    chart = simple_chart(
        [("A", "maybe", None)],
        levels=(ChartLevel("maybe", "Maybe", 1),),
    )
    image = decode(render_chart(chart))
    assert len(image.getcolors(1 << 20)) >= 8


def test_a_row_naming_an_unknown_level_is_an_error():
    with pytest.raises(ValueError, match="no level 'purple'"):
        render_chart(simple_chart([("A", "purple", None)]))
    with pytest.raises(ValueError, match="no level 'gone'"):
        render_chart(simple_chart([("A", "green", "gone")]))


def test_dollar_signs_emoji_and_other_scripts_draw_without_error_or_missing_glyphs():
    chart = simple_chart(
        [
            ("Budget $5 to $x^2$ per hour 👍🏽", "green", None),
            ("Łódź Ελλάδα Привет 中文", "red", None),
        ],
        title="$\\frac{1}{2}$ Siân's plan 👨\u200d👩\u200d👧",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = render_chart(chart)
    assert decode(png).width == WIDTH
    assert not [w for w in caught if "Glyph" in str(w.message)]


def test_empty_chart_still_renders_its_title():
    image = decode(render_chart(simple_chart([])))
    assert image.width == WIDTH
    assert len(image.getcolors(1 << 20)) > 2


def test_the_same_chart_renders_identically_from_many_threads_at_once():
    charts = [
        samples.chart("readiness"),
        samples.chart("nasss"),
        simple_chart([("A", "red", None)]),
    ]
    expected = [render_chart(chart) for chart in charts]
    jobs = charts * 8
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(render_chart, jobs))
    assert results == expected * 8


def test_rendering_leaves_global_matplotlib_state_alone():
    before = dict(matplotlib.rcParams)
    render_chart(samples.chart("readiness"))
    assert dict(matplotlib.rcParams) == before
    code = (
        "import sys; from bot.charts import render_chart; from tests.bot import samples; "
        "render_chart(samples.chart('nasss')); "
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=_repo_root())


def _repo_root() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parents[2])
