"""The app each server process runs when `canbao serve --workers N` starts several.

One Python process serves one request's Python at a time (the interpreter lock), so a
single process tops out at one core whatever the number of clients; several processes share
the listening socket (uvicorn's supervisor) and use every core. The parent has resolved the
database (and started the embedded one) and loaded any sample data; it passes the database
and the serving options in the environment, never the token key (each process reads it where
the parent did). The parent, idle otherwise, follows the log for the projections: no worker
shares its interpreter lock with them. (Its advisory lock still elects one follower when
several `canbao serve` run on one database.)
"""

from __future__ import annotations

import gc
import json
import os
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from typing import Any

from starlette.applications import Starlette

from canbao.services import services
from canbao.settings import Settings, token_secret
from ledger_api.app import ApiSettings, create_app

OPTIONS = "CANBAO_SERVE_OPTIONS"  # JSON: graphiql, introspection, statement_count


def serving_environment(conninfo: str, api: ApiSettings, settings: Settings) -> dict[str, str]:
    """What a worker process needs from its parent: the resolved database and the options."""
    options = {"graphiql": api.graphiql, "introspection": api.introspection, "statement_count": api.statement_count}
    return {"DATABASE_URL": conninfo, "CANBAO_DATA_DIR": str(settings.data_dir), OPTIONS: json.dumps(options)}


def settle_heap() -> None:
    """Set what start-up built (the schema, the code tables, the pool) aside from the cyclic
    collector, after collecting start-up's own garbage. Every full collection would otherwise walk
    it all again: at 725,000 persons one paused a worker 53 ms, once in ~4,000 history queries
    (their median 1.9 ms); with the heap settled the same run had none, its slowest query 9.7 ms.
    Objects set aside are still freed by reference counting; only cycles among them are not."""
    gc.collect()
    gc.freeze()


def serve_in_processes(host: str, port: int, workers: int) -> None:
    """uvicorn's supervisor over `workers` processes sharing one listening socket."""
    import socket

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config("canbao.worker_app:app", factory=True, workers=workers, host=host, port=port,
                            log_level="info")
    listening = config.bind_socket()
    # uvicorn's socket says no protocol, so asyncio leaves Nagle's algorithm on for the connections it
    # accepts: each response would wait ~40 ms for the client's delayed ACK. Linux hands the listening
    # socket's TCP_NODELAY on to every accepted connection.
    if listening.family in (socket.AF_INET, socket.AF_INET6):
        listening.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(config, sockets=[listening]).run()


def app() -> Starlette:
    """uvicorn's app factory in each worker process."""
    settings = Settings.from_env()
    options: dict[str, Any] = json.loads(os.environ.get(OPTIONS, "{}"))
    stack = ExitStack()
    ready = stack.enter_context(services(settings, serving=True))
    served = create_app(ready, ApiSettings(token_secret(settings), **options))

    closing_reads = served.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            async with closing_reads(app):
                yield
        finally:
            ready.stop()
            stack.close()

    served.router.lifespan_context = lifespan
    settle_heap()
    return served
