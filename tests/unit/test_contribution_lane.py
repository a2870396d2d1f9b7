"""The contribution file's fast lane changes nothing but the speed.

For generated rows of a monthly file — valid, broken in a cell, repeated months, months the
person was not enrolled in — a batch decided with the lane writes exactly the events, hashes,
command log and refusals of the same batch decided by the reference path alone
(`to_command`, `decide_contribution`, the store's `chain_rows`).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.event import Actor
from eventlog.chain import GENESIS
from importer.batch import Tip
from importer.contribution_file import COLUMNS, ContributionBatch, ContributionFile, row_of
from tests.support.builders import EMPLOYER, enroll_employee, register, resident_id
from tests.support.given import Story

NOW = datetime(2026, 11, 30, 16, 5, tzinfo=timezone.utc)  # 2026-12-01 00:05 in Beijing: December has begun
ID = resident_id()
FILE = ContributionFile(Path("2013-01.csv"))
BASE = {"certificate_type": "01", "id_number": ID, "name": "张三", "insurance_type": "310", "region": "350102",
        "unit_code": EMPLOYER, "contribution_month": "201301", "base": "6000.00", "unit_amount": "480.00",
        "personal_amount": "120.00", "paid_on": ""}
CELLS = {
    "certificate_type": ["01", "", "02"],
    "id_number": [ID, ID.lower(), ID[:6] + ID[8:17], resident_id(seq="125")],
    "name": ["张三", "阿依·古丽", "王\x01五", "𠀀" * 40],
    "insurance_type": ["310", "310", "390", "999", ""],
    "region": ["350102", "350102", "350103", "990101", "35010"],
    "unit_code": [EMPLOYER, EMPLOYER.lower(), "", "X" * 31, "单位\u200b"],
    "contribution_month": ["201301", "201302", "201203", "201202", "202612", "202701", "2013-01", "201313", ""],
    "base": ["6000.00", "6000", "0", "1,000.00", "-1", "6000.001", "06000", "12345678901.00", "abc"],
    "unit_amount": ["480.00", "0.5", ""],
    "personal_amount": ["120.00", "120.10"],
    "paid_on": ["", "20130110", "2013011", "20130231", "2013-01-10"],
}
rows = st.lists(st.fixed_dictionaries({}, optional={f: st.sampled_from(v) for f, v in CELLS.items()})
                .map(lambda changes: {**BASE, **changes}), min_size=1, max_size=8)


def employed_tips() -> dict:
    """The person enrolled with an employer since March 2012, as loaded at the start of a batch."""
    story = Story()
    story.then(register(ID))
    story.then(enroll_employee(ID, effective=date(2012, 3, 15)))
    [stream] = {row_of(2, BASE, FILE).stream}
    return {stream: Tip(len(story.events), GENESIS, story.person)}


def decided(records: list[dict[str, str]], fast_lane: bool) -> ContributionBatch:
    batch = [row_of(n, r, FILE) for n, r in enumerate(records, start=2)]
    decision = ContributionBatch(Actor(kind="import_job", id="import:2013-01.csv"), NOW, len(batch), "tax",
                                 "税务部门月度缴费文件：2013-01.csv", set(), fast_lane=fast_lane)
    decision.decide_rows(batch, employed_tips())
    return decision


in_lane: list[int] = []


@settings(max_examples=300, deadline=None)
@given(rows)
def test_a_batch_decided_with_the_lane_writes_what_the_reference_path_writes(records):
    fast, reference = decided(records, fast_lane=True), decided(records, fast_lane=False)
    assert fast.stored == reference.stored
    assert fast.log == reference.log
    assert fast.summary == reference.summary
    in_lane.append(fast.rows_in_lane)


def test_the_generated_rows_are_taken_by_the_lane_and_left_to_the_reference_alike():
    """The property above proves little unless the lane both takes rows and declines them."""
    in_lane.clear()
    test_a_batch_decided_with_the_lane_writes_what_the_reference_path_writes()
    assert sum(in_lane) > 50 and in_lane.count(0) > 20


def test_the_common_row_is_the_lanes():
    assert decided([BASE, {**BASE, "contribution_month": "201302"}], fast_lane=True).rows_in_lane == 2


def test_a_files_rows_carry_the_command_ids_and_persons_that_row_of_gives(tmp_path: Path):
    path = tmp_path / "2013-01.csv"
    months = [{**BASE, "contribution_month": f"2013{m:02d}"} for m in range(1, 4)]
    lines = [",".join(c.header for c in COLUMNS)] + [",".join(r[c.field] for c in COLUMNS) for r in months] \
        + [",,,", "x,,"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    file = ContributionFile(path)
    rows = list(file.rows())
    assert [r.number for r in rows] == [2, 3, 4, 6]  # the blank row is no row
    assert rows == [row_of(number, record, file) for number, record in file.records()]
