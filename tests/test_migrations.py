"""Migrations are the only schema author: head matches the models exactly, and every
migration reverses cleanly (upgrade → downgrade to base → upgrade)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401 - registers the tables
from app.db import make_engine
from app.migrate import (
    VERSIONS_DIR,
    alembic_config,
    current_revision,
    declared_head,
    downgrade,
    head_revision,
    include_name,
    upgrade,
)
from tests.support.databases import BACKEND

NewDatabase = Callable[[str], str]


def test_migrations_head_matches_models(new_database: NewDatabase) -> None:
    url = new_database("m")
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []


def test_migrations_upgrade_downgrade_upgrade(new_database: NewDatabase) -> None:
    url = new_database("m")
    engine = make_engine(url)
    upgrade(url)
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    expected = {"observation", "indicator", "region", "source", "entity", "event"}
    assert expected | ({"search_fts"} if BACKEND == "sqlite" else set()) <= tables
    downgrade(url, "base")
    assert current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(url)
    assert set(inspect(engine).get_table_names()) == tables
    engine.dispose()


def test_migrations_constraints_are_named(new_database: NewDatabase) -> None:
    url = new_database("m")
    upgrade(url)
    inspector = inspect(make_engine(url))
    for table in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(table):
            assert str(fk["name"]).startswith("fk_"), (table, fk)
        for index in inspector.get_indexes(table):
            if index.get("duplicates_constraint"):  # PostgreSQL's index behind a UNIQUE
                continue
            assert str(index["name"]).startswith("ix_"), (table, index)


@pytest.mark.sqlite_only
def test_migrations_upgrade_keeps_existing_rows(new_database: NewDatabase) -> None:
    # SQLite rebuilds altered tables by copy-and-drop; rows that others point at must survive.
    url = new_database("m")
    first = ScriptDirectory.from_config(alembic_config(url)).get_base()
    assert isinstance(first, str)
    upgrade(url, first)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO source (code, publication_zh, publication_en, published_date, title, "
                "language, text_original, text, title_en) VALUES ('s', '报', 'Paper', '2025-01-01', "
                "'标题', 'zh', 'x', 'x', 'Title')"
            )
        )
        connection.execute(text(
            "INSERT INTO erratum (source_code, seq, original, corrected, reason, occurrences) "
            "VALUES ('s', 1, 'a', 'b', 'why', 1)"
        ))  # fmt: skip
    upgrade(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM erratum")).scalar() == 1
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_migrations_downgrade_then_upgrade_reseeds_in_full(new_database: NewDatabase) -> None:
    from app.seed.sync import seed_database
    from app.services.search import search
    from tests.support.seed import SEED_DIR

    url = new_database("m")
    upgrade(url)
    engine = make_engine(url)
    seed_database(engine, SEED_DIR)
    first = ScriptDirectory.from_config(alembic_config(url)).get_base()
    assert isinstance(first, str)
    downgrade(url, first)
    upgrade(url)
    report = seed_database(engine, SEED_DIR)
    assert not report.skipped
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM entity")).scalar()
    with Session(engine) as session:
        _, total = search(session, "煤层气", types=[], topic=None, region=None, limit=5, offset=0)
    assert total > 0
    engine.dispose()


def test_migrations_declared_head_is_alembics_head() -> None:
    # The head read from the scripts' declarations (which lets a migrate at head skip
    # Alembic) is the one Alembic finds by loading them.
    alembics = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert declared_head() == alembics
    assert head_revision() == alembics


def test_migrations_declared_head_follows_a_new_script(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    shutil.copytree(VERSIONS_DIR, versions)
    head = declared_head()
    (versions / "2099-01-01_next.py").write_text(
        f'revision: str = "0a1b2c3d4e5f"\ndown_revision: str | None = "{head}"\n',
        encoding="utf-8",
    )
    assert declared_head(versions) == "0a1b2c3d4e5f"
    # Two heads, or a script whose place cannot be read: Alembic has to decide.
    (versions / "2099-01-02_branch.py").write_text(
        f'revision = "f5e4d3c2b1a0"\ndown_revision = "{head}"\n', encoding="utf-8"
    )
    assert declared_head(versions) is None
    (versions / "2099-01-02_branch.py").write_text("revision = make()\n", encoding="utf-8")
    assert declared_head(versions) is None
