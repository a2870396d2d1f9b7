from collections.abc import Iterator

import pytest

from application.service import Ledger
from canbao.migrations import apply_migrations
from eventlog.store import EventStore


@pytest.fixture
def store(empty_database: str) -> Iterator[EventStore]:
    apply_migrations(empty_database)
    event_store = EventStore(empty_database)
    yield event_store
    event_store.close()


@pytest.fixture
def ledger(store: EventStore) -> Ledger:
    return Ledger(store)
