"""附件4 / 附件5 as of a valid date and as known at a system time: one line per enrollment of each
duplicate set open on that date, with the enrollment as the record stood then."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from projections.duplicates import KINDS, action
from projections.duplicates_as_of import duplicate_sets_as_of

ENROLLMENTS = """
SELECT s.enrollment_id, s.person_id, s.region, s.unit_code,
       min(s.valid_from) OVER w AS since,
       CASE WHEN bool_or(s.valid_to IS NULL) OVER w THEN NULL ELSE max(s.valid_to) OVER w END AS ended,
       s.valid_from <= %(as_of)s AND (s.valid_to IS NULL OR s.valid_to > %(as_of)s) AS on_the_day
FROM enrollment_spell s
WHERE s.enrollment_id = ANY(%(ids)s)
  AND s.recorded_from <= %(known_at)s AND (s.recorded_to IS NULL OR s.recorded_to > %(known_at)s)
WINDOW w AS (PARTITION BY s.enrollment_id)
"""
PEOPLE = """
SELECT p.person_id, p.name, p.id_number, p.phone, p.address, p.local_person_number, e.enrollment_id,
       e.local_person_number AS enrollment_number
FROM person_view p LEFT JOIN current_enrollment e ON e.person_id = p.person_id AND e.enrollment_id = ANY(%(ids)s)
WHERE p.person_id = ANY(%(persons)s)
"""
EVERY = 1_000_000  # the whole list: a report, not a page


def duplicate_list_as_of(conn: Any, kinds: tuple[str, ...], as_of: date, known_at: datetime) -> list[tuple[Any, ...]]:
    sets = [s for s in duplicate_sets_as_of(conn, None, "", None, EVERY, as_of, known_at) if s["kind"] in kinds]
    ids = [s[side] for s in sets for side in ("first_enrollment_id", "second_enrollment_id")]
    enrollments = {r["enrollment_id"]: r for r in conn.execute(ENROLLMENTS, {
        "ids": ids, "as_of": as_of, "known_at": known_at}) if r["on_the_day"]}
    people, numbers = {}, {}
    for r in conn.execute(PEOPLE, {"ids": ids, "persons": list({s["person_id"] for s in sets})}):
        people[r["person_id"]] = r
        if r["enrollment_id"]:
            numbers[r["enrollment_id"]] = r["enrollment_number"]
    lines = []
    for s in sets:
        note = f"{KINDS[s['kind']]}；{action(s['kind'], s['overlap_from'], as_of)}"
        person = people[s["person_id"]]
        for side in ("first_enrollment_id", "second_enrollment_id"):
            e = enrollments[s[side]]
            # The end shown is the last month enrolled, as 缴费截止年月 reads (the record ends the day after).
            period = f"{e['since']:%Y%m}-" + (f"{e['ended'] - timedelta(days=1):%Y%m}" if e["ended"] else "")
            lines.append((e["region"], numbers.get(s[side]) or person["local_person_number"] or "", person["name"],
                          person["id_number"], period, e["unit_code"], person["address"] or "",
                          person["phone"] or "", note))
    return sorted(lines, key=lambda line: (line[3], line[0], line[4]))
