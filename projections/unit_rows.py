"""The rows one unit's history contributes to the unit and lock-window read models."""

from __future__ import annotations

from domain import events as ev
from domain.unit.state import fold
from projections.person_rows import Row, StreamHistory


def unit_view_rows(stream: StreamHistory) -> list[Row]:
    unit_id, u = stream.stream_id, fold(r.event for r in stream.history)
    if not u.registered:
        return []
    return [(unit_id, u.unit_code, u.name, u.unit_type, u.management_type, u.region, u.finance_funded, u.status,
             list(u.successor_codes))]


def lock_window_rows(stream: StreamHistory) -> list[Row]:
    code = fold(r.event for r in stream.history).unit_code
    return [(stream.stream_id, code, r.event.campaign_id, r.recorded_at, r.event.locked_until)
            for r in stream.history if isinstance(r.event, ev.UnitDataConfirmed)]
