"""`canbao print`: the documents offices hand out (参保凭证, 参保证明, 缴费记录), and checking one."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from canbao.cli_common import DataDir, day_of, fail, out, running
from domain.person.documents import Kind

if TYPE_CHECKING:
    from application.documents.records import Issued

print_app = typer.Typer(help="Print documents as PDF and verify printed ones.", no_args_is_help=True)

IdNumber = Annotated[str, typer.Argument(help="The person's ID number (公民身份号码).")]
AsOf = Annotated[str | None, typer.Option(help="The valid date it speaks of (default: today).")]
Out = Annotated[Path | None, typer.Option("--out", help="Where to write the PDF (default: KIND-CODE.pdf).")]
Masked = Annotated[bool, typer.Option(help="Print the ID number masked (for a copy given to a third party).")]


def issue(kind: Kind, id_number: str, as_of: str | None, out_file: Path | None, masked: bool,
          months: tuple[date, date] | None, data_dir: Path | None) -> None:
    from application.documents.issuing import Documents
    from application.documents.records import Request

    with running(data_dir) as ready:
        day = day_of(as_of, "--as-of") if as_of else ready.today()
        request = Request(kind, "01", id_number.strip().upper(), day, not masked, months)
        try:
            issued = Documents(ready.store).issue(request, ready.clock.now(), "cli")
        except LookupError as missing:
            fail(f"{missing}: {request.id_number if not masked else 'that ID number'}")
    written(issued, out_file)


def written(issued: Issued, out_file: Path | None) -> None:
    target = out_file or Path(f"{issued.statement.kind}-{issued.code}.pdf")
    target.write_bytes(issued.pdf)
    out.print(f"{issued.statement.title} → {target}\nverification code: {issued.code}", highlight=False)


@print_app.command("certificate")
def print_certificate(id_number: IdNumber, as_of: AsOf = None, out_file: Out = None, masked: Masked = False,
                      data_dir: DataDir = None) -> None:
    """《基本医疗保险参保凭证》: every enrollment period and the contribution time a transfer carries."""
    issue("certificate", id_number, as_of, out_file, masked, None, data_dir)


@print_app.command("proof")
def print_proof(
    id_number: Annotated[str | None, typer.Argument(help="The person's ID number (or give --unit).")] = None,
    unit: Annotated[str | None, typer.Option(help="A unit's code: the 参保证明 of its staff list.")] = None,
    as_of: AsOf = None, out_file: Out = None, masked: Masked = False, data_dir: DataDir = None,
) -> None:
    """参保证明 for one person, or (--unit) for a unit's staff on the date."""
    if bool(id_number) == bool(unit):
        fail("give either an ID number or --unit CODE")
    if id_number:
        issue("proof", id_number, as_of, out_file, masked, None, data_dir)
        return
    from application.documents.issuing import Documents
    from canbao.cli_projections import bring_up_to_date

    assert unit is not None
    with running(data_dir) as ready:
        bring_up_to_date(ready)
        day = day_of(as_of, "--as-of") if as_of else ready.today()
        try:
            issued = Documents(ready.store).issue_unit_proof(unit, day, not masked, ready.clock.now(), "cli")
        except LookupError as missing:
            fail(f"{missing}: {unit}")
    written(issued, out_file)


@print_app.command("contributions")
def print_contributions(
    id_number: IdNumber,
    from_month: Annotated[str, typer.Option("--from", help="First month, YYYY-MM-DD (its first day).")],
    to_month: Annotated[str, typer.Option("--to", help="Last month, YYYY-MM-DD.")],
    out_file: Out = None, masked: Masked = False, data_dir: DataDir = None,
) -> None:
    """缴费记录 of the months from --from to --to, with the totals of both parts."""
    first, last = day_of(from_month, "--from").replace(day=1), day_of(to_month, "--to")
    issue("contributions", id_number, None, out_file, masked, (first, last), data_dir)


@print_app.command("verify")
def verify(
    file_or_code: Annotated[str, typer.Argument(help="A printed PDF, or the code printed on it (or its QR text).")],
    data_dir: DataDir = None,
) -> None:
    """Genuine and unchanged, altered, or not issued by this ledger — and superseded since when."""
    from application.documents.issuing import Documents

    path = Path(file_or_code)
    with running(data_dir) as ready:
        documents = Documents(ready.store)
        verdict = documents.verify_file(path.read_bytes()) if path.is_file() else documents.verify_code(file_or_code)
    out.print(str(verdict), highlight=False)
    if verdict.verdict != "genuine":
        raise typer.Exit(code=1)
