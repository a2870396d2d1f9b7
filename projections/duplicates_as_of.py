"""Duplicate sets on any valid date, as known at any system time (seed 001's cut-off, "before"
and "after" the cleaning): two base enrollments of one person both in force on `as_of` in
the bitemporal enrollment history as it stood at `known_at`. Sets that began after the
date are not listed; sets open on it that ended later are.
"""

from __future__ import annotations

from datetime import date, datetime
from itertools import groupby
from typing import Any
from uuid import UUID

from projections.duplicates import COLUMNS, Side, set_row
from projections.queries import page

PAIRS = """
WITH live AS (
    SELECT person_id, enrollment_id, insurance_type, region, pooling_region FROM enrollment_spell
    WHERE status = '1' AND scheme IS NOT NULL
      AND valid_from <= %(as_of)s AND (valid_to IS NULL OR valid_to > %(as_of)s)
      AND recorded_from <= %(known_at)s AND (recorded_to IS NULL OR recorded_to > %(known_at)s))
SELECT a.person_id, p.id_number, p.name, p.household_region,
       a.enrollment_id AS a_id, a.insurance_type AS a_type, a.region AS a_region, a.pooling_region AS a_pool,
       b.enrollment_id AS b_id, b.insurance_type AS b_type, b.region AS b_region, b.pooling_region AS b_pool
FROM live a JOIN live b ON b.person_id = a.person_id AND b.enrollment_id > a.enrollment_id
JOIN person_view p ON p.person_id = a.person_id
WHERE (a.region LIKE %(prefix)s OR b.region LIKE %(prefix)s)
  AND (%(after1)s::uuid IS NULL OR (a.enrollment_id, b.enrollment_id) > (%(after1)s::uuid, %(after2)s::uuid))
ORDER BY a.enrollment_id, b.enrollment_id
LIMIT %(limit)s
"""

SPELLS = """
SELECT enrollment_id, valid_from, valid_to, status FROM enrollment_spell
WHERE person_id = ANY(%(persons)s) AND enrollment_id = ANY(%(ids)s) AND valid_from <= %(as_of)s
  AND recorded_from <= %(known_at)s AND (recorded_to IS NULL OR recorded_to > %(known_at)s)
ORDER BY enrollment_id, valid_from
"""
BATCH = 500


def runs(conn: Any, pairs: list[dict[str, Any]], as_of: date, known_at: datetime) -> dict[UUID, tuple[date, date]]:
    """enrollment id → (its first day, the first day of its unbroken run in force up to `as_of`)."""
    ids = sorted({r[side] for r in pairs for side in ("a_id", "b_id")}, key=str)
    persons = sorted({r["person_id"] for r in pairs}, key=str)
    found: dict[UUID, tuple[date, date]] = {}
    rows = conn.execute(SPELLS, {"persons": persons, "ids": ids, "as_of": as_of, "known_at": known_at})
    for enrollment_id, group in groupby(rows, key=lambda r: r["enrollment_id"]):
        spells = list(group)
        since = spells[-1]["valid_from"]
        for earlier, later in zip(reversed(spells[:-1]), reversed(spells[1:]), strict=True):
            if earlier["status"] != "1" or earlier["valid_to"] != later["valid_from"]:
                break
            since = earlier["valid_from"]
        found[enrollment_id] = (spells[0]["valid_from"], since)
    return found


def as_row(pair: dict[str, Any], started: dict[UUID, tuple[date, date]]) -> dict[str, Any]:
    sides = [Side(pair[f"{s}_id"], pair[f"{s}_type"], pair[f"{s}_region"], pair[f"{s}_pool"],
                  *started[pair[f"{s}_id"]]) for s in ("a", "b")]
    values = set_row(pair["person_id"], pair["id_number"], pair["name"], pair["household_region"], *sides)
    return dict(zip(COLUMNS, values, strict=True))


def duplicate_sets_as_of(conn: Any, kind: str | None, region_prefix: str, after: tuple[str, str] | None,
                         first: int, as_of: date, known_at: datetime) -> list[dict[str, Any]]:
    """A page (plus one row) of the sets open on `as_of` as known at `known_at`, keyset-ordered."""
    wanted: list[dict[str, Any]] = []
    position = after
    while len(wanted) <= first:
        pairs = page(conn, PAIRS, {"as_of": as_of, "known_at": known_at, "prefix": region_prefix + "%",
                                   "after1": position[0] if position else None,
                                   "after2": position[1] if position else None, "limit": BATCH})
        if not pairs:
            break
        started = runs(conn, pairs, as_of, known_at)
        rows = [as_row(pair, started) for pair in pairs]
        wanted += [r for r in rows if kind is None or r["kind"] == kind]
        position = (str(pairs[-1]["a_id"]), str(pairs[-1]["b_id"]))
        if len(pairs) < BATCH:
            break
    return wanted[: first + 1]
