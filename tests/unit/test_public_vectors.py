"""domain.md §7 public test vectors, as a table."""

from datetime import date

import pytest

from domain.errors import DomainError
from domain.id_numbers import parse_resident_id, person_id
from domain.unit_codes import validate_credit_code

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("number", "gender", "born"),
    [
        ("11010119900307803X", "1", date(1990, 3, 7)),
        ("110101199003078048", "2", date(1990, 3, 7)),
        ("440305200002291232", "1", date(2000, 2, 29)),
    ],
)
def test_valid_resident_ids_give_gender_and_birth_date(number, gender, born):
    parsed = parse_resident_id(number, today=TODAY)
    assert (parsed.gender, parsed.birth_date) == (gender, born)


@pytest.mark.parametrize(
    ("number", "rule"),
    [
        ("110101199003078035", "id_number.check_character"),
        ("110101199002307806", "id_number.birth_date"),
        ("990101199003078033", "id_number.province"),
        ("110101203003078039", "id_number.birth_date_in_future"),
    ],
)
def test_invalid_resident_ids_are_refused_by_the_broken_rule(number, rule):
    with pytest.raises(DomainError) as refused:
        parse_resident_id(number, today=TODAY)
    assert [e.rule for e in refused.value.errors] == [rule]
    assert refused.value.errors[0].label == "证件号码"


def test_wrong_check_character_says_which_was_expected():
    with pytest.raises(DomainError, match="expected X"):
        parse_resident_id("110101199003078035", today=TODAY)


def test_a_15_digit_number_is_the_same_person_as_its_18_digit_upgrade():
    assert parse_resident_id("110101900307803", today=TODAY).number == "11010119900307803X"
    assert person_id("01", "110101900307803") == person_id("01", "11010119900307803x")


@pytest.mark.parametrize("code", ["91350100M000100Y43", "A1110000MB0000000J"])
def test_valid_unit_codes(code):
    assert validate_credit_code(code) == code


def test_unit_code_with_wrong_check_character_names_the_expected_one():
    with pytest.raises(DomainError, match="expected 3") as refused:
        validate_credit_code("91350100M000100Y44")
    assert refused.value.errors[0].rule == "unit_code.check_character"


def test_a_well_formed_but_unknown_county_code_is_a_warning_not_an_error():
    first17 = "350199199003078" + "01"  # 350199 is no county of the table
    from domain.id_numbers import check_character

    parsed = parse_resident_id(first17 + check_character(first17), today=TODAY)
    assert parsed.birth_date == date(1990, 3, 7) and "350199" in parsed.warnings[0]
    assert parse_resident_id("11010119900307803X", today=TODAY).warnings == ()
