"""Shared fixtures: a real database built by the real migrations and the real seed.

The suite runs against SQLite by default and against PostgreSQL with
TEST_DATABASE=postgresql (`make test` runs both): every database a test uses is made by
`new_database`, a fresh SQLite file or a PostgreSQL database of its own with a unique name,
dropped afterwards. Tests about one backend only carry the marker `sqlite_only` or
`postgresql_only` and are deselected in the other run (they do not exist there, so they are
not "skipped"). When no PostgreSQL answers, the PostgreSQL run skips every test, saying so.

With CI=true every skip is turned into a failure: a test that needs something the machine
lacks must not pass silently in CI.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine, make_url

from app.config import PROJECT_ROOT, Settings
from app.db import make_engine
from app.main import create_app
from app.migrate import upgrade
from app.seed.loader import SeedBundle, load_bundle
from app.seed.sync import seed_database

SEED_DIR = PROJECT_ROOT / "seed_data"
SOURCE_CODE = "jzrb-2025-10-24-p03"
BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
# The server the PostgreSQL run uses; only databases this suite creates are touched.
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = {"sqlite", "postgresql"}


def pytest_configure(config: pytest.Config) -> None:
    if BACKEND not in BACKENDS:
        raise pytest.UsageError(f"TEST_DATABASE must be one of {sorted(BACKENDS)}")
    config.addinivalue_line("markers", "sqlite_only: about SQLite files; not run on PostgreSQL")
    config.addinivalue_line("markers", "postgresql_only: about PostgreSQL; not run on SQLite")


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def pytest_report_header(config: pytest.Config) -> str:
    return f"database backend: {BACKEND}" + (
        f" ({_shown(POSTGRES_URL)})" if BACKEND != "sqlite" else ""
    )


def _postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None if it answers."""
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means the same to the suite
        return f"no PostgreSQL answers at {_shown(POSTGRES_URL)} ({type(exc).__name__})"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    other = "postgresql_only" if BACKEND == "sqlite" else "sqlite_only"
    kept = [item for item in items if other not in item.keywords]
    dropped = [item for item in items if other in item.keywords]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    if BACKEND == "postgresql" and (problem := _postgres_problem()) is not None:
        for item in items:
            item.add_marker(pytest.mark.skip(reason=problem))


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> pytest.CollectReport:
    # A module skipped while collected (a missing import) is a skip too: in CI, a failure.
    report: pytest.CollectReport = yield
    if os.environ.get("CI") == "true" and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {report.longrepr}"
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    report: pytest.TestReport = yield
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {report.longrepr}"
    return report


class Databases:
    """Fresh databases for tests, in the backend under test; drop() removes them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.created: list[str] = []

    def new(self, name: str) -> str:
        """The URL of a new, empty database."""
        if BACKEND == "sqlite":
            return sqlite_url(self.folder / f"{name}-{uuid.uuid4().hex[:8]}.db")
        database = f"jinzhong_test_{os.getpid()}_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{database}"')
        self.created.append(database)
        return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)

    def drop(self) -> None:
        """Drop every PostgreSQL database made here (SQLite files go with the temp folder)."""
        while self.created:
            self._admin(f'DROP DATABASE IF EXISTS "{self.created.pop()}" WITH (FORCE)')

    @staticmethod
    def _admin(statement: str) -> None:
        postgres_admin(statement)


def postgres_admin(statement: str) -> None:
    """Run one statement on the PostgreSQL server outside any transaction (CREATE DATABASE)."""
    engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


@pytest.fixture(scope="session")
def session_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    """Databases that live as long as the test session."""
    databases = Databases(tmp_path_factory.mktemp("databases"))
    yield databases
    databases.drop()


@pytest.fixture
def new_database(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Make fresh databases for one test (`new_database("name")` → URL); dropped after it."""
    databases = Databases(tmp_path)
    yield databases.new
    databases.drop()


def sqlite_url(path: Path) -> str:
    """A SQLAlchemy URL for a SQLite file."""
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def seeded_url(session_databases: Databases) -> str:
    """A database migrated to head and seeded from the real seed_data/ (shared, read-only)."""
    url = session_databases.new("seeded")
    upgrade(url)
    engine = make_engine(url)
    seed_database(engine, SEED_DIR)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def client(seeded_url: str) -> Iterator[TestClient]:
    """An HTTP client on an app built over the seeded database."""
    with TestClient(create_app(Settings(database_url=seeded_url))) as test_client:
        yield test_client


@pytest.fixture
def migrated_engine(new_database: Callable[[str], str]) -> Iterator[Engine]:
    """An empty database of this test's own, migrated to head."""
    url = new_database("empty")
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def bundle() -> SeedBundle:
    """The real seed data, validated."""
    return load_bundle(SEED_DIR)


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A private copy of seed_data/ that a test may break."""
    target = tmp_path / "seed_data"
    shutil.copytree(SEED_DIR, target)
    return target


def dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, sorted: two equal dumps mean two equal databases."""
    tables = inspect(engine).get_table_names()
    with engine.connect() as connection:
        return {
            table: sorted(connection.execute(text(f'SELECT * FROM "{table}"')).all(), key=repr)
            for table in sorted(tables)
        }


def edit(folder: Path, name: str, old: str, new: str) -> None:
    """Replace the first `old` in a seed file; the test fails if `old` is not there."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served:
    """A `jinzhong serve` process on 127.0.0.1, started as an operator would, and its URL."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        # A file, not a pipe: a pipe nobody reads fills up and stalls a server that logs.
        self.log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115 - stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port), *args],
            cwd=PROJECT_ROOT,
            env={**os.environ, "HOST": "127.0.0.1", **env},
            stderr=self.log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.process.kill()
        pytest.fail("jinzhong serve did not answer /healthz within 30 s")

    def stop(self) -> str:
        """Stop it (if still running) and return what it wrote to stderr (again and again)."""
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=30)
        if not self.log.closed:
            self.log.seek(0)
            self.written = self.log.read()
            self.log.close()
        return self.written


@pytest.fixture(scope="session")
def live_server(seeded_url: str) -> Iterator[str]:
    """A real `jinzhong serve` process on 127.0.0.1 over the seeded database; its base URL."""
    server = Served({"DATABASE_URL": seeded_url, "LOG_LEVEL": "warning"})
    yield server.base
    server.stop()
