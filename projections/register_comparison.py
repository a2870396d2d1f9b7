"""The ledger against the population register (seed 001): suspected fake enrollments, deaths
the ledger has not recorded, and the not-enrolled by 附件3's reasons — as of a valid date, as the
ledger was known at a system time, against one register version.

The comparison runs inside PostgreSQL (a join of who was enrolled, enrolled_identity, with the
register) and is kept as a read model of findings: nothing in the ledger changes until an office
acts on them, through the normal commands or service requests, with the comparison as evidence.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg
from psycopg import sql

from domain.register import DEAD, REASON_OF_COVERAGE, REASON_OF_STATUS, REASONS
from eventlog import scans
from projections.local_settings import settings_for
from projections.queries import page

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

# Who was enrolled on the valid date as the ledger knew it then, under the identity it knew then
# (enrolled_identity: a row a person and region), fully joined with the register version; each
# joined row that is a finding of some kind becomes that finding, worded only for its kind. One
# statement that creates the comparison's own table of findings, so that its query may run over the
# cores (an INSERT's cannot): the join is most of a comparison's work. The address of one not
# enrolled is not carried through the join (the widest column of the register, 7% of the
# statement's time at 725,000 persons): a page reads it from the register version (DETAILED).
FINDINGS = f"""
CREATE TABLE {{table}} AS
WITH enrolled AS (
    SELECT person_id, region, id_number, name, gender, birth_date, household_region FROM enrolled_identity
    WHERE valid_from <= %(as_of)s AND (valid_to IS NULL OR valid_to > %(as_of)s)
      AND recorded_from <= %(known_at)s AND (recorded_to IS NULL OR recorded_to > %(known_at)s)
), register AS (
    SELECT * FROM reference_person WHERE version_id = %(version)s
), compared AS (
    SELECT e.person_id, e.region, e.id_number AS enrolled_id, e.name AS enrolled_name, e.gender AS enrolled_gender,
           e.birth_date AS enrolled_birth, e.household_region AS home,
           r.id_number AS listed_id, r.name, r.gender, r.birth_date, r.household_region, r.status,
           r.status_date, {reason_case()} AS reason,
           r.id_number IS NOT NULL AND e.id_number IS NOT NULL AND {DISAGREE} AS disagrees
    FROM enrolled e FULL JOIN register r ON r.id_number = e.id_number
    WHERE r.id_number IS NULL OR (e.id_number IS NULL AND {NOT_YET_OR_ALIVE})
       OR (e.id_number IS NOT NULL AND ({DISAGREE} OR {DIED_BEFORE}))
)
SELECT %(comparison)s::uuid AS comparison_id, f.kind COLLATE "C" AS kind, f.id_number COLLATE "C" AS id_number,
       f.name, f.region COLLATE "C" AS region, f.household_region, f.person_id, f.reason, f.detail
