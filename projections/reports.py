"""The cleanup reports of seed 001: 附件2 per region, and the 附件4/附件5 lists.

"Before" and "after" are the same valid date (the 2019-12-31 cut-off) seen at two system
times: what the ledger knew before the cleaning (T1) and after it (T2). Every count is a
number of persons; a person enrolled in two regions counts in each.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from domain.clock import ALL_RECORDED
from domain.codes import label
from domain.schemes import BASE_TYPES, UNKNOWN_TYPE
from projections.anomalies import KINDS as ANOMALY_KINDS
from projections.duplicate_lists import duplicate_list_as_of

# What keeps a record from being "参保信息符合要求的" (附件2 column 6): a fault in an 附件1 field or
# the insurance data. A missing phone is not an 附件1 field; a 15-digit number the ledger upgraded is
# a record "补全修正后" — completed, so it counts.
QUALITY_ANOMALIES = tuple(k for k in ANOMALY_KINDS if k not in ("phone_missing", "id_number_15_digit"))

ENROLLED = """
SELECT person_id, enrollment_id, region, scheme, status, person_type
FROM enrollment_spell
WHERE insurance_type = ANY(%(base)s)
  AND valid_from <= %(as_of)s AND (valid_to IS NULL OR valid_to > %(as_of)s)
  AND recorded_from <= %(known_at)s AND (recorded_to IS NULL OR recorded_to > %(known_at)s)
"""

COLUMNS = (  # (key, 附件2 header)
    ("before_total", "清查前参保人数·合计"), ("before_employee", "清查前参保人数·职工"),
    ("before_resident", "清查前参保人数·居民"),
    ("valid_total", "信息完全符合要求·小计"), ("valid_employee", "信息完全符合要求·职工"),
    ("valid_resident", "信息完全符合要求·居民"),
    ("fake_total", "虚假参保清查·小计"), ("fake_employee", "虚假参保清查·职工"), ("fake_resident", "虚假参保清查·居民"),
    ("duplicate_total", "重复参保清理·小计"), ("duplicate_employee", "重复参保清理·职工"),
    ("duplicate_resident", "重复参保清理·居民"),
    ("cross_employee", "职工居民间重复清理·职工"), ("cross_resident", "职工居民间重复清理·居民"),
    ("suspended_total", "中断停保·小计"), ("suspended_employee", "中断停保·职工"),
    ("suspended_resident", "中断停保·居民"),
    ("after_total", "清查后实有参保·合计"), ("after_employee", "清查后实有参保·职工"),
    ("after_retired", "清查后实有参保·其中退休"), ("after_resident", "清查后实有参保·居民"),
    # Not a column of the annex: how many of column 22's employees the legacy data gave no 人员类别,
    # so "其中：退休" is read knowing what it could not count.
    ("after_type_unknown", "其中：人员类别未知的职工"),
)
RETIRED = ("1201", "1202", "1203", "1300")
SPLIT_GROUPS = ("before", "valid", "fake", "duplicate", "suspended", "after")  # each: total = employee + resident


@dataclass
class RegionCounts:
    region: str
    sets: dict[str, set] = field(default_factory=lambda: defaultdict(set))

    def add(self, key: str, person: Any) -> None:
        self.sets[key].add(person)

    def row(self) -> dict[str, int]:
        """Persons per cell; a group's 合计/小计 is its 职工 plus its 居民 (a person enrolled in both
        schemes is counted in each), as the annex's columns add up."""
        counts = {key: len(self.sets.get(key, ())) for key, _ in COLUMNS}
        for group in SPLIT_GROUPS:
            counts[f"{group}_total"] = counts[f"{group}_employee"] + counts[f"{group}_resident"]
        return counts


def enrolled(conn: Any, as_of: date, known_at: datetime) -> list[dict]:
    return conn.execute(ENROLLED, {"base": list(BASE_TYPES), "as_of": as_of, "known_at": known_at}).fetchall()


