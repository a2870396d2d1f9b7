"""The questions portals and analysts ask of the read models, as plain SQL behind functions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

COHORT = """
SELECT region, scheme, count(DISTINCT person_id) AS persons
FROM enrollment_spell
WHERE scheme IS NOT NULL
  AND valid_from <= %(as_of)s AND (valid_to IS NULL OR valid_to > %(as_of)s)
  AND recorded_from <= %(known_at)s AND (recorded_to IS NULL OR recorded_to > %(known_at)s)
GROUP BY region, scheme
"""


def cohort_counts(conn: Any, as_of: date, known_at: datetime) -> dict[tuple[str, str], int]:
    """Persons enrolled per (region, scheme) on `as_of`, as the ledger knew it at `known_at`."""
    rows = conn.execute(COHORT, {"as_of": as_of, "known_at": known_at}).fetchall()
    return {(r["region"], r["scheme"]): r["persons"] for r in rows}
