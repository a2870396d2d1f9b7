"""The national code tables, loaded from code_tables.toml: data, not code."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from domain.errors import refuse


@dataclass(frozen=True)
class CodeTable:
    name: str
    label: str
    api_name: str
    codes: dict[str, str]
    legacy_only: frozenset[str]

    def label_of(self, code: str) -> str:
        return self.codes.get(code, "")

    def require(self, code: str, field: str, legacy: bool = False) -> str:
        """Return `code` if the table has it (legacy-only codes only when `legacy`)."""
        if code in self.codes and (legacy or code not in self.legacy_only):
            return code
        allowed = ", ".join(c for c in self.codes if legacy or c not in self.legacy_only)
        raise refuse(
            field,
            f"code_table.{self.name}",
            f"“{code}” is not a code of {self.label} ({self.api_name}); allowed: {allowed}",
        )


@cache
def tables() -> dict[str, CodeTable]:
    raw = tomllib.loads((Path(__file__).parent / "code_tables.toml").read_text(encoding="utf-8"))
    return {
        name: CodeTable(
            name=name,
            label=spec["label"],
            api_name=spec["api_name"],
            codes=dict(spec["codes"]),
            legacy_only=frozenset(spec.get("legacy_only", ())),
        )
        for name, spec in raw.items()
    }


def table(name: str) -> CodeTable:
    return tables()[name]


def label(table_name: str, code: str) -> str:
    return tables()[table_name].label_of(code)
