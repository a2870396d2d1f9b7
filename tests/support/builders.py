"""Small builders so tests read as the story they tell."""

from __future__ import annotations

from datetime import date, datetime, timezone
from uuid import uuid4

from domain import commands as cmd
from domain.events import Actor
from domain.id_numbers import check_character, parse_resident_id

CLERK = Actor(kind="office", id="clerk-1", region="350100")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
EMPLOYER = "91350100M000100Y43"
EMPLOYER_2 = "A1110000MB0000000J"
COMMUNITY = "C350102001"
FLEX_UNIT = "F350100"


def resident_id(region: str = "350102", born: date = date(1985, 6, 1), seq: str = "123") -> str:
    first17 = f"{region}{born:%Y%m%d}{seq}"
    return first17 + check_character(first17)


def ctx(
    now: datetime = NOW, channel: str = "office", actor: Actor = CLERK, evidence: tuple[str, ...] = ()
) -> cmd.Context:
    return cmd.Context(command_id=uuid4(), actor=actor, channel=channel, now=now, evidence=evidence)


def register(id_number: str, effective: date = date(2010, 1, 1), **kw) -> cmd.RegisterPerson:
    """A registration whose birth date and gender agree with the ID number unless told otherwise."""
    parsed = parse_resident_id(id_number, today=NOW.date())
    fields = dict(name="张三", gender=parsed.gender, birth_date=parsed.birth_date, ethnicity="01")
    fields.update(kw)
    return cmd.RegisterPerson(effective=effective, id_number=id_number, **fields)


def enroll_employee(
    id_number: str,
    region: str = "350102",
    effective: date = date(2012, 3, 1),
    unit: str = EMPLOYER,
    person_type: str = "1101",
    insurance_type: str = "310",
) -> cmd.Enroll:
    return cmd.Enroll(
        effective=effective,
        id_number=id_number,
        insurance_type=insurance_type,
        region=region,
        pooling_region=region[:4] + "00",
        unit_code=unit,
        person_type=person_type,
    )


def enroll_resident(
    id_number: str, region: str = "350102", effective: date = date(2012, 3, 1), unit: str = COMMUNITY
) -> cmd.Enroll:
    return cmd.Enroll(
        effective=effective,
        id_number=id_number,
        insurance_type="390",
        region=region,
        pooling_region=region[:4] + "00",
        unit_code=unit,
        person_type="1501",
    )


def register_unit(code: str = EMPLOYER, management_type: str = "01", region: str = "350100", **kw) -> cmd.RegisterUnit:
    return cmd.RegisterUnit(
        effective=date(2000, 1, 1),
        unit_code=code,
        name=kw.pop("name", "福州示例有限公司"),
        unit_type=kw.pop("unit_type", "10"),
        management_type=management_type,
        region=region,
        **kw,
    )
