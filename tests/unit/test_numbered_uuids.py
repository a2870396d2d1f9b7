"""The command ids of a file's rows: name-based, unique per (name, number), neighbours in an index."""

from __future__ import annotations

from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.uuids import numbered_prefix, numbered_uuid
from importer.contribution_file import command_id, earlier_command_id

names = st.binary(min_size=1, max_size=40)
numbers = st.integers(min_value=0, max_value=(1 << 48) - 1)


@given(names, numbers)
def test_a_numbered_uuid_is_a_version_8_uuid_of_the_rfc_variant_that_carries_its_number(name, number):
    made = numbered_uuid(numbered_prefix(name), number)
    assert made.version == 8 and made.variant == "specified in RFC 4122"
    assert made.int & ((1 << 48) - 1) == number
    assert UUID(str(made)) == made and UUID(bytes=made.bytes) == made


@given(names, names, numbers, numbers)
def test_two_names_or_two_numbers_never_share_an_id_unless_both_are_the_same(a, b, m, n):
    same = numbered_uuid(numbered_prefix(a), m) == numbered_uuid(numbered_prefix(b), n)
    assert same == (m == n and numbered_prefix(a) == numbered_prefix(b))
    if a == b:
        assert numbered_prefix(a) == numbered_prefix(b)


def test_the_rows_of_one_file_are_neighbours_and_in_row_order():
    ids = [command_id("2026-11.csv", n) for n in range(2, 10_002)]
    assert ids == sorted(ids, key=lambda u: u.bytes)  # as PostgreSQL orders uuid: by its bytes
    other = command_id("2026-12.csv", 2)
    assert not ids[0].bytes <= other.bytes <= ids[-1].bytes


def test_the_earlier_ids_were_version_5_and_differ_from_todays():
    assert earlier_command_id("2026-11.csv", 2).version == 5
    assert earlier_command_id("2026-11.csv", 2) != command_id("2026-11.csv", 2)


def test_a_number_beyond_48_bits_is_refused():
    with pytest.raises(ValueError, match="48 bits"):
        numbered_uuid(numbered_prefix(b"x"), 1 << 48)
