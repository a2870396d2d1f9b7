"""What a printed document states (参保凭证, 参保证明, 缴费记录), as lines of text: the person, every
enrollment period, the contributions and their totals — on a valid date, as the ledger knew them
at a system time. The same lines are printed, digested and compared when a document is verified,
so they hold everything the document asserts and nothing that varies between printings."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from domain.clock import BEIJING
from domain.codes import label
from domain.person.contribution_summary import summarise
from domain.timeline import RecordedEvent, spells, state_known_at

Kind = Literal["certificate", "proof", "contributions", "unit_proof"]
TITLES: dict[Kind, str] = {
    "certificate": "基本医疗保险参保凭证",
    "proof": "基本医疗保险参保证明",
    "contributions": "基本医疗保险缴费记录",
    "unit_proof": "单位参保人员参保证明",
}


@dataclass(frozen=True)
class Statement:
    kind: Kind
    title: str
    facts: tuple[str, ...]  # what it asserts: the same facts known later give the same lines
    as_of: date
    known_at: datetime

    @property
    def facts_digest(self) -> str:
        return hashlib.sha256("\n".join((self.title, *self.facts)).encode()).hexdigest()

    def lines(self, ledger_position: int) -> list[str]:
        """The lines printed: when it speaks of and what it was based on, then the facts."""
        return [state_line(self.as_of, self.known_at, ledger_position), *self.facts]


def month_text(month: date) -> str:
    return f"{month:%Y年%m月}"


def state_line(as_of: date, known_at: datetime, ledger_position: int) -> str:
    return (f"截至 {as_of:%Y-%m-%d}（有效时间），依据 {known_at.astimezone(BEIJING):%Y-%m-%d %H:%M:%S} "
            f"北京时间所知记录（账本位置 {ledger_position}）")


def person_statement(history: Sequence[RecordedEvent], kind: Kind, as_of: date, known_at: datetime,
                     id_shown: str, months: tuple[date, date] | None = None) -> Statement:
    """What a document of `kind` about one person states. `id_shown` is the ID number as the
    requesting role may see it (masked or whole); `months` bounds a 缴费记录."""
    person = state_known_at(history, known_at)
    lines = [f"姓名：{person.name}", f"公民身份号码：{id_shown}", "参保记录："]
    for n, s in enumerate((s for s in spells(person) if s.valid_from <= as_of), start=1):
        until = "至今" if s.valid_to is None or s.valid_to > as_of else f"{s.valid_to:%Y-%m-%d}止"
        lines.append(f"{n}. {label('insurance_type', s.insurance_type)} {s.region} 单位 {s.unit_code} "
                     f"{label('enrollment_status', s.status)} {s.valid_from:%Y-%m-%d}起 {until}")
    summary = summarise(person, as_of)
    if kind == "contributions":
        first, last = months or (date.min, as_of)
        paid = sorted((c for c in person.contributions.values() if first <= c.month <= min(last, as_of)),
                      key=lambda c: (c.month, c.insurance_type, c.region))
        lines.append(f"缴费明细（{len(paid)} 条）：")
        lines += [f"{month_text(c.month)} {label('insurance_type', c.insurance_type)} {c.region} 基数 {c.base} "
                  f"单位 {c.unit_amount} 个人 {c.personal_amount}" for c in paid]
        lines.append(f"合计：单位 {sum(c.unit_amount for c in paid)} 个人 {sum(c.personal_amount for c in paid)}")
    years, extra = summary.employee_years
    lines.append(f"职工医保累计缴费：{summary.employee_months} 个月（{years} 年 {extra} 个月）")
    for (insurance_type, region), count in sorted(summary.months.items()):
        lines.append(f"  {label('insurance_type', insurance_type)} {region}：{count} 个月")
    for gap in summary.gaps:
        lines.append(f"断缴：{region_gap(gap.region, gap.first_month, gap.last_month)} 共 {gap.months} 个月"
                     f"（{'可补缴' if gap.can_be_paid_up else '不可补缴'}）")
    return Statement(kind, TITLES[kind], tuple(lines), as_of, known_at)


def region_gap(region: str, first: date, last: date) -> str:
    return f"{region} {month_text(first)}至{month_text(last)}"


def unit_statement(unit_code: str, unit_name: str, staff: Sequence[StaffLine], as_of: date,
                   known_at: datetime) -> Statement:
    """A 参保证明 for a unit's staff list: who was enrolled through the unit on `as_of`."""
    lines = [f"单位编号：{unit_code}", f"单位名称：{unit_name}", f"参保人员（{len(staff)} 人）："]
    lines += [f"{n}. {s.name} {s.id_shown} {label('insurance_type', s.insurance_type)} "
              f"{label('enrollment_status', s.status)} {s.since:%Y-%m-%d}起" for n, s in enumerate(staff, start=1)]
    return Statement("unit_proof", TITLES["unit_proof"], tuple(lines), as_of, known_at)


@dataclass(frozen=True)
class StaffLine:
    name: str
    id_shown: str
    insurance_type: str
    status: str
    since: date
