"""Faults: the database missing, unreadable, corrupt or locked gives /readyz 503 with a clear
problem and the API 503s (never a crash), and both recover when the database comes back; a
seed killed midway leaves the previous data; a statement past its timeout is stopped with a
503; oversized and malformed query strings are 4xx."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from app.api.runtime import runtime_of
from app.config import PROJECT_ROOT, Settings
from app.db import make_engine
from app.main import create_app
from tests.support.databases import dump, sqlite_url
from tests.support.seed import edit

# Faults of a SQLite file; tests/test_faults_postgresql.py has those of a database server.
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def database(seeded_database: Callable[[str], str]) -> Path:
    """A migrated, seeded database file of this test's own."""
    return Path(make_url(seeded_database("faults")).database or "")


@pytest.fixture
def api(database: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=sqlite_url(database), busy_timeout=0.2, data_version_ttl=0)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def assert_unavailable(api: TestClient, reason: str) -> None:
    ready = api.get("/readyz")
    assert ready.status_code == 503
    assert ready.headers["content-type"] == "application/problem+json"
    assert reason in ready.json()["detail"]
    data = api.get("/v1/regions")
    assert data.status_code == 503
    assert data.headers["content-type"] == "application/problem+json"
    assert data.headers["retry-after"]


def assert_recovered(api: TestClient) -> None:
    assert api.get("/readyz").status_code == 200
    assert api.get("/v1/regions/140700").json()["name_zh"] == "晋中市"


def move_away(database: Path) -> Path:
    aside = database.with_name("aside")
    aside.mkdir()
    for part in database.parent.glob(database.name + "*"):
        shutil.move(part, aside / part.name)
    return aside


def move_back(aside: Path, database: Path) -> None:
    for part in aside.iterdir():
        shutil.move(part, database.parent / part.name)
    aside.rmdir()


def test_readyz_when_all_is_well(api: TestClient) -> None:
    body = api.get("/readyz").json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "schema", "data_version"}


def test_database_missing_then_back(api: TestClient, database: Path) -> None:
    assert_recovered(api)
    aside = move_away(database)
    assert_unavailable(api, "missing")
    assert not database.exists()  # the server did not create an empty one
    move_back(aside, database)
    assert_recovered(api)


def test_database_unreadable_then_back(api: TestClient, database: Path) -> None:
    # Tests run as root, for whom file modes do not deny reading: a directory in the file's
    # place is what "cannot be read" means here.
    aside = move_away(database)
    database.mkdir()
    assert_unavailable(api, "missing or not a file")
    database.rmdir()
    move_back(aside, database)
    assert_recovered(api)


def test_database_corrupt_then_back(api: TestClient, database: Path) -> None:
    api.get("/readyz")
    good = database.with_suffix(".good")
    with sqlite3.connect(database) as connection:  # fold the WAL in, then keep a copy
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(database, good)
    runtime_of(api.app).dispose()
    with database.open("r+b") as file:
        file.write(b"this is not a database" * 200)
    assert_unavailable(api, "cannot be read")
    shutil.copy(good, database)
    assert_recovered(api)


def test_database_locked_by_a_writer_then_released(api: TestClient, database: Path) -> None:
    assert_recovered(api)
    runtime_of(api.app).dispose()
    writer = sqlite3.connect(database, isolation_level=None, timeout=0)
    writer.execute("PRAGMA locking_mode=EXCLUSIVE")
    writer.execute("BEGIN EXCLUSIVE")
    writer.execute("UPDATE topic SET name_en = name_en")
    started = time.monotonic()
    assert_unavailable(api, "locked")
    assert time.monotonic() - started < 5  # busy_timeout, not a hang
    writer.execute("ROLLBACK")
    writer.close()
    assert_recovered(api)


# Through SQLAlchemy (search) and through the driver's own cursor (observations).
@pytest.mark.parametrize(
    ("path", "params"),
    [("/v1/search", {"q": "铁路"}), ("/v1/observations", {"limit": "1000", "witnesses": "true"})],
)
def test_statement_timeout_stops_a_slow_query(
    database: Path, path: str, params: dict[str, str]
) -> None:
    settings = Settings(
        database_url=sqlite_url(database), statement_timeout=1e-6, response_cache_mb=0
    )
    with TestClient(create_app(settings)) as slow:
        response = slow.get(path, params=params)
        assert response.status_code == 503
        assert "statement timeout" in response.json()["detail"]
    with TestClient(create_app(Settings(database_url=sqlite_url(database)))) as normal:
        assert normal.get(path, params=params).status_code == 200


SLOW_SEED = """
import sys, time
from pathlib import Path
from app.db import make_engine
from app.seed import sync
real = sync._upsert
def slow(session, model, rows, report):
    result = real(session, model, rows, report)
    if model.__tablename__ == "indicator":
        print("midway", flush=True)
        time.sleep(60)
    return result
sync._upsert = slow
sync.seed_database(make_engine(sys.argv[1]), Path(sys.argv[2]), force=True)
"""


def test_seed_killed_midway_leaves_the_previous_data(database: Path, seed_copy: Path) -> None:
    engine = make_engine(sqlite_url(database))
    before = dump(engine)
    edit(seed_copy, "topics.yaml", "name_en: Energy", "name_en: Energy supply")
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW_SEED, sqlite_url(database), str(seed_copy)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "midway"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    engine.dispose()
    assert dump(make_engine(sqlite_url(database))) == before
    with TestClient(create_app(Settings(database_url=sqlite_url(database)))) as after:
        assert after.get("/readyz").status_code == 200
        assert after.get("/v1/topics/energy").json()["name_en"] == "Energy"


def test_query_strings_too_long_or_malformed(api: TestClient, live_server: str) -> None:
    long = api.get("/v1/regions", params={"parent": "1" * 9000})
    assert long.status_code == 414
    assert long.headers["content-type"] == "application/problem+json"
    for query in [
        "region=%ff%fe",
        "region=%",
        "region=%zz",
        "&&&",
        "=x",
        "limit=1e99",
        "offset=-0",
    ]:
        response = api.get(f"/v1/observations?{query}")
        assert 400 <= response.status_code < 500 or response.status_code == 200, query
    # Over a real socket, a request line far beyond any limit is refused, not served.
    host, port = live_server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            f"GET /v1/regions?parent={'9' * 200_000} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
        )
        status_line = connection.recv(200).split(b"\r\n")[0]
    assert status_line.split()[1].startswith(b"4"), status_line
