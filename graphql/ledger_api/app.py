"""The ASGI app: `/graphql` (GraphiQL in a browser when enabled), the pages under `/ui/`, `/healthz`."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL

from application.ports import Backend
from ledger_api.auth import NotAuthorised, principal_from_header
from ledger_api.context import RequestContext
from ledger_api.guard import RequestGuard
from ledger_api.schema import build_schema
from ledger_api.sealing import Sealer
from ledger_api.web import MAX_UPLOAD, Pages
from projections.quarantine import quarantine_size

log = logging.getLogger(__name__)
STUCK_AFTER_SECONDS = 10.0  # longer than any statement a serving ledger allows


@dataclass(frozen=True)
class ApiSettings:
    token_secret: str
    graphiql: bool = True
    introspection: bool = True
    statement_count: bool = False  # report SQL statements per request (tests, profiling)


class LedgerGraphQL(GraphQL[RequestContext, None]):
    def __init__(self, backend: Backend, settings: ApiSettings) -> None:
        super().__init__(build_schema(introspection=settings.introspection, statement_count=settings.statement_count),
                         graphql_ide="graphiql" if settings.graphiql else None)
        self.backend, self.settings = backend, settings
        self.sealer = Sealer(settings.token_secret)

    def encode_json(self, data: object) -> bytes:
        """UTF-8 as it is, not \\u-escaped: a page of 50 duplicate sets, whose rules are Chinese
        sentences, is 11 KB instead of 19 KB and is encoded in 9 µs instead of 69 (orjson; the
        standard library only for what orjson refuses, e.g. a lone surrogate read from a legacy file)."""
        try:
            return orjson.dumps(data)
        except (orjson.JSONEncodeError, TypeError):
            return json.dumps(data, separators=(",", ":")).encode()

    async def get_context(self, request: Any, response: Any) -> RequestContext:
        try:
            principal = principal_from_header(self.settings.token_secret, request.headers.get("authorization"))
            return RequestContext(self.backend, self.sealer, principal, response=response)
        except NotAuthorised as refused:
            return RequestContext(self.backend, self.sealer, None, auth_error=refused, response=response)


def create_app(backend: Backend, settings: ApiSettings) -> Starlette:
    def database_answers() -> int | None:
        """Streams held in the projections' quarantine (a metric), or None if the database is down."""
        try:
            with backend.reads.connection() as conn:
                return quarantine_size(conn)
        except Exception:  # any failure means "not healthy"; the cause goes to the log
            log.exception("health check could not query the database")
            return None

    clock = {"kind": backend.clock.kind, "now": None, "description": backend.clock.describe()}

    async def healthz(_: Request) -> JSONResponse:
        # A drill's fixed or offset clock is said on every health check, never silently on.
        said = {**clock, "now": backend.clock.now().isoformat()}
        held = await run_in_threadpool(database_answers)
        if held is not None:
            stuck = backend.ledger.writers_stuck(STUCK_AFTER_SECONDS)
            if stuck:
                return JSONResponse({"status": "degraded", "database": "ok", "clock": said, "writers_stuck": stuck,
                                     "quarantined_streams": held}, status_code=503)
            return JSONResponse({"status": "ok", "database": "ok", "clock": said, "quarantined_streams": held})
        return JSONResponse({"status": "unavailable", "database": "unreachable", "clock": said}, status_code=503)

    graphql_app = LedgerGraphQL(backend, settings)
    pages = Pages(graphql_app, settings.token_secret)
    routes = [Route("/healthz", healthz), Route("/graphql", graphql_app, methods=["GET", "POST"]),
              Route("/", lambda _: RedirectResponse("/ui/")), *pages.routes()]

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await backend.reads.close_awaited()

    return Starlette(routes=routes, middleware=[Middleware(RequestGuard, larger={"/ui/file": MAX_UPLOAD + 64_000})],
                     lifespan=lifespan)
