"""Deciding one batch of extract rows: the fast lane for common rows, the person's own
decider (`decide_import`) for the rest, chained onto each person's stream as it stands.

The result is the binary COPY rows for the event table and the command log, and what
the batch amounts to; `importer.bulk` writes them in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import Any
from uuid import UUID

import orjson

from domain import commands as cmd
from domain import events as ev
from domain.clock import business_date
from domain.errors import DomainError
from domain.id_numbers import person_id
from domain.person.evolve import fold
from domain.person.legacy import decide_import
from domain.person.state import Person
from eventlog import copy_binary, scans
from eventlog.chain import GENESIS, chain_rows, stream_from
from eventlog.codec import MetaTemplate
from importer.lane import FastLane, LaneTip
from importer.legacy_file import RawRow, Refusal, command_or_refusal, record_of
from importer.summary import IMPORT_COMMAND, IMPORT_NAMESPACE, ImportSummary, row_command_id

Item = cmd.ImportLegacyEnrollment | Refusal | RawRow  # a command, a refusal the reader made, or a raw row


@dataclass(frozen=True)
class Extract:
    """The file being imported: how its columns map, its name, and what legacy status 3 means."""

    fields: list[str | None]
    source: str
    status_3_means: str | None


@dataclass
class Tip:
    """Where a person's stream ends while a batch is being decided. The state is folded
    lazily: most persons have one row in a batch and never need it folded."""

    version: int = 0
    last_hash: str = GENESIS
    person: Person = field(default_factory=Person)
    unfolded: list[ev.Event] = field(default_factory=list)

    def state(self) -> Person:
        if self.unfolded:
            self.person, self.unfolded = fold(self.unfolded, self.person), []
        return self.person


def load_tips(curs: Any, ids: set[UUID]) -> tuple[dict[UUID, Tip | LaneTip], datetime | None]:
    """The persons of a batch who already have a history: their state, version and last hash;
    and when the latest of them was last recorded."""
    tips: dict[UUID, Tip | LaneTip] = {}
    latest: datetime | None = None
    for stream_id, group in groupby(scans.streams_rows(curs, list(ids)), key=lambda r: r["originator_id"]):
        stream = stream_from(stream_id, ((r["originator_version"], r["topic"], r["state"]) for r in group))
        tips[stream_id] = Tip(stream.version, stream.last_hash, fold(r.event for r in stream.events))
        last = stream.events[-1].recorded_at
        latest = last if latest is None or last > latest else latest
    return tips, latest


class BatchDecision:
    """One batch, decided row by row in file order."""

    command_name = IMPORT_COMMAND  # what the command log calls each row

    def __init__(self, actor: ev.Actor, now: datetime, extract: Extract | None, rows: int) -> None:
        self.actor, self.now, self.extract = actor, now, extract
        self.recorded_at = copy_binary.timestamptz(now)
        self.templates: dict[str, MetaTemplate] = {}
        self.lane = extract and FastLane(extract.fields, extract.source, extract.status_3_means,
                                         self.template(extract.source), business_date(now))
        self.summary = ImportSummary(rows_read=rows)
        self.stored: list[bytes] = [copy_binary.HEADER]
        self.log: list[bytes] = [copy_binary.HEADER]

    def template(self, source: str) -> MetaTemplate:
        """The provenance of the rows of `source`, rendered with each row's own command id."""
        if source not in self.templates:
            self.templates[source] = MetaTemplate(cmd.Context(
                command_id=IMPORT_NAMESPACE, actor=self.actor, channel="import", evidence=(source,), now=self.now,
            ).meta(self.command_name))
        return self.templates[source]

    def stream_of(self, item: Item) -> UUID | None:
        """The person a batch item is about, when that can be told without deciding it."""
        if isinstance(item, cmd.ImportLegacyEnrollment):
            return person_id(item.certificate_type, item.id_number)
        if self.lane and isinstance(item, RawRow):
            return self.lane.person(item.values)
        return None

    def decide(self, batch: list[Item], tips: dict[UUID, Tip | LaneTip], streams: list[UUID | None]) -> None:
        """Decide every item; `streams` are the items' `stream_of`, worked out already to load
        their tips (an ID number's person is a SHA-1, not to be worked out twice)."""
        for item, stream in zip(batch, streams, strict=True):
            if isinstance(item, RawRow) and stream and self._in_lane(item, stream, tips):
                continue
            if isinstance(item, RawRow):
                assert self.extract is not None, "raw rows come with their extract"
                item = command_or_refusal(record_of(self.extract.fields, item.values), self.extract.source,
                                          item.number, self.extract.status_3_means)
            if isinstance(item, cmd.ImportLegacyEnrollment):
                self._by_reference(item, tips)
            else:
                self.summary.refused.append(item)

    def _in_lane(self, item: RawRow, stream: UUID, tips: dict[UUID, Tip | LaneTip]) -> bool:
        tip = tips.get(stream, LaneTip())
        if not (self.lane and self.extract and isinstance(tip, LaneTip)):
            return False
        command_id = row_command_id(self.extract.source, item.number)
        decided = self.lane.decide(item.values, item.number, stream, tip, command_id)
        if decided:
            # From here on this person's rows are the lane's: it alone knows the stream's tip.
            tips[stream] = tip
            self._written(stream, command_id, decided.positions, decided.rows, decided.duplicates)
        return decided is not None

    def _by_reference(self, item: cmd.ImportLegacyEnrollment, tips: dict[UUID, Tip | LaneTip]) -> None:
        stream = person_id(item.certificate_type, item.id_number)
        tip = tips.setdefault(stream, Tip())
        command_id = row_command_id(item.source, item.row)
        context = cmd.Context(command_id=command_id, actor=self.actor, channel="import",
                              evidence=(item.source,), now=self.now)
        try:
            events = decide_import(item, tip.state() if isinstance(tip, Tip) else Person(), context)
        except DomainError as refused:
            self.summary.refused.append((item.row, refused.errors))
            return
        if not events:
            self.summary.rows_already_recorded += 1
            return
        if isinstance(tip, LaneTip):
            raise AssertionError(f"row {item.row}: the fast lane declined a row the reference path accepts")
        self.chain(stream, tip, command_id, events, item.source,
                   any(isinstance(e, ev.LegacyEnrollmentImported) and e.duplicates_of for e in events))

    def chain(self, stream: UUID, tip: Tip, command_id: UUID, events: list[ev.Event], source: str,
              duplicates: bool = False) -> None:
        """Append one command's events to the batch, chained onto the person's stream as it stands."""
        rows, hashes = chain_rows(stream, tip.version, tip.last_hash, events, self.template(source),
                                  command_id)
        self._written(stream, command_id, [r.originator_version for r in rows],
                      [copy_binary.event_row(stream.bytes, r.originator_version, r.topic.encode(), r.state)
                       for r in rows], duplicates)
        tip.version, tip.last_hash = rows[-1].originator_version, hashes[-1]
        tip.unfolded += events

    def _written(self, stream: UUID, command_id: UUID, versions: list[int], rows: list[bytes],
                 duplicates: bool) -> None:
        self.stored.extend(rows)
        self.log.append(copy_binary.command_log_row(
            command_id.bytes, self.command_name.encode(), self.recorded_at,
            orjson.dumps([[stream, v] for v in versions])))
        self.summary.rows_written += 1
        self.summary.events_written += len(rows)
        self.summary.duplicates_flagged += duplicates
