"""The graphql/ folder must never shadow graphql-core (see shared design notes)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_graphql_folder_is_not_a_package():
    assert not (ROOT / "graphql" / "__init__.py").exists()


def test_import_graphql_from_the_repository_root_finds_graphql_core():
    script = "import graphql, strawberry; print(graphql.__file__)"
    found = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert "site-packages" in found and not found.startswith(str(ROOT / "graphql"))


def test_the_api_package_is_importable_as_ledger_api():
    import ledger_api.schema

    assert Path(ledger_api.schema.__file__).is_relative_to(ROOT / "graphql" / "ledger_api")


def test_a_wheel_carries_every_package_of_the_source_tree():
    # setuptools installs only the packages it is given: a subpackage left off the list works in
    # the editable checkout and is missing from `pip install .` (domain.campaign was, until 0.1.0).
    import tomllib

    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    homes = {name: ROOT / folder for name, folder in setuptools["package-dir"].items()}
    listed = set(setuptools["packages"])
    found = set()
    for name in listed:
        top = name.split(".")[0]
        base = homes.get(top, ROOT / top)
        found |= {".".join([top, *init.parent.relative_to(base).parts]) for init in base.rglob("__init__.py")}
    assert found == listed
