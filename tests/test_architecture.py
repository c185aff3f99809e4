"""The architecture holds: the import contract of pyproject.toml (layers, independent
siblings, no cycle, no web framework below the API, no seeder in what serves) is kept and names every package, so a
broken layer fails the suite and CI; what a running app keeps is read through its Runtime;
conftest files hold fixtures and hooks only, and tests take their helpers from tests/support/."""

from __future__ import annotations

import ast
import pkgutil
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.api.runtime import Runtime, runtime_of
from app.config import PROJECT_ROOT

APP = PROJECT_ROOT / "app"
TESTS = PROJECT_ROOT / "tests"
# Installed with the dev extras, beside this interpreter.
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path = PROJECT_ROOT) -> subprocess.CompletedProcess[str]:
    """Run lint-imports, without its cache, on the contract in pyproject.toml and the `app`
    package under `root` (it imports from the folder it runs in)."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(PROJECT_ROOT / "pyproject.toml")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )


def contract(contract_id: str) -> dict[str, Any]:
    """One contract of [tool.importlinter], by its id."""
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    found: dict[str, Any] = next(c for c in contracts if c["id"] == contract_id)
    return found


def test_imports_keep_every_contract() -> None:
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_layers_name_every_package_of_app() -> None:
    # A package left out of the layers would be bound by nothing.
    named = {name.strip() for layer in contract("layers")["layers"] for name in layer.split("|")}
    assert named == {f"app.{module.name}" for module in pkgutil.iter_modules([str(APP)])}


def test_imports_refuse_an_upward_import(tmp_path: Path) -> None:
    # The store importing a service: against the layers, and a cycle (services import it).
    shutil.copytree(APP, tmp_path / "app", ignore=shutil.ignore_patterns("__pycache__"))
    rows = tmp_path / "app" / "store" / "rows.py"
    rows.write_text(rows.read_text(encoding="utf-8") + "\nfrom app.services import search\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "app.store.rows -> app.services.search" in result.stdout
    assert "2 broken" in result.stdout  # the layers and the acyclic contract


def test_imports_refuse_the_seeder_in_a_router(tmp_path: Path) -> None:
    # A server loads the seeder only at its first write (tests/test_cold_start.py).
    shutil.copytree(APP, tmp_path / "app", ignore=shutil.ignore_patterns("__pycache__"))
    topics = tmp_path / "app" / "api" / "v1" / "topics.py"
    topics.write_text(topics.read_text(encoding="utf-8") + "\nfrom app.seed import loader\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "app.api.v1.topics -> app.seed.loader" in result.stdout
    assert "1 broken" in result.stdout  # the serving contract alone: the layers allow it


def test_runtime_is_the_apps_only_state(client: TestClient) -> None:
    held = runtime_of(client.app)
    assert isinstance(held, Runtime)
    client.get("/v1/topics")
    assert held.caches.served_version() is not None  # the data route read it into the runtime
    readers = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for path in sorted(APP.rglob("*.py"))
        if path != APP / "api" / "runtime.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\.state\b", line)
    ]
    assert readers == [], "app.state is read only through app/api/runtime.py"


def test_conftests_hold_fixtures_and_hooks_only() -> None:
    for path in sorted(TESTS.rglob("conftest.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                raise AssertionError(f"{path.name}: class {node.name} belongs in tests/support/")
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("pytest_"):
                fixture = any("fixture" in ast.unparse(d) for d in node.decorator_list)
                assert fixture, f"{path}: {node.name} is a helper; it belongs in tests/support/"


def test_tests_import_no_conftest() -> None:
    importers = [
        str(path.relative_to(PROJECT_ROOT))
        for path in sorted(TESTS.rglob("*.py"))
        if re.search(r"^\s*(from|import) tests(\.\w+)*\.conftest\b", path.read_text(), re.M)
    ]
    assert importers == []
