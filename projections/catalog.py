"""The read models: which tables each projection keeps, from which kind of stream."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from projections.anomalies import anomaly_rows
from projections.campaign_rows import campaign_rows
from projections.duplicates import COLUMNS as DUPLICATE_COLUMNS
from projections.duplicates import duplicate_rows
from projections.person_rows import (
    Row,
    StreamHistory,
    contribution_month_rows,
    current_enrollment_rows,
    enrolled_identity_rows,
    enrollment_spell_rows,
    fake_removal_rows,
    person_view_rows,
)
from projections.request_rows import COLUMNS as REQUEST_COLUMNS
from projections.request_rows import service_request_rows
from projections.unit_rows import lock_window_rows, unit_view_rows


@dataclass(frozen=True)
class Table:
    name: str
    key: str  # the column holding the stream id: a stream's rows are replaced as a whole
    columns: tuple[str, ...]
    rows: Callable[[StreamHistory], list[Row]]


@dataclass(frozen=True)
class Projection:
    name: str
    description: str
    stream_kind: str  # "person" or "unit": the topic prefix of the streams it reads
    tables: tuple[Table, ...]


def _columns(text: str) -> tuple[str, ...]:
    return tuple(text.split())


PROJECTIONS = (
    Projection("enrollments", "persons, current enrollments and bitemporal enrollment history", "person", (
        Table("person_view", "person_id", _columns(
            "person_id certificate_type id_number name gender birth_date survival_status civil_servant phone "
            "household_region legacy_id_number merged_into local_person_number address"), person_view_rows),
        Table("current_enrollment", "person_id", _columns(
            "enrollment_id person_id insurance_type scheme region pooling_region status person_type unit_code "
            "since last_change imported local_person_number"), current_enrollment_rows),
        Table("enrollment_spell", "person_id", _columns(
            "person_id enrollment_id insurance_type scheme region pooling_region unit_code person_type status "
            "valid_from valid_to recorded_from recorded_to certificate_type id_number name gender birth_date "
            "household_region"), enrollment_spell_rows),
        Table("enrolled_identity", "person_id", _columns(
            "person_id region id_number name gender birth_date household_region valid_from valid_to recorded_from "
            "recorded_to"), enrolled_identity_rows),
        Table("fake_removal", "person_id", _columns("person_id enrollment_id recorded_at"), fake_removal_rows),
    )),
    Projection("contributions", "months paid by unit and month (缴费记录)", "person", (
        Table("contribution_month", "person_id", _columns(
            "person_id month insurance_type region unit_code base unit_amount personal_amount paid_on"),
              contribution_month_rows),
    )),
    Projection("duplicates", "duplicate-enrollment sets with their cleanup roles", "person", (
        Table("duplicate_set", "person_id", DUPLICATE_COLUMNS, duplicate_rows),
    )),
    Projection("anomalies", "record anomalies of seed 000 附件2", "person", (
        Table("anomaly", "subject_id", _columns(
            "subject_id subject_kind subject_code region kind detail recorded_from recorded_to"),
              anomaly_rows),
    )),
    Projection("units", "units and their confirmed-lock windows", "unit", (
        Table("unit_view", "unit_id", _columns(
            "unit_id unit_code name unit_type management_type region finance_funded status successor_codes"),
              unit_view_rows),
        Table("lock_window", "unit_id", _columns("unit_id unit_code campaign_id confirmed_at locked_until"),
              lock_window_rows),
    )),
    Projection("requests", "service requests and their steps (台账)", "request", (
        Table("service_request", "stream_id", tuple(REQUEST_COLUMNS), service_request_rows),
    )),
    Projection("campaigns", "verification campaigns and their windows", "campaign", (
        Table("campaign_view", "stream_id", _columns(
            "stream_id campaign_id name region export_from export_to correction_from correction_to locked_until"),
              campaign_rows),
    )),
)
BY_NAME = {p.name: p for p in PROJECTIONS}


def select(names: list[str] | None) -> list[Projection]:
    if not names:
        return list(PROJECTIONS)
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise KeyError(f"unknown projection {', '.join(unknown)}; known: {', '.join(BY_NAME)}")
    return [BY_NAME[n] for n in names]


def rows_for(projection: Projection, stream: StreamHistory) -> dict[str, list[Row]]:
    if stream.kind != projection.stream_kind:
        return {t.name: [] for t in projection.tables}
    return {t.name: t.rows(stream) for t in projection.tables}
