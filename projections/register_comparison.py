"""The ledger against the population register (seed 001): suspected fake enrollments, deaths
the ledger has not recorded, and the not-enrolled by 附件3's reasons — as of a valid date, as the
ledger was known at a system time, against one register version.

The comparison runs inside PostgreSQL (a join of the enrollment spells with the register) and is
kept as a read model of findings: nothing in the ledger changes until an office acts on them,
through the normal commands or service requests, with the comparison as evidence.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from domain.register import DEAD, REASON_OF_COVERAGE, REASON_OF_STATUS, REASONS
from projections.reports import BASE_TYPES

KINDS = {"not_in_register": "人口库中无此人（疑似虚假参保）", "mismatch": "姓名、性别或出生日期与人口库不符",
         "death_unrecorded": "人口库已死亡仍在参保", "not_enrolled": "未参保（附件3）"}

def reason_case() -> str:
    """附件3's reason as SQL, built from the domain's one rule (domain.register.reason_not_enrolled)."""
    coverage = " ".join(f"WHEN r.coverage = '{c}' THEN '{reason}'" for c, reason in REASON_OF_COVERAGE.items())
    status = " ".join(f"WHEN r.status = '{s}' THEN '{reason}'" for s, reason in REASON_OF_STATUS.items())
    return f"CASE {coverage} {status} ELSE 'other' END"


DISAGREE = """(r.name <> e.name OR (e.gender IN ('1', '2') AND r.gender <> e.gender)
               OR r.birth_date IS DISTINCT FROM e.birth_date)"""
DIED_BEFORE = f"(r.status = '{DEAD}' AND r.status_date < %(as_of)s)"
NOT_YET_OR_ALIVE = f"(r.birth_date <= %(as_of)s AND (r.status <> '{DEAD}' OR r.status_date > %(as_of)s))"

# One pass: who was enrolled on the valid date as the ledger knew it then (a row per person and
# region), fully joined with the register version; each joined row yields the findings it is.
COMPARE = f"""
WITH in_force AS (
    SELECT DISTINCT person_id, region FROM enrollment_spell
    WHERE insurance_type = ANY(%(base)s) AND status IN ('1', '2')
      AND valid_from <= %(as_of)s AND (valid_to IS NULL OR valid_to > %(as_of)s)
      AND recorded_from <= %(known_at)s AND (recorded_to IS NULL OR recorded_to > %(known_at)s)
), enrolled AS (
    SELECT s.person_id, s.region, p.id_number, p.name, p.gender, p.birth_date, p.household_region
    FROM in_force s JOIN person_view p USING (person_id) WHERE p.certificate_type = '01'
), register AS (
    SELECT * FROM reference_person WHERE version_id = %(version)s
), joined AS (
    SELECT e.person_id, e.region, e.id_number AS enrolled_id, e.name AS enrolled_name, e.household_region AS home,
           r.id_number AS listed_id, r.name, r.household_region, r.address, r.status, r.status_date,
           {reason_case()} AS reason,
           r.id_number IS NOT NULL AND e.id_number IS NOT NULL AND {DISAGREE} AS disagrees,
           concat_ws('；', CASE WHEN r.name <> e.name THEN '人口库姓名为' || r.name END,
                     CASE WHEN e.gender IN ('1', '2') AND r.gender <> e.gender THEN '人口库性别为' || r.gender END,
                     CASE WHEN r.birth_date IS DISTINCT FROM e.birth_date THEN '人口库出生日期为' || r.birth_date END
                     ) AS how
    FROM enrolled e FULL JOIN register r ON r.id_number = e.id_number
    WHERE r.id_number IS NULL OR (e.id_number IS NULL AND {NOT_YET_OR_ALIVE})
       OR (e.id_number IS NOT NULL AND ({DISAGREE} OR {DIED_BEFORE}))
)
INSERT INTO register_finding (comparison_id, kind, id_number, name, region, household_region, person_id, reason,
                              detail)
SELECT %(comparison)s, k.kind, coalesce(j.enrolled_id, j.listed_id), coalesce(j.enrolled_name, j.name),
       coalesce(j.region, j.household_region), coalesce(j.household_region, j.home), j.person_id, k.reason, k.detail
