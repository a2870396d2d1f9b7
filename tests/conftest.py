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
from contextlib import contextmanager
from pathlib import Path

import psutil
import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from canbao.database import embedded_server

SUITE_PREFIX = f"canbao-test-{os.getpid()}-"  # this run's temporary directories


@pytest.fixture(scope="session")
def server_conninfo() -> Iterator[str]:
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        yield external
        return
    with tempfile.TemporaryDirectory(prefix=SUITE_PREFIX) as tmp:
        server = embedded_server(Path(tmp) / "pg", cleanup_mode="delete")
        try:
            yield server.get_uri()
        finally:
            server.cleanup()  # before its directory goes: a server whose files are gone lingers


def suite_postgres() -> list[str]:
    """PostgreSQL processes this test run started that are still running."""
    return [" ".join(p.info["cmdline"] or []) for p in psutil.process_iter(attrs=["name", "cmdline"])
            if p.info["name"] == "postgres" and SUITE_PREFIX in " ".join(p.info["cmdline"] or [])]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """No PostgreSQL of this run may outlive it."""
    left = suite_postgres()
    if left:
        print(f"\nPostgreSQL processes left running by the test suite: {left}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@contextmanager
def throwaway_database(server: str, prefix: str = "canbao_test") -> Iterator[str]:
    """A brand-new database on `server`, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_conninfo(server, dbname=name)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def empty_database(server_conninfo: str) -> Iterator[str]:
    with throwaway_database(server_conninfo) as conninfo:
        yield conninfo
