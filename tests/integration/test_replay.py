"""An auditor's replay shows what was believed before a retroactive correction and what is known now."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

from rich.console import Console

from canbao.replay import person_replay, render
from domain import commands as cmd
from tests.support.builders import ctx, enroll_employee, register, register_unit, resident_id

ID = resident_id(seq="717")
T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)


def corrected_history(ledger):
    ledger.execute(register_unit(), ctx(now=T0))
    ledger.execute(register(ID), ctx(now=T0))
    ledger.execute(enroll_employee(ID, effective=date(2012, 3, 1)), ctx(now=T0 + timedelta(days=1)))
    eid = next(iter(ledger.person("01", ID).enrollments))
    ledger.execute(cmd.CorrectEnrollment(effective=date(2026, 11, 1), id_number=ID, enrollment_id=eid,
                                         changes={"start": "2011-09-01"}, reason="入职日期错误"),
                   ctx(now=T0 + timedelta(days=30), evidence=("劳动合同-9",)))
    return ledger.person_stream("01", ID).events


def test_a_correction_shows_the_belief_before_it_and_the_knowledge_after_it(ledger):
    replay = person_replay(corrected_history(ledger), None, None)
    [correction] = replay["corrections"]
    assert correction["changes"] == {"start": ("2012-03-01", "2011-09-01")}
    assert [s["valid_from"] for s in correction["believed_before"]] == ["2012-03-01"]
    assert [s["valid_from"] for s in correction["known_after"]] == ["2011-09-01"]
    console = Console(record=True, width=200)
    render(replay, console)
    text = console.export_text()
    assert "更正前认定" in text and "2012-03-01" in text and "更正后认定" in text and "劳动合同-9" in text


def test_replay_as_known_before_the_correction_shows_the_old_timeline_only(ledger):
    replay = person_replay(corrected_history(ledger), None, T0 + timedelta(days=2))
    assert [s["valid_from"] for s in replay["timeline"]] == ["2012-03-01"] and replay["corrections"] == []


def test_the_replay_command_prints_json_for_machines(ledger, empty_database):
    corrected_history(ledger)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    result = subprocess.run([sys.executable, "-m", "canbao", "replay", ID, "--json", "--as-of", "2011-10-01"],
                            cwd=root, env={**os.environ, "DATABASE_URL": empty_database}, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert [s["valid_from"] for s in printed["timeline"]] == ["2011-09-01"]
    assert [e["type"] for e in printed["events"]][-1] == "person.enrollment_corrected"


def test_a_history_read_on_a_servers_event_loop_is_the_history_the_store_loads(ledger, empty_database):
    import asyncio

    import psycopg

    from domain.id_numbers import person_id
    from eventlog.store import load_awaited

    corrected_history(ledger)
    stream_id = person_id("01", ID)

    async def read() -> object:
        async with await psycopg.AsyncConnection.connect(empty_database, autocommit=True) as conn:
            return await load_awaited(conn, stream_id)

    loaded = ledger.store.load(stream_id)
    awaited = asyncio.run(read())
    assert awaited == loaded and len(loaded.events) == 3  # registered, enrolled, corrected
