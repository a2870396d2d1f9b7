"""The README's examples answer on the sample data, as a new user would try them: every GraphQL
block in README.md, sent to `canbao serve --sample-data`, returns data and no error."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from typing import Any

import pytest

from ledger_api.auth import Principal
from tests.conftest import throwaway_database
from tests.e2e.client import Client
from tests.e2e.conftest import ROOT, serving

README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```graphql\n(.*?)```", README, flags=re.S)
OFFICE = Principal("clerk-017", "office", region="350100")  # the README's first token


@pytest.fixture(scope="module")
def sample(server_conninfo):
    with throwaway_database(server_conninfo, "canbao_readme") as database, serving(
            database, serve_options=("--sample-data",), start_within=240) as base:
        yield base, database


def non_empty(value: Any) -> bool:
    """Some leaf of the answer holds data (not only nulls and empty lists)."""
    if isinstance(value, dict):
        return any(non_empty(v) for v in value.values())
    if isinstance(value, list):
        return any(non_empty(v) for v in value)
    return value not in (None, "", 0, False)


def test_the_readme_has_graphql_examples():
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.split("(")[0].strip("{ \n") for e in EXAMPLES])
def test_each_readme_query_returns_data_on_the_sample(sample, example):
    base, _ = sample
    for _ in range(100):  # read models catch up in the background after the sample is loaded
        answer = Client(base, OFFICE).post(example)
        assert not answer.get("errors"), answer["errors"]
        if all(non_empty(v) for v in answer["data"].values()):
            return
        time.sleep(0.2)
    raise AssertionError(f"empty answer: {answer}")


def test_the_readme_replay_example_replays_the_sample_person(sample, tmp_path):
    _, database = sample
    [number] = set(re.findall(r"canbao replay (\d{17}[\dX])", README))
    picture = tmp_path / "history.svg"
    replayed = subprocess.run([sys.executable, "-m", "canbao", "replay", number, "--svg", str(picture)],
                              cwd=ROOT, capture_output=True, text=True, timeout=60,
                              env={**os.environ, "DATABASE_URL": database})
    assert replayed.returncode == 0, replayed.stderr
    assert "参保时间线 — 马杰明 350102195803197267" in replayed.stdout  # the person the README names
    assert picture.read_text(encoding="utf-8").startswith("<svg")
