"""Duplicate-enrollment sets and the official cleanup rule for each (seed 001, 三(三)).

A set is two enrollments in force at the same time; it dissolves when either ends or is
suspended. Whether a cross-scheme set is "mark only" depends on how long it has lasted,
so that is decided when the set is read (`action`), not stored.
"""

from __future__ import annotations

from datetime import date
from itertools import combinations

from domain.regions import province_of
from domain.schemes import EMPLOYEE, RESIDENT, scheme_of
from domain.timeline import Spell
from projections.person_rows import Row, StreamHistory

WITHIN_RESIDENT = "within_resident"
WITHIN_EMPLOYEE = "within_employee"
CROSS_SCHEME = "cross_scheme"
CROSS_PROVINCE = "cross_province"
KINDS = {
    WITHIN_RESIDENT: "制度内重复参保（居民医保，跨统筹区）",
    WITHIN_EMPLOYEE: "制度内重复参保（职工医保，跨统筹区）",
    CROSS_SCHEME: "跨制度重复参保（职工医保＋居民医保）",
    CROSS_PROVINCE: "跨省重复参保",
}
ONE_YEAR_DAYS = 365


def classify(a: Spell, b: Spell) -> str:
    if province_of(a.region) != province_of(b.region):
        return CROSS_PROVINCE
    if scheme_of(a.insurance_type) != scheme_of(b.insurance_type):
        return CROSS_SCHEME
    return WITHIN_RESIDENT if scheme_of(a.insurance_type) == RESIDENT else WITHIN_EMPLOYEE


def duplicate_rows(p: StreamHistory) -> list[Row]:
    in_force = sorted((s for s in p.spells_now if s.valid_to is None and s.status == "1"
                       and scheme_of(s.insurance_type) is not None), key=lambda s: str(s.enrollment_id))
    rows = []
    for a, b in combinations(in_force, 2):
        kind = classify(a, b)
        keep = clean = confirming = None
        if kind == WITHIN_RESIDENT:
            confirming = p.state.household_region  # the person chooses which to keep
        elif kind == WITHIN_EMPLOYEE:
            keep, clean = (
                (a, b) if (a.valid_from, str(a.enrollment_id)) > (b.valid_from, str(b.enrollment_id)) else (b, a)
            )
            confirming = keep.region
        elif kind == CROSS_SCHEME:
            keep, clean = (a, b) if scheme_of(a.insurance_type) == EMPLOYEE else (b, a)
            confirming = clean.region
        rows.append(
            (
                p.person_id,
                kind,
                a.enrollment_id,
                b.enrollment_id,
                a.region,
                b.region,
                a.insurance_type,
                b.insurance_type,
                max(a.valid_from, b.valid_from),
                keep and keep.enrollment_id,
                clean and clean.enrollment_id,
                confirming,
            )
        )
    return rows


def action(kind: str, overlap_from: date, as_of: date) -> str:
    """The cleanup rule for a set, as of a date (domain.md §4)."""
    if kind == WITHIN_RESIDENT:
        return "户籍地经办机构联系本人，按本人意愿保留一个统筹区的参保关系"
    if kind == WITHIN_EMPLOYEE:
        return "最近参保地经办机构确认，保留最近参保地的参保关系"
    if kind == CROSS_SCHEME:
        if (as_of - overlap_from).days < ONE_YEAR_DAYS:
            return "重叠不足一年：不清理，按类型标记"
        return "联系本人后清理居民医保、保留职工医保，由居民参保地经办机构确认"
    return "跨省重复参保：按国家统一部署处理，先行标记"
