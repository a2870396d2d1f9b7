"""The import's fast lane writes exactly what the reference path writes, or declines.

The reference path is the one every other command takes: the reader's `to_command`, the
pure `decide_import`, and the store's `chain_rows`. For generated rows — valid, broken in
one field, or several rows of one person — the lane must either decline (and the
reference refuse) or produce the reference's event bytes, hashes and versions.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from domain import commands as cmd
from domain import events as ev
from domain.errors import DomainError
from domain.id_numbers import person_id
from domain.person.evolve import fold
from domain.person.legacy import decide_import
from domain.person.state import Person
from eventlog import copy_binary
from eventlog.chain import chain_rows
from eventlog.codec import MetaTemplate
from eventlog.compact import day_number, pack
from importer.lane import FastLane, LaneTip
from importer.legacy_file import COLUMNS, RawRow, command_or_refusal, record_of
from importer.summary import IMPORT_NAMESPACE, row_command_id
from tests.support.builders import resident_id

NOW = datetime(2026, 11, 23, 8, 30, 15, 123456, tzinfo=timezone.utc)
ACTOR = ev.Actor(kind="import_job", id="import:extract.csv")
SOURCE = "extract.csv"
FIELDS = [c.field for c in COLUMNS]
META = MetaTemplate(cmd.Context(command_id=IMPORT_NAMESPACE, actor=ACTOR, channel="import", evidence=(SOURCE,),
                            now=NOW).meta("ImportLegacyEnrollment"))
BASE = {
    "region": "350102", "region_name": "鼓楼区", "pooling_region": "350100", "local_person_number": "P1",
    "name": "陈红",
    "gender": "2", "certificate_type": "01", "id_number": resident_id(seq="124"), "birth_date": "19850601",
    "ethnicity": "01", "nationality": "CHN", "survival_status": "1", "contribution_status": "1",
    "enrollment_status": "1", "insured_identity": "2", "insurance_type": "390", "start_month": "201501",
    "end_month": "201912", "unit_code": "c350102001", "unit_name": "某社区", "reason": "11", "person_type": "1501",
    "phone": "13800000000", "household_region": "350102",
}
FEMALE, MALE = resident_id(seq="124"), resident_id(seq="123")
# Values each field may take that the rules accept (alone; some combinations are refused)…
VALID = {
    "region": ["350102", "350102", "350199"],  # 350199: a code the ledger has no name for
    "pooling_region": ["350100", "350000"],
    "reason": ["11", "6301", "6401"],
    "name": ["陈红", "阿依•古丽", "王\u2028\"五\\", " 李四 "],
    "gender": ["2", "0", "9"],
    "id_number": [FEMALE, FEMALE.lower(), "350102850601124", MALE],
    "ethnicity": ["01", "02"],
    "nationality": ["CHN", "chn", "未知", "UNK"],
    "survival_status": ["1", "2", ""],
    "contribution_status": ["1", "2", "3"],
    "enrollment_status": ["1", "1", "2", "4", "3"],
    "insured_identity": ["2", "1", "3"],
    "insurance_type": ["390", "390", "310", "391", "320"],
    "start_month": ["201501", "201001", "201801"],
    "end_month": ["", "201912", "201501", "201601", "202006"],
    "person_type": ["1501", "1101", ""],
    "phone": ["", "13800000000"],
    "household_region": ["", "350102"],
    "unit_name": ["某社区", "某公司"],
}
# …and values they refuse.
BROKEN = {
    "region": ["990101", "35010"], "pooling_region": ["99010x", ""], "local_person_number": [""],
    "name": ["·阿依", "张3", ""], "gender": ["x", "1"], "certificate_type": ["02", "99", ""],
    "id_number": [FEMALE[:-1] + "0", "35010285060112", "X" * 18, "990102198506011240", "350102208506011240"],
    "birth_date": ["19850602", "19850631", "1985061", "１９８５０６０１"], "ethnicity": ["77", ""],
    "nationality": ["", "CH1", "ZZZ"], "survival_status": ["5"], "contribution_status": ["7"],
    "region_name": ["", "思明区"], "reason": ["", "9999"],
    "enrollment_status": ["0", "8"], "insured_identity": [""], "insurance_type": ["999"],
    "start_month": ["201913", "189912", "2015-1"], "end_month": ["202013", "201412"], "unit_code": [""],
    "person_type": ["9999"],
}
# A few rows, mostly of one or two persons: each changes some fields of BASE validly, and
# now and then breaks one.
rows_of_few_persons = st.lists(
    st.tuples(
        st.fixed_dictionaries({}, optional={f: st.sampled_from(v) for f, v in VALID.items()}),
        st.one_of(st.just({}), st.just({}), st.sampled_from(sorted(BROKEN)).flatmap(
            lambda f: st.sampled_from(BROKEN[f]).map(lambda v: {f: v}))),
    ).map(lambda changes: {**BASE, **changes[0], **changes[1]}),
    min_size=1, max_size=5)


def reference(rows: list[RawRow], status_3_means: str | None) -> list[list[bytes] | None]:
    """What the reference path writes for each row (binary COPY rows), or None if it refuses."""
    streams: dict = {}
    written: list[list[bytes] | None] = []
    for row in rows:
        item = command_or_refusal(record_of(FIELDS, row.values), SOURCE, row.number, status_3_means)
        if not isinstance(item, cmd.ImportLegacyEnrollment):
            written.append(None)
            continue
        context = cmd.Context(command_id=row_command_id(SOURCE, row.number), actor=ACTOR, channel="import",
                              evidence=(SOURCE,), now=NOW)
        stream = person_id(item.certificate_type, item.id_number)
        person, version, last = streams.get(stream, (Person(), 0, "0" * 64))
        try:
            events = decide_import(item, person, context)
        except DomainError:
            written.append(None)
            continue
        stored, hashes = chain_rows(stream, version, last, events, META, context.command_id)
        written.append([copy_binary.event_row(s.originator_id.bytes, s.originator_version, s.topic.encode(), s.state)
                        for s in stored])
        streams[stream] = (fold(events, person), stored[-1].originator_version, hashes[-1])
    return written


@settings(max_examples=400, deadline=None)
@given(rows_of_few_persons, st.sampled_from([None, "1", "2", "4"]))
def test_the_fast_lane_writes_the_reference_bytes_or_declines_what_the_reference_refuses(records, status_3_means):
    rows = [RawRow(n, [r[f] for f in FIELDS]) for n, r in enumerate(records, start=2)]
    expected = reference(rows, status_3_means)
    lane = FastLane(FIELDS, SOURCE, status_3_means, META, NOW.date())
    tips: dict = {}
    for row, wanted in zip(rows, expected, strict=True):
        stream = lane.person(row.values)
        if stream is None:  # not the lane's: the importer takes the reference path
            assert wanted is None or row.values[FIELDS.index("certificate_type")] != "01"
            continue
        tip = tips.setdefault(stream, LaneTip())
        decided = lane.decide(row.values, row.number, stream, tip, row_command_id(SOURCE, row.number))
        assert (decided.rows if decided else None) == wanted
        accepted.append(decided is not None)


accepted: list[bool] = []


def test_the_generated_rows_exercise_both_outcomes():
    """The property above proves little unless it sees rows taken and rows declined."""
    accepted.clear()
    test_the_fast_lane_writes_the_reference_bytes_or_declines_what_the_reference_refuses()
    assert sum(accepted) > 100 and len(accepted) - sum(accepted) > 100


def test_a_row_shorter_than_the_header_reads_its_missing_cells_as_empty():
    values = [BASE[f] for f in FIELDS]
    short = values[:FIELDS.index("phone")]
    lane = FastLane(FIELDS, SOURCE, None, META, NOW.date())
    stream = lane.person(short)
    decided = lane.decide(short, 2, stream, LaneTip(), row_command_id(SOURCE, 2))
    full = reference([RawRow(2, values[:FIELDS.index("phone")] + ["", ""])], None)[0]
    assert decided is not None and decided.rows == full
    assert pack(day_number(date(1985, 6, 1))) in decided.rows[0]  # the birth date, as stored
