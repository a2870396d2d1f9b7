"""Monthly contribution files (缴费明细): the tax authority's monthly file or a legacy extract of
months paid, as CSV (UTF-8 or GB18030) or XLSX with Chinese headers — one row per person, month,
insurance type and region.

Each row is a `RecordContribution`, decided by the person's own rule and written in bulk (a batch
per transaction) with a command id derived from (file, row): importing a file again records
nothing new, and a refused row is listed with its reasons for the red-marked error report, like
the person extract's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, NamedTuple
from uuid import NAMESPACE_URL, UUID

import psycopg
from eventsourcing.persistence import IntegrityError
from pydantic import ValidationError

from application.clock import LedgerClock
from application.service import TICK
from domain.clock import business_date
from domain.command import IMPORT, Context
from domain.dates import parse_day, parse_month, within_horizon
from domain.errors import DomainError, FieldError, invalid_input
from domain.event import Actor
from domain.id_numbers import RESIDENT_ID, person_id
from domain.person.commands import RecordContribution
from domain.person.contributions import decide_contribution
from domain.uuids import numbered_prefix, numbered_uuid, uuid5
from eventlog import copy_binary, scans
from eventlog.bulk import append_events, streaming_log
from eventlog.checkpoints import record_checkpoint
from eventlog.collector import collect_batch, collector_paused
from eventlog.store import Conflict
from importer import error_report
from importer.batch import BatchDecision, Tip, load_tips
from importer.bulk import CONFLICT_RETRIES, batched
from importer.contribution_lane import ContributionLane
from importer.lane import LaneTip
from importer.legacy_file import Column, Refusal, data_lines, names_of, raw_rows, read_records
from importer.spreadsheet import as_csv
from importer.summary import ImportProgress, ImportSummary, Progress

CONTRIBUTION_NAMESPACE = uuid5(NAMESPACE_URL, "canbao:contribution-import")

COLUMNS = (
    Column("certificate_type", "证件类型", "certificate_type", required=False),
    Column("id_number", "证件号码", "id_number"),
    Column("name", "姓名", "name", required=False),
    Column("insurance_type", "险种类型", "insurance_type"),
    Column("region", "参保地医保区划编码", "region"),
    Column("unit_code", "单位编号", "unit_code"),
    Column("contribution_month", "费款所属期", "month"),
    Column("base", "缴费基数", "base"),
    Column("unit_amount", "单位缴纳金额", "unit_amount"),
    Column("personal_amount", "个人缴纳金额", "personal_amount"),
    Column("paid_on", "到账日期", "paid_on", required=False),
)
BY_NAME = names_of(COLUMNS)
# Where a rule about the command lands in the file: its month is the command's effective date.
COLUMN_OF_FIELD = {"effective_date": "contribution_month"}
Source = Literal["tax", "legacy"]
# Below this many rows, starting worker interpreters (~0.5 s) costs more than they save.
SHARED_FROM_ROWS = 50_000
# The command log's rows go to PostgreSQL in chunks of this many rows while the rest are decided.
SEND_EVERY = 256
# Rows per transaction: twice the person extract's. Nothing is locked while a batch is decided,
# and each batch pays once for loading its persons and writing its events (10,000 rows at
# 725,000 persons: 0.32-0.61 s in one batch against 0.36-0.69 s in two, alternating runs).
BATCH_ROWS = 10_000
SOURCES: dict[Source, str] = {"tax": "税务部门月度缴费文件", "legacy": "原系统缴费明细"}


def is_contribution_file(path: Path) -> bool:
    """Whether a file's header is a contribution file's (it has a 费款所属期 column)."""
    header = next(raw_rows(path), [])
    return any(BY_NAME.get(h.strip()) is BY_NAME["contribution_month"] for h in header)


class Row(NamedTuple):
    """One row of the file: its number, its cells, the command id it is recorded under, and the
    person it is about (None when the cells do not name one)."""

    number: int
    record: dict[str, str]
    command_id: UUID
    stream: UUID | None


@dataclass(frozen=True)
class ContributionFile:
    path: Path
    source: Source = "tax"
    # What its rows are named after, when not the file's own name (a spreadsheet read as a CSV copy).
    named: str | None = None

    @property
    def name(self) -> str:
        return self.named or self.path.name

    def records(self, share: int = 0, shares: int = 1) -> Iterator[tuple[int, dict[str, str]]]:
        """(row number as a spreadsheet shows it, field → text) for every data row; with
        `shares` > 1, only those of the persons in share number `share`."""
        return read_records(self.path, COLUMNS, share, shares)

    def rows(self, share: int = 0, shares: int = 1) -> Iterator[Row]:
        """Every data row (of share number `share`) with its command id and person: `row_of`
        for each record, the file's part of the ids worked out once."""
        prefix = command_prefix(self.name)
        for number, record in self.records(share, shares):
            yield Row(number, record, numbered_uuid(prefix, number),
                      stream_of(record.get("certificate_type", ""), record.get("id_number", "")))

    def write_error_report(self, refused: list[Refusal], target: Path) -> int:
        """The refused rows to an XLSX, the faulty cells red with why (as for person extracts)."""
        return error_report.write_error_report(self.path, refused, target, COLUMNS,
                                               lambda _: self.records())


