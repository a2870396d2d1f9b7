"""A person's history as a picture: one row per recording time, a retroactive correction drawn as
superseding what the row above believed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

from domain import commands as cmd
from domain.id_numbers import person_id
from projections.history_chart import history_svg
from tests.support.builders import ctx, enroll_employee, register, register_unit, resident_id

ID = resident_id(seq="277")
SVG = "{http://www.w3.org/2000/svg}"


def test_a_retroactive_correction_is_drawn_superseding_what_was_believed_before(ledger):
    start = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    for n, command in enumerate((register_unit(), register(ID), enroll_employee(ID, effective=date(2012, 3, 1)))):
        ledger.execute(command, replace(ctx(), command_id=uuid4(), now=start + timedelta(minutes=n)))
    [enrollment] = ledger.person("01", ID).open_enrollments()
    ledger.execute(cmd.CorrectEnrollment(effective=date(2026, 11, 3), id_number=ID, enrollment_id=enrollment.id,
                                         changes={"end": "2018-01-01"}, reason="离职未报减员"),
                   replace(ctx(evidence=("离职证明",)), now=start + timedelta(days=1)))
    history = ledger.person_history("01", ID)

    picture = ET.fromstring(history_svg(person_id("01", ID), history, f"张三 {ID}", date(2026, 11, 30)))
    rows = [t.text for t in picture.iter(f"{SVG}text") if t.text and t.text.startswith("2026-11-0")]
    assert len(rows) == 3 and rows[-1].endswith("CorrectEnrollment")  # registered, enrolled, corrected
    rects = list(picture.iter(f"{SVG}rect"))
    superseded = [r for r in rects if (r.findtext(f"{SVG}title") or "").startswith("不再认定")]
    new = [r for r in rects if r.get("stroke-width") == "2" and r.get("height") == "14"]
    assert len(superseded) == 1, "the open-ended spell believed before the correction, dashed"
    assert len(new) == 1, "the corrected spell, first believed in the last row"
    assert superseded[0].get("x") == new[0].get("x"), "both begin in March 2012"
    assert float(superseded[0].get("width")) > float(new[0].get("width")), "the correction ended it in 2018"