def cleanup_summary(conn: Any, as_of: date, before: datetime, after: datetime) -> list[dict[str, Any]]:
    """附件2: one row per region, then a 合计 row."""
    then, now = enrolled(conn, as_of, before), enrolled(conn, as_of, after)
    flagged = {r["subject_id"] for r in conn.execute(  # as known at the "after" time
        "SELECT DISTINCT subject_id FROM anomaly WHERE kind = ANY(%s) AND recorded_from <= %s "
        "AND (recorded_to IS NULL OR recorded_to > %s)", (list(QUALITY_ANOMALIES), after, after))}
    regions: dict[str, RegionCounts] = {}

    def at(region: str) -> RegionCounts:
        return regions.setdefault(region, RegionCounts(region))

    scheme_key = {"1": "employee", "2": "resident"}
    for r in then:
        counts, scheme = at(r["region"]), scheme_key[r["scheme"]]
        counts.add("before_total", r["person_id"])
        counts.add(f"before_{scheme}", r["person_id"])
    in_force: dict[Any, list[str]] = defaultdict(list)  # person → schemes in force at T1
    for r in then:
        if r["status"] == "1":
            in_force[r["person_id"]].append(r["scheme"])
    after_keys = {(r["person_id"], r["region"], r["scheme"]) for r in now}
    removed_as_fake = {r["enrollment_id"] for r in conn.execute(
        "SELECT enrollment_id FROM fake_removal WHERE recorded_at > %s AND recorded_at <= %s", (before, after))}
    for r in then:  # what the cleaning removed: a fake enrollment if recorded as one, else a duplicate cleaned
        if (r["person_id"], r["region"], r["scheme"]) in after_keys:
            continue
        counts, scheme, schemes = at(r["region"]), scheme_key[r["scheme"]], in_force[r["person_id"]]
        if r["enrollment_id"] in removed_as_fake:
            counts.add("fake_total", r["person_id"])
            counts.add(f"fake_{scheme}", r["person_id"])
        elif r["status"] == "1" and len(set(schemes)) > 1:
            counts.add(f"cross_{scheme}", r["person_id"])
        elif r["status"] == "1" and schemes.count(r["scheme"]) > 1:
            counts.add("duplicate_total", r["person_id"])
            counts.add(f"duplicate_{scheme}", r["person_id"])
        # Otherwise the record was corrected (a wrong date, say): neither fake nor a duplicate.
    # A person still enrolled twice on the cut-off is a duplicate, not a record that meets the rules.
    duplicated = {person for person, n in Counter(r["person_id"] for r in now if r["status"] == "1").items()
                  if n > 1}
    for r in now:
        counts, scheme = at(r["region"]), scheme_key[r["scheme"]]
        if r["status"] == "2":
            counts.add("suspended_total", r["person_id"])
            counts.add(f"suspended_{scheme}", r["person_id"])
            continue
        if r["person_id"] in flagged:
            continue  # a record with a fault is neither "符合要求" nor counted as actually enrolled yet
        # 附件2 注: "列 20 为列 6+重复参保中符合纳入参保统计要求的人数" — the records that meet the rules,
        # plus the duplicates still enrolled whose records meet them.
        counts.add("after_total", r["person_id"])
        counts.add(f"after_{scheme}", r["person_id"])
        if scheme == "employee" and r["person_type"] in RETIRED:
            counts.add("after_retired", r["person_id"])
        if scheme == "employee" and r["person_type"] == UNKNOWN_TYPE:
            counts.add("after_type_unknown", r["person_id"])
        if r["person_id"] not in duplicated:
            counts.add("valid_total", r["person_id"])
            counts.add(f"valid_{scheme}", r["person_id"])
    counted = [regions[region].row() for region in sorted(regions)]
    # The 合计 row adds up the regions' rows, as a summary table does (a person enrolled in two
    # regions is counted in each region, so twice here).
    total = {key: sum(row[key] for row in counted) for key, _ in COLUMNS}
    return [{"region": region, **row} for region, row in zip(sorted(regions), counted, strict=True)] + [
        {"region": "合计", **total}]


LIST_KINDS = {"within": ("within_resident", "within_employee", "within_same_pool"), "cross": ("cross_scheme",)}
LIST_HEADERS = ("参保地", "个人编号", "姓名", "身份证号码", "参保起止时间", "参保单位", "户籍地址", "联系电话", "备注")


