import httpx


def test_healthz_reports_the_database_answering(server):
    response = httpx.get(f"{server}/healthz")
    assert response.status_code == 200
    answer = response.json()
    assert (answer["status"], answer["database"], answer["clock"]["kind"]) == ("ok", "ok", "system")
    assert answer["quarantined_streams"] == 0


def test_graphql_answers_typename_over_http(server):
    response = httpx.post(f"{server}/graphql", json={"query": "{ __typename }"})
    assert response.json()["data"] == {"__typename": "Query"}


def test_graphiql_loads_in_a_browser(server):
    response = httpx.get(f"{server}/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()


def test_sigterm_stops_the_server_and_the_embedded_postgresql_it_started(tmp_path):
    """systemd, docker stop and kill send SIGTERM: nothing of the ledger may outlive it."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import psutil

    from tests.e2e.conftest import ROOT, free_port, wait_until_healthy

    port, data_dir = free_port(), tmp_path / "pg"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"CANBAO_DATA_DIR": str(data_dir), "CANBAO_TOKEN_SECRET": "test-only-secret"}
    server = subprocess.Popen([sys.executable, "-m", "canbao", "serve", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def postgres_of_data_dir() -> list[int]:
        return [p.pid for p in psutil.process_iter(attrs=["name", "cmdline"])
                if p.info["name"] == "postgres" and str(data_dir) in " ".join(p.info["cmdline"] or [])]

    try:
        wait_until_healthy(port)
        assert postgres_of_data_dir(), "the embedded PostgreSQL should be running while serving"
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)
        deadline = time.monotonic() + 10
        while postgres_of_data_dir() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not postgres_of_data_dir(), "SIGTERM left the embedded PostgreSQL running"
    finally:
        if server.poll() is None:
            server.kill()
        for pid in postgres_of_data_dir():
            psutil.Process(pid).kill()
