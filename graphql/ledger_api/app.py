"""The ASGI app: `/graphql` (with GraphiQL) and `/healthz`."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from psycopg_pool import ConnectionPool
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL

from ledger_api.schema import schema

log = logging.getLogger(__name__)


def create_app(conninfo: str, *, graphiql: bool = True) -> Starlette:
    pool = ConnectionPool(conninfo, min_size=1, max_size=8, open=False, timeout=5)

    def database_answers() -> bool:
        try:
            with pool.connection() as conn:
                return conn.execute("SELECT 1").fetchone() == (1,)
        except Exception:  # any failure means "not healthy"; the cause goes to the log
            log.exception("health check could not query the database")
            return False

    async def healthz(_: Request) -> JSONResponse:
        if await run_in_threadpool(database_answers):
            return JSONResponse({"status": "ok", "database": "ok"})
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        pool.open()
        try:
            yield
        finally:
            pool.close()

    graphql_app = GraphQL(schema, graphql_ide="graphiql" if graphiql else None)
    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
        ],
        lifespan=lifespan,
    )
