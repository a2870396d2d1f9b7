"""Issuing a document and verifying one later.

A printed document carries a random code; the ledger keeps, under that code, what the
document stated (a digest of its facts), a digest of the PDF's text, and on what it was based
(valid date, system time, the log's position). Verification answers one of:

- genuine: the code was issued here and the file's text is what was printed;
- altered: the code was issued here but the file's text differs;
- not issued: no such code (a forged or mistyped one), or no code at all;

and, for a genuine document, whether the ledger has learned since then anything that would
change what it states (superseded since T: the first system time at which it would).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime
from typing import Any
from uuid import UUID

from application.documents.pdf import CODE_PREFIX, QR_PREFIX, render, text_lines
from application.documents.records import Issued, Request, Verification
from domain.id_numbers import mask, person_id
from domain.person.documents import StaffLine, Statement, person_statement, unit_statement
from domain.timeline import RecordedEvent, state_known_at
from domain.unit_codes import unit_id
from eventlog import scans
from eventlog.store import EventStore
from projections import queries as read
from projections.reports import unit_known

ISSUER = "canbao 医疗保障参保账本"
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed back


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def text_digest(lines: list[str]) -> str:
    """What is digested of a PDF: all its text but the code line (the code is chosen after)."""
    return hashlib.sha256("\n".join(x for x in lines if not x.startswith(CODE_PREFIX)).encode()).hexdigest()


def statement_of(history: list[RecordedEvent], request: Request, known_at: datetime) -> Statement:
    shown = request.id_number if request.id_whole else mask(request.id_number)
    return person_statement(history, request.kind, request.as_of, known_at, shown, request.months)


class Documents:
    def __init__(self, store: EventStore) -> None:
        self.store = store

    def issue(self, request: Request, now: datetime, issued_by: str) -> Issued:
        """Print the document as the ledger knows it at `now` (or at the person's last recording, if
        that is later: on a fixed drill clock it is), and keep what it stated."""
        stream = self.store.load(person_id(request.certificate_type, request.id_number))
        if not stream.events:
            raise LookupError("the ledger has no such person")
        statement = statement_of(stream.events, request, max(now, stream.events[-1].recorded_at))
        with self.store.datastore.get_connection() as conn:
            return register(conn, statement, stream.stream_id, request.certificate_type, request.id_whole,
                            request.months, issued_by)

    def issue_unit_proof(self, unit_code: str, as_of: date, id_whole: bool, now: datetime,
                         issued_by: str) -> Issued:
        """A 参保证明 of the unit's staff on `as_of`, as the projections know them at `now` (or at the
        roster's last revision, if that is later) — bring them up to date first."""
        code = unit_code.strip().upper()
        with self.store.datastore.get_connection() as conn:
            if not unit_known(conn, code):
                raise LookupError("the ledger has no such unit (none is registered and no enrollment names it)")
            known = max([now, *read.roster_revisions(conn, code, now)])
            statement = unit_statement_of(conn, code, as_of, known, id_whole)
            return register(conn, statement, unit_id(code), "unit", id_whole, None, issued_by, unit_code=code)

    def verify_file(self, pdf: bytes) -> Verification:
        try:
            lines = text_lines(pdf)
        except Exception:  # noqa: BLE001 — whatever pypdf raises, the answer is the same: not ours
            return Verification("not_issued", None)
        codes = [x.removeprefix(CODE_PREFIX).strip() for x in lines if x.startswith(CODE_PREFIX)]
        if not codes:
            return Verification("not_issued", None)
        return self.verify_code(codes[0], text_digest(lines))

    def verify_code(self, code: str, digest: str | None = None) -> Verification:
        """What the ledger says of `code` (a QR code's text may be given whole); with `digest`,
        also whether a file's text is what was printed under it."""
        code = code.strip().removeprefix(QR_PREFIX).upper()
        with self.store.datastore.get_connection() as conn:
            row = conn.execute("SELECT * FROM issued_document WHERE code = %s", (code,)).fetchone()
        if row is None:
            return Verification("not_issued", code)
        if digest is not None and digest != row["text_digest"]:
            return Verification("altered", code, row["kind"], row["as_of"], row["known_at"])
        return Verification("genuine", code, row["kind"], row["as_of"], row["known_at"], self.superseded_since(row))

    def superseded_since(self, row: dict) -> datetime | None:
        """The first system time after printing at which the ledger would have stated otherwise."""
        if row["kind"] == "unit_proof":
            return self.unit_superseded_since(row)
        history = self.store.load(UUID(str(row["subject_id"]))).events
        request = Request(row["kind"], row["certificate_type"], identity_of(history), row["as_of"], row["id_whole"],
                          (row["months_from"], row["months_to"]) if row["months_from"] else None)
        later = sorted({r.recorded_at for r in history if r.recorded_at > row["known_at"]})
        for moment in later:
            if statement_of(history, request, moment).facts_digest != row["facts_digest"]:
                return moment
        return None


    def unit_superseded_since(self, row: dict) -> datetime | None:
        with self.store.datastore.get_connection() as conn:
            for moment in read.roster_revisions(conn, row["unit_code"], row["known_at"]):
                stated = unit_statement_of(conn, row["unit_code"], row["as_of"], moment, row["id_whole"])
                if stated.facts_digest != row["facts_digest"]:
                    return moment
        return None


def register(conn: Any, statement: Statement, subject: UUID, certificate_type: str, id_whole: bool,
             months: tuple[date, date] | None, issued_by: str, unit_code: str | None = None) -> Issued:
    """Print the statement under a new code, and keep what it stated and on what it was based."""
    code, position = new_code(), scans.head(conn)
    pdf = render(statement.title, statement.lines(position), code, ISSUER)
    conn.execute(
        "INSERT INTO issued_document (code, kind, subject_id, certificate_type, id_whole, as_of, known_at, "
        "months_from, months_to, ledger_position, facts_digest, text_digest, issued_by, issued_at, unit_code) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (code, statement.kind, subject, certificate_type, id_whole, statement.as_of, statement.known_at,
         *(months or (None, None)), position, statement.facts_digest, text_digest(text_lines(pdf)), issued_by,
         statement.known_at, unit_code))
    return Issued(code, pdf, statement)


def unit_statement_of(conn: Any, code: str, as_of: date, known_at: datetime, id_whole: bool) -> Statement:
    """The unit's name as registered (a legacy-only unit has none here), and its staff then."""
    unit = read.unit(conn, code)
    name = unit["name"] if unit else "（未在本账本登记）"
    staff = [StaffLine(r["name"], r["id_number"] if id_whole else mask(r["id_number"]), r["insurance_type"],
                       r["status"], r["since"]) for r in read.roster_known_at(conn, code, as_of, known_at)]
    return unit_statement(code, name, staff, as_of, known_at)


def identity_of(history: list[RecordedEvent]) -> str:
    return state_known_at(history).id_number
