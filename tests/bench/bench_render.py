"""Chart and plan rendering: time per call and output size, for the sample Shared Lives plan.

Targets (issue 7): a chart in 300 ms or less and at most 200 KB; a plan in 1 s or less and at
most 1 MB. The first call of each kind is reported apart: it loads fonts and warms caches.
"""

from __future__ import annotations

import asyncio
import resource
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.charts import render_chart
from bot.documents import render_document
from bot.telegram._render import RENDERS_AT_ONCE
from tests.bench._stats import report, time_each
from tests.bot import samples


def run() -> None:
    """Print timings and sizes for both sample charts and the sample plan."""
    readiness, nasss, plan = samples.chart("readiness"), samples.chart("nasss"), samples.plan()

    start = time.perf_counter()
    render_chart(readiness)
    print(f"{'first chart (cold: fonts, caches)':44} {1e3 * (time.perf_counter() - start):8.1f} ms")
    report(
        "readiness chart (7 rows, previous levels)",
        time_each([lambda: render_chart(readiness)], 30),
        target="<= 300 ms",
    )
    report("NASSS chart (7 rows)", time_each([lambda: render_chart(nasss)], 30), target="<= 300 ms")
    report(
        "plan (6 sections, 2 charts, 4 pages)",
        time_each([lambda: render_document(plan)], 10),
        target="<= 1 s",
    )

    with ThreadPoolExecutor(max_workers=4) as pool:
        start = time.perf_counter()
        list(pool.map(render_chart, [readiness, nasss] * 8))
        elapsed = time.perf_counter() - start
    print(f"{'16 charts on 4 threads (wall clock)':44} {1e3 * elapsed:8.1f} ms")

    for name, chart in (("readiness", readiness), ("NASSS", nasss)):
        size = len(render_chart(chart))
        print(f"{name + ' chart PNG size':44} {size / 1024:8.1f} KB   (target <= 200 KB)")
    size = len(render_document(plan))
    print(f"{'plan PDF size':44} {size / 1024:8.1f} KB   (target <= 1024 KB)")

    for limit in sorted({RENDERS_AT_ONCE, 2, 10}):
        peak = _ten_plans_peak_rss(limit)
        label = f"peak RSS, ten plans at once ({limit} drawn at a time)"
        print(f"{label:44} {peak:8.1f} MB   (target < 200 MB with {RENDERS_AT_ONCE})")


def _ten_plans_peak_rss(limit: int) -> float:
    """Peak resident memory (MB) of a fresh process sending ten plans at once through the
    bot's Renderer, with `limit` drawn at a time."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_render", "--ten-plans", str(limit)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    return float(result.stdout.split()[-1])


async def _ten_plans(limit: int) -> None:
    from bot.telegram import _render

    _render.RENDERS_AT_ONCE = limit
    renderer = _render.Renderer(render_chart, render_document)
    plan = samples.plan()
    await asyncio.gather(*(renderer._draw(render_document, plan) for _ in range(10)))


if __name__ == "__main__" and sys.argv[1:2] == ["--ten-plans"]:
    asyncio.run(_ten_plans(int(sys.argv[2])))
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
