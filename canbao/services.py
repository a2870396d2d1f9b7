"""Wiring: the event store, the ledger service and the projection runners over one database."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

import psycopg
from psycopg import AsyncConnection, Connection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

from application.calendar import register_stored
from application.clock import LedgerClock, clock_from_spec
from application.service import Ledger
from canbao.database import ledger_database
from canbao.migrations import apply_migrations
from canbao.settings import Settings
from domain.clock import business_date
from domain.timeline import RecordedEvent
from eventlog.checkpoints import checkpoint_if_due
from eventlog.store import SERVING, EventStore, LedgerDatastore, Timeouts, load_awaited
from projections.catalog import PROJECTIONS
from projections.runner import ProjectionRunner, follow

if TYPE_CHECKING:
    from application.documents.issuing import Documents

log = logging.getLogger("canbao.projections")
FOLLOWER_LOCK = 0x63616E63  # any fixed number: one follower per database across server processes
STANDBY_SECONDS = 5.0


@dataclass
class Services:
    conninfo: str
    store: EventStore
    ledger: Ledger
    runner: ProjectionRunner
    clock: LedgerClock
    _stop: threading.Event = field(default_factory=threading.Event)
    following: threading.Event = field(default_factory=threading.Event)  # set while this process is the follower
    # One pool of awaited connections per event loop that reads (a server has one; its coroutines
    # may only use connections made on it).
    _awaited: dict[asyncio.AbstractEventLoop, AsyncConnectionPool[AsyncConnection[DictRow]]] = field(
        default_factory=dict)

    def today(self) -> date:
        """The business date (Beijing's) on the ledger's clock."""
        return business_date(self.clock.now())

    @property
    def datastore(self) -> LedgerDatastore:
        return self.store.datastore

    @property
    def documents(self) -> Documents:
        from application.documents.issuing import Documents  # ReportLab and pypdf: only when asked

        return Documents(self.store)

    @property
    def reads(self) -> Services:
        """The read port: connections to read the projections with."""
        return self

    @contextmanager
    def connection(self) -> Iterator[Connection[DictRow]]:
        with self.store.datastore.get_connection() as conn:
            yield conn

    @asynccontextmanager
    async def awaited_connection(self) -> AsyncIterator[AsyncConnection[DictRow]]:
        loop = asyncio.get_running_loop()
        pool = self._awaited.get(loop)
        if pool is None:
            pool = self._awaited.setdefault(loop, awaited_pool(self.conninfo, self.datastore))
        await pool.open()  # (at once when open)
        async with pool.connection() as conn:
            yield conn

    async def awaited_history(self, stream_id: UUID) -> list[RecordedEvent]:
        async with self.awaited_connection() as conn:
            return (await load_awaited(conn, stream_id)).events

    async def close_awaited(self) -> None:
        pool = self._awaited.pop(asyncio.get_running_loop(), None)
        if pool is not None:
            await pool.close()

    def follow_projections(self) -> threading.Thread:
        """Keep every projection caught up, and audit checkpoints recorded, in the background;
        restart after any error. Of all the server processes on this database, one follows at a
        time (the holder of an advisory lock); the others stand by to take over if it stops."""
        thread = threading.Thread(target=self._follow_when_elected, name="projections", daemon=True)
        thread.start()
        return thread

    def _follow_when_elected(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as conn:
                    while not self._stop.is_set():
                        if conn.execute("SELECT pg_try_advisory_lock(%s) AS held", (FOLLOWER_LOCK,)).fetchone() \
                                == (True,):
                            self._follow_while_holding(conn)
                        self._stop.wait(STANDBY_SECONDS)
            except psycopg.Error as trouble:  # storage down: try again later, as the follower itself does
                log.warning("projection follower could not reach the database: %s", str(trouble).splitlines()[0])
                self._stop.wait(STANDBY_SECONDS)

    def _follow_while_holding(self, conn: psycopg.Connection[Any]) -> None:
        log.info("this process follows the log for the projections")
        self.following.set()
        try:
            follow(self.runner, list(PROJECTIONS), self._stopped_or_lost(conn),
                   lambda error: log.exception("projection runner failed; restarting from its tracked position",
                                               exc_info=error),
                   after_round=lambda: checkpoint_if_due(self.store.datastore))
        finally:
            self.following.clear()

    def _stopped_or_lost(self, conn: psycopg.Connection[Any]) -> Callable[[], bool]:
        """Stop following when told to, or when the lock's connection is gone (another process
        may hold the lock then). Two followers at once would still be correct — each batch's
        tracking row refuses a position already passed — only wasteful."""
        def stopped() -> bool:
            if self._stop.is_set():
                return True
            try:
                conn.execute("SELECT 1")
                return False
            except psycopg.Error:
                return True

        return stopped

    def stop(self) -> None:
        self._stop.set()


def awaited_pool(conninfo: str, datastore: LedgerDatastore) -> AsyncConnectionPool[AsyncConnection[DictRow]]:
    """Connections for coroutines, as the blocking pool's are made: autocommit, dict rows, and
    the same limits on a statement, an idle transaction and the wait for a connection (a
    storage outage answered in seconds)."""
    limits = datastore.session_limits()

    async def configure(conn: AsyncConnection[Any]) -> None:
        for limit in limits:
            await conn.execute(limit)

    return AsyncConnectionPool(conninfo, connection_class=AsyncConnection[DictRow],
                               kwargs={"autocommit": True, "row_factory": dict_row}, min_size=1,
                               max_size=datastore.pool.max_size, open=False, configure=configure,
                               timeout=datastore.pool.timeout)


@contextmanager
def services(settings: Settings, serving: bool = False) -> Iterator[Services]:
    """The ledger's parts over one database. `serving`: connections get the timeouts a server
    needs (statements, lock waits, idle transactions, a fast answer when storage is down)."""
    with ledger_database(settings) as conninfo:
        clock = clock_from_spec(settings.clock)
        if clock.kind != "system":
            log.warning("canbao runs on a %s", clock.describe())
        apply_migrations(conninfo)
        store = EventStore(conninfo, timeouts=SERVING if serving else Timeouts())
        try:
            with store.datastore.get_connection() as conn:
                register_stored(conn)  # official schedules loaded after release: exact deadlines
            ledger = Ledger(store, settings.horizon_days)
            yield Services(conninfo, store, ledger, ProjectionRunner(store.datastore, conninfo), clock)
        finally:
            store.close()
