"""`jinzhong migrate` and `jinzhong seed` run one at a time on a database: a second one waits
for the first however long it takes (past the connections' lock_timeout on PostgreSQL),
then finds nothing left to do."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from app.config import PROJECT_ROOT
from app.db import exclusive, make_engine
from app.migrate import current_revision, head_revision, upgrade
from tests.support.databases import BACKEND

# Longer than the 5 s lock_timeout a PostgreSQL connection of make_engine() gets by default.
HOLD_SECONDS = 6.5 if BACKEND == "postgresql" else 2.0


@pytest.mark.parametrize("command", ["migrate", "seed"])
def test_a_second_runner_waits_for_the_first(
    new_database: Callable[[str], str], command: str
) -> None:
    url = new_database("lock")
    if command == "seed":
        upgrade(url)
    engine = make_engine(url)
    with exclusive(engine, command):
        runner = subprocess.Popen(
            [sys.executable, "-m", "app.cli", command],
            cwd=PROJECT_ROOT,
            env={**os.environ, "DATABASE_URL": url},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        time.sleep(HOLD_SECONDS)
        assert runner.poll() is None  # still waiting for the lock, not failed
    output, _ = runner.communicate(timeout=120)
    assert runner.returncode == 0, output
    if command == "migrate":
        assert current_revision(engine) == head_revision()
    else:
        assert output.startswith("seeded"), output
    engine.dispose()
