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
from hashlib import sha256
from operator import itemgetter
from uuid import UUID

import orjson

from importer.legacy_file import COLUMNS, DEFAULT_PERSON_TYPE, UNKNOWN_NATIONALITY
from domain import events as ev
from eventlog import copy_binary
from eventlog.chain import GENESIS
from eventlog.codec import MetaJson, stored_topic
from domain.codes import table
from domain.errors import DomainError
from domain.id_numbers import RESIDENT_ID, parse_resident_id, person_id
from domain.person.legacy import STATUS_3_TARGETS
from domain.person.rules import check_nationality
from domain.person.state import TERMINATED
from domain.regions import validate_region
from domain.schemes import scheme_of
from domain.uuids import uuid5_text
from domain.validation import validate_name

_TOPICS = (stored_topic(ev.PersonRegistered).encode(), stored_topic(ev.LegacyEnrollmentImported).encode())
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
    if len(text) != 6 or not (text.isascii() and text.isdigit()) or not 1 <= int(text[4:]) <= 12 or int(text[:4]) < 1900:
        return None
    return date(int(text[:4]), int(text[4:]), 1)


class FastLane:
    def __init__(self, fields: list[str | None], source: str, status_3_means: str | None, meta: MetaJson,
                 today: date) -> None:
        at = {name: i for i, name in enumerate(fields) if name}
        self.width = max(at.values()) + 1
        self.at = at
        self.required = itemgetter(*(at[c.field] for c in COLUMNS if c.required))
        self.optional = {c.field: at.get(c.field) for c in COLUMNS if not c.required}
        self.codes = {name: set(table(name).codes) for name in _CODE_FIELDS}
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

    def decide(self, values: list[str], row: int, stream: UUID, tip: LaneTip, command_id: bytes) -> Decided | None:
        """The row's events as COPY rows, chained after `tip` (which it advances), or None
        when the reference path must decide it."""
        at, values = self.at, self._padded(values)
        if "" in self.required(values):
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
        gender, name_text, raw_number = values[at["gender"]], values[at["name"]], values[at["id_number"]]
        nationality = values[at["nationality"]]
        nationality = UNKNOWN_NATIONALITY.get(nationality, nationality)
        survival = self._get(values, "survival_status") or "1"
        person_type = self._get(values, "person_type") or DEFAULT_PERSON_TYPE.get(identity, "1501")
        status = legacy_status = values[at["enrollment_status"]]
        codes = self.codes
        if not (gender in codes["gender"] and values[at["ethnicity"]] in codes["ethnicity"]
                and survival in codes["survival_status"] and insurance_type in codes["insurance_type"]
                and person_type in codes["person_type"] and status in codes["enrollment_status"]
                and values[at["contribution_status"]] in codes["contribution_status"]):
            return None
        try:
            parsed = parse_resident_id(raw_number, today=self.today)
            name = _name(name_text)
            _nationality(nationality)
            region, pooling_region = _region(values[at["region"]]), _region(values[at["pooling_region"]])
        except DomainError:
            return None
        if parsed.birth_date != birth or (gender in ("1", "2") and gender != parsed.gender):
            return None
        if status == "3":
            if self.status_3_means not in STATUS_3_TARGETS:
                return None
            status = self.status_3_means
        if status == "0" or (end is not None and end < start):
            return None
        # Row numbers are unique within a file, so this row cannot already be in `tip`.
        enrollment_id = uuid5_text(stream, f"legacy:{self.source}:{row}")
        events: list[tuple[bytes, dict]] = []
        if tip.version == 0:
            raw = raw_number.strip()
            events.append((_TOPICS[0], {
                "effective": start, "reason": None, "certificate_type": RESIDENT_ID, "id_number": parsed.number,
                "name": name, "gender": gender, "birth_date": birth, "ethnicity": values[at["ethnicity"]],
                "nationality": nationality.upper(), "survival_status": survival, "civil_servant": False,
                "phone": self._get(values, "phone") or None,
                "household_region": self._get(values, "household_region") or None, "address": None,
                "legacy_id_number": raw if len(raw) == 15 else None, "warnings": (),
            }))
        duplicates = [e[0] for e in tip.enrollments if e[1] and scheme and start < (e[3] or date.max)
                      and e[2] < (end or date.max)]
        events.append((_TOPICS[1], {
            "enrollment_id": enrollment_id, "insurance_type": insurance_type, "region": region,
            "pooling_region": pooling_region, "unit_code": values[at["unit_code"]].strip().upper(),
            "person_type": person_type, "effective": start, "reason": None,
            "unit_name": values[at["unit_name"]], "status": status, "legacy_status": legacy_status,
            "contribution_status": values[at["contribution_status"]], "start": start, "end": end,
            "recorded_name": name_text.strip(), "local_person_number": values[at["local_person_number"]],
            "source": self.source, "row": row, "duplicates_of": duplicates,
        }))
        rows, positions, stream_bytes = [], [], stream.bytes
        for topic, payload in events:
            tip.version += 1
            state = (b'{"e":' + orjson.dumps(payload) + b',"m":' + self.meta.render(tip.last_hash, command_id) + b"}")
            digest = sha256(stream_bytes)
            digest.update(tip.version.to_bytes(8, "big") + topic + b"\x00" + state)
            tip.last_hash = digest.hexdigest()
            rows.append(copy_binary.event_row(stream_bytes, tip.version, topic, state))
            positions.append(tip.version)
        tip.enrollments.append((enrollment_id, scheme is not None, start,
                                (end if end is not None and end > start else start) if status == TERMINATED else None))
        return Decided(rows, positions, bool(duplicates))
