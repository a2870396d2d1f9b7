"""The contribution file's fast lane: the common row, decided and encoded without models.

A monthly file is almost all rows of one shape — a resident ID, a YYYYMM month, plain amounts,
a person enrolled in that type and region and not yet paid for the month. For those rows this
lane does what `to_command`, `decide_contribution` and the store's `chain_rows` do together —
the same rule (`recordable`), the same event, the same bytes — without a pydantic command and
event per row. Any row it is not sure of it declines, and the reference path decides it (and
words the refusal). tests/unit/test_contribution_lane.py holds the lane to the reference.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID

from domain.codes import table
from domain.errors import DomainError
from domain.id_numbers import RESIDENT_ID
from domain.person import events as ev
from domain.person.contributions import recordable
from domain.person.evolve import with_contribution
from domain.person.state import Contribution, Person
from domain.regions import validate_region
from domain.text import MAX_LENGTH, unsafe_text
from eventlog.codec import MetaTemplate
from importer.lane import Decided, StreamEnd, chained

# What RecordContribution's Decimal fields accept and write back unchanged: at most 12 digits,
# 2 after the point, no sign, no leading zero, no thousands separator.
_AMOUNT = re.compile(r"(?:0|[1-9][0-9]{0,9})(?:\.[0-9]{1,2})?")
_MONTH = re.compile(r"(19|2[0-9])[0-9]{2}(0[1-9]|1[0-2])")
_DAY = re.compile(r"[0-9]{8}")
# Shorter than every length rule of the command's fields, so a plain row cannot break one.
_LONGEST = min(MAX_LENGTH["unit_code"], MAX_LENGTH["id_number"])
_region = lru_cache(maxsize=1 << 12)(validate_region)


def _day(text: str) -> date | None:
    if not _DAY.fullmatch(text):
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


class ContributionLane:
    def __init__(self, source: str, meta: MetaTemplate, today: date) -> None:
        self.source, self.meta, self.today = source, meta, today
        self.insurance_types = set(table("insurance_type").codes) - set(table("insurance_type").legacy_only)

    def decide(self, record: dict[str, str], stream: UUID, tip: StreamEnd, person: Person,
               command_id: UUID) -> tuple[Decided, Person] | None:
        """The row's event as a COPY row chained after `tip` (which it advances), and the person
        as it stands after it — or None when the reference path must decide the row."""
        payload = self._payload(record, person)
        if payload is None:
            return None
        rows, positions = chained([(ev.ContributionRecorded, payload)], stream, tip, self.meta, command_id)
        paid = Contribution(payload["effective"], payload["insurance_type"], payload["region"],
                            payload["unit_code"], Decimal(payload["base"]), Decimal(payload["unit_amount"]),
                            Decimal(payload["personal_amount"]), payload["paid_on"])
        return Decided(rows, positions, False), with_contribution(person, paid)

    def _payload(self, record: dict[str, str], person: Person) -> dict[str, Any] | None:
        """ContributionRecorded's fields in the order the event model writes them, or None."""
        values = record  # the reader strips every cell, as the command strips its text
        if unsafe_text("".join(values.values())) or max(map(len, values.values())) > _LONGEST:
            return None
        if values.get("certificate_type", RESIDENT_ID) not in ("", RESIDENT_ID):
            return None
        month_text, paid_text = values.get("contribution_month", ""), values.get("paid_on", "")
        amounts = [values.get(f, "") for f in ("base", "unit_amount", "personal_amount")]
        insurance_type, region, unit_code = (values.get(f, "") for f in ("insurance_type", "region", "unit_code"))
        if (not _MONTH.fullmatch(month_text) or not all(_AMOUNT.fullmatch(a) for a in amounts)
                or insurance_type not in self.insurance_types or not unit_code or not values.get("id_number")):
            return None
        paid_on = _day(paid_text) if paid_text else None
        if paid_text and paid_on is None:
            return None
        try:
            _region(region)
        except DomainError:
            return None
        month = date(int(month_text[:4]), int(month_text[4:]), 1)
        if month > self.today or not recordable(person, month, insurance_type, region):
            return None
        return {"effective": month, "reason": None, "insurance_type": insurance_type, "region": region,
                "unit_code": unit_code.upper(), "base": amounts[0], "unit_amount": amounts[1],
                "personal_amount": amounts[2], "paid_on": paid_on, "source": self.source}

