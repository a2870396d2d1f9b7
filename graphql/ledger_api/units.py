"""Units: their record, their roster on a date, their confirmed-data locks."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry
from strawberry.types import Info

from domain.schemes import IN_SERVICE_TYPES, RETIRED_TYPES
from ledger_api.auth import NotAuthorised
from ledger_api.codes import Coded, coded
from ledger_api.context import ctx
from ledger_api.permissions import require_unit, shown_id
from projections import queries as read


@strawberry.type
class RosterEntry:
    id_number: str
    name: str
    person_type: Coded
    status: Coded
    insurance_type: Coded
    region: str
    since: date


@strawberry.type
class LockWindow:
    campaign_id: str
    confirmed_at: datetime
    locked_until: date


@strawberry.type(description="One staff member's contribution for one month, as the unit paid it.")
class StaffContribution:
    id_number: str
    name: str
    insurance_type: Coded
    region: str
    base: Decimal
    unit_amount: Decimal
    personal_amount: Decimal
    paid_on: date | None


@strawberry.type(description="A unit (参保单位) and its staff.")
class Unit:
    code: str
    name: str
    region: str
    unit_type: Coded
    management_type: Coded
    status: Coded

    @strawberry.field(description="The staff roster (员工花名册) on valid date `asOf` (default today).")
    async def roster(self, info: Info, as_of: date | None = None) -> list[RosterEntry]:
        who = ctx(info).who()
        rows = await ctx(info).read(read.roster, self.code, as_of or ctx(info).today())
        return [RosterEntry(id_number=shown_id(who, r["id_number"]), name=r["name"],
                            person_type=coded("person_type", r["person_type"]),
                            status=coded("enrollment_status", r["status"]),
                            insurance_type=coded("insurance_type", r["insurance_type"]), region=r["region"],
                            since=r["since"]) for r in rows]

    @strawberry.field(description="In-service staff (在职) on `asOf`.")
    async def in_service_count(self, info: Info, as_of: date | None = None) -> int:
        rows = await ctx(info).read(read.roster, self.code, as_of or ctx(info).today())
        return sum(r["person_type"] in IN_SERVICE_TYPES for r in rows)

    @strawberry.field(description="Retired staff (退休) on `asOf`.")
    async def retired_count(self, info: Info, as_of: date | None = None) -> int:
        rows = await ctx(info).read(read.roster, self.code, as_of or ctx(info).today())
        return sum(r["person_type"] in RETIRED_TYPES for r in rows)

    @strawberry.field(description="What the unit paid for its staff in the month `month` falls in (单位缴费记录).")
    async def contributions(self, info: Info, month: date) -> list[StaffContribution]:
        who = ctx(info).who()
        rows = await ctx(info).read(read.unit_contributions, self.code, month)
        return [StaffContribution(id_number=shown_id(who, r["id_number"]), name=r["name"],
                                  insurance_type=coded("insurance_type", r["insurance_type"]), region=r["region"],
                                  base=r["base"], unit_amount=r["unit_amount"], personal_amount=r["personal_amount"],
                                  paid_on=r["paid_on"]) for r in rows]

    @strawberry.field(description="Confirmed-data locks from verification campaigns.")
    async def lock_windows(self, info: Info) -> list[LockWindow]:
        rows = await ctx(info).read(read.lock_windows, self.code)
        return [LockWindow(campaign_id=r["campaign_id"], confirmed_at=r["confirmed_at"],
                           locked_until=r["locked_until"]) for r in rows]


@strawberry.type
class UnitQueries:
    @strawberry.field(description="A unit by its code.")
    async def unit(self, info: Info, code: str) -> Unit | None:
        who = ctx(info).who()
        row = await ctx(info).read(read.unit, code)
        if row is None:
            if who.role == "unit_agent" and who.unit_code != code.strip().upper():
                raise NotAuthorised("this unit is outside your scope")
            return None
        require_unit(who, row["unit_code"], row["region"])
        return Unit(code=row["unit_code"], name=row["name"], region=row["region"],
                    unit_type=coded("unit_type", row["unit_type"]),
                    management_type=coded("unit_management_type", row["management_type"]),
                    status=coded("unit_enrollment_status", row["status"]))
