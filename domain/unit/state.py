"""A unit's state (参保单位): registration, status, staff, confirmations; `evolve` and `fold`.

No rules here, and it never fails on a stored event."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import reduce
from typing import Any
from uuid import UUID

from domain.event import Event
from domain.unit import events as ev

PAYING, INTERRUPTED, CANCELLED = "2", "3", "4"  # 单位参保状态
VIRTUAL_UNITS = frozenset({"02", "03", "08"})  # 单位管理类型 whose number is local, not a credit code


@dataclass(frozen=True)
class Unit:
    registered: bool = False
    unit_code: str = ""
    name: str = ""
    unit_type: str = ""
    management_type: str = ""
    region: str = ""
    finance_funded: bool = False
    status: str = "1"
    staff: frozenset[tuple[UUID, UUID]] = frozenset()  # (person id, enrollment id)
    confirmations: dict[str, date] = field(default_factory=dict)  # campaign → locked until
    successor_codes: tuple[str, ...] = ()

    def lock_on(self, day: date) -> tuple[str, date] | None:
        """The campaign whose confirmation still locks unit-channel corrections on `day`."""
        live = [(until, campaign) for campaign, until in self.confirmations.items() if day <= until]
        if not live:
            return None
        until, campaign = max(live)
        return campaign, until

    def filing_days(self) -> range:
        """Days of the month the unit may file through the online hall (seed 002)."""
        return range(1, 19) if self.finance_funded else range(1, 25)


INITIAL = Unit()


def _changed(u: Unit, e: ev.UnitInfoChanged) -> Unit:
    updates: dict[str, Any] = {
        name: (now == "1") if name == "finance_funded" else now for name, (_, now) in e.changes.items()
    }
    return replace(u, **updates)


_EVOLVE: dict[type[Event], Callable[[Unit, Any], Unit]] = {
    ev.UnitRegistered: lambda u, e: replace(
        u, registered=True, status=PAYING, **e.model_dump(exclude={"effective", "reason"})
    ),
    ev.UnitInfoChanged: _changed,
    ev.UnitContributionsInterrupted: lambda u, e: replace(u, status=INTERRUPTED),
    ev.UnitContributionsResumed: lambda u, e: replace(u, status=PAYING),
    ev.UnitCancelled: lambda u, e: replace(u, status=CANCELLED),
    ev.UnitMergedInto: lambda u, e: replace(u, status=CANCELLED, successor_codes=(e.successor_code,)),
    ev.UnitAbsorbed: lambda u, e: u,
    ev.UnitSplit: lambda u, e: replace(u, successor_codes=e.successor_codes),
    ev.StaffJoined: lambda u, e: replace(u, staff=u.staff | {(e.person_id, e.enrollment_id)}),
    ev.StaffLeft: lambda u, e: replace(u, staff=u.staff - {(e.person_id, e.enrollment_id)}),
    ev.StaffCorrectedThroughUnit: lambda u, e: u,
    ev.UnitDataConfirmed: lambda u, e: replace(
        u, confirmations={**u.confirmations, e.campaign_id: e.locked_until}
    ),
}


def evolve(unit: Unit, event: Event) -> Unit:
    return _EVOLVE[type(event)](unit, event)


def fold(events: Iterable[Event], unit: Unit = INITIAL) -> Unit:
    return reduce(evolve, events, unit)
