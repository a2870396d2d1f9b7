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
from projections.reports import ROSTER_HEADERS, roster_export


@strawberry.type
class RosterEntry:
    id_number: str
    name: str
    person_type: Coded
    status: Coded
    insurance_type: Coded
    region: str
    since: date


@strawberry.type(description="A cell of the 员工花名册 a unit must check (seed 000: red in the export).")
class RosterFault:
    column: str = strawberry.field(description="The column's header, as in the XLSX export.")
    reason: str


@strawberry.type(description="One line of the 员工花名册 as exported, with the cells to check.")
class RosterCheckLine:
    cells: list[str] = strawberry.field(description="The line's cells, in the order of `Unit.rosterHeaders`.")
    faults: list[RosterFault]


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

    @strawberry.field(description="The headers of `rosterCheck` lines, and which are required (红色项).")
    def roster_headers(self) -> list[str]:
        return list(ROSTER_HEADERS)

    @strawberry.field(description=(
        "The 员工花名册 on `asOf` as the XLSX export has it, each wrong or missing required field named with "
        "why (seed 000: 必填关键信息为红色项), for the unit to check offline or in the service hall."))
    async def roster_check(self, info: Info, as_of: date | None = None) -> list[RosterCheckLine]:
        who = ctx(info).who()
        rows, faults = await ctx(info).read(roster_export, self.code, as_of or ctx(info).today())
        lines = []
        for n, row in enumerate(rows):
            cells = ["" if v is None else str(v) for v in row]
            if who.masks_id_numbers:
                cells[ROSTER_HEADERS.index("证件号码")] = shown_id(who, cells[ROSTER_HEADERS.index("证件号码")])
            lines.append(RosterCheckLine(cells=cells, faults=[
                RosterFault(column=ROSTER_HEADERS[column], reason=why)
                for (line, column), why in sorted(faults.items()) if line == n]))
        return lines

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
