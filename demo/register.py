"""A generated population register (公安人口库) for a population, with each case of the comparison
planted at a known rate: the ledger's persons, some left out (suspected fake enrollments), some
under another name, some dead; and persons the ledger does not have, alive or not, each with the
附件3 reason it would be counted under. What was planted is returned, for tests to compare with."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from demo.population import resident_id
from domain.errors import DomainError
from domain.id_numbers import parse_resident_id
from domain.register import ABROAD, ALIVE, CUSTODY, DEAD, IN_SERVICE

HEADER = ["公民身份号码", "姓名", "性别", "出生日期", "户籍地区划", "户籍地址", "人员状态", "状态日期", "其他医疗保障"]
# A register-only person: (status, coverage) for each 附件3 reason, and the dead, who are not counted.
OUTSIDERS = {
    "public_medical": (ALIVE, "公费医疗"), "medical_care": (ALIVE, "医疗照顾"), "retired_cadre": (ALIVE, "离休"),
    "custody": (CUSTODY, ""), "military": (IN_SERVICE, ""), "management": (ABROAD, ""), "other": (ALIVE, ""),
    "dead": (DEAD, ""),
}
SURNAMES, GIVEN = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高", "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英"


@dataclass
class Planted:
    omitted: set[str] = field(default_factory=set)  # in the ledger, not in the register
    renamed: set[str] = field(default_factory=set)  # in both, under another name
    dead: dict[str, date] = field(default_factory=dict)  # in both, dead in the register since
    outsiders: dict[str, str] = field(default_factory=dict)  # register only: ID → reason (or "dead")


def _other_name(rng: random.Random, name: str) -> str:
    changed = rng.choice([c for c in GIVEN if not name.endswith(c)])
    return name[:-1] + changed if len(name) > 1 else name + changed


def write_register(persons: Iterable[tuple[str, str, str]], path: Path, seed: int, today: date,
                   rates: tuple[float, float, float] = (0.03, 0.02, 0.02), outsiders: int = 80) -> Planted:
    """The register of `persons` (18-digit ID number, name, household region) and `outsiders`
    more; `rates`: the shares left out, renamed and dead. Gender and birth date come from the ID."""
    rng, planted = random.Random(seed), Planted()
    omit, rename, die = rates
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for number, name, region in persons:
            parsed = parse_resident_id(number, today=today)
            draw = rng.random()
            if draw < omit:
                planted.omitted.add(parsed.number)
                continue
            status, status_date = ALIVE, ""
            if draw < omit + rename:
                name = _other_name(rng, name)
                planted.renamed.add(parsed.number)
            elif draw < omit + rename + die:
                died = date(2017, 1, 1) + timedelta(days=rng.randrange(4 * 365))
                status, status_date = DEAD, f"{died:%Y%m%d}"
                planted.dead[parsed.number] = died
            out.writerow([parsed.number, name, parsed.gender, f"{parsed.birth_date:%Y%m%d}", region,
                          f"{region}某街道{rng.randrange(1, 200)}号", status, status_date, ""])
        reasons = list(OUTSIDERS)
        for n in range(outsiders):
            reason = reasons[n % len(reasons)]
            status, coverage = OUTSIDERS[reason]
            region = rng.choice(["350102", "350103", "350203", "350582"])
            # Some born late in 2019 or in 2020: not yet counted on an earlier valid date.
            born = date(1930, 1, 1) + timedelta(days=rng.randrange(90 * 365)) if n % 5 else \
                date(2019, 10, 1) + timedelta(days=rng.randrange(200))
            number = resident_id(rng, region, born)
            parsed = parse_resident_id(number, today=today)
            status_date = f"{date(2018, 6, 1) + timedelta(days=rng.randrange(700)):%Y%m%d}" if status == DEAD else ""
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            out.writerow([parsed.number, name, parsed.gender, f"{born:%Y%m%d}", region, f"{region}某社区", status,
                          status_date, coverage])
            planted.outsiders[parsed.number] = reason
    return planted


def persons_of_extract(extract: Path, today: date) -> list[tuple[str, str, str]]:
    """The resident-ID persons of a generated extract (18-digit number, name, region), once each;
    rows whose number a register could not hold (a bad check digit, another certificate) left out."""
    persons: dict[str, tuple[str, str, str]] = {}
    with extract.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            if row.get("证件类型", "01") != "01":
                continue
            try:
                number = parse_resident_id(row["证件号码"], today=today).number
            except DomainError:
                continue
            persons.setdefault(number, (number, row["姓名"].strip(), row["参保地医保区划编码"].strip()))
    return list(persons.values())
