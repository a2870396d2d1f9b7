"""`canbao catalogue`, `canbao calendar load FILE`, `canbao requests`: the service catalogue,
next year's working-day schedule, and the 台账 of service requests (seed 004)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from canbao.cli_common import DataDir, fail, out, running

calendar_app = typer.Typer(help="Working-day schedules (工作日安排) beyond the years shipped.", no_args_is_help=True)

HEADERS = ["申请编号", "事项编码", "事项名称", "业务", "环节", "参保地", "证件号码", "单位编号", "申请日期", "受理日期",
           "受理机构", "审核机构", "办结日期", "办结时限", "时限待定", "已用工作日", "超期", "审核不通过原因"]


def catalogue_table() -> None:
    """The service catalogue (服务事项清单): items, materials, stages and time limits."""
    from domain.requests.catalogue import catalogue

    c = catalogue()
    table = Table(title=f"服务事项清单（{c.version}）")
    for header in ("子项编码", "子项", "办理时限", "办理环节", "办理材料", "记入账本"):
        table.add_column(header, overflow="fold")
    for item in c.items.values():
        table.add_row(item.code, item.name, item.limit_label(), "-".join(item.stages), "\n".join(item.materials),
                      " ".join(item.commands) or "—")
    out.print(table)
    out.print(f"网上经办需审核的业务：提交后{c.online_limit_days}个工作日内办结（seed 002）", highlight=False)


@calendar_app.command("load")
def calendar_load(file: Annotated[Path, typer.Argument(help="TOML: [years.YYYY] holidays, working_weekends.")],
                  data_dir: DataDir = None) -> None:
    """Load a year's official schedule (the State Council's 放假安排): provisional deadlines become exact."""
    from application.calendar import CalendarFileError, read_schedule_file, store_schedules

    try:
        schedules = read_schedule_file(file)
    except CalendarFileError as bad:
        fail(str(bad))
    with running(data_dir) as ready, ready.datastore.get_connection() as conn:
        store_schedules(conn, schedules, file.name)
    for s in schedules:
        out.print(f"{s.year}: {len(s.holidays)} weekday holidays, {len(s.working_weekends)} working weekend days "
                  f"(调休) — deadlines in {s.year} are exact from now on", highlight=False)


def requests_ledger(
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open requests past their deadline.")] = False,
    stage: Annotated[str | None, typer.Option(help="applied, accepted, approved, rejected or completed.")] = None,
    region: Annotated[str | None, typer.Option(help="Only requests of this insured region (or prefix).")] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Also write the 台账 to this XLSX (or .csv).")] = None,
    data_dir: DataDir = None,
) -> None:
    """The 台账 of service requests: stage, deadline in working days, overdue; per office, a summary."""
    from canbao.cli_data import bring_up_to_date
    from domain.requests.catalogue import catalogue
    from domain.requests.state import STAGE_LABELS
    from projections.report_files import write_table
    from projections.request_queries import Filters, Scope, office_summary, service_requests

    if stage is not None and stage not in STAGE_LABELS:
        fail(f"--stage must be one of {', '.join(STAGE_LABELS)}")
    with running(data_dir) as ready:
        bring_up_to_date(ready)
        today = ready.today()
        with ready.datastore.get_connection() as conn:
            rows = service_requests(conn, Scope(region_prefix=region), Filters(stage=stage, overdue=overdue or None),
                                    None, 1_000_000, today)
    items = catalogue().items
    lines = [[str(r["request_id"]), r["item_code"], items[r["item_code"]].name if r["item_code"] in items else "",
              r["command"], STAGE_LABELS.get(r["stage"], r["stage"]), r["region"], r["id_number"] or "",
              r["unit_code"] or "", r["applied_on"], r["accepted_on"], r["accepted_by"] or "", r["reviewed_by"] or "",
              r["completed_on"], r["deadline"] and r["deadline"].due, "是" if r["deadline"] and
              r["deadline"].provisional else "", r["working_days_used"], "是" if r["overdue"] else "",
              r["rejection"] or ""] for r in rows]
    table = Table(title=f"业务受理和办理进度台账（{today}）")
    for header in ("事项", "环节", "参保地", "受理", "办结时限", "已用", "超期"):
        table.add_column(header, overflow="fold")
    for line in lines:
        due = f"{line[13]}{'（暂定）' if line[14] else ''}" if line[13] else "—"
        table.add_row(line[2] or line[1], line[4], line[5], line[10] or "网上", due, str(line[15]), line[16])
    out.print(table)
    out.print(f"{len(lines):,} requests, {sum(1 for r in rows if r['overdue']):,} overdue", highlight=False)
    summary = Table(title="各经办机构受理和办理情况")
    for header in ("受理机构", "受理", "办结", "按时办结", "超期未办结", "平均工作日：受理", "审核", "办结"):
        summary.add_column(header, overflow="fold")
    for f in office_summary(rows):
        averages = (f.average(stage) for stage in ("受理", "审核", "办结"))
        summary.add_row(f.office, str(f.received), str(f.completed), str(f.in_time), str(f.overdue),
                        *(f"{a:.1f}" if a is not None else "—" for a in averages))
    out.print(summary)
    if xlsx:
        write_table(xlsx, "台账", HEADERS, lines)
        out.print(f"written to {xlsx}")
