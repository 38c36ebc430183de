"""Chart and plan rendering: time per call and output size, for the sample Shared Lives plan.

Targets (issue 7): a chart in 300 ms or less and at most 200 KB; a plan in 1 s or less and at
most 1 MB. The first call of each kind is reported apart: it loads fonts and warms caches.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from bot.charts import render_chart
from bot.documents import render_document
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
