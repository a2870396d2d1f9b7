"""`canbao serve --workers N`: several server processes share the port (one process runs one
request's Python at a time), the projections are followed once (by their supervisor), and SIGTERM
stops every process and the embedded PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import psutil
import psycopg

from canbao.services import FOLLOWER_LOCK
from domain.access import Principal
from tests.e2e.client import Client
from tests.e2e.conftest import ROOT, TOKEN_SECRET, free_port, serving, wait_until_healthy
from tests.support.builders import resident_id

OFFICE = Principal("clerk-1", "office", region="350100")
BORN = [date(1980 + n % 20, 1 + n % 12, 1 + n % 28) for n in range(40)]
PEOPLE = [resident_id(born=born, seq=f"{n:03d}") for n, born in enumerate(BORN)]
NAMES = [f"{family}{given}" for family in "张王李赵" for given in "一二三四五六七八九十"]


def test_two_server_processes_record_concurrent_commands_and_project_each_once(server_database):
    with serving(server_database, serve_options=("--workers", "2")) as base:
        office = Client(base, OFFICE)
        with ThreadPoolExecutor(max_workers=8) as clients:
            list(clients.map(lambda n: office.register_person(
                PEOPLE[n], NAMES[n], "1" if int(PEOPLE[n][16]) % 2 else "2", BORN[n].isoformat()), range(len(PEOPLE))))
        query = "query($id: String!) { person(idNumber: $id) { name } }"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            found = [office.data(query, {"id": p})["person"] for p in PEOPLE]
            if all(found):
                break
            time.sleep(0.3)
        assert [f["name"] for f in found] == NAMES
        with psycopg.connect(server_database) as conn:
            assert conn.execute("SELECT count(*) FROM person_view").fetchone() == (len(PEOPLE),)
            followers = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s",
                                     (FOLLOWER_LOCK,)).fetchone()
        assert followers == (1,), "exactly one of the processes follows the log"


def test_sigterm_stops_every_server_process_and_the_embedded_postgresql(tmp_path):
    port, data_dir = free_port(), tmp_path / "pg"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"CANBAO_DATA_DIR": str(data_dir), "CANBAO_TOKEN_SECRET": TOKEN_SECRET}
    server = subprocess.Popen([sys.executable, "-m", "canbao", "serve", "--port", str(port), "--workers", "2"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def ours() -> list[psutil.Process]:
        """The embedded PostgreSQL of this data directory and the server's worker processes."""
        found = [p for p in psutil.process_iter(attrs=["name", "cmdline"])
                 if p.info["name"] == "postgres" and str(data_dir) in " ".join(p.info["cmdline"] or [])]
        try:
            found += psutil.Process(server.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            pass
        return found

    try:
        wait_until_healthy(port)
        workers = [p for p in psutil.Process(server.pid).children() if "spawn" in " ".join(p.cmdline())]
        assert len(workers) == 2, "two worker processes should serve"
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)
        deadline = time.monotonic() + 10
        while any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in ours() + workers) \
                and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [p for p in ours() + workers if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        assert not left, f"SIGTERM left processes running: {left}"
    finally:
        if server.poll() is None:
            server.kill()
        for p in ours():
            p.kill()
