"""Six-digit medical-insurance region codes (医保区划) and their levels."""

from __future__ import annotations

import re
import tomllib
from enum import StrEnum
from functools import cache
from pathlib import Path

from domain.codes import table
from domain.errors import refuse

_SIX_DIGITS = re.compile(r"[0-9]{6}")
NATIONAL = "100000"


class RegionLevel(StrEnum):
    NATIONAL = "national"
    PROVINCE = "province"
    PROVINCE_POOL = "province_pool"  # xx99yy: a province-level pool such as 139900 河北省本级
    CITY = "city"
    COUNTY = "county"


def region_level(code: str) -> RegionLevel:
    if code == NATIONAL:
        return RegionLevel.NATIONAL
    if code[2:] == "0000":
        return RegionLevel.PROVINCE
    if code[2:4] == "99":
        return RegionLevel.PROVINCE_POOL
    if code[4:] == "00":
        return RegionLevel.CITY
    return RegionLevel.COUNTY


def validate_region(raw: str, field: str = "region") -> str:
    code = raw.strip()
    if not _SIX_DIGITS.fullmatch(code):
        raise refuse(field, "region.format", f"“{raw}” is not a 6-digit region code")
    if code != NATIONAL and code[:2] not in table("province").codes:
        raise refuse(field, "region.province", f"province prefix {code[:2]} does not exist")
    return code


def province_of(code: str) -> str:
    return code[:2]


def pools(region: str, pooling_region: str) -> bool:
    """Whether `pooling_region` can pool enrollments of `region` (same or a higher level)."""
    level = region_level(pooling_region)
    if pooling_region == region:
        return True
    if level in (RegionLevel.PROVINCE, RegionLevel.PROVINCE_POOL):
        return province_of(region) == province_of(pooling_region)
    if level is RegionLevel.CITY:
        return region[:4] == pooling_region[:4]
    return False


@cache
@cache
def region_names() -> dict[str, str]:
    raw = tomllib.loads((Path(__file__).parent / "region_codes.toml").read_text(encoding="utf-8"))
    return dict(raw["codes"])


def unknown_region_warning(code: str) -> str | None:
    """A note (not a refusal) for a well-formed region code the table does not know."""
    if code in region_names() or code[2:] == "0000":
        return None
    return f"区划代码 {code} 不在区划代码表中（可能为已撤销或调整的旧代码），请核对"
