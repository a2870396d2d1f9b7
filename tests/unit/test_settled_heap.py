"""A server process sets its start-up heap aside from the cyclic collector (canbao/worker_app.py)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from canbao.worker_app import settle_heap


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # the rest of the test session collects as before


def test_start_up_garbage_is_collected_and_what_lives_is_set_aside(unfrozen: None) -> None:
    garbage, kept = Node(), Node()
    garbage.other, kept.other = garbage, kept  # two cycles; only `kept` is still referenced
    gone = weakref.ref(garbage)
    del garbage

    settle_heap()

    assert gone() is None, "a cycle start-up left behind was frozen instead of collected"
    assert gc.get_freeze_count() > 0
    assert not any(o is kept for o in gc.get_objects()), "what start-up built is still walked by every collection"
