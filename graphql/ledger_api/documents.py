"""Printed documents through the API: print one (the PDF's bytes, base64) and verify one by its code.

Printing is a counter service: an office for the persons of its region, a unit for its own staff,
a person for themself (the same scope as reading the person). Verifying needs only a sign-in: a
new employer or another region's office checks a copy it was handed; the answer names no person.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from application.documents.records import Issued, Request, Verification
from domain.id_numbers import RESIDENT_ID
from ledger_api.auth import NotAuthorised
from ledger_api.context import ctx
from ledger_api.permissions import require_unit
from ledger_api.persons import person_seen
from projections import queries as read

PRINTERS = ("office", "unit_agent", "person")
MAX_CODE = 64


@strawberry.enum(description="Which document: 参保凭证, 参保证明 or 缴费记录.")
class DocumentKind(Enum):
    CERTIFICATE = "certificate"
    PROOF = "proof"
    CONTRIBUTIONS = "contributions"


@strawberry.type(description="A printed document: its verification code and the PDF.")
class PrintedDocument:
    code: str
    title: str
    file_name: str
    pdf_base64: str
    as_of: date
    known_at: datetime


@strawberry.type(description="What the ledger says of a verification code.")
class DocumentVerification:
    verdict: str = strawberry.field(description="genuine, altered or not_issued.")
    message: str
    kind: str | None
    as_of: date | None
    known_at: datetime | None
    superseded_since: datetime | None = strawberry.field(
        description="The first system time at which the ledger would have stated otherwise, if any.")

    @staticmethod
    def of(v: Verification) -> DocumentVerification:
        return DocumentVerification(verdict=v.verdict, message=str(v), kind=v.kind, as_of=v.as_of,
                                    known_at=v.known_at, superseded_since=v.superseded_since)


@strawberry.type
class DocumentMutations:
    @strawberry.mutation(description="Print a document about one person as the ledger knows it now.")
    async def print_document(self, info: Info, kind: DocumentKind, id_number: str, as_of: date | None = None,
                             from_month: date | None = None, to_month: date | None = None) -> PrintedDocument:
        context = ctx(info)
        who = context.who()
        if who.role not in PRINTERS:
            raise NotAuthorised("documents are printed by offices, units and persons")
        seen = await person_seen(info, RESIDENT_ID, id_number)
        if seen is None:
            raise NotAuthorised("the ledger has no such person")
        state, _ = seen
        months = (from_month.replace(day=1), to_month) if from_month and to_month else None
        request = Request(kind.value, RESIDENT_ID, state.id_number, as_of or context.today(), not who.masks_id_numbers,
                          months)
        issued = await context.call(context.backend.documents.issue, request, context.now(),
                                    f"{who.role}:{who.subject}")
        return printed(issued, kind.value, request.as_of)

    @strawberry.mutation(description=(
        "Print the 参保证明 of a unit's staff on `asOf` (default today): an office of the unit's region, or the "
        "unit's own agent. It lists the staff as the read models know them now."))
    async def print_unit_proof(self, info: Info, unit_code: str, as_of: date | None = None) -> PrintedDocument:
        context = ctx(info)
        who = context.who()
        code = unit_code.strip().upper()
        unit = await context.read(read.unit, code)
        if who.role not in ("office", "unit_agent"):
            raise NotAuthorised("a unit's staff proof is printed by an office or the unit itself")
        require_unit(who, code, unit["region"] if unit else None)
        day = as_of or context.today()
        try:
            issued = await context.call(context.backend.documents.issue_unit_proof, code, day,
                                        not who.masks_id_numbers, context.now(), f"{who.role}:{who.subject}")
        except LookupError as missing:
            raise NotAuthorised(str(missing)) from None
        return printed(issued, "unit_proof", day)


def printed(issued: Issued, kind: str, as_of: date) -> PrintedDocument:
    return PrintedDocument(code=issued.code, title=issued.statement.title, file_name=f"{kind}-{issued.code}.pdf",
                           pdf_base64=base64.b64encode(issued.pdf).decode(), as_of=as_of,
                           known_at=issued.statement.known_at)


@strawberry.type
class DocumentQueries:
    @strawberry.field(description="Verify a printed document by the code on it (or its QR code's text).")
    async def verify_document(self, info: Info, code: str) -> DocumentVerification:
        context = ctx(info)
        context.who()
        if len(code) > MAX_CODE:
            return DocumentVerification.of(Verification("not_issued", None))
        return DocumentVerification.of(await context.call(context.backend.documents.verify_code, code))
