"""The national cross-province duplicate check (seed 001 二.2 跨省重复参保) over several provinces'
exports, on Dask: each partition's persons folded to who is enrolled where on a date (the same fold
and timeline every projection uses), shuffled by identity — the 18-digit national number, so a
15-digit legacy number and its upgrade meet — and kept where one identity is enrolled in more than
one province. Written as one feedback file per province, in the columns `canbao import
cross-province` reads back (the other provinces' side of each set).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from domain.id_numbers import RESIDENT_ID
from domain.person.evolve import fold
from domain.schemes import counted_enrolled, scheme_of
from domain.timeline import snapshot
from eventlog import scans
from eventlog.export import Partition, read_manifest, read_partition

FEEDBACK_HEADER = ["公民身份号码", "姓名", "外省参保地", "外省险种类型", "外省参保开始年月", "外省参保单位", "重复类型"]


@dataclass(frozen=True)
class Enrolled:
    identity: str  # the 18-digit national number
    name: str
    region: str
    insurance_type: str
    since: date
    unit_code: str

    @property
    def province(self) -> str:
        return self.region[:2]


def enrolled_in_partition(directory: str, partition: Partition, as_of: date) -> list[Enrolled]:
    """One task: the resident-ID persons of a partition enrolled on `as_of`, one record per enrollment."""
    out = []
    for _, history in scans.to_streams(read_partition(Path(directory), partition)):
        # An unreadable stream is left to the province's own projections, which quarantine it.
        if isinstance(history, scans.Unreadable) or not history or not history[0].event.topic.startswith("person."):
            continue
        person = fold(r.event for r in history)
        if person.certificate_type != RESIDENT_ID or not person.id_number:
            continue
        for spell in snapshot(history, as_of):
            if counted_enrolled(spell.insurance_type, spell.status):
                out.append(Enrolled(person.id_number, person.name, spell.region, spell.insurance_type,
                                    spell.valid_from, spell.unit_code))
    return out


def cross_province_sets(groups: Iterable[tuple[str, list[Enrolled]]]) -> list[list[Enrolled]]:
    """The identities enrolled in more than one province, each with its enrollments."""
    return [sorted(records, key=lambda r: (r.region, r.insurance_type))
            for _, records in groups if len({r.province for r in records}) > 1]


def national_duplicates(exports: list[Path], as_of: date, scheduler: str | None = None,
                        workers: int = 2) -> list[list[Enrolled]]:
    """Every cross-province set over the provinces' exports (each verified as it is read)."""
    import dask.bag as db
    from dask.distributed import Client, LocalCluster

    tasks = [(str(d), p) for d in exports for p in read_manifest(d).partitions]
    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                  dashboard_address=None)
    try:
        with Client(scheduler or cluster):
            enrolled = db.from_sequence(tasks, npartitions=len(tasks)).map(
                lambda task: enrolled_in_partition(task[0], task[1], as_of)).flatten()
            grouped = enrolled.groupby(lambda record: record.identity)  # the shuffle by identity
            sets = grouped.filter(lambda group: len({r.province for r in group[1]}) > 1).compute()
    finally:
        if cluster is not None:
            cluster.close()
    return sorted(cross_province_sets(sets), key=lambda records: records[0].identity)


def write_feedback(sets: list[list[Enrolled]], directory: Path) -> dict[str, Path]:
    """One feedback file per province: for each of its persons in a set, the other provinces' side."""
    directory.mkdir(parents=True, exist_ok=True)
    lines: dict[str, list[list[Any]]] = {}
    for records in sets:
        kind = "跨省制度内" if len({scheme_of(r.insurance_type) for r in records}) == 1 else "跨省跨制度"
        for province in sorted({r.province for r in records}):
            lines.setdefault(province, []).extend(
                [r.identity, r.name, r.region, r.insurance_type, f"{r.since:%Y%m}", r.unit_code, kind]
                for r in records if r.province != province)
    written = {}
    for province, rows in sorted(lines.items()):
        path = directory / f"跨省重复参保反馈-{province}0000.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow(FEEDBACK_HEADER)
            out.writerows(rows)
        written[province] = path
    return written
