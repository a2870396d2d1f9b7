"""The contribution file's fast lane: the common row, decided and encoded without models.

A monthly file is almost all rows of one shape — a resident ID, a YYYYMM month, plain amounts,
a person enrolled in that type and region and not yet paid for the month — and a person's rows
come together, alike but for the month. For those rows this lane does what `to_command`,
`decide_contribution` and the store's `chain_rows` do together — the same rule (enrolled in the
month, not paid for it yet), the same event, the same bytes — without a pydantic command and
event per row, and without rescanning the person's history per row: what it asks of a person
(the spans enrolled, the months paid) it works out once per batch. Any row it is not sure of it
declines, and the reference path decides it (and words the refusal).
tests/unit/test_contribution_lane.py holds the lane to the reference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any
from uuid import UUID

import orjson

from domain.codes import table
from domain.dates import month_after
from domain.errors import DomainError
from domain.id_numbers import RESIDENT_ID
from domain.person import events as ev
from domain.person.contributions import meets, spans_enrolled
from domain.person.state import Person
from domain.regions import validate_region
from domain.text import MAX_LENGTH, unsafe_text
from eventlog import copy_binary
from eventlog.chain import event_hash
from eventlog.codec import MetaTemplate, encode_fields, stored_topic
from eventlog.compact import day_number, pack
from importer.batch import Tip

# What RecordContribution's Decimal fields accept and write back unchanged: at most 12 digits,
# 2 after the point, no sign, no leading zero, no thousands separator.
_AMOUNT = re.compile(r"(?:0|[1-9][0-9]{0,9})(?:\.[0-9]{1,2})?")
# Every YYYYMM the lane takes (1900-01 to 2999-12): its first day, the month after, and the
# first day in stored form (a MessagePack integer of days since 1970-01-01).
_MONTHS = {f"{y}{m:02d}": (date(y, m, 1), month_after(date(y, m, 1)), pack(day_number(date(y, m, 1))))
           for y in range(1900, 3000) for m in range(1, 13)}
_EPOCH = date(1970, 1, 1)  # day 0: stored as the one byte 0x00
_FIXARRAY = 0x90  # MessagePack's one-byte header of an array of up to 15 items
_DAY = re.compile(r"[0-9]{8}")
# Shorter than every length rule of the command's fields, so a plain row cannot break one.
_LONGEST = min(MAX_LENGTH["unit_code"], MAX_LENGTH["id_number"])
_TOPIC = stored_topic(ev.ContributionRecorded)
_TOPIC_BYTES = _TOPIC.encode()


@lru_cache(maxsize=1 << 12)
def _day(text: str) -> date | None:
    if not _DAY.fullmatch(text):
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


@lru_cache(maxsize=1 << 12)
def _region(code: str) -> bool:
    try:
        validate_region(code)
    except DomainError:
        return False
    return True


@lru_cache(maxsize=1 << 12)
def _amounts(base: str, unit_part: str, personal_part: str) -> bool:
    return all(_AMOUNT.fullmatch(a) for a in (base, unit_part, personal_part))


@dataclass(slots=True)
class _Paying:
    """What the lane knows of one person in this batch: the spans enrolled per (type, region),
    the months paid (stored ones and the lane's own), and the lane's months not yet in the
    person's state."""

    person: Person
    id: UUID  # the person's stream
    stream: bytes  # its 16 bytes
    spans: dict[tuple[str, str], list[tuple[date, date]]] = field(default_factory=dict)
    paid: set[tuple[date, str, str]] = field(default_factory=set)
    # The lane's events not yet in the state: their fields but the month, and the month.
    pending: list[tuple[dict[str, Any], date]] = field(default_factory=list)
    # The person's last row taken, its month left out, and its event's fields but the month (by
    # name, and stored: the bytes before the month and after it): the next row, alike but for
    # its month, needs only its month checked and stored.
    last_row: dict[str, str] | None = None
    last_fields: dict[str, Any] = field(default_factory=dict)
    last_stored: tuple[bytes, bytes] = (b"", b"")
    positions: bytes = b""  # the command log's positions up to the version: '[["<stream id>",'

    def recordable(self, month: date, after: date, insurance_type: str, region: str) -> bool:
        """Enrolled in the month and not paid for it yet: `decide_contribution`'s rule."""
        key = (insurance_type, region)
        spans = self.spans.get(key)
        if spans is None:
            spans = self.spans[key] = spans_enrolled(self.person, insurance_type, region)
        return meets(spans, month, after) and (month, insurance_type, region) not in self.paid


class ContributionLane:
    def __init__(self, source: str, meta: MetaTemplate, today: date) -> None:
        self.source, self.meta, self.today = source, meta, today
        self.insurance_types = set(table("insurance_type").codes) - set(table("insurance_type").legacy_only)
        self.persons: dict[UUID, _Paying] = {}
        self.last: _Paying | None = None  # the person of the last row: most often the next row's

    def decide(self, record: dict[str, str], stream: UUID, tip: Tip, command_id: bytes,
               ) -> tuple[bytes, bytes] | None:
        """The row's event as a COPY row chained after `tip` (which it advances), with the
        command log's positions (JSON) — or None when the reference path must decide the row.
        The tip's state is the person as the batch found them plus what the reference path
        recorded since; the lane's own months wait in `pending` until the reference path needs
        them (`handed_over`)."""
        paying = self.last if self.last and self.last.id is stream else self.persons.get(stream)
        if paying is None:
            person = tip.state()
            paying = self.persons[stream] = _Paying(person, stream, stream.bytes, paid=set(person.contributions),
                                                    positions=orjson.dumps([[stream, 0]])[:-3])
        self.last = paying
        months = _MONTHS.get(record.get("contribution_month", ""))
        fields = self._fields_taken(record, months, paying) if months else None
        if months is None or fields is None:
            return None
        month, _, stored_month = months
        tip.version += 1
        before, after = paying.last_stored
        state = self.meta.render(tip.last_hash, command_id) + before + stored_month + after
        tip.last_hash = event_hash(paying.stream, tip.version, _TOPIC, state)
        paying.paid.add((month, fields["insurance_type"], fields["region"]))
        paying.pending.append((fields, month))
        return (copy_binary.event_row(paying.stream, tip.version, _TOPIC_BYTES, state),
                b"%s%d]]" % (paying.positions, tip.version))

    def handed_over(self, stream: UUID) -> list[ev.ContributionRecorded]:
        """The events the lane recorded for a person whose next row the reference path decides
        (the state it decides on must hold them); the lane asks the person afresh after it."""
        paying, self.last = self.persons.pop(stream, None), None
        pending = paying.pending if paying else []
        return [ev.ContributionRecorded(**{**fields, "effective": month}) for fields, month in pending]

    def _fields_taken(self, values: dict[str, str], months: tuple[date, date, bytes], paying: _Paying,
                      ) -> dict[str, Any] | None:
        """ContributionRecorded's fields by name but its month, or None; `paying.last_stored`
        their stored form around the month. The reader strips every cell, as the command strips
        its text."""
        month, after, _ = months
        row = {**values, "contribution_month": ""}
        fields: dict[str, Any] | None
        if row == paying.last_row:
            fields, stored = paying.last_fields, paying.last_stored
        else:
            fields = self._fields(values)
            if fields is None:
                return None
            packed = encode_fields(ev.ContributionRecorded, {**fields, "effective": _EPOCH})
            if not (_FIXARRAY <= packed[0] < _FIXARRAY + 16 and packed[1] == 0):
                return None  # not the one-byte array header and day 0 the splice below assumes
            stored = packed[:1], packed[2:]
        if month > self.today or not paying.recordable(month, after, fields["insurance_type"], fields["region"]):
            return None
        paying.last_row, paying.last_fields, paying.last_stored = row, fields, stored
        return fields

    def _fields(self, values: dict[str, str]) -> dict[str, Any] | None:
        """The event's fields but its month, when every other cell is one the lane takes."""
        if unsafe_text("".join(values.values())) or max(map(len, values.values())) > _LONGEST:
            return None
        if values.get("certificate_type", RESIDENT_ID) not in ("", RESIDENT_ID):
            return None
        paid_text = values.get("paid_on", "")
        base, unit_part, personal_part = (values.get(f, "") for f in ("base", "unit_amount", "personal_amount"))
        insurance_type, region, unit_code = (values.get(f, "") for f in ("insurance_type", "region", "unit_code"))
        if (not _amounts(base, unit_part, personal_part) or insurance_type not in self.insurance_types
                or not unit_code or not values.get("id_number") or not _region(region)):
            return None
        paid_on = _day(paid_text) if paid_text else None
        if paid_text and paid_on is None:
            return None
        return {"effective": None, "reason": None, "insurance_type": insurance_type, "region": region,
                "unit_code": unit_code.upper(), "base": base, "unit_amount": unit_part,
                "personal_amount": personal_part, "paid_on": paid_on, "source": self.source}
