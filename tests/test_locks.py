"""`jinzhong migrate` and `jinzhong seed` run one at a time on a database: a second one waits
for the first however long it takes (past the connections' lock_timeout on PostgreSQL),
then finds nothing left to do. The connection that waited goes back to the pool with the
lock_timeout requests have, so no later request on it waits longer than BUSY_TIMEOUT."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

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


@pytest.mark.postgresql_only
def test_exclusive_leaves_pooled_connections_their_lock_timeout(
    new_database: Callable[[str], str],
) -> None:
    # The lock is waited for without a timeout, but a request that later gets the same
    # pooled connection must still give up on a held table lock after BUSY_TIMEOUT, not
    # wait for the statement timeout.
    url = new_database("lock-timeout")
    upgrade(url)
    # One connection only: the request below gets the very connection that held the lock.
    engine = make_engine(url, busy_timeout=0.5, statement_timeout=10, pool_size=1)
    with exclusive(engine, "seed"):
        pass
    holder = make_engine(url)
    with holder.connect() as locking:
        locking.execute(text("LOCK TABLE region IN ACCESS EXCLUSIVE MODE"))
        with engine.connect() as connection:
            assert connection.execute(text("SHOW lock_timeout")).scalar() == "500ms"
            started = time.monotonic()
            with pytest.raises(DBAPIError, match="lock timeout"):
                connection.execute(text("SELECT count(*) FROM region"))
            waited = time.monotonic() - started
        locking.rollback()
    holder.dispose()
    engine.dispose()
    # Half a second of lock_timeout, with room for a loaded machine; far below the 10 s of
    # the statement timeout that a lock_timeout of 0 would leave it to.
    assert waited < 3.0
