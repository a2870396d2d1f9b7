"""Small measuring tools for the benchmark: timers, percentiles and peak memory of a phase."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psutil


@dataclass
class Timed:
    seconds: float = 0.0
    peak_rss_mb: float = 0.0


@contextmanager
def phase(sample_every: float = 0.05) -> Iterator[Timed]:
    """Time a phase and sample the resident memory of this process and its children (an
    import's worker processes); report the peak of their sum."""
    process, result, done = psutil.Process(), Timed(), threading.Event()
    peak = [process.memory_info().rss]

    def resident() -> int:
        total = process.memory_info().rss
        for child in process.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:  # it ended between listing and asking
                pass
        return total

    def sample() -> None:
        while not done.wait(sample_every):
            peak[0] = max(peak[0], resident())

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    started = time.perf_counter()
    try:
        yield result
    finally:
        result.seconds = time.perf_counter() - started
        done.set()
        watcher.join()
        result.peak_rss_mb = max(peak[0], process.memory_info().rss) / 2**20


def latencies(call: Callable[[], object], times: int) -> list[float]:
    """Milliseconds of each of `times` calls."""
    out = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def median(values: list[float]) -> float:
    return statistics.median(values)


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]


def throughput(call: Callable[[int], object], clients: int, seconds: float) -> float:
    """Calls per second from `clients` threads calling for `seconds` (call gets the client number)."""
    stop, counts = time.perf_counter() + seconds, [0] * clients

    def client(n: int) -> None:
        while time.perf_counter() < stop:
            call(n)
            counts[n] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - started)
