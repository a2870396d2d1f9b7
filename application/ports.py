"""What the API needs from the rest of the ledger, as typed ports: nothing else crosses.

The API sends commands through `LedgerPort`, reads the projections (plain SQL behind
`projections.queries`) and replays histories through `ReadPort`, and tells the time from the
ledger's clock.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager, AbstractContextManager
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from psycopg import AsyncConnection, Connection
from psycopg.rows import DictRow

from application.documents.records import Issued, Request, Verification
from domain.access import Principal
from domain.command import Command, Context
from domain.timeline import RecordedEvent


class Executed(Protocol):
    @property
    def events(self) -> list[RecordedEvent]: ...

    @property
    def replayed(self) -> bool: ...


class LedgerPort(Protocol):
    def execute(self, command: Command, ctx: Context, principal: Principal | None = None) -> Executed: ...

    def writers_stuck(self, seconds: float) -> int: ...


class ReadPort(Protocol):
    def connection(self) -> AbstractContextManager[Connection[DictRow]]:
        """A connection to read the projections with (dict rows); returned to the pool after."""
        ...

    def awaited_connection(self) -> AbstractAsyncContextManager[AsyncConnection[DictRow]]:
        """The same, for a coroutine on the running event loop (a server's pages): no worker thread."""
        ...

    async def close_awaited(self) -> None:
        """Close the running event loop's connections (a server's shutdown)."""
        ...

    async def awaited_history(self, stream_id: UUID) -> list[RecordedEvent]:
        """One stream's recorded events, read on the running event loop (a person's or a
        request's history in a server's answer)."""
        ...


class ClockPort(Protocol):
    @property
    def kind(self) -> str: ...

    def now(self) -> datetime: ...

    def describe(self) -> str: ...


class DocumentsPort(Protocol):
    def issue(self, request: Request, now: datetime, issued_by: str) -> Issued: ...

    def issue_unit_proof(self, unit_code: str, as_of: date, id_whole: bool, now: datetime,
                         issued_by: str) -> Issued: ...

    def verify_file(self, pdf: bytes) -> Verification: ...

    def verify_code(self, code: str, digest: str | None = None) -> Verification: ...


class Backend(Protocol):
    """The composition root as the API sees it."""

    @property
    def ledger(self) -> LedgerPort: ...

    @property
    def reads(self) -> ReadPort: ...

    @property
    def clock(self) -> ClockPort: ...

    @property
    def documents(self) -> DocumentsPort: ...
