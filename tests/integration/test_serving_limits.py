"""A serving ledger's connections, blocking and awaited alike, give up on a long statement or an
idle transaction; a batch job's are given no statement limit."""

import asyncio

from canbao.migrations import apply_migrations
from canbao.services import awaited_pool
from eventlog.store import SERVING, EventStore, Timeouts

LIMITS = "SELECT current_setting('statement_timeout') AS statement, " \
         "current_setting('idle_in_transaction_session_timeout') AS idle"


def awaited_limits(conninfo: str, store: EventStore) -> dict:
    async def read() -> dict:
        pool = awaited_pool(conninfo, store.datastore)
        await pool.open()
        try:
            async with pool.connection() as conn:
                row = await (await conn.execute(LIMITS)).fetchone()
                assert row is not None
                return row
        finally:
            await pool.close()

    return asyncio.run(read())


def test_a_serving_ledgers_blocking_and_awaited_connections_have_the_same_limits(empty_database):
    apply_migrations(empty_database)
    store = EventStore(empty_database, timeouts=SERVING)
    try:
        with store.datastore.get_connection() as conn:
            blocking = conn.execute(LIMITS).fetchone()
        assert blocking == {"statement": "15s", "idle": "10s"}
        assert awaited_limits(empty_database, store) == blocking
    finally:
        store.close()


def test_a_batch_jobs_connections_have_no_statement_limit(empty_database):
    apply_migrations(empty_database)
    store = EventStore(empty_database, timeouts=Timeouts())
    try:
        with store.datastore.get_connection() as conn:
            assert conn.execute(LIMITS).fetchone() == {"statement": "0", "idle": "0"}
    finally:
        store.close()
