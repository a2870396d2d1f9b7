"""Arbitrary input to commands through the real ledger: events or a refusal, never a crash,
and nothing written when refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import commands as cmd
from domain.errors import DomainError
from tests.support.builders import COMMUNITY, EMPLOYER, ctx, register, register_unit, resident_id

ANY_TEXT = st.one_of(st.text(max_size=24), st.sampled_from(["310", "390", "330", "1101", "1501", "01", "1", "2",
                                                             "350102", "350100", EMPLOYER, COMMUNITY, "6301", "6402"]))
DATES = st.dates(min_value=date(1890, 1, 1), max_value=date(2030, 12, 31))
ID = resident_id(seq="777")
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def count_events(ledger) -> int:
    with ledger.store.datastore.get_connection() as conn:
        return conn.execute("SELECT count(*) AS n FROM canbao_events").fetchone()["n"]


def attempt(ledger, command: Callable[[], cmd.Command]) -> None:
    """Build the command (text no form holds is refused there) and send it."""
    before = count_events(ledger)
    try:
        outcome = ledger.execute(command(), ctx())
    except DomainError as refused:
        assert refused.errors and count_events(ledger) == before
    else:
        assert count_events(ledger) == before + len(outcome.events)


@SLOW
@given(id_number=ANY_TEXT, name=ANY_TEXT, gender=ANY_TEXT, ethnicity=ANY_TEXT, nationality=ANY_TEXT,
       birth=DATES, effective=DATES)
def test_registering_arbitrary_people(ledger, id_number, name, gender, ethnicity, nationality, birth, effective):
    attempt(ledger, lambda: cmd.RegisterPerson(effective=effective, id_number=id_number, name=name, gender=gender,
                                       birth_date=birth, ethnicity=ethnicity, nationality=nationality))


@SLOW
@given(insurance_type=ANY_TEXT, region=ANY_TEXT, pooling=st.one_of(st.none(), ANY_TEXT), unit=ANY_TEXT,
       person_type=ANY_TEXT, effective=DATES)
def test_enrolling_with_arbitrary_terms(ledger, insurance_type, region, pooling, unit, person_type, effective):
    if not ledger.person("01", ID).registered:
        ledger.execute(register_unit(), ctx())
        ledger.execute(register_unit(COMMUNITY, "08", name="社区"), ctx())
        ledger.execute(register(ID), ctx())
    attempt(ledger, lambda: cmd.Enroll(effective=effective, id_number=ID, insurance_type=insurance_type, region=region,
                               pooling_region=pooling, unit_code=unit, person_type=person_type))


@SLOW
@given(changes=st.dictionaries(st.sampled_from(["name", "gender", "birth_date", "ethnicity", "phone", "survival_status",
                                                "civil_servant", "household_region", "nationality", "bogus"]),
                               st.one_of(st.none(), ANY_TEXT), min_size=1, max_size=3), effective=DATES)
def test_correcting_base_info_with_arbitrary_values(ledger, changes, effective):
    if not ledger.person("01", ID).registered:
        ledger.execute(register(ID), ctx())
    attempt(ledger, lambda: cmd.CorrectBaseInfo(effective=effective, id_number=ID, changes=changes))
