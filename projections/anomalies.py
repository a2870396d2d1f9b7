"""Anomalies of seed 000 附件2 that the ledger can see in a person's record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from domain import events as ev
from domain.person.state import SUSPENDED, Person
from domain.schemes import CIVIL_SERVANT, CIVIL_SERVANT_SUBSIDY, EMPLOYEE, RETIRED_TYPES
from domain.timeline import RecordedEvent
from projections.person_rows import Row, StreamHistory

KINDS = {
    "id_number_15_digit": "15位身份证号码（已升位）",
    "id_number_several_names": "同一证件号码对应不同姓名",
    "retired_suspended": "退休人员暂停参保",
    "dead_enrolled": "死亡人员仍有参保关系",
    "subsidy_without_civil_servant": "非公务员参加公务员医疗补助",
    "civil_servant_without_subsidy": "公务员未参加公务员医疗补助",
    "civil_servant_type_without_flag": "人员类别为公务员但无公务员标志",
    "phone_missing": "联系电话缺失",
}


def anomaly_rows(p: StreamHistory) -> list[Row]:
    """Each anomaly with the system times it was believed over (recorded_from, recorded_to), so a
    report can ask what was wrong as known at any time — 附件2's "after" column 6 does."""
    rows: list[Row] = []
    since: dict[tuple[Any, ...], datetime] = {}
    for t, _, state in p.believed:
        now = set(anomalies_of(state, [r for r in p.history if r.recorded_at <= t], p.person_id))
        for gone in [a for a in since if a not in now]:
            rows.append((*gone, since.pop(gone), t))
        for new in now:
            since.setdefault(new, t)
    rows.extend((*a, recorded_from, None) for a, recorded_from in since.items())
    return rows


def anomalies_of(s: Person, history: Sequence[RecordedEvent], person_id: UUID) -> list[tuple[Any, ...]]:
    """(subject id, kind, code, region, kind, detail) of what is wrong with one believed state."""
    if not s.registered or s.merged_into is not None:
        return []
    found: list[tuple[str, str]] = []
    if s.legacy_id_number:
        found.append(("id_number_15_digit", f"{s.legacy_id_number} → {s.id_number}"))
    names = {r.event.recorded_name for r in history if isinstance(r.event, ev.LegacyEnrollmentImported)} - {s.name}
    if names:
        found.append(("id_number_several_names", f"登记姓名 {s.name}；导入记录姓名 {'、'.join(sorted(names))}"))
    open_ = s.open_enrollments()
    for e in open_:
        if e.status == SUSPENDED and e.person_type in RETIRED_TYPES:
            found.append(("retired_suspended", f"{e.insurance_type} {e.region} 人员类别 {e.person_type} 暂停参保"))
        if e.insurance_type == CIVIL_SERVANT_SUBSIDY and not s.civil_servant:
            found.append(("subsidy_without_civil_servant", f"{e.region} 参加320但公务员标志为0"))
        if e.person_type == CIVIL_SERVANT and not s.civil_servant:
            found.append(("civil_servant_type_without_flag", f"{e.insurance_type} {e.region} 人员类别1102"))
    if s.dead and open_:
        found.append(("dead_enrolled", "、".join(f"{e.insurance_type} {e.region} 状态{e.status}" for e in open_)))
    employee_regions = {e.region for e in open_ if e.scheme == EMPLOYEE and e.status == "1"}
    subsidy_regions = {e.region for e in open_ if e.insurance_type == CIVIL_SERVANT_SUBSIDY}
    if s.civil_servant and employee_regions - subsidy_regions:
        found.append(
            ("civil_servant_without_subsidy", f"{'、'.join(sorted(employee_regions - subsidy_regions))} 未参加320")
        )
    if open_ and not s.phone:
        found.append(("phone_missing", "有参保关系但无联系电话"))
    region = open_[0].region if open_ else s.household_region
    return [(person_id, "person", s.id_number, region, kind, detail) for kind, detail in found]
