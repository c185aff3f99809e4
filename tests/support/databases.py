"""The backend under test (TEST_DATABASE), fresh databases in it, and dumps of their rows."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine, make_url

from app.db import postgres_unreachable

BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
BACKENDS = {"sqlite", "postgresql"}
# The server the PostgreSQL run uses; only databases this suite creates are touched.
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None if it answers."""
    return postgres_unreachable(POSTGRES_URL)


def postgres_admin(statement: str) -> None:
    """Run one statement on the PostgreSQL server outside any transaction (CREATE DATABASE)."""
    engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


def sqlite_url(path: Path) -> str:
    """A SQLAlchemy URL for a SQLite file."""
    return f"sqlite:///{path}"


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
        postgres_admin(f'CREATE DATABASE "{database}"')
        self.created.append(database)
        return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)

    def copy(self, template: str, name: str) -> str:
        """The URL of a new database holding what `template` holds, which must have no open
        connections: its file copied on SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL.
        Both are far cheaper than migrating and seeding again, which many tests need."""
        if BACKEND == "sqlite":
            url = self.new(name)
            source = Path(make_url(template).database or "")
            target = Path(make_url(url).database or "")
            shutil.copyfile(source, target)
            for suffix in ("-wal", "-shm"):  # present only if a connection were still open
                if (journal := source.with_name(source.name + suffix)).exists():
                    shutil.copyfile(journal, target.with_name(target.name + suffix))
            return url
        database = f"jinzhong_test_{os.getpid()}_{uuid.uuid4().hex[:12]}"
        template_name = make_url(template).database
        postgres_admin(f'CREATE DATABASE "{database}" TEMPLATE "{template_name}"')
        self.created.append(database)
        return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)

    def drop(self) -> None:
        """Drop every PostgreSQL database made here (SQLite files go with the temp folder)."""
        while self.created:
            postgres_admin(f'DROP DATABASE IF EXISTS "{self.created.pop()}" WITH (FORCE)')


def dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, sorted: two equal dumps mean two equal databases."""
    tables = inspect(engine).get_table_names()
    with engine.connect() as connection:
        return {
            table: sorted(connection.execute(text(f'SELECT * FROM "{table}"')).all(), key=repr)
            for table in sorted(tables)
        }