def amount(record: dict[str, str], field: str, errors: list[FieldError]) -> Decimal:
    try:
        return Decimal(record[field].replace(",", ""))
    except InvalidOperation:
        errors.append(FieldError(field, "amount.format", f"“{record[field]}” is not an amount of money"))
        return Decimal(0)


def parsed(record: dict[str, str], field: str, parse: Callable[[str, str], date],
           errors: list[FieldError]) -> date | None:
    """The cell's date (None when empty); a fault added to `errors` when it is not one."""
    try:
        return parse(record[field], field) if record.get(field) else None
    except DomainError as refused:
        errors.extend(refused.errors)
        return None


def to_command(record: dict[str, str], source: Source) -> RecordContribution:
    """The command a row asks for; a DomainError naming every faulty cell otherwise."""
    errors = [FieldError(c.field, "required", f"{c.header}不能为空")
              for c in COLUMNS if c.required and not record.get(c.field)]
    if errors:
        raise DomainError(*errors)
    month = parsed(record, "contribution_month", parse_month, errors)
    paid_on = parsed(record, "paid_on", parse_day, errors)
    base, unit_part, personal_part = (amount(record, f, errors) for f in ("base", "unit_amount", "personal_amount"))
    if errors:
        raise DomainError(*errors)
    assert month is not None, "required, so refused otherwise"
    try:
        return RecordContribution(
            effective=month, certificate_type=record.get("certificate_type") or "01", id_number=record["id_number"],
            insurance_type=record["insurance_type"], region=record["region"], unit_code=record["unit_code"],
            base=base, unit_amount=unit_part, personal_amount=personal_part, paid_on=paid_on, source=source)
    except ValidationError as bad:
        raise DomainError(*invalid_input(bad)) from None


def in_file_terms(error: FieldError) -> FieldError:
    """A rule about the command, named by the file's column it comes from."""
    column = COLUMN_OF_FIELD.get(error.field)
    return FieldError(column, error.rule, error.message) if column else error


