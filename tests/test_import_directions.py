"""Imports point inward (docs/architecture.md): a package imports only the layers beneath it.

domain ← eventlog ← projections ← application / importer ← API (ledger_api) ← canbao, bench.
Checked on the source text of every module, so a stray import fails here, not in review.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"domain", "eventlog", "projections", "application", "importer", "ledger_api", "canbao", "bench", "demo"}
MAY_IMPORT = {
    "domain": {"domain"},
    "eventlog": {"domain", "eventlog"},
    "projections": {"domain", "eventlog", "projections"},
    "application": {"domain", "eventlog", "projections", "application"},
    "importer": {"domain", "eventlog", "projections", "application", "importer"},
    "demo": {"domain", "importer", "demo"},
    # The API reaches the log only through the application's ports, and never the wiring.
    "ledger_api": {"domain", "projections", "application", "ledger_api"},
    "canbao": OURS,
    "bench": OURS,
}
FOLDER = {"ledger_api": ROOT / "graphql" / "ledger_api"}


def modules(package: str) -> list[Path]:
    return sorted((FOLDER.get(package) or ROOT / package).rglob("*.py"))


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & OURS


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_each_package_imports_only_the_layers_beneath_it(package):
    wrong = {f"{path.relative_to(ROOT)} imports {name}"
             for path in modules(package) for name in imported_packages(path) - MAY_IMPORT[package]}
    assert not wrong, sorted(wrong)


def test_every_module_imports_with_the_database_unreachable_and_starts_nothing():
    """No import-time side effects: no connection, no schema, no server, no thread."""
    names = []
    for package in MAY_IMPORT:
        base = FOLDER.get(package, ROOT / package).parent
        for path in modules(package):
            parts = path.relative_to(base).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    script = (
        "import importlib, sys, threading\n"
        f"for name in {sorted(set(names))!r}:\n"
        "    importlib.import_module(name)\n"
        "assert threading.active_count() == 1, threading.enumerate()\n"
        "print('imported', len(sys.modules))\n"
    )
    env = {**os.environ, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1",
           "TEST_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1",
           "CANBAO_DATA_DIR": "/nonexistent/canbao"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
