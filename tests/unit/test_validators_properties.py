"""Any string or date given to a validator yields a value or a DomainError — nothing else."""

import uuid
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from domain.codes import tables
from domain.dates import parse_day, parse_month
from domain.errors import DomainError
from domain.id_numbers import check_character, parse_resident_id, person_id
from domain.person.rules import check_nationality
from domain.regions import validate_region
from domain.unit_codes import validate_credit_code
from domain.uuids import uuid5 as fast_uuid5
from domain.uuids import uuid5_text
from domain.validation import validate_name

TEXT = st.one_of(st.text(), st.text(alphabet="0123456789X \n", max_size=20), st.from_regex(r"\d{15,18}X?"))
VALIDATORS = [
    lambda s: parse_resident_id(s, today=date(2026, 11, 22)),
    validate_credit_code, validate_region, check_nationality, validate_name,
    lambda s: parse_day(s, "birth_date"), lambda s: parse_month(s, "start_month"),
    *[lambda s, t=t: t.require(s, t.name) for t in tables().values()],
]


@given(raw=TEXT, which=st.integers(min_value=0, max_value=len(VALIDATORS) - 1))
def test_validators_return_a_value_or_refuse_with_field_errors(raw, which):
    try:
        VALIDATORS[which](raw)
    except DomainError as refused:
        assert refused.errors and all(e.field and e.rule and e.label for e in refused.errors)


@given(born=st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 11, 22)),
       seq=st.integers(min_value=0, max_value=999), region=st.sampled_from(["110101", "350102", "440305"]))
def test_every_well_formed_resident_id_parses_back_to_its_birth_date_and_gender(born, seq, region):
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    parsed = parse_resident_id(first17 + check_character(first17), today=date(2026, 11, 22))
    assert parsed.birth_date == born and parsed.gender == ("1" if seq % 2 else "2")


@given(born=st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), seq=st.integers(0, 999))
def test_a_15_digit_number_and_its_upgrade_are_one_person(born, seq):
    old = f"350102{born:%y%m%d}{seq:03d}"
    new = parse_resident_id(old, today=date(2026, 11, 22)).number
    assert person_id("01", old) == person_id("01", new) and len(new) == 18


def test_non_ascii_digits_and_embedded_line_breaks_are_not_id_numbers():
    for raw in ("１１０１０１１９９００３０７８０４８", "1101011990\n03078048", "٣٥٠١٠٢"):
        try:
            parse_resident_id(raw, today=date(2026, 11, 22))
        except DomainError:
            continue
        raise AssertionError(f"{raw!r} was accepted")


def test_surrounding_whitespace_is_trimmed():
    assert parse_resident_id(" 110101199003078048\n", today=date(2026, 11, 22)).number == "110101199003078048"


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_the_check_character_is_the_weighted_sum_of_gb11643(first17):
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert (
        check_character(first17) == "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]
    )


@given(st.uuids(), st.text())
def test_the_fast_uuid5_is_the_standard_one(namespace, name):
    made = fast_uuid5(namespace, name)
    expected = uuid.uuid5(namespace, name)
    assert (made, str(made), made.bytes, made.version, hash(made)) == (
        expected,
        str(expected),
        expected.bytes,
        5,
        hash(expected),
    )


@given(st.uuids(), st.text())
def test_the_uuid5_text_is_the_standard_uuid5_written_out(namespace, name):
    assert uuid5_text(namespace, name) == str(uuid.uuid5(namespace, name))
