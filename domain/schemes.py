"""Which insurance types are base enrollments of a scheme, which are riders, and of what."""

from __future__ import annotations

EMPLOYEE = "1"  # 参保身份 职工
RESIDENT = "2"  # 参保身份 居民

EMPLOYEE_BASE = frozenset({"310"})
RESIDENT_BASE = frozenset({"390", "391", "380"})
# The base enrollments of either scheme, riders left out: what the cleanup reports and the
# comparisons (with the population register, across provinces) count.
BASE_TYPES = EMPLOYEE_BASE | RESIDENT_BASE
# 正常参保 and 暂停参保 (参保状态 1 and 2): enrolled, as the comparisons count it; 终止 is not.
ENROLLED_STATUSES = frozenset({"1", "2"})
# rider → the base types it attaches to (same person, same region, open)
RIDERS: dict[str, frozenset[str]] = {
    "320": EMPLOYEE_BASE,
    "330": EMPLOYEE_BASE,
    "370": EMPLOYEE_BASE,
    "410": EMPLOYEE_BASE,
    "510": EMPLOYEE_BASE,
    "392": RESIDENT_BASE,
}
CIVIL_SERVANT_SUBSIDY = "320"

IN_SERVICE_TYPES = frozenset({"1101", "1102", "1103"})
RETIRED_TYPES = frozenset({"1201", "1202", "1203", "1300"})
RESIDENT_TYPES = frozenset({"1401", "1402", "1403", "1404", "1405", "1501", "1601"})
# A legacy row that gives no 人员类别 (附件1 has no such column): the type is not known, and the
# ledger does not invent one (an employee is not assumed to be in service, nor a resident adult).
UNKNOWN_TYPE = "9960"
RETIREMENT_OF = {"1101": "1201", "1102": "1202", "1103": "1203"}
FLEXIBLE_WORKER = "1103"
CIVIL_SERVANT = "1102"

# 单位管理类型 that may carry each kind of enrollment
EMPLOYER_UNITS = frozenset({"01", "03", "09"})
FLEXIBLE_UNITS = frozenset({"02"})
RESIDENT_UNITS = frozenset({"08"})


def scheme_of(insurance_type: str) -> str | None:
    """职工 or 居民 for base types; None for riders and special schemes (340, 350, …)."""
    if insurance_type in EMPLOYEE_BASE:
        return EMPLOYEE
    if insurance_type in RESIDENT_BASE:
        return RESIDENT
    return None


def is_base(insurance_type: str) -> bool:
    return insurance_type not in RIDERS


def counted_enrolled(insurance_type: str, status: str) -> bool:
    """Whether a spell of this type and status is an enrollment the comparisons count."""
    return insurance_type in BASE_TYPES and status in ENROLLED_STATUSES
