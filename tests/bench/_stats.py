"""Small helpers to time things and print figures the same way in every benchmark."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` of the samples lie (nearest rank)."""
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def time_each(calls: Sequence[Callable[[], object]], repeat: int = 1) -> list[float]:
    """Seconds taken by each call, every call run `repeat` times."""
    samples = []
    for _ in range(repeat):
        for call in calls:
            start = time.perf_counter()
            call()
            samples.append(time.perf_counter() - start)
    return samples


def report(name: str, samples: Sequence[float], unit: str = "ms", target: str = "") -> None:
    """Print median and p99 of samples given in seconds."""
    scale = {"ms": 1e3, "us": 1e6, "s": 1.0}[unit]
    median = statistics.median(samples) * scale
    p99 = percentile(samples, 0.99) * scale
    suffix = f"   (target {target})" if target else ""
    print(
        f"{name:44} median {median:8.3f} {unit}   p99 {p99:8.3f} {unit}   n={len(samples)}{suffix}"
    )
