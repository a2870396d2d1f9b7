"""A synthetic but realistic population for one province, written as a legacy extract.

Employers, residents, flexible workers, retirees and civil servants; 15-digit legacy IDs,
deaths, suspensions, earlier enrollments that ended in a transfer, duplicates of every
kind at rates like those the 2019 cleanup found, and a share of bad rows of every kind.
Deterministic for a given seed.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from domain.id_numbers import check_character
from domain.regions import region_names
from domain.unit_codes import ALPHABET
from domain.unit_codes import check_character as unit_check
from importer.legacy_file import COLUMNS

POOLS = {"350100": ("350102", "350103", "350104", "350111"), "350200": ("350203", "350206"),
         "350300": ("350302", "350303")}
REGIONS = [r for regions in POOLS.values() for r in regions]
POOL_OF = {r: pool for pool, regions in POOLS.items() for r in regions}
OTHER_PROVINCE = ("110101", "110100")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅海燕晨欣怡子涵浩然"
MINORITY_NAMES = ("阿依古丽·买买提", "热依拉·阿不都", "扎西·多吉")
BAD_ROW_KINDS = ("check_character", "birth_date", "unknown_code", "missing_name", "status_3", "identity_scheme")


@dataclass(frozen=True)
class Rates:
    employee: float = 0.50
    flexible: float = 0.10
    retired_share: float = 0.22
    civil_servant_share: float = 0.06
    legacy_15_digit: float = 0.04
    died: float = 0.01
    suspended: float = 0.03
    transferred: float = 0.03
    duplicate: float = 0.04
    other_name: float = 0.003
    bad_row: float = 0.01
    large_employer: float = 0.018  # at 1,000,000 persons: ~1,000 staff at each region's largest employer


def unit_code(rng: random.Random, region: str) -> str:
    body = "91" + region + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + unit_check(body)


def resident_id(rng: random.Random, region: str, born: date) -> str:
    first17 = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + check_character(first17)


@dataclass
class _Who:
    """A generated person's identity and the kind of insured they are."""

    person: dict[str, str]
    region: str
    born: date
    employee: bool
    flexible: bool
    retired: bool
    civil: bool


