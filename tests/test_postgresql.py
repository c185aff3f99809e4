"""PostgreSQL as a city data office runs it: replicas that start together migrate and seed
once, serve the same answers with the same ETags, stop slow statements on the server, find
Chinese substrings through trigram indexes, and report readiness as the database goes away
and comes back. (The rest of the suite also runs on PostgreSQL: `make test` runs it twice.)"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError

from app import db
from app.api.runtime import runtime_of
from app.config import PROJECT_ROOT, Settings
from app.db import make_engine
from app.main import create_app
from app.migrate import upgrade
from app.seed.sync import seed_database
from tests.support.databases import postgres_admin
from tests.support.seed import SEED_DIR
from tests.support.server import Served

pytestmark = pytest.mark.postgresql_only

NewDatabase = Callable[[str], str]


def migrate_and_seed(url: str) -> None:
    upgrade(url)
    engine = make_engine(url)
    seed_database(engine, SEED_DIR)
    engine.dispose()


def test_readyz_follows_the_database_away_and_back(new_database: NewDatabase) -> None:
    url = new_database("ready")
    migrate_and_seed(url)
    name = make_url(url).database
    with TestClient(create_app(Settings(database_url=url, data_version_ttl=0))) as client:
        assert client.get("/readyz").status_code == 200
        postgres_admin(f'DROP DATABASE "{name}" WITH (FORCE)')
        gone = client.get("/readyz")
        assert gone.status_code == 503
        assert gone.headers["content-type"] == "application/problem+json"
        assert "cannot be read" in gone.json()["detail"]
        assert client.get("/v1/regions").status_code == 503
        postgres_admin(f'CREATE DATABASE "{name}"')
        not_migrated = client.get("/readyz")
        assert not_migrated.status_code == 503
        assert "run migrations" in not_migrated.json()["detail"]
        migrate_and_seed(url)
        assert client.get("/readyz").status_code == 200
        assert client.get("/v1/regions/140700").json()["name_zh"] == "晋中市"


def test_statement_timeout_is_the_servers(new_database: NewDatabase) -> None:
    url = new_database("timeout")
    migrate_and_seed(url)
    engine = make_engine(url, statement_timeout=0.2)
    with engine.connect() as connection:
        assert connection.execute(text("SHOW statement_timeout")).scalar() == "200ms"
        with pytest.raises(DBAPIError, match="statement timeout"):
            connection.execute(text("SELECT pg_sleep(2)"))
    engine.dispose()
    app = create_app(Settings(database_url=url, statement_timeout=0.2))

    @app.get("/slow")
    def slow() -> None:
        with runtime_of(app).engine.connect() as connection:
            connection.execute(text("SELECT pg_sleep(2)"))

    with TestClient(app) as client:
        response = client.get("/slow")
    assert response.status_code == 503
    assert "statement timeout" in response.json()["detail"]


def test_trigram_indexes_serve_substring_search(new_database: NewDatabase) -> None:
    url = new_database("trgm")
    migrate_and_seed(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))  # a tiny table: make it choose
        plan = "\n".join(
            row[0]
            for row in connection.execute(
                text("EXPLAIN SELECT id FROM search_document WHERE body ILIKE '%煤层气%'")
            )
        )
    engine.dispose()
    assert "ix_search_document_body_trgm" in plan


def test_replicas_migrate_once_and_serve_the_same(new_database: NewDatabase) -> None:
    url = new_database("replicas")
    env = {**os.environ, "DATABASE_URL": url}
    step = f"{sys.executable} -m app.cli migrate && {sys.executable} -m app.cli seed"
    starting = [
        subprocess.Popen(
            ["sh", "-c", step], cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in starting]
    assert [p.returncode for p in starting] == [0, 0], outputs
    # The lock let one seed; the other waited and found the seed there.
    assert sorted("nothing to do" in out for out in outputs) == [False, True], outputs
    # Reached by the one public name, which each replica is told it serves.
    env = {"DATABASE_URL": url, "LOG_LEVEL": "warning", "ALLOWED_HOSTS": "data.example.org"}
    replicas = [Served(env) for _ in range(2)]
    try:
        paths = [
            "/v1/observations?region=140700&latest=true",
            "/v1/observations/gdp-2024",
            "/v1/search?q=%E7%85%A4%E5%B1%82%E6%B0%94",
            "/v1/regions?format=csv",
            "/v1/events?lang=en",
        ]
        # Behind one load balancer both see the same Host, as here.
        headers = {"Host": "data.example.org"}
        for path in paths:
            first, second = (httpx.get(r.base + path, headers=headers) for r in replicas)
            assert first.status_code == second.status_code == 200, path
            assert first.headers["etag"] == second.headers["etag"], path
            assert first.content == second.content, path
    finally:
        for replica in replicas:
            replica.stop()


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_an_idle_connection_the_server_closed_is_replaced_before_use(
    new_database: NewDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pooled connection the server ended while it was idle (a restart, a proxy's idle
    # timeout): checked before use, replaced, and the statement never sees it.
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)
    engine = make_engine(new_database("idle"), pool_size=1, max_overflow=0)
    try:
        first = _backend_pid(engine)
        postgres_admin(f"SELECT pg_terminate_backend({first})")
        assert _backend_pid(engine) != first
    finally:
        engine.dispose()


def test_a_connection_in_use_moments_ago_is_not_checked_again(
    new_database: NewDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The check is a round trip: a busy pool's connections skip it.
    engine = make_engine(new_database("busy"), pool_size=1, max_overflow=0)
    pings: list[object] = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or ping(c))
    try:
        # A window no pause between these uses reaches, however slow the machine.
        monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 60.0)
        pids = {_backend_pid(engine) for _ in range(5)}
        assert len(pids) == 1
        assert pings == []
        monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # every use is now "after a pause"
        for _ in range(3):
            _backend_pid(engine)
        assert len(pings) == 3
    finally:
        engine.dispose()


def test_reads_keep_their_statements_prepared(seeded_url: str) -> None:
    # psycopg prepares a statement once it has run five times on a connection, and forgets
    # every one at a ROLLBACK: reads end with COMMIT, a 404 among them too, so a connection
    # plans each kind of read once instead of on every request.
    app = create_app(Settings(database_url=seeded_url, db_pool_size=1))
    with TestClient(app) as client:
        listed = client.get("/v1/indicators", params={"limit": 10}).json()["items"]
        codes = [indicator["code"] for indicator in listed]
        assert len(codes) == 10
        for code in codes:  # distinct requests: none is answered from the response memory
            assert client.get("/v1/observations", params={"indicator": code}).status_code == 200
        assert client.get("/v1/observations/no-such-observation").status_code == 404
        with runtime_of(app).engine.connect() as connection:
            prepared = connection.execute(
                text("SELECT statement FROM pg_prepared_statements")
            ).scalars()
            assert any("FROM observation o" in statement for statement in prepared)
