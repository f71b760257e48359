"""Timing helper shared by the benchmark scripts (not a benchmark itself)."""

from __future__ import annotations

import statistics
import time


def median_and_p95(fn, repeats: int) -> tuple[float, float]:
    """Median and 95th percentile, in seconds, of ``repeats`` calls of ``fn`` after a warm-up."""
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95


def timed(fn, repeats: int):
    """(median seconds, last result) of ``repeats`` calls of ``fn`` after a warm-up."""
    result = fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result
