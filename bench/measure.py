"""Small measuring tools for the benchmark: timers, percentiles, peak memory and CPU time of a phase."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psutil


@dataclass
class Timed:
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    # What the phase itself held at its peak: its worker processes, and what this process grew by.
    # (The bench process keeps what earlier phases and sizes left, which is not the phase's.)
    phase_rss_mb: float = 0.0
    cpu_seconds: float = 0.0  # this process and the children it waited for (an import's workers)
    machine_cpu_seconds: float = 0.0  # every core's busy time: ours, PostgreSQL's and anyone else's


def own_cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended and been waited for."""
    times = psutil.Process().cpu_times()
    return times.user + times.system + times.children_user + times.children_system


def machine_cpu_seconds() -> float:
    """Busy time summed over all cores. Idle, I/O wait and time stolen by a hypervisor are
    not work anyone here did."""
    times = psutil.cpu_times()
    return sum(getattr(times, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq"))


@contextmanager
def sampled_peak(resident: Callable[[], int], every: float) -> Iterator[list[int]]:
    """Sample `resident()` every `every` seconds in a thread while the block runs, and once at its
    end; the peak, in bytes, is the list's one item once the block has ended."""
    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.wait(every):
            peak[0] = max(peak[0], resident())

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    try:
        yield peak
    finally:
        done.set()
        watcher.join()
        peak[0] = max(peak[0], resident())


def total_rss(processes: Iterable[psutil.Process], of: Callable[[psutil.Process], int]) -> int:
    """The sum of `of(process)` over those still running."""
    total = 0
    for process in processes:
        try:
            total += of(process)
        except psutil.Error:  # it has ended
            pass
    return total


@contextmanager
def phase(sample_every: float = 0.05) -> Iterator[Timed]:
    """Time a phase and sample the resident memory of this process and its children (an
    import's worker processes); report the peak of their sum, and the CPU time the phase
    took from us and from the whole machine (on the embedded server's machine, the
    difference is PostgreSQL's)."""
    process, result = psutil.Process(), Timed()
    # Listing children scans every process on the machine (~2 ms); done once a second, not per
    # sample, so the sampler does not take a measurable share of the CPU it measures.
    children: list[psutil.Process] = []
    listed = [-1.0]

    before, own_peak = process.memory_info().rss, [0]

    def resident() -> int:
        if time.perf_counter() - listed[0] >= 1.0:
            children[:], listed[0] = process.children(recursive=True), time.perf_counter()
        own, theirs = process.memory_info().rss, total_rss(children, lambda p: p.memory_info().rss)
        own_peak[0] = max(own_peak[0], theirs + max(own - before, 0))
        return own + theirs

    started, ours, machine = time.perf_counter(), own_cpu_seconds(), machine_cpu_seconds()
    with sampled_peak(resident, sample_every) as peak:
        yield result
        result.seconds = time.perf_counter() - started
        result.cpu_seconds = own_cpu_seconds() - ours
        result.machine_cpu_seconds = machine_cpu_seconds() - machine
    result.peak_rss_mb, result.phase_rss_mb = peak[0] / 2**20, own_peak[0] / 2**20


def latencies(call: Callable[[], object], times: int) -> list[float]:
    """Milliseconds of each of `times` calls."""
    out = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def interleaved(calls: dict[str, Callable[[], object]], times: int, rounds: int = 3,
                warmup: int = 30) -> dict[str, list[float]]:
    """Milliseconds of `times` calls of each, measured in `rounds` alternating blocks: a figure
    and its baseline then see the same machine (this one drifts by a quarter within minutes),
    where measured one after the other their ratio would carry the drift between them.
    Each is first called `warmup` times unmeasured, so that the figures are a serving ledger's:
    a server just started prepares a statement on each pooled connection only after its fifth
    run (4–8 connections per server process), and the first requests of a kind pay for
    compiling their selection. Measured from cold, a page of 50 duplicate sets had been 3.9×
    the floor in one round and 3.1× in the next, on the same server."""
    for call in calls.values():
        for _ in range(warmup):
            call()
    out: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            out[name] += latencies(call, max(times // rounds, 1))
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


@contextmanager
def server_memory(backend_pid: int, sample_every: float = 0.02) -> Iterator[Timed]:
    """The peak private resident memory (MiB) of one PostgreSQL backend and of the parallel
    workers it starts, while the block runs on it. Shared memory (the buffer pool every backend
    maps) is left out: it is the server's, sized by its settings, not by the query."""
    backend, result = psutil.Process(backend_pid), Timed()
    postmaster = backend.parent()

    def private(process: psutil.Process) -> int:
        if process.pid != backend_pid and "parallel worker" not in " ".join(process.cmdline()):
            return 0
        info = process.memory_info()
        return max(info.rss - getattr(info, "shared", 0), 0)

    def resident() -> int:
        # The backend is one of the postmaster's children, with the parallel workers it starts.
        return total_rss(postmaster.children() if postmaster else [backend], private)

    with sampled_peak(resident, sample_every) as peak:
        yield result
    result.peak_rss_mb = peak[0] / 2**20
