"""Beyond one machine: the log exported as verified Parquet partitions, and a rebuild on a Dask
LocalCluster with 2 workers that writes exactly the tables of the single-process rebuild."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("dask.distributed", reason="the scale extra (pip install -e '.[scale]')")

from demo.population import write_extract  # noqa: E402
from domain.events import Actor  # noqa: E402
from eventlog.export import ExportRefused, export_events, verify_export  # noqa: E402
from importer.bulk import BulkImporter  # noqa: E402
from projections.catalog import PROJECTIONS  # noqa: E402
from projections.dask_rebuild import rebuild_on_dask  # noqa: E402
from projections.quarantine import tables_of  # noqa: E402
from projections.runner import ProjectionRunner  # noqa: E402


@pytest.fixture
def population(store, tmp_path: Path):
    extract = tmp_path / "extract.csv"
    write_extract(extract, persons=3_000, seed=21)
    BulkImporter(store.datastore, Actor(kind="import_job", id="t")).run_file(extract)
    return store


def tables(store) -> dict[str, list[tuple]]:
    """Every projection table's rows, in a fixed order."""
    with store.datastore.get_connection() as conn:
        return {t.name: sorted((tuple(map(str, r.values())) for r in conn.execute(f"SELECT * FROM {t.name}")))
                for t in tables_of(PROJECTIONS)}


def test_a_dask_rebuild_writes_exactly_the_tables_of_the_single_process_rebuild(population):
    runner = ProjectionRunner(population.datastore)
    runner.rebuild(list(PROJECTIONS))
    single = tables(population)
    assert len(single["enrollment_spell"]) > 3_000

    rows, upto = rebuild_on_dask(runner, list(PROJECTIONS), workers=2)
    assert rows == sum(len(v) for v in single.values()) and upto == runner.head()
    assert tables(population) == single
    assert {s.position for s in runner.status(PROJECTIONS)} == {upto}


def test_an_altered_or_missing_partition_is_refused_by_name(population, tmp_path):
    export = tmp_path / "export"
    manifest = export_events(population.datastore, export, partitions=4)
    assert verify_export(export).checkpoint == manifest.checkpoint
    assert sum(p.rows for p in manifest.partitions) == ProjectionRunner(population.datastore).head()

    victim = export / manifest.partitions[2].file
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01  # one byte
    victim.write_bytes(bytes(data))
    with pytest.raises(ExportRefused, match=manifest.partitions[2].file):
        verify_export(export)

    victim.unlink()
    with pytest.raises(ExportRefused, match=f"{manifest.partitions[2].file} is missing"):
        verify_export(export)


def test_an_incremental_export_holds_what_came_after_the_checkpoint_it_starts_from(population, tmp_path):
    from application.service import Ledger
    from tests.support.builders import ctx, register, resident_id

    first = export_events(population.datastore, tmp_path / "first", partitions=2)
    Ledger(population).execute(register(resident_id(seq="777")), ctx())  # one more event
    later = export_events(population.datastore, tmp_path / "later", partitions=2, since=first.upto)
    assert later.since == first.upto and sum(p.rows for p in later.partitions) == 1
    assert verify_export(tmp_path / "later").upto > first.upto


def test_a_dask_rebuild_can_write_parquet_for_analysts_instead_of_the_tables(population, tmp_path):
    import pyarrow.parquet as pq

    runner = ProjectionRunner(population.datastore)
    rows, _ = rebuild_on_dask(runner, [p for p in PROJECTIONS if p.name == "enrollments"], workers=1,
                              to=tmp_path / "analysts")
    spells = pq.read_table(tmp_path / "analysts" / "enrollment_spell.parquet")
    assert spells.num_rows > 3_000 and "valid_from" in spells.column_names
    with population.datastore.get_connection() as conn:  # the tables were not touched
        assert conn.execute("SELECT count(*) AS n FROM enrollment_spell").fetchone()["n"] == 0
