"""The per-request context: who is asking, the ledger behind the API, and a statement count.

Nothing here is global: each request gets its own context, its own read cache and its own
count of SQL statements (reported in the response's extensions when the server is asked to,
so tests can hold the roster to a small, bounded number of statements).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from strawberry.types import Info

from application.ports import Backend
from domain.clock import business_date
from domain.timeline import RecordedEvent
from ledger_api.auth import NotAuthorised, Principal
from ledger_api.sealing import Sealer
from projections.queries import PageQuery

T = TypeVar("T")
log = logging.getLogger(__name__)
STORAGE_TROUBLE = (psycopg.OperationalError, psycopg.InterfaceError, OperationalError, InterfaceError)


class StorageUnavailable(Exception):
    """The database did not answer in time; nothing was written; the client may retry."""


class CountingConnection:
    def __init__(self, conn: Any, count: Callable[[], None]) -> None:
        self._conn, self._count = conn, count

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        self._count()
        return self._conn.execute(*args, **kwargs)


@dataclass
class RequestContext:
    backend: Backend
    sealer: Sealer
    principal: Principal | None
    auth_error: NotAuthorised | None = None  # a bad token: said when the request needs a principal
    response: Any = None  # strawberry's response: its status becomes 503 when storage fails
    statements: int = 0
    cache: dict[Any, Any] = field(default_factory=dict)

    def who(self) -> Principal:
        if self.auth_error is not None:
            raise self.auth_error
        if self.principal is None:
            raise NotAuthorised("sign in: send Authorization: Bearer <token>")
        return self.principal

    def now(self) -> datetime:
        return self.backend.clock.now()

    def today(self) -> date:
        """The business date (Beijing's) on the ledger's clock: the default valid date of queries."""
        return business_date(self.now())

    def count(self) -> None:
        self.statements += 1

    @contextmanager
    def connection(self) -> Iterator[CountingConnection]:
        with self.backend.reads.connection() as conn:
            yield CountingConnection(conn, self.count)

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a read-model query off the event loop, once per request for the same arguments:
        resolvers that run concurrently (a roster and its counts) share one load in flight."""
        key = (fn, args)
        if key not in self.cache:
            def run() -> T:
                with self.connection() as conn:
                    return fn(conn, *args)

            self.cache[key] = asyncio.ensure_future(asyncio.to_thread(run))
        return await self.storage(self.cache[key])

    async def rows(self, query: PageQuery) -> list[dict]:
        """A page of a read-model list awaited on the event loop (no worker thread to hand it to),
        once per request for the same query, as `read`."""
        key = (query.text, repr(sorted(query.params.items())))
        if key not in self.cache:
            self.count()

            async def run() -> list[dict]:
                async with self.backend.reads.awaited_connection() as conn:
                    return await query.awaited_rows(conn)

            self.cache[key] = asyncio.ensure_future(run())
        rows: list[dict] = await self.storage(self.cache[key])
        return rows

    async def history(self, stream_id: UUID) -> list[RecordedEvent]:
        """A stream's recorded events, read on the event loop."""
        self.count()
        return await self.storage(self.backend.reads.awaited_history(stream_id))

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ledger work (executing commands, issuing documents) off the event loop."""
        self.count()
        return await self.storage(asyncio.to_thread(fn, *args))

    async def storage(self, work: Awaitable[T]) -> T:
        """Storage trouble is the server's, said as such: HTTP 503, "storage unavailable, retry"."""
        try:
            return await work
        except STORAGE_TROUBLE as trouble:
            log.warning("storage unavailable: %s", str(trouble).splitlines()[0] if str(trouble) else trouble)
            if self.response is not None:
                self.response.status_code = 503
            raise StorageUnavailable("storage unavailable, retry") from None


def ctx(info: Info) -> RequestContext:
    """The request's context, typed."""
    context: RequestContext = info.context
    return context
