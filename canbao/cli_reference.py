"""`canbao reference load | compare | list` and `canbao report non-enrolled`: the population
register (公安人口库) loaded as versions, the ledger compared with it, and 附件3."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from canbao.cli_common import DataDir, day_of, fail, moment, out, running
from canbao.services import Services
from domain.register import REASONS

if TYPE_CHECKING:
    from projections.register_comparison import Comparison

reference_app = typer.Typer(help="The population register: load versions, compare the ledger, list findings.",
                            no_args_is_help=True)
AsOf = Annotated[str, typer.Option("--as-of", help="The valid date compared (e.g. the 2019-12-31 cut-off).")]
Version = Annotated[str | None, typer.Option("--reference", help="The register version (default: the latest "
                                                                  "loaded by --known-at).")]
KnownAt = Annotated[str | None, typer.Option(
    help="The ledger as known at this system time (default: the last recording).")]
FINDING_HEADERS = ["类别", "参保地/户籍地", "公民身份号码", "姓名", "户籍地区划", "原因", "说明"]
REASON_LABELS = dict(REASONS)
ANNEX_3_HEADERS = ["序号", "户籍地区划", "合计", "公费医疗", "医疗照顾", "离休人员", "服刑", "参军", "管理因素", "其他"]


@reference_app.command("load")
def reference_load(
    file: Annotated[Path, typer.Argument(help="A register extract: CSV (UTF-8 or GB18030) or XLSX.", exists=True)],
    name: Annotated[str | None, typer.Option(help="The version's name (default: the file's name).")] = None,
    errors: Annotated[Path | None, typer.Option(help="Where to write the XLSX of refused rows.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Load a register extract as a new reference version (never overwriting an earlier one)."""
    from importer.register_file import load_register, write_error_report

    with running(data_dir) as ready, ready.datastore.get_connection() as conn:
        try:
            loaded = load_register(conn, file, name or file.stem, ready.clock.now(), ready.today())
        except ValueError as bad:
            fail(str(bad))
    out.print(f"register version {loaded.name}: {loaded.loaded:,} persons of {loaded.rows_read:,} rows "
              f"({len(loaded.refused):,} refused)", highlight=False)
    if loaded.refused:
        target = errors or file.with_name(file.stem + ".errors.xlsx")
        write_error_report(file, loaded.refused, target)
        out.print(f"refused rows, with the faulty cells in red: {target}")


def compared(ready: Services, as_of: str, version: str | None, known_at: str | None) -> Comparison:
    from canbao.cli_data import bring_up_to_date
    from projections.register_comparison import compare

    day, now = day_of(as_of, "--as-of"), ready.clock.now()
    bring_up_to_date(ready)
    with ready.datastore.get_connection() as conn:
        try:
            return compare(conn, day, moment(known_at, "--known-at") if known_at else None, now, version)
        except LookupError as missing:
            fail(str(missing))
            raise


@reference_app.command("compare")
def reference_compare(as_of: AsOf, version: Version = None, known_at: KnownAt = None,
                      xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Write every finding here.")] = None,
                      region: Annotated[str, typer.Option(help="Only this region (prefix) in --xlsx.")] = "",
                      data_dir: DataDir = None) -> None:
    """Compare the ledger with the register: suspected fake enrollments, deaths not recorded, the
    not-enrolled. Nothing in the ledger changes; offices act on the lists."""
    from projections.register_comparison import KINDS, findings

    with running(data_dir) as ready:
        comparison = compared(ready, as_of, version, known_at)
        table = Table("类别", "人数", title=f"与人口库 {comparison.version} 比对（{comparison.as_of}，"
                                          f"截至 {comparison.known_at:%Y-%m-%d %H:%M}）")
        for kind, label in KINDS.items():
            table.add_row(label, f"{comparison.counts[kind]:,}")
        out.print(table)
        out.print(f"comparison {comparison.comparison_id}", highlight=False)
        if xlsx:
            from projections.report_files import write_table

            with ready.datastore.get_connection() as conn:
                rows = findings(conn, comparison.comparison_id, None, region, None, 10_000_000)
            write_table(xlsx, "比对结果", FINDING_HEADERS, [
                [KINDS[r["kind"]], r["region"], r["id_number"], r["name"], r["household_region"] or "",
                 REASON_LABELS.get(r["reason"] or "", ""), r["detail"]] for r in rows])
            out.print(f"written to {xlsx}")


def non_enrolled_report(
    as_of: AsOf, version: Version = None, known_at: KnownAt = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for 附件3 and the mobilisation lists.")] = Path("."),
    data_dir: DataDir = None,
) -> None:
    """附件3 不参加基本医疗保险人员情况表 per household region, and the mobilisation list (参保动员)
    of each household-registration office (户籍经办机构)."""
    from projections.register_comparison import findings, non_enrolled_table
    from projections.report_files import write_table

    with running(data_dir) as ready:
        comparison = compared(ready, as_of, version, known_at)
        with ready.datastore.get_connection() as conn:
            table = non_enrolled_table(conn, comparison.comparison_id)
            people = findings(conn, comparison.comparison_id, "not_enrolled", "", None, 10_000_000)
    lines = [[n, r["region"], r["total"], *(r[reason] for reason in REASONS)] for n, r in enumerate(table, start=1)]
    lines.append(["", "合计", sum(r["total"] for r in table), *(sum(r[k] for r in table) for k in REASONS)])
    out_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("xlsx", "csv"):
        write_table(out_dir / f"附件3-不参加基本医疗保险人员情况表.{suffix}", "附件3", ANNEX_3_HEADERS, lines)
    by_office: dict[str, list[list[object]]] = {}
    for r in people:
        by_office.setdefault(r["household_region"] or "", []).append(
            [r["id_number"], r["name"], REASON_LABELS[r["reason"]], r["detail"]])
    for office, rows in by_office.items():
        write_table(out_dir / f"参保动员名单-{office}.xlsx", f"参保动员{office}", ["公民身份号码", "姓名", "未参保原因",
                                                                               "户籍地址"], rows)
    summary = Table(*ANNEX_3_HEADERS[1:], title=f"附件3（{comparison.as_of}，人口库 {comparison.version}）")
    for line in lines:
        summary.add_row(*(str(v) for v in line[1:]))
    out.print(summary)
    out.print(f"written to {out_dir}: 附件3 (.xlsx, .csv) and {len(by_office)} mobilisation lists", highlight=False)

