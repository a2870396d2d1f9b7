"""The streams one attempt at a command has read: loaded once, folded once, and the
versions and hashes they were read at (what the append checks and chains from)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.campaign.aggregate import CAMPAIGN
from domain.campaign.state import Campaign, campaign_id
from domain.decider import Aggregate
from domain.person.aggregate import PERSON
from domain.person.state import Person
from domain.unit.aggregate import UNIT
from domain.unit.state import Unit
from domain.unit_codes import unit_id
from eventlog.chain import Stream
from eventlog.store import Appended, EventStore


class Loaded:
    """Implements `domain.processes.Streams` over the store, caching what it read."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.streams: dict[UUID, Stream] = {}
        self._states: dict[UUID, Any] = {}

    def stream(self, stream_id: UUID) -> Stream:
        if stream_id not in self.streams:
            self.streams[stream_id] = self.store.load(stream_id)
        return self.streams[stream_id]

    def state(self, aggregate: Aggregate[Any], stream_id: UUID) -> Any:
        if stream_id not in self._states:
            self._states[stream_id] = aggregate.fold(r.event for r in self.stream(stream_id).events)
        return self._states[stream_id]

    def person(self, person_id: UUID) -> Person:
        return self.state(PERSON, person_id)  # type: ignore[no-any-return]

    def unit(self, code: str) -> Unit:
        return self.state(UNIT, unit_id(code))  # type: ignore[no-any-return]

    def campaign(self, name: str) -> Campaign:
        return self.state(CAMPAIGN, campaign_id(name))  # type: ignore[no-any-return]

    def appends(self, effects: dict[UUID, list[Any]]) -> list[Appended]:
        """What to append to each stream, after the version and hash it was read at."""
        batches = []
        for stream_id, events in effects.items():
            if events:
                stream = self.stream(stream_id)
                batches.append(Appended(stream_id, stream.version, stream.last_hash, events))
        return batches
