"""What is asked of the document desk and what it answers: plain records, cheap to import
(the API and the ports name them; the PDF machinery is loaded only when a document is printed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from domain.person.documents import Kind, Statement

Verdict = Literal["genuine", "altered", "not_issued"]


@dataclass(frozen=True)
class Request:
    kind: Kind
    certificate_type: str
    id_number: str
    as_of: date
    id_whole: bool  # whether the requesting role may see the whole ID number
    months: tuple[date, date] | None = None


@dataclass(frozen=True)
class Issued:
    code: str
    pdf: bytes
    statement: Statement


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    code: str | None
    kind: str | None = None
    as_of: date | None = None
    known_at: datetime | None = None
    superseded_since: datetime | None = None

    def __str__(self) -> str:
        if self.verdict == "not_issued":
            return "not issued by this ledger" + (f" (no document has code {self.code})" if self.code else "")
        if self.verdict == "altered":
            return f"ALTERED: the text differs from what was printed under {self.code}"
        told = f"genuine and unchanged: {self.kind} as of {self.as_of}, as known at {self.known_at}"
        if self.superseded_since:
            return f"{told}; superseded since {self.superseded_since}: the ledger has learned more since"
        return f"{told}; still what the ledger states"
