"""A runner killed in the middle of a batch loses nothing and counts nothing twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date

from application.service import Ledger
from domain import commands as cmd
from projections.catalog import BY_NAME
from projections.runner import ProjectionRunner
from tests.support.builders import ctx, resident_id
from tests.support.views import tables_now

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CATCH_UP = """
import sys
from eventlog.store import datastore_for
from projections.catalog import BY_NAME
from projections.runner import ProjectionRunner
ProjectionRunner(datastore_for(sys.argv[1])).catch_up(BY_NAME["enrollments"], batch_size=4)
"""


def legacy_row(n: int) -> cmd.ImportLegacyEnrollment:
    number = resident_id(seq=f"{n:03d}", born=date(1970 + n // 1000, 1, 1))
    return cmd.ImportLegacyEnrollment(
        effective=date(2015, 1, 1), id_number=number, name="李四", gender="1" if n % 2 else "2",
        birth_date=date(1970 + n // 1000, 1, 1), ethnicity="01", insurance_type="390", region="350102",
        pooling_region="350100", unit_code="C350102001", person_type="1501", enrollment_status="1",
        contribution_status="1", start=date(2015, 1, 1), end=date(2019, 12, 1), region_name="鼓楼区", reason="11",
        source="crash.csv", row=n)


def test_a_runner_killed_mid_batch_resumes_to_the_same_tables_as_a_clean_rebuild(store, empty_database):
    ledger = Ledger(store)
    for n in range(600):
        ledger.execute(legacy_row(n), ctx(channel="import"))
    runner = ProjectionRunner(store.datastore)
    head = runner.head()
    child = subprocess.Popen([sys.executable, "-c", CATCH_UP, empty_database], cwd=ROOT)
    deadline = time.monotonic() + 60
    while runner.position("enrollments") < head // 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    stopped_at = runner.position("enrollments")
    assert 0 < stopped_at < head, "the kill must land in the middle of the run"

    runner.catch_up(BY_NAME["enrollments"], batch_size=4)
    resumed = tables_now(store.datastore)
    runner.rebuild([BY_NAME["enrollments"]])
    rebuilt = tables_now(store.datastore)
    for table in ("person_view", "current_enrollment", "enrollment_spell"):
        assert resumed[table] == rebuilt[table] and len(rebuilt[table]) == 600
