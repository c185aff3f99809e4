"""Alembic, configured in code: the app needs no alembic.ini to migrate its database.

Alembic itself is imported only where a migration runs: a server, and a `migrate` that finds
the database already at the newest revision, never load it (or the migration scripts).
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from app.config import PROJECT_ROOT
from app.db import exclusive, make_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
VERSIONS_DIR = MIGRATIONS_DIR / "versions"
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
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> bool:
    """Apply migrations up to `revision`, one process at a time (see app.db.exclusive);
    return False when the database was already at the newest revision and nothing ran."""
    engine = make_engine(database_url)
    try:
        # A restart finds the database at head: one query answers that, where Alembic would
        # first import itself, env.py and every migration script (most of a second).
        head = head_revision()  # read once per process; /readyz then reads the same
        if revision == "head" and head is not None and stored_revision(engine) == head:
            return False
        from alembic import command

        with exclusive(engine, "migrate"):
            command.upgrade(alembic_config(database_url), revision)
        return True
    finally:
        engine.dispose()


def downgrade(database_url: str, revision: str = "base") -> None:
    """Revert migrations down to `revision`."""
    from alembic import command

    command.downgrade(alembic_config(database_url), revision)


def declared_head(versions: Path = VERSIONS_DIR) -> str | None:
    """The one head of the scripts in `versions`, read from their `revision` and
    `down_revision` assignments without running them; None when that is not plain (several
    heads, a script it cannot read), so that the caller asks Alembic instead."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in versions.glob("*.py"):
        if path.name.startswith((".#", "__init__")):  # what Alembic passes over too
            continue
        declared = _declared(path)
        if declared is None:
            return None
        revision, down = declared
        revisions.add(revision)
        parents.update(down)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


# The module-level names Alembic reads a script's place in the chain from.
_DECLARATIONS = {"revision", "down_revision", "depends_on"}


def _declared(path: Path) -> tuple[str, set[str]] | None:
    """(revision, its down revisions) as a migration script assigns them, or None."""
    values: dict[str, object] = {}
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            target: ast.expr
            if isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            else:
                continue
            if isinstance(target, ast.Name) and target.id in _DECLARATIONS:
                values[target.id] = ast.literal_eval(value)
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return None
    revision, down = values.get("revision"), values.get("down_revision")
    if not isinstance(revision, str) or values.get("depends_on"):
        return None
    if down is None:
        return revision, set()
    if isinstance(down, str):
        return revision, {down}
    if isinstance(down, tuple | list) and all(isinstance(d, str) for d in down):
        return revision, set(down)
    return None


def stored_revision(engine: Engine) -> str | None:
    """The revision in the database's alembic_version table, read with one plain query
    (None if there is no such table or it is empty)."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


@cache
def head_revision() -> str | None:
    """The newest revision in migrations/, read once: the files a process was started with
    are the ones its code goes with. (Reading them takes ~15 ms, which every /readyz paid.)"""
    head = declared_head()
    if head is not None:
        return head
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None if never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