FROM compared c CROSS JOIN LATERAL (
    SELECT 'not_in_register', c.enrolled_id, c.enrolled_name, c.region, c.home, c.person_id, NULL::text,
           '人口库中无此公民身份号码'
    WHERE c.listed_id IS NULL
    UNION ALL
    SELECT 'mismatch', c.enrolled_id, c.enrolled_name, c.region, c.household_region, c.person_id, NULL,
           concat_ws('；', CASE WHEN c.name <> c.enrolled_name THEN '人口库姓名为' || c.name END,
                     CASE WHEN c.enrolled_gender IN ('1', '2') AND c.gender <> c.enrolled_gender
                          THEN '人口库性别为' || c.gender END,
                     CASE WHEN c.birth_date IS DISTINCT FROM c.enrolled_birth
                          THEN '人口库出生日期为' || c.birth_date END)
    WHERE c.disagrees
    UNION ALL
    SELECT 'death_unrecorded', c.enrolled_id, c.enrolled_name, c.region, c.household_region, c.person_id, NULL,
           '人口库记载' || c.status_date || '死亡，' || %(as_of)s::date || '仍在参保'
    WHERE c.enrolled_id IS NOT NULL AND c.status = '{DEAD}' AND c.status_date < %(as_of)s
    UNION ALL
    SELECT 'not_enrolled', c.listed_id, c.name, c.household_region, c.household_region, NULL, c.reason, ''
    WHERE c.enrolled_id IS NULL
) AS f (kind, id_number, name, region, household_region, person_id, reason, detail)
"""

# A person has one row of enrolled_identity a region on any date; but two persons may have been
# believed to hold one ID number (before a correction or a merge), and then give the same finding:
# kept once — the first to be found, when the key's unique index finds two. (A finding of the
# not-enrolled names no person and comes from one row of the register.)
ONCE_EACH = """
DELETE FROM {table} f USING (
    SELECT kind, region, id_number, min(ctid) AS kept FROM {table} WHERE person_id IS NOT NULL
    GROUP BY 1, 2, 3 HAVING count(*) > 1
) twice
WHERE f.kind = twice.kind AND f.region = twice.region AND f.id_number = twice.id_number AND f.ctid <> twice.kept
"""

# Where a finding sorts: by kind, region and ID number, as one text of the three — in that order,
# since a space sorts before every character any of them has. The index of the comparison's key is
# built on it: a sort of one text column compares abbreviated keys, of three columns the columns
# (81,000 findings: 0.04 s against 0.09 s).
def place_of(table: str = "") -> str:
    """A finding's place as SQL, of the columns of `table` (an alias) if given."""
    of = f"{table}." if table else ""
    return f"""(({of}kind || ' ' || {of}region || ' ' || {of}id_number) COLLATE "C")"""


PLACE = place_of()  # as migration 0024 indexes it
PLACE_OF_F = place_of("f")  # of a finding read as f

# The finished table becomes the comparison's partition: the columns the parent requires and the
# bound it will have, checked in one pass (so that attaching need not scan again); its key's index
# built in one pass over the finished rows; then attached.
CONSTRAINED = """ALTER TABLE {table} ALTER COLUMN comparison_id SET NOT NULL, ALTER COLUMN kind SET NOT NULL,
       ALTER COLUMN id_number SET NOT NULL, ALTER COLUMN name SET NOT NULL, ALTER COLUMN region SET NOT NULL,
       ALTER COLUMN detail SET NOT NULL, ADD CONSTRAINT {bound} CHECK (comparison_id = {comparison})"""
KEYED = "CREATE UNIQUE INDEX {key} ON {table} (" + PLACE + ")"
ATTACHED = "ALTER TABLE register_finding ATTACH PARTITION {table} FOR VALUES IN ({comparison})"


# A finding as it is read: the detail of one not enrolled is the address the comparison's register
# version lists (comparisons made before stored it in the finding: the same text, since a version is
# never changed). The register's key is in the database's collation, the finding's in "C": the ID
# number is compared in the key's, so that each is looked up by the key's index (in "C", the planner
# hashed the whole register for a page).
DETAILED = """f.comparison_id, f.kind, f.id_number, f.name, f.region, f.household_region, f.person_id, f.reason,
       CASE WHEN f.kind = 'not_enrolled' THEN coalesce(r.address, '') ELSE f.detail END AS detail"""
WITH_ADDRESS = """LEFT JOIN reference_person r ON f.kind = 'not_enrolled'
    AND r.id_number = f.id_number COLLATE "default"
    AND r.version_id = (SELECT version_id FROM register_comparison WHERE comparison_id = %s)"""


def place(kind: str, region: str, id_number: str) -> str:
    """Where a finding sorts among its comparison's (see PLACE)."""
    return f"{kind} {region} {id_number}"


def findings_table(comparison: UUID) -> str:
    """The name of the comparison's partition of register_finding (migration 0022 names them so)."""
    return f"register_finding_{comparison.hex}"


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


