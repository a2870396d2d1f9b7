"""The bench's HTTP client keeps working when the server closes its idle connection."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bench.http import LeanClient


async def answer(request: Request) -> JSONResponse:
    return JSONResponse({"data": {"asked": (await request.json())["query"]}})


def test_a_client_idle_past_the_servers_keep_alive_asks_again_on_a_new_connection():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=[Route("/graphql", answer, methods=["POST"])]),
                                           port=port, timeout_keep_alive=1, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    try:
        client = LeanClient(f"http://127.0.0.1:{port}", "token")
        assert client.graphql("{ first }") == {"data": {"asked": "{ first }"}}
        time.sleep(1.5)  # the server has closed the connection meanwhile
        assert client.graphql("{ second }") == {"data": {"asked": "{ second }"}}
        client.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
