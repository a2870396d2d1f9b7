"""Worker processes split an extract by person: every row read once, a person's rows together."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from domain.id_numbers import person_id
from importer.legacy_file import COLUMNS, read_records, read_rows, record_of, share_of
from tests.support.builders import resident_id

FIELDS = [c.field for c in COLUMNS]
NUMBER, CERTIFICATE = FIELDS.index("id_number"), FIELDS.index("certificate_type")


def row(certificate: str, number: str) -> list[str]:
    values = [""] * len(FIELDS)
    values[CERTIFICATE], values[NUMBER] = certificate, number
    return values


births = st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31))
sequences = st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")


@given(births, sequences, st.sampled_from(["  ", "", "\t"]), st.integers(min_value=2, max_value=5))
def test_a_fifteen_digit_number_and_its_upgrade_go_to_the_same_worker(born, seq, padding, shares):
    eighteen = resident_id(born=born, seq=seq)
    fifteen = eighteen[:6] + eighteen[8:17]
    assert person_id("01", fifteen) == person_id("01", eighteen)  # one person, as the ledger sees it
    share = share_of(FIELDS, shares)
    assert share(row("01", fifteen)) == share(row(" 01", padding + eighteen.lower() + padding)) \
        == share(row("01", eighteen))


def test_the_shares_of_a_file_are_its_rows_each_read_once_with_their_row_numbers(tmp_path: Path):
    path = tmp_path / "extract.csv"
    numbers = [resident_id(seq=f"{n:03d}") for n in range(60)]
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow([c.header for c in COLUMNS])
        for n, number in enumerate(numbers * 2):  # every person twice, far apart
            out.writerow(row("01", number) if n != 7 else [])  # and one blank line
    _, every = read_rows(path)
    expected = {(r.number, tuple(r.values)) for r in every}
    shares = [{(r.number, tuple(r.values)) for r in read_rows(path, share, 3)[1]} for share in range(3)]
    assert set().union(*shares) == expected and sum(map(len, shares)) == len(expected) == 119
    workers_of_person: dict[str, set[int]] = {}
    for worker, taken in enumerate(shares):
        for _, values in taken:
            workers_of_person.setdefault(values[NUMBER], set()).add(worker)
    assert len(workers_of_person) == 60 and all(len(w) == 1 for w in workers_of_person.values())


def test_a_shares_records_are_its_rows_by_field_in_the_same_order(tmp_path: Path):
    """read_records (one loop, what the contribution file reads) gives what read_rows and
    record_of give together, share by share."""
    path = tmp_path / "extract.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow([c.header for c in COLUMNS])
        for n in range(30):
            out.writerow(row(" 01", f" {resident_id(seq=f'{n % 10:03d}')} ") if n != 4 else [" ", ""])
    for share in range(3):
        fields, rows = read_rows(path, share, 3)
        assert list(read_records(path, COLUMNS, share, 3)) == [(r.number, record_of(fields, r.values)) for r in rows]
