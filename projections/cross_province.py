"""The cross-province feedback matched to the persons enrolled here: both sides of each duplicate
with 附件5's columns (参保地, 个人编号, 姓名, 身份证号码, 参保起止时间, 参保单位, 户籍地址, 联系电话,
备注), for the confirming office to contact the person and hand the cleaning on (item CB-001-0303)."""

from __future__ import annotations

from typing import Any

from domain.codes import label
from domain.schemes import scheme_of

MATCHED = """
SELECT f.row_number, f.other_region, f.other_insurance_type, f.other_start, f.other_unit, p.name, p.id_number,
       p.address, p.phone, p.local_person_number, e.region, e.insurance_type, e.since, e.unit_code,
       e.local_person_number AS enrollment_number
FROM cross_province_feedback f
JOIN person_view p ON p.id_number = f.id_number AND p.certificate_type = '01'
JOIN current_enrollment e ON e.person_id = p.person_id AND e.status IN ('1', '2')
WHERE f.batch = %s
ORDER BY p.id_number, e.region
"""


def feedback_lines(conn: Any, batch: str) -> tuple[list[tuple[Any, ...]], int]:
    """附件5 lines (one per local enrollment of a person the feedback names), and how many rows of the
    feedback matched nobody enrolled here."""
    lines = []
    matched_rows = set()
    for r in conn.execute(MATCHED, (batch,)):
        matched_rows.add(r["row_number"])
        same = scheme_of(r["insurance_type"]) == scheme_of(r["other_insurance_type"])
        note = (f"跨省{'制度内' if same else '跨制度'}重复参保：{r['other_region']} "
                f"{label('insurance_type', r['other_insurance_type'])} 自 {r['other_start']:%Y%m}"
                + (f"（{r['other_unit']}）" if r["other_unit"] else ""))
        lines.append((r["region"], r["enrollment_number"] or r["local_person_number"] or "", r["name"],
                      r["id_number"], f"{r['since']:%Y%m}-", r["unit_code"], r["address"] or "", r["phone"] or "",
                      note))
    total = conn.execute("SELECT count(*) AS n FROM cross_province_feedback WHERE batch = %s", (batch,)).fetchone()
    return lines, (total["n"] if total else 0) - len(matched_rows)
