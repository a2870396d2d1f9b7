"""The auditor's commands: digest, verify, replay."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from canbao.cli_common import DataDir, err, fail, out, running
from canbao.progress import event_progress


def digest(data_dir: DataDir = None) -> None:
    """Record a checkpoint over the whole log and print its digest: keep it outside the system."""
    from eventlog.checkpoints import record_checkpoint

    with running(data_dir) as ready:
        print(record_checkpoint(ready.datastore))


def verify(
    since: Annotated[str | None, typer.Option(help="A digest printed earlier by `canbao digest`.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Recompute every hash chain and checkpoint; report each event whose content, order or presence changed."""
    from eventlog.checkpoints import Digest
    from eventlog.verify import verify as verify_log

    try:
        expected = Digest.parse(since) if since else None
    except ValueError as bad:
        fail(str(bad))
    with running(data_dir) as ready:
        started = time.perf_counter()
        with event_progress("verify", err) as progress:
            report = verify_log(ready.datastore, expected, progress)
        seconds = time.perf_counter() - started
    for finding in report.findings:
        out.print(f"[red]✗[/] {finding}", highlight=False)
    verdict = "clean" if report.clean else f"{len(report.findings)} problem(s)"
    out.print(f"verify: {report.events:,} events in {seconds:.1f} s — {verdict}", highlight=False)
    if not report.clean:
        raise typer.Exit(code=1)


def replay(
    subject: Annotated[str, typer.Argument(help="A person's ID number (15 or 18 digits), or a unit code with --unit.")],
    unit: Annotated[bool, typer.Option("--unit", help="Replay a unit instead of a person.")] = False,
    as_of: Annotated[str | None, typer.Option(help="Valid date YYYY-MM-DD: the timeline on that day.")] = None,
    known_at: Annotated[str | None, typer.Option(help="System time (ISO 8601): as the ledger knew it then.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of tables.")] = False,
    svg: Annotated[Path | None, typer.Option("--svg", help="Also draw the person's history as an SVG picture: "
                                                           "valid time across, system time down.")] = None,
    certificate_type: Annotated[str, typer.Option(help="Certificate type of the person.")] = "01",
    data_dir: DataDir = None,
) -> None:
    """A person's or unit's history as an auditor reads it: timeline, then every event."""
    import json
    from datetime import date as Date
    from datetime import datetime as DateTime
    from datetime import timezone

    from canbao.replay import person_replay, render, unit_replay

    try:
        day = Date.fromisoformat(as_of) if as_of else None
        seen = DateTime.fromisoformat(known_at) if known_at else None
    except ValueError as bad:
        fail(f"--as-of is YYYY-MM-DD and --known-at is ISO 8601: {bad}")
    if seen is not None and seen.tzinfo is None:
        seen = seen.replace(tzinfo=timezone.utc)
    with running(data_dir) as ready:
        if unit:
            result = unit_replay(ready.ledger.unit_stream(subject).events, seen)
        else:
            history = ready.ledger.person_stream(certificate_type, subject).events
            if not history:
                fail(f"no person is recorded under {subject}")
            result = person_replay(history, day, seen)
            if svg:
                from projections.history_chart import history_svg

                person = ready.ledger.person(certificate_type, subject)
                svg.write_text(history_svg(history[0].stream_id, history, f"{person.name} {person.id_number}",
                                           ready.today()), encoding="utf-8")
                err.print(f"history picture → {svg}", highlight=False)
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    else:
        render(result, out)
