"""Fixtures shared by every test that touches storage: a real PostgreSQL, never a mock.

With TEST_DATABASE_URL set, tests create their databases on that server; otherwise one
embedded PostgreSQL (pgserver) is started for the session in a temporary directory and
deleted afterwards.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from canbao.database import start_embedded


@pytest.fixture(scope="session")
def server_conninfo() -> Iterator[str]:
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        yield external
        return
    with tempfile.TemporaryDirectory(prefix="canbao-test-") as tmp:
        yield start_embedded(Path(tmp) / "pg", cleanup_mode="delete")


@pytest.fixture
def empty_database(server_conninfo: str) -> Iterator[str]:
    """A brand-new database for one test, dropped afterwards."""
    name = f"canbao_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_conninfo(server_conninfo, dbname=name)
    finally:
        with psycopg.connect(server_conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