def duplicate_list(conn: Any, which: str, as_of: date, known_at: datetime | None = None) -> list[tuple[Any, ...]]:
    """附件4 (within a scheme) or 附件5 (across schemes): one line per enrollment of each set open on
    `as_of`, as known at `known_at` (default: all recorded)."""
    return duplicate_list_as_of(conn, LIST_KINDS[which], as_of, known_at or ALL_RECORDED)


ROSTER_EXPORT = """
SELECT p.person_id, p.name, p.id_number, p.gender, p.birth_date, p.phone, p.legacy_id_number, s.person_type,
       s.status, s.insurance_type, s.region, s.valid_from,
       coalesce((SELECT array_agg(a.kind) FROM anomaly a
                 WHERE a.subject_id = p.person_id AND a.recorded_to IS NULL), '{}') AS anomalies
FROM enrollment_spell s JOIN person_view p USING (person_id)
WHERE s.unit_code = %(unit)s AND s.recorded_to IS NULL AND s.insurance_type = ANY(%(base)s)
  AND s.valid_from <= %(as_of)s AND (s.valid_to IS NULL OR s.valid_to > %(as_of)s)
ORDER BY p.id_number
"""
ROSTER_HEADERS = (
    "序号",
    "姓名",
    "证件号码",
    "性别",
    "出生日期",
    "人员类别",
    "参保状态",
    "险种类型",
    "参保地",
    "参保日期",
    "联系电话",
)
# "导出表格中必填关键信息为红色项" (seed 000): 姓名、身份证号码、人员身份、参保险种、联系电话 and the
# other fields a unit must get right; their headers are red in the export.
ROSTER_REQUIRED = frozenset(ROSTER_HEADERS.index(h) for h in (
    "姓名", "证件号码", "性别", "出生日期", "人员类别", "参保状态", "险种类型", "联系电话"))
# A mobile number (11 digits from 13-19), or a landline with its area code.
PHONE = re.compile(r"1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}")
# anomaly → the roster column it makes red, and what to tell the unit
ROSTER_FAULTS = {
    "id_number_several_names": (1, "同一证件号码在其他记录中姓名不同，请核对姓名"),
    "civil_servant_type_without_flag": (5, "人员类别为公务员但无公务员标志"),
    "retired_suspended": (6, "退休人员不应暂停参保"),
    "subsidy_without_civil_servant": (5, "非公务员参加了公务员医疗补助"),
}


def unit_known(conn: Any, unit_code: str) -> bool:
    """Whether the ledger knows the unit: registered, or named by any enrollment."""
    return conn.execute(
        "SELECT EXISTS (SELECT 1 FROM unit_view WHERE unit_code = %(u)s) "
        "OR EXISTS (SELECT 1 FROM enrollment_spell WHERE unit_code = %(u)s AND recorded_to IS NULL) AS known",
        {"u": unit_code.strip().upper()},
    ).fetchone()["known"]


def roster_export(conn: Any, unit_code: str, as_of: date) -> tuple[list[tuple], dict[tuple[int, int], str]]:
    """The 员工花名册 with the cells units must check marked (seed 000)."""
    rows, faults = [], {}
    for n, r in enumerate(
        conn.execute(ROSTER_EXPORT, {"unit": unit_code.strip().upper(), "as_of": as_of, "base": list(BASE_TYPES)})
    ):
        rows.append(
            (
                n + 1,
                r["name"],
                r["id_number"],
                label("gender", r["gender"]),
                r["birth_date"],
                f"{r['person_type']} {label('person_type', r['person_type'])}",
                label("enrollment_status", r["status"]),
                label("insurance_type", r["insurance_type"]),
                r["region"],
                r["valid_from"],
                r["phone"] or "",
            )
        )
        if not r["phone"]:
            faults[(n, 10)] = "联系电话缺失"
        elif not PHONE.fullmatch(r["phone"].replace(" ", "")):
            faults[(n, 10)] = f"联系电话格式有误（{r['phone']}）：手机号11位，固定电话须含区号"
        if not r["name"]:
            faults[(n, 1)] = "姓名缺失"
        if r["legacy_id_number"]:
            faults[(n, 2)] = f"原15位号码 {r['legacy_id_number']} 已升位，请核对"
        for kind in r["anomalies"]:
            if kind in ROSTER_FAULTS:
                column, why = ROSTER_FAULTS[kind]
                faults[(n, column)] = why
    return rows, faults
