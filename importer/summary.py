"""What an import reports (rows written, refused, already recorded) and how rows are named.

Each row of an extract is its own command, with an id derived from (source file, row), so
importing a file twice records nothing new.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from uuid import NAMESPACE_URL, UUID

from domain.errors import FieldError
from domain.uuids import numbered_prefix, numbered_uuid, uuid5
from eventlog.checkpoints import Digest

IMPORT_NAMESPACE = uuid5(NAMESPACE_URL, "canbao:legacy-import")
IMPORT_COMMAND = "ImportLegacyEnrollment"


def row_command_id(source: str, row: int) -> UUID:
    """The row's command id: the file's digest and the row's number (`domain.uuids.numbered_uuid`),
    so a file's rows are neighbours in the command log's index. (Before 2026-12-03 a version-5
    UUID of both; an extract imported again is recognised by the persons' state, not the log.)"""
    return numbered_uuid(_source_prefix(source), row)


@lru_cache(maxsize=64)
def _source_prefix(source: str) -> int:
    return numbered_prefix(IMPORT_NAMESPACE.bytes + source.encode())


@dataclass
class ImportSummary:
    rows_read: int = 0
    rows_written: int = 0
    rows_already_recorded: int = 0
    events_written: int = 0
    duplicates_flagged: int = 0
    refused: list[tuple[int, tuple[FieldError, ...]]] = field(default_factory=list)
    checkpoint: Digest | None = None  # the audit checkpoint recorded after the import

    def add(self, other: ImportSummary) -> None:
        self.rows_read += other.rows_read
        self.rows_written += other.rows_written
        self.rows_already_recorded += other.rows_already_recorded
        self.events_written += other.events_written
        self.duplicates_flagged += other.duplicates_flagged
        self.refused += other.refused


@dataclass(frozen=True)
class ImportProgress:
    """How far an import is: rows of the file done (written, refused or already recorded)
    of the rows it has, when known before reading it, and events written so far."""

    rows_done: int
    rows_total: int | None
    events_written: int


Progress = Callable[[ImportProgress], None]
