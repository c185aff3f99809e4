"""The `jinzhong` command: migrate, seed (idempotent, all or nothing) and serve, driven through
the environment exactly as an operator would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx2 as httpx
import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.db import make_engine
from app.seed.loader import load_bundle
from tests.support.databases import dump
from tests.support.seed import SEED_DIR, edit


@pytest.fixture
def env(new_database: Callable[[str], str]) -> dict[str, str]:
    return {"DATABASE_URL": new_database("cli")}


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def test_cli_migrate_then_seed_then_seed_again(env: dict[str, str]) -> None:
    assert run(env, "migrate")[0] == 0
    code, output = run(env, "seed")
    assert code == 0, output
    assert f"observation +{len(load_bundle(SEED_DIR).observations)}" in output
    code, output = run(env, "seed")
    assert (code, "nothing to do" in output) == (0, True)


def test_cli_seed_before_migrate_fails_clearly(env: dict[str, str]) -> None:
    code, output = run(env, "seed")
    assert code == 1
    assert "jinzhong migrate" in output


def test_cli_seed_broken_data_fails_and_changes_nothing(
    env: dict[str, str], seed_copy: Path
) -> None:
    run(env, "migrate")
    run(env, "seed")
    engine = make_engine(env["DATABASE_URL"])
    before = dump(engine)
    edit(seed_copy, "regions.yaml", 'parent: "140400"}', 'parent: "149900"}')
    code, output = run(env, "seed", "--seed-dir", str(seed_copy))
    assert code == 1
    assert "regions.yaml:" in output
    assert "unknown region '149900'" in output
    assert dump(engine) == before
    engine.dispose()


def test_cli_serve_answers_over_http(live_server: str) -> None:
    response = httpx.get(
        f"{live_server}/v1/observations", params={"region": "140700", "latest": "true"}
    )
    assert response.status_code == 200
    gdp = [o for o in response.json()["items"] if o["indicator"] == "gdp"]
    assert gdp[0]["value"] == 2458.8
    assert gdp[0]["url"].startswith(live_server)
