"""Who the register comparison counts as enrolled: a person's base spells, 正常 or 暂停参保, merged
within a region into the stretches they cover together — one stretch a region on any date."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.person.state import Person
from domain.timeline import Spell
from projections.person_rows import enrolled_stretches

PERSON = Person(certificate_type="01", id_number="350102198003011915", name="林", gender="1",
                birth_date=date(1980, 3, 1), household_region="350102")
WHO = ("350102198003011915", "林", "1", date(1980, 3, 1), "350102")


def spell(insurance_type: str, valid_from: date, valid_to: date | None, status: str = "1",
          region: str = "350102") -> Spell:
    return Spell(uuid4(), insurance_type, region, region, "91350100M000100Y43", "1101", status, valid_from, valid_to)


def stretches(*spells: Spell) -> set[tuple]:
    """(region, from, to) of each stretch, each under the person's identity."""
    made = enrolled_stretches(list(spells), PERSON)
    assert all(tuple(who) == WHO for _, *who, _, _ in made)
    return {(region, start, end) for region, *_, start, end in made}


@pytest.mark.parametrize(("spells", "expected"), [
    ((spell("310", date(2016, 1, 1), None), spell("390", date(2018, 1, 1), date(2019, 1, 1))),
     {("350102", date(2016, 1, 1), None)}),
    ((spell("310", date(2016, 1, 1), date(2017, 1, 1)), spell("310", date(2017, 1, 1), None, status="2")),
     {("350102", date(2016, 1, 1), None)}),
    ((spell("390", date(2016, 1, 1), date(2017, 1, 1)), spell("310", date(2016, 6, 1), date(2018, 1, 1))),
     {("350102", date(2016, 1, 1), date(2018, 1, 1))}),
    ((spell("310", date(2016, 1, 1), date(2017, 1, 1)), spell("310", date(2017, 2, 1), None)),
     {("350102", date(2016, 1, 1), date(2017, 1, 1)), ("350102", date(2017, 2, 1), None)}),
    ((spell("310", date(2016, 1, 1), None, region="350102"), spell("390", date(2016, 1, 1), None, region="350203")),
     {("350102", date(2016, 1, 1), None), ("350203", date(2016, 1, 1), None)}),
], ids=["a duplicate of another scheme inside an open spell", "suspended right after paying",
        "two overlapping spells", "a gap between two spells", "two regions at once"])
def test_enrolled_spells_of_a_region_merge_into_the_stretches_they_cover_together(spells, expected):
    assert stretches(*spells) == expected


def test_riders_ended_spells_and_spells_of_no_time_are_not_enrolled():
    assert stretches(spell("330", date(2016, 1, 1), None), spell("310", date(2016, 1, 1), None, status="4"),
                     spell("390", date(2016, 1, 1), date(2016, 1, 1))) == set()


def test_a_person_without_a_resident_id_number_is_not_compared():
    passport = Person(certificate_type="02", id_number="E12345678", name="林")
    assert enrolled_stretches([spell("310", date(2016, 1, 1), None)], passport) == []