class Population:
    def __init__(self, persons: int, seed: int, rates: Rates = Rates()) -> None:
        self.rng = random.Random(seed)
        self.persons, self.rates = persons, rates
        self.employers = {r: [(unit_code(self.rng, r), f"{r}示例单位{n:04d}有限公司")
                              for n in range(max(3, persons // (60 * len(REGIONS))))] for r in REGIONS}

    def rows(self) -> Iterator[dict[str, str]]:
        for n in range(self.persons):
            yield from self._person(n)

    def _person(self, n: int) -> Iterator[dict[str, str]]:
        """One person's rows. The random draws keep their order: a seed makes the same population."""
        rng, rates = self.rng, self.rates
        who = self._who(n)
        start, end, status = self._span(who)
        if who.employee or who.flexible:
            scheme_rows = self._employee_rows(who, start, end, status)
        else:
            minor = who.born > date(2001, 1, 1)
            community = rng.randrange(30), rng.randrange(30)
            scheme_rows = [self._enrollment(
                who.person, "390", who.region, f"C{who.region}{community[0]:03d}",
                f"{who.region}社区{community[1]:03d}", "1403" if minor else "1501", start, end, status)]
        if rng.random() < rates.duplicate:
            scheme_rows.append(self._duplicate(who.person, who.region, start, who.employee or who.flexible))
        if rng.random() < rates.other_name:
            scheme_rows[-1] = {**scheme_rows[-1], "name": scheme_rows[-1]["name"] + "某"}
        for row in scheme_rows:
            yield self._spoil(row) if rng.random() < rates.bad_row else row

    def _who(self, n: int) -> _Who:
        rng, rates = self.rng, self.rates
        region = rng.choice(REGIONS)
        kind = rng.random()
        employee, flexible = kind < rates.employee, rates.employee <= kind < rates.employee + rates.flexible
        retired = employee and rng.random() < rates.retired_share
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * (30 if retired else 80)))
        if not retired and employee:
            born = date(1962, 1, 1) + timedelta(days=rng.randrange(365 * 38))
        number = resident_id(rng, region, born)
        gender = "1" if int(number[16]) % 2 else "2"
        if born.year < 2000 and rng.random() < rates.legacy_15_digit:
            number = number[:6] + number[8:17]  # the legacy 15-digit form of the same person
        civil = employee and not retired and rng.random() < rates.civil_servant_share
        name = rng.choice(MINORITY_NAMES) if rng.random() < 0.01 else rng.choice(SURNAMES) + "".join(
            rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        person = {"name": name, "gender": gender, "certificate_type": "01", "id_number": number,
                  "birth_date": born.strftime("%Y%m%d"), "ethnicity": "01", "nationality": "CHN",
                  "survival_status": "1", "local_person_number": f"P{n:09d}",
                  "phone": f"13{rng.randrange(10**9):09d}" if rng.random() > 0.05 else "",
                  "household_region": region}
        return _Who(person, region, born, employee, flexible, retired, civil)

    def _span(self, who: _Who) -> tuple[date, date | None, str]:
        """When the person's enrollment starts, and whether it ended (a death) or was suspended."""
        rng, rates = self.rng, self.rates
        adult = max(who.born + timedelta(days=365 * 18), date(1998, 1, 1))
        start = adult if who.employee or who.flexible else max(who.born, date(2007, 1, 1))
        start = min(start + timedelta(days=rng.randrange(3000)), date(2019, 6, 1))
        status, end = "1", None
        roll = rng.random()
        if roll < rates.died:
            who.person["survival_status"], status, end = "2", "4", start + timedelta(days=rng.randrange(1, 2500))
        elif roll < rates.died + rates.suspended and not who.retired:
            status, end = "2", start + timedelta(days=rng.randrange(30, 2500))
        return start, end, status

    def _employee_rows(self, who: _Who, start: date, end: date | None, status: str) -> list[dict[str, str]]:
        rng, rates, region, person = self.rng, self.rates, who.region, who.person
        if who.flexible:
            unit, unit_name = f"F{region}", f"{region}灵活就业人员"
        elif rng.random() < rates.large_employer:  # each region's one large employer
            unit, unit_name = self.employers[region][0]
        else:
            unit, unit_name = rng.choice(self.employers[region][1:])
        person_type = "1103" if who.flexible else "1201" if who.retired else "1102" if who.civil else "1101"
        rows = []
        if rng.random() < rates.transferred:  # an earlier enrollment elsewhere, ended by a transfer
            old_region = rng.choice([r for r in REGIONS if r != region])
            old_end = start - timedelta(days=rng.randrange(1, 60))
            old_start = start - timedelta(days=rng.randrange(400, 3000))
            rows.append(self._enrollment(person, "310", old_region, unit, unit_name, "1101", old_start, old_end, "4"))
        rows.append(self._enrollment(person, "310", region, unit, unit_name, person_type, start, end, status))
        if not who.flexible and rng.random() < 0.6:
            rows.append(self._enrollment(person, "330", region, unit, unit_name, person_type, start, end, status))
        if who.civil:
            rows.append(self._enrollment(person, "320", region, unit, unit_name, person_type, start, end, status))
        return rows

    def _enrollment(
        self,
        person: dict[str, str],
        insurance_type: str,
        region: str,
        unit: str,
        unit_name: str,
        person_type: str,
        start: date,
        end: date | None,
        status: str,
    ) -> dict[str, str]:
        resident = insurance_type == "390"
        pooling = OTHER_PROVINCE[1] if region == OTHER_PROVINCE[0] else POOL_OF[region]
        if resident and end is None:  # residents pay by the year: paid through the cut-off year
            end = date(max(start.year, 2019), 12, 1)
        return {
            **person,
            "region": region,
            "region_name": region_names()[region],
            "pooling_region": pooling,
            "contribution_status": {"1": "1", "2": "2", "4": "3"}[status],
            "enrollment_status": status,
            "insured_identity": "2" if resident else "1",
            "insurance_type": insurance_type,
            "start_month": start.strftime("%Y%m"),
            "end_month": end.strftime("%Y%m") if end else "",
            "unit_code": unit,
            "unit_name": unit_name,
            "reason": reason_for(status, person, resident),
            "person_type": person_type,
        }

    def _duplicate(self, person: dict[str, str], region: str, start: date, employee: bool) -> dict[str, str]:
        rng = self.rng
        kind = rng.choice(("within", "cross_scheme", "cross_province"))
        other = rng.choice([r for r in REGIONS if r != region])
        begins = start + timedelta(days=rng.randrange(30, 900))
        if kind == "cross_province":
            other = OTHER_PROVINCE[0]
        if kind == "within" and employee:
            unit, name = rng.choice(self.employers[other])
            return self._enrollment(person, "310", other, unit, name, "1101", begins, None, "1")
        if kind == "cross_scheme" and not employee:
            unit, name = rng.choice(self.employers[region])
            return self._enrollment(person, "310", region, unit, name, "1101", begins, None, "1")
        return self._enrollment(person, "390", other, f"C{other}000", f"{other}社区000", "1501", begins, None, "1")

    def _spoil(self, row: dict[str, str]) -> dict[str, str]:
        kind = self.rng.choice(BAD_ROW_KINDS)
        bad = dict(row)
        if kind == "check_character" and len(row["id_number"]) == 18:
            last = row["id_number"][-1]
            bad["id_number"] = row["id_number"][:-1] + ("0" if last != "0" else "1")
        elif kind == "birth_date":
            bad["birth_date"] = row["birth_date"][:4] + "1332"
        elif kind == "unknown_code":
            bad["ethnicity"] = "77"
        elif kind == "missing_name":
            bad["name"] = ""
        elif kind == "status_3":
            bad["enrollment_status"] = "3"
        else:
            bad["insured_identity"] = "2" if row["insured_identity"] == "1" else "1"
        return bad


def reason_for(status: str, person: dict[str, str], resident: bool) -> str:
    """参保状态变更原因 as a legacy system records it for the row's status."""
    if status == "1":
        return "11"  # 新参保
    if status == "2":
        return "6399" if resident else "6301"  # 其他中断原因 / 劳动合同解除
    return "6401" if person["survival_status"] == "2" else "6404"  # 死亡 / 转出统筹范围外


def write_extract(path: Path, persons: int, seed: int) -> int:
    """Write the population as a CSV with the annex's Chinese headers; return the rows written."""
    fields = [c.field for c in COLUMNS]
    written = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow([c.header for c in COLUMNS])
        for row in Population(persons, seed).rows():
            out.writerow([row.get(field, "") for field in fields])
            written += 1
    return written


AMOUNTS = ("6000.00", "480.00", "120.00")  # 缴费基数, 单位 8%, 个人 2%
MONTHS_PER_PERSON = 24  # a monthly file's months for each person, from January of its first year


def write_contribution_file(extract: Path, path: Path, rows: int, first_year: int = 2023, skip_persons: int = 0) -> int:
    """A monthly contribution file (缴费明细) for the employees of `extract` enrolled and paying
    normally, after the first `skip_persons` of them: MONTHS_PER_PERSON months from January of
    `first_year` each, until `rows` rows; how many it wrote."""
    header = ["证件类型", "证件号码", "险种类型", "参保地医保区划编码", "单位编号", "费款所属期", "缴费基数",
              "单位缴纳金额", "个人缴纳金额"]
    written, seen = 0, set()
    with extract.open(encoding="utf-8-sig", newline="") as source, path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(header)
        for r in csv.DictReader(source):
            key = (r["证件类型"], r["证件号码"])
            if r["险种类型"] != "310" or r["参保状态"] != "1" or r["缴费截止年月"] or key in seen:
                continue
            seen.add(key)
            if len(seen) <= skip_persons:
                continue
            for n in range(MONTHS_PER_PERSON):
                if written == rows:
                    return written
                month = f"{first_year + n // 12}{n % 12 + 1:02d}"
                out.writerow([*key, "310", r["参保地医保区划编码"], r["单位编号"], month, *AMOUNTS])
                written += 1
    return written
