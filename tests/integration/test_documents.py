"""Printed documents (参保凭证, 缴费记录): what their text says, and verifying a copy later —
unchanged, altered by one byte, forged, and superseded by a retroactive correction."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader, PdfWriter

from application.documents.issuing import Documents
from application.documents.pdf import render, text_lines
from application.documents.records import Request
from application.service import Ledger
from domain import commands as cmd
from domain.id_numbers import mask
from eventlog.store import EventStore
from projections.catalog import PROJECTIONS
from projections.runner import ProjectionRunner
from tests.support.builders import EMPLOYER, NOW, ctx, enroll_employee, register, register_unit, resident_id

ID = resident_id(seq="969")
NAME = "阿依古丽·𠮷买提"  # a middle dot and a CJK Extension B character (U+20BB7)
PRINTED_AT = NOW + timedelta(hours=1)


@pytest.fixture
def insured(ledger: Ledger) -> Ledger:
    for command in (register_unit(), register(ID, name=NAME), enroll_employee(ID, effective=date(2019, 1, 1))):
        ledger.execute(command, ctx())
    for month in (date(2019, 1, 1), date(2019, 2, 1), date(2019, 3, 1)):
        ledger.execute(cmd.RecordContribution(
            effective=month, id_number=ID, insurance_type="310", region="350102", unit_code=EMPLOYER,
            base=Decimal("5000.00"), unit_amount=Decimal("400.00"), personal_amount=Decimal("100.00")), ctx())
    return ledger


def certificate(store: EventStore, whole: bool = True, kind: str = "certificate"):
    request = Request(kind, "01", ID, date(2019, 12, 31), whole)  # type: ignore[arg-type]
    return Documents(store).issue(request, PRINTED_AT, "clerk-1")


def test_the_certificate_states_the_person_every_period_and_the_totals(insured, store):
    text = "\n".join(text_lines(certificate(store).pdf))
    assert NAME in text and ID in text
    assert "职工基本医疗保险 350102 单位 91350100M000100Y43 正常参保 2019-01-01起 至今" in text
    assert "职工医保累计缴费：3 个月（0 年 3 个月）" in text
    assert "断缴：350102 2019年04月至2019年11月 共 8 个月（不可补缴）" in text
    assert "截至 2019-12-31（有效时间）" in text


def test_a_role_that_may_not_see_the_whole_id_gets_it_masked_everywhere(insured, store):
    text = "\n".join(text_lines(certificate(store, whole=False).pdf))
    assert mask(ID) in text and ID not in text


def test_the_contribution_record_lists_each_month_and_sums_both_parts(insured, store):
    text = "\n".join(text_lines(certificate(store, kind="contributions").pdf))
    assert "2019年02月 职工基本医疗保险 350102 基数 5000.00 单位 400.00 个人 100.00" in text
    assert "合计：单位 1200.00 个人 300.00" in text


def test_an_unchanged_file_verifies_as_genuine_and_current(insured, store):
    issued = certificate(store)
    verdict = Documents(store).verify_file(issued.pdf)
    assert (verdict.verdict, verdict.code, verdict.superseded_since) == ("genuine", issued.code, None)


def test_one_changed_byte_in_the_text_is_found_out(insured, store):
    issued = certificate(store)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(issued.pdf)))
    content = writer.pages[0].get_contents()
    assert content is not None
    data = content.get_data()
    year = b"\\0002\\0000\\0001\\0009"  # "2019" as the page draws it
    assert year in data
    content.set_data(data.replace(year, b"\\0002\\0000\\0001\\0008", 1))
    writer.pages[0].replace_contents(content)
    out = io.BytesIO()
    writer.write(out)
    assert Documents(store).verify_file(out.getvalue()).verdict == "altered"


def test_a_forged_code_or_a_document_without_one_was_not_issued_here(insured, store):
    issued = certificate(store)
    forged = render(issued.statement.title, issued.statement.lines(1), "ABCD-EFGH-JKMN-PQRS", "伪造")
    documents = Documents(store)
    assert documents.verify_file(forged).verdict == "not_issued"
    assert documents.verify_code("ABCD-EFGH-JKMN-PQRS").verdict == "not_issued"
    assert documents.verify_file(b"%PDF-1.4 not really").verdict == "not_issued"
    assert documents.verify_code("canbao:verify:" + issued.code.lower()).verdict == "genuine"  # as a QR code reads


def test_after_a_retroactive_correction_the_old_certificate_is_genuine_but_superseded(insured, store):
    issued = certificate(store)
    [enrollment] = insured.person("01", ID).enrollments.values()
    corrected = insured.execute(cmd.CorrectEnrollment(
        effective=date(2026, 11, 20), id_number=ID, enrollment_id=enrollment.id, changes={"start": "2018-07-01"},
        reason="入职日期录入错误"), ctx(now=NOW + timedelta(hours=2), evidence=("劳动合同",)))
    verdict = Documents(store).verify_file(issued.pdf)
    assert verdict.verdict == "genuine"
    assert verdict.superseded_since == corrected.events[0].recorded_at
    assert "superseded since" in str(verdict)


def caught_up(store: EventStore) -> None:
    runner = ProjectionRunner(store.datastore)
    for projection in PROJECTIONS:
        runner.catch_up(projection)


def test_a_units_proof_lists_its_staff_and_is_superseded_once_one_of_them_is_corrected(insured, store):
    other = resident_id(seq="979")
    for command in (register(other, name="林二"), enroll_employee(other, effective=date(2019, 6, 1))):
        insured.execute(command, ctx())
    caught_up(store)
    documents = Documents(store)
    proof = documents.issue_unit_proof(EMPLOYER, date(2019, 7, 1), False, PRINTED_AT, "clerk-1")
    text = "\n".join(text_lines(proof.pdf))
    assert "单位参保人员参保证明" in text and "参保人员（2 人）：" in text
    assert f"{NAME} {mask(ID)} 职工基本医疗保险 正常参保 2019-01-01起" in text and ID not in text
    assert documents.verify_file(proof.pdf).superseded_since is None

    [enrollment] = insured.person("01", other).enrollments.values()
    corrected = insured.execute(cmd.CorrectEnrollment(
        effective=date(2026, 11, 20), id_number=other, enrollment_id=enrollment.id, changes={"start": "2019-08-01"},
        reason="入职日期录入错误"), ctx(now=NOW + timedelta(hours=2), evidence=("劳动合同",)))
    caught_up(store)
    verdict = documents.verify_file(proof.pdf)
    assert (verdict.verdict, verdict.superseded_since) == ("genuine", corrected.events[0].recorded_at)
    assert "参保人员（1 人）：" in "\n".join(text_lines(
        documents.issue_unit_proof(EMPLOYER, date(2019, 7, 1), False, NOW + timedelta(hours=3), "clerk-1").pdf))


def test_a_units_proof_is_superseded_from_a_staff_name_correction_even_when_a_later_one_undoes_it(insured, store):
    caught_up(store)
    documents = Documents(store)
    proof = documents.issue_unit_proof(EMPLOYER, date(2019, 7, 1), False, PRINTED_AT, "clerk-1")
    renamed = insured.execute(cmd.CorrectBaseInfo(effective=date(2026, 11, 20), id_number=ID, changes={"name": "阿依"}),
                              ctx(now=NOW + timedelta(hours=2), evidence=("户籍证明",)))
    insured.execute(cmd.CorrectBaseInfo(effective=date(2026, 11, 21), id_number=ID, changes={"name": NAME}),
                    ctx(now=NOW + timedelta(hours=3), evidence=("户籍证明",)))
    caught_up(store)
    verdict = documents.verify_file(proof.pdf)
    assert (verdict.verdict, verdict.superseded_since) == ("genuine", renamed.events[0].recorded_at), (
        "between the two corrections the ledger named the staff member otherwise than the proof does")


def test_on_a_fixed_clock_a_certificate_states_what_was_recorded_a_tick_after_the_clocks_instant(insured, store):
    # The fixture's commands all ran at NOW: each was recorded a tick after the one before.
    last = insured.person_history("01", ID)[-1].recorded_at
    assert last > NOW
    documents = Documents(store)
    issued = documents.issue(Request("certificate", "01", ID, date(2019, 12, 31), True), NOW, "clerk-1")
    assert "职工医保累计缴费：3 个月（0 年 3 个月）" in "\n".join(text_lines(issued.pdf))
    assert documents.verify_file(issued.pdf).known_at == last


def test_on_a_fixed_clock_a_units_proof_lists_the_staff_recorded_a_tick_after_the_clocks_instant(insured, store):
    caught_up(store)
    proof = Documents(store).issue_unit_proof(EMPLOYER, date(2019, 7, 1), False, NOW, "clerk-1")
    assert "参保人员（1 人）：" in "\n".join(text_lines(proof.pdf))
