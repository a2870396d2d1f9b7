"""The benchmark's accounting of a phase: our CPU, the machine's, peak memory, and the target's CPU budget."""

from __future__ import annotations

import subprocess
import sys
import time

from pytest import approx

from bench.measure import Timed, interleaved, phase
from bench.run import IMPORT_TARGET_EVENTS_PER_S, cpu_budget

BURN = "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass"


def test_a_phase_counts_the_cpu_of_the_worker_processes_it_waited_for():
    with phase() as took:
        subprocess.run([sys.executable, "-c", BURN], check=True)
    assert took.cpu_seconds >= 0.35  # the child's 0.4 s, not the parent's idle wait
    assert took.machine_cpu_seconds >= 0.3  # the machine saw that work too (its counters tick coarser)


def test_a_phase_that_sleeps_costs_no_cpu_of_ours():
    with phase() as took:
        subprocess.run([sys.executable, "-c", "import time; time.sleep(0.4)"], check=True)
    assert took.cpu_seconds < 0.3  # only the interpreter's start-up


def test_the_cpu_budget_is_what_all_cores_have_per_row_at_the_target_rate():
    rows, events = 1_000, 1_700
    took = Timed(seconds=2.0, cpu_seconds=1.0, machine_cpu_seconds=1.5)
    budget = cpu_budget(took, floor_cpu_seconds=0.2, events=events, rows=rows)
    cores = budget["cores"]
    # At the target the import would last events / target seconds, on every core.
    assert budget["cpu_budget_us_per_row"] == approx(cores * events / IMPORT_TARGET_EVENTS_PER_S / rows * 1e6)
    assert (budget["cpu_ours_us_per_row"], budget["cpu_rest_us_per_row"], budget["cpu_floor_us_per_row"]) == approx(
        (1_000, 500, 200))
    assert budget["cpu_busy_share"] == approx(1.5 / (cores * 2.0))
    assert budget["cpu_need_ratio"] == approx(1_500 / budget["cpu_budget_us_per_row"])


def test_a_phase_reports_the_peak_memory_of_a_worker_process_it_started():
    holds_200_mib = "import time\nb = bytearray(200 * 2**20)\nb[::4096] = b'x' * len(b[::4096])\ntime.sleep(1.5)"
    with phase() as took:
        subprocess.run([sys.executable, "-c", holds_200_mib], check=True)
    assert took.peak_rss_mb >= 200 and took.phase_rss_mb >= 200


def test_a_phases_own_memory_leaves_out_what_the_bench_process_held_before_it():
    held_before = bytearray(300 * 2**20)
    held_before[::4096] = b"x" * len(held_before[::4096])
    with phase() as took:
        grown = bytearray(50 * 2**20)
        grown[::4096] = b"x" * len(grown[::4096])
        time.sleep(0.2)
    assert took.peak_rss_mb >= 350 and 40 <= took.phase_rss_mb < 150
    del held_before, grown


def test_interleaved_measures_each_call_in_alternating_blocks():
    order: list[str] = []
    timed = interleaved({"figure": lambda: order.append("figure"), "floor": lambda: order.append("floor")}, 6,
                        warmup=3)
    assert {name: len(times) for name, times in timed.items()} == {"figure": 6, "floor": 6}
    assert order == ["figure"] * 3 + ["floor"] * 3 + (["figure"] * 2 + ["floor"] * 2) * 3, \
        "each warmed up unmeasured first, then measured in alternating blocks"


def test_each_monthly_file_of_the_bench_pays_for_other_persons(tmp_path):
    import csv

    from demo.population import MONTHS_PER_PERSON, write_contribution_file, write_extract

    extract = tmp_path / "extract.csv"
    write_extract(extract, 400, seed=3)

    def persons(n: int) -> set[str]:
        path = tmp_path / f"monthly-{n}.csv"
        assert write_contribution_file(extract, path, 240, skip_persons=n * 10) == 240
        with path.open(encoding="utf-8") as f:
            return {row["证件号码"] for row in csv.DictReader(f)}

    first, second = persons(0), persons(1)
    assert len(first) == len(second) == 240 // MONTHS_PER_PERSON
    assert not first & second
