"""Run every benchmark module (tests/bench/bench_*.py) in name order, or those named.

Example: python -m tests.bench            # all
         python -m tests.bench matcher    # only bench_matcher.py
"""

from __future__ import annotations

import importlib
import platform
import sys
import time
from pathlib import Path


def main(names: list[str]) -> int:
    """Import each bench module and call its run(), which prints its own figures."""
    found = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    chosen = [n for n in found if not names or n.removeprefix("bench_") in names]
    print(
        f"# {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, {time.strftime('%Y-%m-%d')}"
    )
    for name in chosen:
        module = importlib.import_module(f"tests.bench.{name}")
        print(f"\n## {name.removeprefix('bench_')}")
        module.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
