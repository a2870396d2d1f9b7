"""The national cross-province check over three provinces' ledgers (Fujian, Zhejiang, Guangdong),
each exported on its own: exactly the planted sets are found — within a scheme, across schemes, a
person known in one province by a 15-digit number and in another by its 18-digit upgrade, and one
in all three — and each province's feedback file reads back through `import cross-province`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path
from uuid import uuid4

import pytest

pytest.importorskip("dask.distributed", reason="the scale extra (pip install -e '.[scale]')")

from application.service import Ledger  # noqa: E402
from canbao.migrations import apply_migrations  # noqa: E402
from domain import commands as cmd  # noqa: E402
from domain.events import Actor  # noqa: E402
from domain.id_numbers import upgrade_15  # noqa: E402
from eventlog.export import export_events  # noqa: E402
from eventlog.store import EventStore  # noqa: E402
from importer.cross_province_file import load_feedback  # noqa: E402
from projections.national import national_duplicates, write_feedback  # noqa: E402
from tests.conftest import throwaway_database  # noqa: E402
from tests.support.builders import COMMUNITY, EMPLOYER, enroll_employee, enroll_resident, register, resident_id  # noqa: E402

PROVINCES = {"35": "350102", "33": "330106", "44": "440305"}  # a county of each
BOTH_EMPLOYED = resident_id(region="350102", seq="401")
CROSS_SCHEME = resident_id(region="330106", seq="402")
FIFTEEN = "350102850601403"  # a legacy 15-digit number …
EIGHTEEN = upgrade_15(FIFTEEN)  # … and its 18-digit upgrade, in another province
EVERYWHERE = resident_id(region="440305", seq="404")
ONLY_HERE = resident_id(region="350102", seq="405")
LEFT = resident_id(region="330106", seq="406")  # enrolled in two provinces, but left one before the date
AS_OF = date(2026, 6, 30)
WHO = {  # province → (ID number as that province knows it, how enrolled there, since)
    "35": [(BOTH_EMPLOYED, "310", 2015), (FIFTEEN, "310", 2012), (EVERYWHERE, "310", 2018), (ONLY_HERE, "310", 2010),
           (LEFT, "310", 2010)],
    "33": [(BOTH_EMPLOYED, "310", 2019), (CROSS_SCHEME, "390", 2014), (EVERYWHERE, "390", 2016), (LEFT, "310", 2020)],
    "44": [(CROSS_SCHEME, "310", 2021), (EIGHTEEN, "390", 2017), (EVERYWHERE, "310", 2020)],
}
PLANTED = {BOTH_EMPLOYED: {"35", "33"}, CROSS_SCHEME: {"33", "44"}, EIGHTEEN: {"35", "44"},
           EVERYWHERE: {"35", "33", "44"}}


def province_ledger(conninfo: str, province: str) -> None:
    region = PROVINCES[province]
    store = EventStore(conninfo)
    try:
        ledger = Ledger(store)
        office = cmd.Context(command_id=uuid4(), now=datetime(2026, 7, 1, tzinfo=timezone.utc), channel="office",
                             actor=Actor(kind="office", id=f"clerk-{province}", region=region[:2] + "0000"))
        for unit, kind in ((EMPLOYER, "01"), (COMMUNITY, "08")):
            ledger.execute(cmd.RegisterUnit(effective=date(2000, 1, 1), unit_code=unit, name=f"{province}单位",
                                            unit_type="10", management_type=kind, region=region[:4] + "00"),
                           replace(office, command_id=uuid4()))
        for number, insurance, year in WHO[province]:
            ledger.execute(register(number), replace(office, command_id=uuid4()))
            enroll = (enroll_employee(number, region=region, effective=date(year, 1, 1)) if insurance == "310"
                      else enroll_resident(number, region=region, effective=date(year, 1, 1)))
            ledger.execute(enroll, replace(office, command_id=uuid4()))
            if number == LEFT and province == "35":
                [enrollment] = ledger.person("01", number).open_enrollments()
                ledger.execute(cmd.Terminate(effective=date(2019, 12, 1), id_number=number,
                                             enrollment_id=enrollment.id, reason="6404"),
                               replace(office, command_id=uuid4()))
    finally:
        store.close()


def test_the_national_check_finds_exactly_the_planted_sets(server_conninfo, tmp_path: Path):
    exports = []
    for province in PROVINCES:
        with throwaway_database(server_conninfo, f"canbao_province_{province}") as conninfo:
            apply_migrations(conninfo)
            province_ledger(conninfo, province)
            store = EventStore(conninfo)
            try:
                export_events(store.datastore, tmp_path / province, partitions=3)
            finally:
                store.close()
            exports.append(tmp_path / province)

    sets = national_duplicates(exports, AS_OF, workers=2)
    assert {records[0].identity: {r.province for r in records} for records in sets} == PLANTED
    [everywhere] = [s for s in sets if s[0].identity == EVERYWHERE]
    assert len(everywhere) == 3

    files = write_feedback(sets, tmp_path / "feedback")
    assert set(files) == {"35", "33", "44"}
    with throwaway_database(server_conninfo, "canbao_province_back") as conninfo:
        apply_migrations(conninfo)
        store = EventStore(conninfo)
        try:
            with store.datastore.get_connection() as conn:
                loaded = load_feedback(conn, files["35"], datetime.now(timezone.utc))
        finally:
            store.close()
    # Fujian's file: the other side of its three sets (one person also in Guangdong and Zhejiang).
    assert not loaded.refused and loaded.loaded == 4