FROM joined j CROSS JOIN LATERAL (VALUES
    ('not_in_register', NULL, '人口库中无此公民身份号码', j.listed_id IS NULL),
    ('mismatch', NULL, j.how, j.disagrees),
    ('death_unrecorded', NULL, '人口库记载' || j.status_date || '死亡，' || %(as_of)s::date || '仍在参保',
     j.enrolled_id IS NOT NULL AND j.status = '{DEAD}' AND j.status_date < %(as_of)s),
    ('not_enrolled', j.reason, coalesce(j.address, ''), j.enrolled_id IS NULL)  -- counted ones only, above
) AS k(kind, reason, detail, hit)
WHERE k.hit
"""


@dataclass(frozen=True)
class Comparison:
    comparison_id: UUID
    version: str
    as_of: date
    known_at: datetime
    counts: dict[str, int]


def version_at(conn: Any, known_at: datetime, name: str | None = None) -> tuple[int, str]:
    """The register version named, or else the latest one loaded by `known_at` (its system time)."""
    if name is not None:
        row = conn.execute("SELECT version_id, name, loaded_at FROM reference_version WHERE name = %s",
                           (name,)).fetchone()
        if row is None:
            raise LookupError(f"no register version {name!r}")
        if row["loaded_at"] > known_at:
            raise LookupError(f"register version {name!r} was loaded at {row['loaded_at']}, after {known_at}")
    else:
        row = conn.execute("SELECT version_id, name FROM reference_version WHERE loaded_at <= %s "
                           "ORDER BY loaded_at DESC, version_id DESC LIMIT 1", (known_at,)).fetchone()
        if row is None:
            raise LookupError(f"no register version had been loaded by {known_at}")
    return row["version_id"], row["name"]


def compare(conn: Any, as_of: date, known_at: datetime, now: datetime, version: str | None = None) -> Comparison:
    """Compare and keep the findings; the comparison's id and how many of each kind it found."""
    with conn.transaction():
        version_id, name = version_at(conn, known_at, version)
        comparison = uuid4()
        conn.execute("INSERT INTO register_comparison VALUES (%s, %s, %s, %s, %s)",
                     (comparison, version_id, as_of, known_at, now))
        args = {"base": list(BASE_TYPES), "as_of": as_of, "known_at": known_at, "version": version_id,
                "comparison": comparison}
        # The joins are hashed in memory rather than spilled to disk in batches (the default work_mem is 4 MB).
        conn.execute("SET LOCAL work_mem = '256MB'")
        conn.execute(COMPARE, args)
        counts = {r["kind"]: r["n"] for r in conn.execute(
            "SELECT kind, count(*) AS n FROM register_finding WHERE comparison_id = %s GROUP BY kind", (comparison,))}
    return Comparison(comparison, name, as_of, known_at, {kind: counts.get(kind, 0) for kind in KINDS})


def findings(conn: Any, comparison: UUID, kind: str | None, region_prefix: str, after: tuple[str, str, str] | None,
             first: int) -> list[dict[str, Any]]:
    """A keyset page of findings (by kind, region, ID number), `first` + 1 rows."""
    keyset = "AND (kind, region, id_number) > (%s, %s, %s)" if after else ""
    return conn.execute(
        f"SELECT * FROM register_finding WHERE comparison_id = %s AND (%s::text IS NULL OR kind = %s) "
        f"AND region LIKE %s {keyset} ORDER BY kind, region, id_number LIMIT %s",
        (comparison, kind, kind, region_prefix + "%", *(after or ()), first + 1)).fetchall()


def non_enrolled_table(conn: Any, comparison: UUID) -> list[dict[str, Any]]:
    """附件3 per household region: 合计 and each reason's count (合计 = the sum of the reasons)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row in conn.execute("SELECT household_region, reason, count(*) AS n FROM register_finding "
                            "WHERE comparison_id = %s AND kind = 'not_enrolled' GROUP BY 1, 2", (comparison,)):
        counts[row["household_region"]][row["reason"]] += row["n"]
    return [{"region": region, "total": sum(c.values()), **{reason: c[reason] for reason in REASONS}}
            for region, c in sorted(counts.items())]


def latest_comparison(conn: Any, as_of: date | None = None) -> UUID | None:
    row = conn.execute("SELECT comparison_id FROM register_comparison WHERE (%s::date IS NULL OR as_of = %s) "
                       "ORDER BY made_at DESC LIMIT 1", (as_of, as_of)).fetchone()
    return row["comparison_id"] if row else None
