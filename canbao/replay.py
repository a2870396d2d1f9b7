"""A history as an auditor reads it: the enrollment timeline, then every event in order.

For a retroactive correction it shows what the record said before it and what it says
after, so both beliefs stay visible.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from rich.console import Console, Group
from rich.table import Table

from domain.codes import label
from domain.events import BaseInfoCorrected, EnrollmentCorrected, UnitInfoChanged
from domain.timeline import RecordedEvent, Spell, snapshot, spells, state_known_at

CORRECTIONS = (EnrollmentCorrected, BaseInfoCorrected, UnitInfoChanged)


def event_row(r: RecordedEvent) -> dict[str, Any]:
    e = r.event
    return {
        "version": r.version, "type": e.topic, "valid_date": e.effective.isoformat(),
        "recorded_at": r.recorded_at.isoformat(), "actor": r.meta.actor.model_dump(exclude_none=True),
        "channel": r.meta.channel, "reason": e.reason, "reason_label": label("change_reason", e.reason or ""),
        "evidence": list(r.meta.evidence), "service_item": r.meta.service_item,
        "details": e.model_dump(mode="json", exclude={"effective", "reason"}),
    }


def spell_row(s: Spell) -> dict[str, Any]:
    return {"insurance_type": s.insurance_type, "insurance_label": label("insurance_type", s.insurance_type),
            "region": s.region, "unit": s.unit_code, "person_type": s.person_type, "status": s.status,
            "status_label": label("enrollment_status", s.status), "valid_from": s.valid_from.isoformat(),
            "valid_to": s.valid_to.isoformat() if s.valid_to else None}


def person_replay(history: Sequence[RecordedEvent], as_of: date | None, known_at: datetime | None) -> dict[str, Any]:
    known = [r for r in history if known_at is None or r.recorded_at <= known_at]
    state = state_known_at(history, known_at)
    timeline = snapshot(history, as_of, known_at) if as_of else spells(state)
    corrections = []
    for r in known:
        if isinstance(r.event, EnrollmentCorrected):
            before = [r2 for r2 in known if r2.version < r.version]
            corrections.append({"version": r.version, "changes": r.event.changes,
                                "believed_before": [spell_row(s) for s in spells(state_known_at(before))],
                                "known_after": [spell_row(s) for s in spells(state_known_at(
                                    [r2 for r2 in known if r2.version <= r.version]))]})
    return {"id_number": state.id_number, "name": state.name, "as_of": as_of and as_of.isoformat(),
            "known_at": known_at and known_at.isoformat(), "timeline": [spell_row(s) for s in timeline],
            "events": [event_row(r) for r in known], "corrections": corrections}


def unit_replay(history: Sequence[RecordedEvent], known_at: datetime | None) -> dict[str, Any]:
    return {"events": [event_row(r) for r in history if known_at is None or r.recorded_at <= known_at]}


def render(replay: dict[str, Any], console: Console) -> None:
    if "timeline" in replay:
        title = f"{replay['name']} {replay['id_number']}"
        timeline = Table("险种", "参保地", "单位", "人员类别", "状态", "起", "止", title=f"参保时间线 — {title}")
        for s in replay["timeline"]:
            timeline.add_row(f"{s['insurance_type']} {s['insurance_label']}", s["region"], s["unit"], s["person_type"],
                             s["status_label"], s["valid_from"], s["valid_to"] or "—")
        console.print(timeline)
    events = Table(
        "#", "事件", "生效", "记录时间", "经办人", "渠道", "原因", "佐证", "内容", title="事件（按记录顺序）"
    )
    for e in replay["events"]:
        actor = e["actor"]
        events.add_row(
            str(e["version"]),
            e["type"],
            e["valid_date"],
            e["recorded_at"][:19],
            f"{actor['kind']}:{actor['id']}",
            e["channel"],
            f"{e['reason'] or ''} {e['reason_label']}".strip(),
            "、".join(e["evidence"]),
            _details(e["details"]),
        )
    console.print(events)
    for c in replay.get("corrections", []):
        changes = "；".join(f"{k}: {was} → {now}" for k, (was, now) in c["changes"].items())
        console.print(
            Group(
                f"[bold]更正（事件 {c['version']}）[/]: {changes}",
                f"  更正前认定: {_spells(c['believed_before'])}",
                f"  更正后认定: {_spells(c['known_after'])}",
            )
        )


def _details(details: dict[str, Any]) -> str:
    shown = {k: v for k, v in details.items() if v not in (None, [], {}, False) and not k.endswith("_id")}
    return ", ".join(f"{k}={v}" for k, v in shown.items())[:120]


def _spells(rows: list[dict[str, Any]]) -> str:
    return (
        "；".join(
            f"{s['insurance_type']}@{s['region']} {s['status_label']} {s['valid_from']}–{s['valid_to'] or ''}"
            for s in rows
        )
        or "（无）"
    )
