"""The scale-out paths from the command line: the log exported as Parquet, projections rebuilt on
a Dask LocalCluster."""

from __future__ import annotations

import json

import pytest

from demo.population import write_extract
from tests.e2e.test_cli import run_cli

pytest.importorskip("dask.distributed", reason="the scale extra (pip install -e '.[scale]')")


def test_the_log_is_exported_and_the_projections_rebuilt_on_dask(empty_database, tmp_path):
    extract, export = tmp_path / "ex.csv", tmp_path / "export"
    write_extract(extract, persons=300, seed=8)
    assert run_cli("import", str(extract), DATABASE_URL=empty_database).returncode == 0
    exported = run_cli("export", "events", "--to", str(export), "--partitions", "3", DATABASE_URL=empty_database)
    assert exported.returncode == 0, exported.stderr
    manifest = json.loads((export / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["partitions"]) == 3 and manifest["checkpoint"].startswith("canbao-digest-v1:")
    rebuilt = run_cli("projections", "rebuild", "--engine", "dask", "--workers", "2", DATABASE_URL=empty_database)
    assert rebuilt.returncode == 0 and "rows derived up to position" in rebuilt.stdout, rebuilt.stderr
