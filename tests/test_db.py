"""SQLite runs with foreign keys enforced and in WAL mode, on every connection."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError


@pytest.mark.sqlite_only
def test_sqlite_pragmas(migrated_engine: Engine) -> None:
    with migrated_engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_database_rejects_dangling_reference(migrated_engine: Engine) -> None:
    with pytest.raises(IntegrityError), migrated_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO region (code, name_zh, name_en, level, parent_code) "
                "VALUES ('140799', 'x', 'x', 'county', '999999')"
            )
        )
