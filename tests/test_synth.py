"""copy_rows: the rows of a synthetic SQLite file, carried into a migrated PostgreSQL
database, are the same rows table by table; ids the target gives afterwards follow the
copied ones; and a target that already holds rows is refused, untouched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from app.db import make_engine
from app.migrate import upgrade
from app.models import SearchDocument
from app.seed.sync import seed_database
from app.synth import build_synthetic, copy_rows
from tests.support.seed import SEED_DIR

pytestmark = pytest.mark.postgresql_only

SYNTHETIC = 300


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A small synthetic SQLite file, as `jinzhong synth` makes them."""
    url = f"sqlite:///{tmp_path_factory.mktemp('synth') / 'synthetic.db'}"
    upgrade(url)
    engine = make_engine(url)
    build_synthetic(engine, SEED_DIR, SYNTHETIC)
    yield engine
    engine.dispose()


def rows(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every model table's rows as SQLAlchemy reads them (typed), sorted."""
    with engine.connect() as connection:
        return {
            table.name: sorted(map(tuple, connection.execute(sa.select(table))), key=repr)
            for table in SQLModel.metadata.sorted_tables
        }


def test_copy_rows_carries_every_table(synthetic: Engine, migrated_engine: Engine) -> None:
    copied = copy_rows(synthetic, migrated_engine)
    source = rows(synthetic)
    assert copied == {name: len(found) for name, found in source.items()}
    assert rows(migrated_engine) == source
    observation = SQLModel.metadata.tables["observation"]
    with migrated_engine.connect() as connection:
        synthetic_count = connection.execute(
            sa.select(sa.func.count()).where(observation.c.code.like("synth-%"))
        ).scalar_one()
    assert synthetic_count == SYNTHETIC


def test_copy_rows_ids_made_afterwards_follow_the_copied(
    synthetic: Engine, migrated_engine: Engine
) -> None:
    copy_rows(synthetic, migrated_engine)
    table = SQLModel.metadata.tables[str(SearchDocument.__tablename__)]
    with migrated_engine.begin() as connection:
        highest = connection.execute(sa.select(sa.func.max(table.c.id))).scalar_one()
        made = connection.execute(
            sa.insert(table)
            .values(
                doc_type="region",
                code="after-copy",
                title="t",
                title_zh="t",
                title_en="t",
                body="b",
                topics="",
                regions="",
                rank_hint=0,
            )
            .returning(table.c.id)
        ).scalar_one()
    assert made == highest + 1


def test_copy_rows_refuses_a_target_with_rows(synthetic: Engine, migrated_engine: Engine) -> None:
    seed_database(migrated_engine, SEED_DIR)
    before = rows(migrated_engine)
    with pytest.raises(ValueError, match="needs an empty target"):
        copy_rows(synthetic, migrated_engine)
    assert rows(migrated_engine) == before


def test_copy_rows_writes_only_to_postgresql(synthetic: Engine, tmp_path: Path) -> None:
    other = sa.create_engine(f"sqlite:///{tmp_path / 'other.db'}")
    with pytest.raises(ValueError, match="postgresql"):
        copy_rows(synthetic, other)
    other.dispose()
