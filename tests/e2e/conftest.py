"""Run the real server: `python -m canbao serve` from the repository root, over real HTTP."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import throwaway_database

ROOT = Path(__file__).resolve().parents[2]
TOKEN_SECRET = secrets.token_urlsafe(32)  # this test session's own key; never a fixed one


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(port: int, seconds: float = 60) -> None:
    """Until the server on `port` answers its health check (or the time is up)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)


@pytest.fixture(scope="module")
def server_database(server_conninfo: str) -> Iterator[str]:
    """A database of its own for each module's server."""
    with throwaway_database(server_conninfo, "canbao_e2e") as conninfo:
        yield conninfo


@pytest.fixture(scope="module")
def server(server_database: str) -> Iterator[str]:
    """Base URL of a ledger served by uvicorn in a child process."""
    with serving(server_database) as base:
        yield base


@contextmanager
def serving(database: str, *root_options: str, serve_options: tuple[str, ...] = (),
            start_within: float = 30) -> Iterator[str]:
    """`python -m canbao [root options] serve [serve options]` on a free port; its base URL while it runs."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database, "CANBAO_TOKEN_SECRET": TOKEN_SECRET,
           "CANBAO_STATEMENT_COUNT": "1"}
    with tempfile.NamedTemporaryFile("w+", prefix="canbao-server-", suffix=".log") as log:
        # A file, not a pipe: a pipe nobody reads fills up and blocks the server.
        process = subprocess.Popen([sys.executable, "-m", "canbao", *root_options, "serve", "--port", str(port),
                                    *serve_options],
                                   cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + start_within
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"server exited: {Path(log.name).read_text()}")
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            process.kill()
            pytest.fail(f"server did not start within {start_within:.0f} s")
        try:
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)
            if keep := os.environ.get("CANBAO_TEST_SERVER_LOG"):  # for debugging a failed e2e run
                Path(keep).write_text(Path(log.name).read_text())