class ContributionBatch(BatchDecision):
    """A batch of contribution rows, each decided against the person's state as it stands (the
    rows before it in the file included) — by the fast lane when it can, by `to_command` and
    `decide_contribution` otherwise — chained and written in bulk, exactly as the ledger's
    service would write them one by one."""

    command_name = "RecordContribution"
    command_type = command_name.encode()  # as the command log's rows hold it

    def __init__(self, actor: Actor, now: datetime, rows: int, source: Source, evidence: str,
                 logged: set[UUID], fast_lane: bool = True) -> None:
        super().__init__(actor, now, None, rows)
        self.source, self.evidence, self.logged = source, evidence, logged
        self.contribution_lane = ContributionLane(source, self.template(evidence), business_date(now))
        self.fast_lane, self.rows_in_lane = fast_lane, 0
        self.refused_commands: dict[int, UUID] = {}  # row number → its command id, for `recorded_before`

    def decide_rows(self, batch: list[Row], tips: dict[UUID, Tip | LaneTip],
                    send_log: Callable[[bytes], None] | None = None) -> None:
        """Decide every row; given `send_log`, the command log's rows go to it every few hundred
        rows (and the rest at the end) instead of waiting in `log`."""
        taken = 0  # rows the lane wrote
        stream, tip = None, None  # the last row's person (the same UUID object for a person's rows: cached)
        for done, row in enumerate(batch, start=1):
            if send_log and done % SEND_EVERY == 0:
                self.send_logged(send_log)
            if self.logged and row.command_id in self.logged:  # (looked up only after a clash)
                self.summary.rows_already_recorded += 1
                continue
            if row.stream is not stream:
                stream, tip = row.stream, tips.get(row.stream) if row.stream else None
                if tip is None and row.stream:
                    tip = tips[row.stream] = Tip()  # a person with no history yet: refused, as not enrolled
            assert not isinstance(tip, LaneTip), "the person extract's lane is not used here"
            if tip is not None and self.fast_lane and self._lane_decides(row, tip):
                taken += 1
            else:
                self._rule_decides(row, tip)
        if send_log:
            self.send_logged(send_log)
        self.rows_in_lane += taken
        self.summary.rows_written += taken
        self.summary.events_written += taken

    def send_logged(self, send: Callable[[bytes], None]) -> None:
        send(b"".join(self.log[1:]))  # after the COPY header, which the stream has sent
        del self.log[1:]

    def _lane_decides(self, row: Row, tip: Tip) -> bool:
        """The row's event and command log row, when the lane decides it (its one event)."""
        assert row.stream is not None
        command_id = row.command_id.bytes
        decided = self.contribution_lane.decide(row.record, row.stream, tip, command_id)
        if decided is None:
            return False
        event, positions = decided
        self.stored.append(event)
        self.log.append(copy_binary.command_log_row(command_id, self.command_type, self.recorded_at, positions))
        return True

    def _rule_decides(self, row: Row, tip: Tip | None) -> None:
        if tip is not None and row.stream is not None:
            tip.unfolded += self.contribution_lane.handed_over(row.stream)
        try:
            command = to_command(row.record, self.source)
            if tip is None or row.stream is None:
                raise DomainError(FieldError("id_number", "id_number.format", f"“{command.id_number}” names no person"))
            context = Context(command_id=row.command_id, actor=self.actor, now=self.now, channel=IMPORT,
                              evidence=(self.evidence,))
            within_horizon(command.effective, context.today)
            events = decide_contribution(command, tip.state(), context)
        except DomainError as refused:
            self.summary.refused.append((row.number, tuple(in_file_terms(e) for e in refused.errors)))
            self.refused_commands[row.number] = row.command_id
            return
        self.chain(row.stream, tip, row.command_id, events, self.evidence)

    def recorded_before(self, logged: set[UUID], earlier: dict[int, UUID]) -> None:
        """Refused rows whose command the log already holds (under its id, or under the `earlier`
        id of its row number) were recorded by an earlier import of the file (their month is
        paid: by them): counted as recorded, not refused."""
        again = {number for number, command_id in self.refused_commands.items()
                 if command_id in logged or earlier.get(number) in logged}
        self.summary.refused = [r for r in self.summary.refused if r[0] not in again]
        self.summary.rows_already_recorded += len(again)


def command_prefix(file_name: str) -> int:
    return numbered_prefix(CONTRIBUTION_NAMESPACE.bytes + file_name.encode())


def command_id(file_name: str, number: int) -> UUID:
    """The command id of row `number` of a file: derived from the file's name and the number, so
    that importing the file again records nothing twice."""
    return numbered_uuid(command_prefix(file_name), number)


def earlier_command_id(file_name: str, number: int) -> UUID:
    """The command id an import before 2026-12-03 gave the row (a version-5 UUID of name and
    number, scattered over the command log's index): a file imported then and again now is
    still recognised as recorded."""
    return uuid5(CONTRIBUTION_NAMESPACE, f"{file_name}\x00{number}")


def row_of(number: int, record: dict[str, str], file: ContributionFile) -> Row:
    """A row of `file` with its command id and its person."""
    return Row(number, record, command_id(file.name, number),
               stream_of(record.get("certificate_type", ""), record.get("id_number", "")))


