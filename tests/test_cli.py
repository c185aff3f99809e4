"""The `jinzhong` command: migrate, seed (idempotent, all or nothing) and serve, driven through
the environment exactly as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import alembic.command
import httpx2 as httpx
import pytest
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from app.cli import cli
from app.config import PROJECT_ROOT
from app.db import make_engine
from app.migrate import alembic_config, current_revision, head_revision, upgrade
from app.seed import sync
from app.seed.loader import load_bundle
from app.seed.sync import seed_database
from tests.support.databases import dump
from tests.support.seed import SEED_DIR, edit
from tests.support.server import free_port


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


def test_cli_restart_on_an_up_to_date_database_loads_neither_alembic_nor_yaml(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(env, "migrate")[0] == 0
    assert run(env, "seed")[0] == 0

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("ran although the database was up to date")

    # What a restart needs to know is in the database: the revision and the seed's hash.
    monkeypatch.setattr(alembic.command, "upgrade", refuse)
    monkeypatch.setattr(sync, "load_bundle", refuse)
    assert run(env, "migrate") == (0, "database is at the newest migration\n")
    code, output = run(env, "seed")
    assert (code, "nothing to do" in output) == (0, True), output


def test_cli_migrate_applies_what_an_older_database_lacks(env: dict[str, str]) -> None:
    url = env["DATABASE_URL"]
    scripts = ScriptDirectory.from_config(alembic_config(url))
    head = scripts.get_current_head()
    assert head is not None
    older = scripts.get_revision(head).down_revision
    assert isinstance(older, str)
    upgrade(url, older)
    engine = make_engine(url)
    assert current_revision(engine) == older
    assert run(env, "migrate")[0] == 0
    assert current_revision(engine) == head == head_revision()
    engine.dispose()


def test_cli_serve_prepare_seeds_an_edited_seed_before_serving(
    env: dict[str, str], seed_copy: Path
) -> None:
    env = {**env, "SEED_DIR": str(seed_copy)}
    upgrade(env["DATABASE_URL"])
    engine = make_engine(env["DATABASE_URL"])
    seed_database(engine, seed_copy)
    engine.dispose()
    edit(seed_copy, "topics.yaml", "name_en: Energy", "name_en: Energy supply")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--prepare", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "HOST": "127.0.0.1", **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The reseed comes before the server listens: on a busy machine that takes a while.
        deadline = time.monotonic() + 180
        while server.poll() is None and time.monotonic() < deadline:
            try:
                topic = httpx.get(f"http://127.0.0.1:{port}/v1/topics/energy").json()
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("jinzhong serve --prepare did not answer")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert topic["name_en"] == "Energy supply"


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
