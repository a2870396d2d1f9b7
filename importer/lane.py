"""The import's fast lane: the common legacy row, decided and encoded without models.

A million-row extract is mostly rows of one shape: a resident ID, valid codes, a new
person or one met a few rows earlier. For those rows this lane does what `to_command`,
`decide_import` and the store's `chain_rows` do together — the same validators, the same
events, the same bytes — without building pydantic commands and events per row, which is
where the reference path spends its time. Any row the lane is not sure of (a refusal, a
certificate other than a resident ID, a person whose history is already stored) it
declines, and the importer takes the reference path for it, which also words the refusal.

tests/unit/test_import_lane.py holds the lane to the reference: for generated rows,
valid and broken, the lane either declines or writes exactly the reference's bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from operator import itemgetter
from typing import Any, Protocol
from uuid import UUID

from domain import events as ev
from domain.codes import table
from domain.errors import DomainError
from domain.id_numbers import RESIDENT_ID, parse_resident_id, person_id
from domain.person.legacy import (
    check_end_month,
    check_period,
    check_pooling,
    check_reason,
    check_region_name,
    in_force_until,
    legacy_status,
)
from domain.person.rules import check_nationality
from domain.regions import validate_region
from domain.schemes import UNKNOWN_TYPE, scheme_of
from domain.text import DEFAULT_MAX_LENGTH, MAX_LENGTH, unsafe_text
from domain.uuids import uuid5_text
from domain.validation import validate_name
from eventlog import copy_binary
from eventlog.chain import GENESIS, event_hash
from eventlog.codec import MetaTemplate, encode_fields, stored_topic
from importer.legacy_file import COLUMNS, UNKNOWN_NATIONALITY

_EVENTS: tuple[type[ev.Event], type[ev.Event]] = (ev.PersonRegistered, ev.LegacyEnrollmentImported)
# Pure validators of values that recur across rows (regions, names, nationalities): a
# value is checked once per process. A refused value raises and is never cached.
_region, _name, _nationality = (lru_cache(maxsize=1 << 16)(check)
                                for check in (validate_region, validate_name, check_nationality))
_CODE_FIELDS = ("gender", "ethnicity", "survival_status", "insurance_type", "person_type",
                "contribution_status", "enrollment_status")


@dataclass(slots=True)
class LaneTip:
    """A person first met in this batch: where the stream ends and the enrollments so far
    (id, in a base scheme, start, end as the fold would see it) for duplicate flags."""

    version: int = 0
    last_hash: str = GENESIS
    enrollments: list[tuple[str, bool, date, date | None]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Checked:
    """A row that passed every check the reference path makes, with what they derived."""

    values: list[str]
    number: str
    name: str
    gender: str
    birth: date
    nationality: str
    survival: str
    person_type: str
    insurance_type: str
    scheme: str | None
    region: str
    pooling_region: str
    status: str
    start: date
    end: date | None
    reason: str


@dataclass(slots=True)
class Decided:
    rows: list[bytes]  # binary COPY rows for the event table
    positions: list[int]  # the versions written
    duplicates: bool


def _day(text: str) -> date | None:
    if len(text) != 8 or not (text.isascii() and text.isdigit()):
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _month(text: str) -> date | None:
    if (
        len(text) != 6
        or not (text.isascii() and text.isdigit())
        or not 1 <= int(text[4:]) <= 12
        or int(text[:4]) < 1900
    ):
        return None
    return date(int(text[:4]), int(text[4:]), 1)


class FastLane:
    def __init__(
        self, fields: list[str | None], source: str, status_3_means: str | None, meta: MetaTemplate, today: date
    ) -> None:
        at = {name: i for i, name in enumerate(fields) if name}
        self.width = max(at.values()) + 1
        self.at = at
        self.required = itemgetter(*(at[c.field] for c in COLUMNS if c.required))
        self.optional = {c.field: at.get(c.field) for c in COLUMNS if not c.required}
        self.codes = {name: set(table(name).codes) for name in _CODE_FIELDS}
        self.limits = [(i, MAX_LENGTH.get(name, DEFAULT_MAX_LENGTH)) for name, i in at.items()]
        self.source, self.status_3_means, self.meta, self.today = source, status_3_means, meta, today

    def _get(self, values: list[str], name: str) -> str:
        i = self.optional[name]
        return "" if i is None else values[i]

    def _padded(self, values: list[str]) -> list[str]:
        """A row shorter than the header (trailing empty cells left out) reads as empty cells."""
        return values if len(values) >= self.width else values + [""] * (self.width - len(values))

    def person(self, values: list[str]) -> UUID | None:
        """The stream a row belongs to, if the lane can take it at all."""
        values = self._padded(values)
        if values[self.at["certificate_type"]] != RESIDENT_ID:
            return None
        return person_id(RESIDENT_ID, values[self.at["id_number"]])

    def decide(self, values: list[str], row: int, stream: UUID, tip: LaneTip, command_id: UUID) -> Decided | None:
        """The row's events as COPY rows, chained after `tip` (which it advances), or None
        when the reference path must decide it."""
        # Commands take their text without surrounding blanks; so does the lane.
        checked = self._checked([value.strip() for value in self._padded(values)])
        if checked is None:
            return None
        # Row numbers are unique within a file, so this row cannot already be in `tip`.
        enrollment_id = uuid5_text(stream, f"legacy:{self.source}:{row}")
        payloads: Payloads = [] if tip.version else [(_EVENTS[0], self._registered(checked))]
        until = in_force_until(checked.status, checked.end)
        duplicates = [e[0] for e in tip.enrollments if e[1] and checked.scheme
                      and checked.start < (e[3] or date.max) and e[2] < (until or date.max)]
        payloads.append((_EVENTS[1], self._imported(checked, enrollment_id, row, duplicates)))
        rows, positions = chained(payloads, stream, tip, self.meta, command_id)
        tip.enrollments.append((enrollment_id, checked.scheme is not None, checked.start,
                                in_force_until(checked.status, checked.end)))
        return Decided(rows, positions, bool(duplicates))

    def _checked(self, values: list[str]) -> _Checked | None:
        """The row's values as `to_command` and `decide_import` would accept them, or None."""
        at = self.at
        if "" in self.required(values) or not self._plain(values):
            return None
        birth, start = _day(values[at["birth_date"]]), _month(values[at["start_month"]])
        end_text = self._get(values, "end_month")
        end = _month(end_text) if end_text else None
        if birth is None or start is None or (end_text and end is None):
            return None
        identity, insurance_type = values[at["insured_identity"]], values[at["insurance_type"]]
        scheme = scheme_of(insurance_type)
        if scheme and identity in ("1", "2") and scheme != identity:
            return None
        nationality = UNKNOWN_NATIONALITY.get(values[at["nationality"]], values[at["nationality"]])
        survival = self._get(values, "survival_status") or "1"
        person_type = self._get(values, "person_type") or UNKNOWN_TYPE
        gender = values[at["gender"]]
        if not self._codes_known(values, gender, survival, insurance_type, person_type):
            return None
        try:
            parsed = parse_resident_id(values[at["id_number"]], today=self.today)
            name = _name(values[at["name"]])
            _nationality(nationality)
            region, pooling_region = _region(values[at["region"]]), _region(values[at["pooling_region"]])
            check_pooling(region, pooling_region)
            check_region_name(values[at["region_name"]], region)
            reason = check_reason(values[at["reason"]])
            status = legacy_status(values[at["enrollment_status"]], self.status_3_means)
            check_period(start, end)
            check_end_month(end, status, values[at["contribution_status"]], insurance_type)
        except DomainError:
            return None
        if parsed.birth_date != birth or (gender in ("1", "2") and gender != parsed.gender):
            return None
        return _Checked(values, parsed.number, name, gender, birth, nationality, survival, person_type,
                        insurance_type, scheme, region, pooling_region, status, start, end, reason)

    def _plain(self, values: list[str]) -> bool:
        """No character and no length the command's own text rules would refuse."""
        return not unsafe_text("".join(values)) and all(len(values[i]) <= n for i, n in self.limits)

    def _codes_known(self, values: list[str], gender: str, survival: str, insurance_type: str,
                     person_type: str) -> bool:
        at, codes = self.at, self.codes
        return (gender in codes["gender"] and values[at["ethnicity"]] in codes["ethnicity"]
                and survival in codes["survival_status"] and insurance_type in codes["insurance_type"]
                and person_type in codes["person_type"]
                and values[at["enrollment_status"]] in codes["enrollment_status"]
                and values[at["contribution_status"]] in codes["contribution_status"])

    def _registered(self, c: _Checked) -> dict[str, Any]:
        """PersonRegistered's fields, in the order the event model serialises them."""
        raw = c.values[self.at["id_number"]].strip()
        return {
            "effective": c.start, "reason": None, "certificate_type": RESIDENT_ID, "id_number": c.number,
            "name": c.name, "gender": c.gender, "birth_date": c.birth, "ethnicity": c.values[self.at["ethnicity"]],
            "nationality": c.nationality.upper(), "survival_status": c.survival, "civil_servant": False,
            "phone": self._get(c.values, "phone") or None,
            "household_region": self._get(c.values, "household_region") or None, "address": None,
            "legacy_id_number": raw if len(raw) == 15 else None, "warnings": (),
        }

    def _imported(self, c: _Checked, enrollment_id: str, row: int, duplicates: list[str]) -> dict[str, Any]:
        """LegacyEnrollmentImported's fields, in the order the event model serialises them."""
        at, values = self.at, c.values
        return {
            "enrollment_id": enrollment_id, "insurance_type": c.insurance_type, "region": c.region,
            "pooling_region": c.pooling_region, "unit_code": values[at["unit_code"]].strip().upper(),
            "person_type": c.person_type, "effective": c.start, "reason": c.reason,
            "unit_name": values[at["unit_name"]], "status": c.status, "legacy_status": values[at["enrollment_status"]],
            "contribution_status": values[at["contribution_status"]], "start": c.start, "end": c.end,
            "recorded_name": values[at["name"]].strip(), "local_person_number": values[at["local_person_number"]],
            "source": self.source, "row": row, "duplicates_of": duplicates,
        }


Payloads = list[tuple[type[ev.Event], dict[str, Any]]]  # events as their class and fields by name


class StreamEnd(Protocol):
    """Where a stream ends while a batch is decided: its version and the hash of its last event."""

    version: int
    last_hash: str


def chained(payloads: Payloads, stream: UUID, tip: StreamEnd,
            meta: MetaTemplate, command_id: UUID) -> tuple[list[bytes], list[int]]:
    """The events (class and fields by name) as stored rows, each naming the hash of the one
    before (eventlog.chain); `tip` advances."""
    rows, positions, stream_bytes = [], [], stream.bytes
    for cls, payload in payloads:
        tip.version += 1
        topic = stored_topic(cls)
        state = meta.render(tip.last_hash, command_id) + encode_fields(cls, payload)
        tip.last_hash = event_hash(stream, tip.version, topic, state)
        rows.append(copy_binary.event_row(stream_bytes, tip.version, topic.encode(), state))
        positions.append(tip.version)
    return rows, positions
