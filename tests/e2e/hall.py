"""A small world for the service-hall tests: two units of Fuzhou, a retiree-to-be on the first's
staff and a stranger on the second's, served on a Monday that is a filing day."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from ledger_api.auth import Principal
from tests.conftest import throwaway_database
from tests.e2e.client import Client
from tests.e2e.conftest import serving
from tests.support.builders import EMPLOYER, EMPLOYER_2, resident_id

MONDAY = "2026-12-07T10:00+08:00"  # a working day and a filing day
RETIREE = resident_id(region="350102", born=date(1963, 5, 1), seq="131")  # a man of 63, on EMPLOYER's staff
STRANGER = resident_id(region="350102", born=date(1970, 1, 1), seq="135")  # on EMPLOYER_2's staff
AGENT = Principal("hr-1", "unit_agent", unit_code=EMPLOYER)
GULOU = Principal("clerk-gulou", "office", region="350102")  # the insured region's office
CITY = Principal("clerk-city", "office", region="350100")


@contextmanager
def hall_server(server_conninfo: str, name: str) -> Iterator[str]:
    """The ledger served on MONDAY's fixed clock, with the two units and their staff registered."""
    with throwaway_database(server_conninfo, name) as database, serving(database, "--clock", MONDAY) as base:
        city = Client(base, CITY)
        city.register_unit(EMPLOYER, "某公司")
        city.register_unit(EMPLOYER_2, "另一公司")
        for number, unit, born in ((RETIREE, EMPLOYER, "1963-05-01"), (STRANGER, EMPLOYER_2, "1970-01-01")):
            city.register_person(number, "林老师", birth_date=born)
            city.do("enroll", {"effective": "2010-01-01", "idNumber": number, "insuranceType": "310",
                               "region": "350102", "poolingRegion": "350100", "unitCode": unit, "personType": "1101"})
        yield base
