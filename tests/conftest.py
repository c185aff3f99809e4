"""Shared fixtures: a real database built by the real migrations and the real seed.

Fixtures and pytest hooks only: the helpers they use, and that tests use, are in
tests/support/ (tests never import from a conftest).

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
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.config import Settings
from app.db import make_engine, printable_url
from app.main import create_app
from app.migrate import upgrade
from app.seed.loader import SeedBundle, load_bundle
from tests.support.curation import Curated, make_database, seed_template
from tests.support.databases import (
    BACKEND,
    BACKENDS,
    POSTGRES_URL,
    Databases,
    postgres_problem,
)
from tests.support.seed import SEED_DIR
from tests.support.server import Served


def pytest_configure(config: pytest.Config) -> None:
    # Stopped by SIGTERM (`make test` stops its PostgreSQL run so when it is interrupted), a
    # run ends as on Ctrl-C: fixtures tear down, so no test database or server is left.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    if BACKEND not in BACKENDS:
        raise pytest.UsageError(f"TEST_DATABASE must be one of {sorted(BACKENDS)}")
    config.addinivalue_line("markers", "sqlite_only: about SQLite files; not run on PostgreSQL")
    config.addinivalue_line("markers", "postgresql_only: about PostgreSQL; not run on SQLite")


def pytest_report_header(config: pytest.Config) -> str:
    return f"database backend: {BACKEND}" + (
        f" ({printable_url(POSTGRES_URL)})" if BACKEND != "sqlite" else ""
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    other = "postgresql_only" if BACKEND == "sqlite" else "sqlite_only"
    kept = [item for item in items if other not in item.keywords]
    dropped = [item for item in items if other in item.keywords]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    if BACKEND == "postgresql" and (problem := postgres_problem()) is not None:
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


@pytest.fixture(scope="session")
def session_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    """Databases that live as long as the test session."""
    databases = Databases(tmp_path_factory.mktemp("databases"))
    yield databases
    databases.drop()


@pytest.fixture
def test_databases(tmp_path: Path) -> Iterator[Databases]:
    """Databases of one test's own, dropped after it."""
    databases = Databases(tmp_path)
    yield databases
    databases.drop()


@pytest.fixture
def new_database(test_databases: Databases) -> Callable[[str], str]:
    """Make fresh, empty databases for one test (`new_database("name")` → URL)."""
    return test_databases.new


@pytest.fixture(scope="session")
def seeded_template(session_databases: Databases) -> str:
    """A database migrated to head and seeded from the real seed_data/, never opened by a
    test: the original that `seeded_database` copies."""
    return seed_template(session_databases.new("template"))


@pytest.fixture
def seeded_database(test_databases: Databases, seeded_template: str) -> Callable[[str], str]:
    """Make seeded databases for one test to change (`seeded_database("name")` → URL), each a
    copy of `seeded_template`: the real migrations and seed, paid for once per session."""
    return lambda name: test_databases.copy(seeded_template, name)


@pytest.fixture(scope="session")
def seeded_url(session_databases: Databases) -> str:
    """A database migrated to head and seeded from the real seed_data/ (shared, read-only)."""
    return seed_template(session_databases.new("seeded"))


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


@pytest.fixture
def seeded_engine(seeded_database: Callable[[str], str]) -> Iterator[Engine]:
    """A seeded database of this test's own, to change."""
    engine = make_engine(seeded_database("seeded"))
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


@pytest.fixture(scope="session")
def live_server(seeded_url: str) -> Iterator[str]:
    """A real `jinzhong serve` process on 127.0.0.1 over the seeded database; its base URL."""
    server = Served({"DATABASE_URL": seeded_url, "LOG_LEVEL": "warning"})
    yield server.base
    server.stop()


@pytest.fixture
def curated(seeded_database: Callable[[str], str]) -> Iterator[Curated]:
    """A seeded database of the test's own, with a write key and an admin key, and a client
    of an app on it that reads fresh data after every write."""
    url, write_key, admin_key = make_database(seeded_database)
    app = create_app(Settings(database_url=url, data_version_ttl=0, auth_failure_limit=5))
    with TestClient(app) as client:
        yield Curated(client, url, write_key, admin_key)