def compare(conn: Any, as_of: date, known_at: datetime | None, now: datetime, version: str | None = None) -> Comparison:
    """Compare and keep the findings; the comparison's id and how many of each kind it found. Without
    `known_at`, the ledger as known at its last recording (or `now`, if later): a comparison keeps
    the instant it was known at, so that it can be made again."""
    with conn.transaction():
        known_at = known_at or max(now, scans.last_recorded(conn) or now)
        version_id, name = version_at(conn, known_at, version)
        comparison = uuid4()
        conn.execute("INSERT INTO register_comparison VALUES (%s, %s, %s, %s, %s)",
                     (comparison, version_id, as_of, known_at, now))
        args = {"as_of": as_of, "known_at": known_at, "version": version_id,
                "comparison": comparison}
        # The planner takes every joined row for a finding (about one in ten is) and so prices gathering
        # them from parallel workers too dear: told that passing a row costs nothing, it splits the
        # scans and the join over the cores (1.3 s → 0.6 s at 725,000 persons). The register is hashed
        # in batches of a few megabytes, not in one (85 MB at 725,000): a batch's buckets stay in the
        # processor's cache while the spells probe them (0.64–0.68 s → 0.51–0.53 s; 1 MB batches 0.62 s,
        # 16 MB 0.68 s). 4 MB is PostgreSQL's default work_mem; the multiplier's default is 2.
        own = findings_table(comparison)
        table = sql.Identifier(own)
        with settings_for(conn, work_mem="4MB", hash_mem_multiplier="1", parallel_tuple_cost="0"):
            conn.execute(sql.SQL(FINDINGS).format(table=table), args)
        names = {"table": table, "key": sql.Identifier(f"{own}_key"), "bound": sql.Identifier(f"{own}_bound"),
                 "comparison": sql.Literal(comparison)}
        conn.execute(sql.SQL(CONSTRAINED).format(**names))
        try:
            with conn.transaction():
                conn.execute(sql.SQL(KEYED).format(**names))
        except psycopg.errors.UniqueViolation:
            conn.execute(sql.SQL(ONCE_EACH).format(**names))
            conn.execute(sql.SQL(KEYED).format(**names))
        conn.execute(sql.SQL(ATTACHED).format(**names))
        # A page of a partition the planner has no statistics of is read by sorting every finding of
        # its kind (18-120 ms at 725,000 persons, against 0.2 ms from the key's index in order): a
        # sample of 300 rows tells it enough, in 2 ms (the default's 30,000 take 13 ms or more).
        with settings_for(conn, default_statistics_target="1"):
            conn.execute(sql.SQL("ANALYZE {table}").format(**names))
        counts = {r["kind"]: r["n"] for r in conn.execute(
            sql.SQL("SELECT kind, count(*) AS n FROM {table} GROUP BY kind").format(table=table))}
    return Comparison(comparison, name, as_of, known_at, {kind: counts.get(kind, 0) for kind in KINDS})


def findings(conn: Any, comparison: UUID, kind: str | None, region_prefix: str, after: tuple[str, str, str] | None,
             first: int) -> list[dict[str, Any]]:
    """A keyset page of findings (by kind, region, ID number), `first` + 1 rows: read from the key's
    index between the places a kind's findings in the region can have, after the last one seen."""
    low, high = (f"{kind} {region_prefix}", f"{kind} {region_prefix}~") if kind else ("", "~")  # '~' after all
    if after:
        low = max(low, place(*after))
    return page(
        conn, f"SELECT {DETAILED} FROM register_finding f {WITH_ADDRESS} WHERE f.comparison_id = %s "
        f"AND {PLACE_OF_F} > %s AND {PLACE_OF_F} < %s AND (%s::text IS NULL OR f.kind = %s) "
        f"AND f.region LIKE %s ORDER BY {PLACE_OF_F} LIMIT %s",
        (comparison, comparison, low, high, kind, kind, region_prefix + "%", first + 1))


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