@lru_cache(maxsize=1 << 12)
def stream_of(certificate_type: str, id_number: str) -> UUID | None:
    """The person a row names, or None when its cells name none: asked once per person, whose
    rows come together."""
    if not id_number:
        return None
    try:
        return person_id(certificate_type.strip() or RESIDENT_ID, id_number)
    except DomainError:
        return None


def import_contributions(datastore: Any, file: ContributionFile, clock: LedgerClock,
                         progress: Progress | None = None, checkpoint: bool = True,
                         conninfo: str | None = None, workers: int = 1) -> ImportSummary:
    """Record every valid row of `file` in batches of one transaction each; the rows refused,
    with why, in the summary. A row already recorded (same file, same row) is counted, not
    written again. Given the conninfo, `workers` processes share the persons between them.
    Then (unless told not to) an audit checkpoint, as after any offline import."""
    with as_csv(file.path) as readable:
        rows, file = data_lines(readable), replace(file, path=readable, named=file.name)
        if workers > 1 and conninfo and rows >= SHARED_FROM_ROWS:
            from importer.shares import run_shares

            summary = run_shares(conninfo, ContributionShare(file, clock), workers, progress, rows)
        else:
            summary = ContributionShare(file, clock).run(datastore, 0, 1, progress)
    if checkpoint and summary.events_written:
        summary.checkpoint = record_checkpoint(datastore)
    return summary


@dataclass(frozen=True)
class ContributionShare:
    """The rows of one share of the persons of a contribution file, imported in file order."""

    file: ContributionFile
    clock: LedgerClock

    def run(self, datastore: Any, share: int, shares: int, progress: Progress | None) -> ImportSummary:
        file, summary = self.file, ImportSummary()
        actor = Actor(kind="import_job", id=f"import:{file.name}")
        evidence = f"{SOURCES[file.source]}：{file.name}"
        rows = file.rows(share, shares)
        with collector_paused():
            for number, batch in enumerate(batched(rows, BATCH_ROWS)):
                if number:
                    collect_batch()  # what the batch before left (the last one's: the collector's, resumed)
                summary.add(write_batch(datastore, batch, actor, file, evidence, self.clock))
                if progress:
                    progress(ImportProgress(summary.rows_read, None, summary.events_written))
        summary.refused.sort(key=lambda refusal: refusal[0])
        return summary


def write_batch(datastore: Any, batch: list[Row], actor: Actor, file: ContributionFile, evidence: str,
                clock: LedgerClock) -> ImportSummary:
    """One transaction. The command log is read only for the rows refused (a row recorded before
    is refused now: its month is paid), as the ledger's service reads it only for a refused or
    clashing command; after a clash, for every row of the batch before deciding again.

    The command log's rows go to PostgreSQL while the batch is decided (it inserts them on the
    other core meanwhile); the events follow, under the table lock only while they are written."""
    look_up_every_row = False
    for _ in range(CONFLICT_RETRIES):
        try:
            with datastore.transaction(commit=True) as curs:
                logged = scans.logged_commands(curs, [r.command_id for r in batch]) if look_up_every_row else set()
                now = clock.now()
                tips, latest = load_tips(curs, {row.stream for row in batch if row.stream})
                decision = ContributionBatch(actor, max(now, latest + TICK) if latest else now, len(batch),
                                             file.source, evidence, logged)
                with streaming_log(curs) as send_log:
                    decision.decide_rows(batch, tips, send_log)
                append_events(curs, decision.stored)
                if decision.refused_commands:
                    earlier = {n: earlier_command_id(file.name, n) for n in decision.refused_commands}
                    decision.recorded_before(scans.logged_commands(
                        curs, [*decision.refused_commands.values(), *earlier.values()]), earlier)
            return decision.summary
        except (IntegrityError, psycopg.errors.UniqueViolation):
            # Another writer appended to one of these persons meanwhile, or a row recorded before
            # was accepted again (its month corrected away since): look every row up, decide again.
            look_up_every_row = True
    raise Conflict(f"rows {batch[0].number}–{batch[-1].number}: other writers kept changing these persons; "
                   "import again")
