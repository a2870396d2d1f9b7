"""A projection rebuild on Dask: the same row-deriving functions as the single-process rebuild
(`projections.runner.derived_batches`), mapped over the partitions of an export of the log
(eventlog/export.py) on a Dask cluster — a LocalCluster when no scheduler address is given — and
the rows written back into the projection tables in one transaction with the tracking position,
or to Parquet for analysts.

Streams never straddle partitions (an export partitions by stream id), so each task folds whole
histories, exactly as one process would.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eventlog.export import ExportRefused, Partition, export_events, read_manifest, read_partition
from projections.catalog import BY_NAME, Projection
from projections.person_rows import Row
from projections.quarantine import tables_of

Progress = Callable[[int, int], None]  # partitions done, partitions in all


def derive_partition(directory: str, partition: Partition, names: list[str], upto: int) -> dict[str, list[Row]]:
    """One task: a partition's rows for every table of the named projections (verified first)."""
    from projections.runner import derived_batches

    projections = [BY_NAME[n] for n in names]
    out: dict[str, list[Row]] = {t.name: [] for t in tables_of(projections)}
    for buffers, _ in derived_batches(read_partition(Path(directory), partition), projections, upto):
        for table, rows in buffers.items():
            out[table].extend(rows)
    return out


def derive_on_dask(directory: Path, projections: list[Projection], scheduler: str | None = None,
                   workers: int = 2, progress: Progress | None = None) -> tuple[dict[str, list[Row]], int]:
    """Every table's rows from the export in `directory`, derived on the cluster; and the position."""
    from dask.distributed import Client, LocalCluster, as_completed

    manifest = read_manifest(directory)
    if manifest.since:
        raise ExportRefused("a rebuild needs the whole log: this export starts after a checkpoint")
    names = [p.name for p in projections]
    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                  dashboard_address=None)
    try:
        with Client(scheduler or cluster) as client:
            futures = client.map(derive_partition, [str(directory)] * len(manifest.partitions), manifest.partitions,
                                 [names] * len(manifest.partitions), [manifest.upto] * len(manifest.partitions),
                                 pure=False)
            rows: dict[str, list[Row]] = {t.name: [] for t in tables_of(projections)}
            for done, future in enumerate(as_completed(futures), start=1):
                for table, part in future.result().items():
                    rows[table].extend(part)
                if progress:
                    progress(done, len(futures))
    finally:
        if cluster is not None:
            cluster.close()
    return rows, manifest.upto


def rebuild_on_dask(runner: Any, projections: list[Projection], scheduler: str | None = None, workers: int = 2,
                    to: Path | None = None, progress: Progress | None = None) -> tuple[int, int]:
    """Export the log, derive on Dask, and write the tables (or Parquet files under `to`); (rows, position)."""
    with tempfile.TemporaryDirectory(prefix="canbao-export-") as folder:
        export_events(runner.datastore, Path(folder), partitions=max(workers * 4, 8))
        rows, upto = derive_on_dask(Path(folder), projections, scheduler, workers, progress)
    if to is not None:
        write_parquet(to, projections, rows)
    else:
        runner.replace_tables(projections, rows, upto)
    return sum(map(len, rows.values())), upto


def write_parquet(directory: Path, projections: list[Projection], rows: dict[str, list[Row]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    directory.mkdir(parents=True, exist_ok=True)
    for table in tables_of(projections):
        columns = {c: [r[i] for r in rows[table.name]] for i, c in enumerate(table.columns)}
        pq.write_table(pa.table({c: pa.array([None if v is None else str(v) for v in values], pa.string())
                                 for c, values in columns.items()}), directory / f"{table.name}.parquet")
