"""Alembic, configured in code: the app needs no alembic.ini to migrate its database."""

from __future__ import annotations

from functools import cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from app.config import PROJECT_ROOT
from app.db import exclusive, make_engine

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
# SQLite's FTS5 index and its shadow tables are created by hand in a migration (SQLAlchemy has
# no model for virtual tables), so autogenerate must not offer to drop them.
FTS_PREFIX = "search_fts"


# PostgreSQL's trigram indexes for search are made by hand too (expression operator classes).
TRIGRAM_SUFFIX = "_trgm"


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    """Alembic filter: leave the hand-made search structures out of autogenerate."""
    if name is None:
        return True
    if type_ == "table" and name.startswith(FTS_PREFIX):
        return False
    return not (type_ == "index" and name.endswith(TRIGRAM_SUFFIX))


def alembic_config(database_url: str) -> Config:
    """An Alembic Config pointing at migrations/ and at `database_url`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision`, one process at a time (see app.db.exclusive)."""
    engine = make_engine(database_url)
    try:
        with exclusive(engine, "migrate"):
            command.upgrade(alembic_config(database_url), revision)
    finally:
        engine.dispose()


def downgrade(database_url: str, revision: str = "base") -> None:
    """Revert migrations down to `revision`."""
    command.downgrade(alembic_config(database_url), revision)


@cache
def head_revision() -> str | None:
    """The newest revision in migrations/, read once: the files a process was started with
    are the ones its code goes with. (Reading them takes ~15 ms, which every /readyz paid.)"""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None if never migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
