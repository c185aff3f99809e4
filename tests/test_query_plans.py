"""At scale the read path stays on indexes: every statement the common requests run is
checked with EXPLAIN QUERY PLAN on a synthetic dataset, and none scans the observation table
or its region links from end to end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db import make_engine
from app.migrate import upgrade
from app.rules.series import Transform
from app.services.indicators import list_indicators
from app.services.observations import ObservationFilter, list_observations
from app.services.series import compare_regions, transform_observations, wide_table
from app.synth import build_synthetic
from tests.support.databases import sqlite_url
from tests.support.seed import SEED_DIR

# SQLite's EXPLAIN QUERY PLAN on a synthetic file (jinzhong synth makes SQLite files).
pytestmark = pytest.mark.sqlite_only

BIG_TABLES = ("observation", "observation_region")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("plans") / "synthetic.db"
    upgrade(sqlite_url(path))
    engine = make_engine(sqlite_url(path))
    build_synthetic(engine, SEED_DIR, 20_000)
    yield engine
    engine.dispose()


def plans(engine: Engine, run: Any) -> list[tuple[str, list[str]]]:
    """Run `run(session)` and return each SELECT it issued with its query plan."""
    statements: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with Session(engine) as session:
            run(session)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    found = []
    with engine.connect() as connection:
        for statement, parameters in statements:
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            found.append((statement, [row[-1] for row in rows]))
    return found


def full_scans(found: list[tuple[str, list[str]]]) -> list[str]:
    return [
        f"{detail}  <=  {statement[:160]}"
        for statement, details in found
        for detail in details
        if any(detail.startswith(f"SCAN {table}") and "INDEX" not in detail for table in BIG_TABLES)
    ]


@pytest.mark.parametrize(
    "flt",
    [
        ObservationFilter(
            indicators=["synth_0003"], regions=["140702"], start="2020-03", end="2020-03"
        ),
        ObservationFilter(indicators=["synth_0003"]),
        ObservationFilter(indicators=["synth_0003"], latest=True),
        ObservationFilter(
            indicators=["gdp", "synth_0001"], regions=["140700"], start="2019", end="2021"
        ),
        ObservationFilter(entities=["yangshe-railway"]),
        ObservationFilter(within="140703"),
        ObservationFilter(indicators=["synth_0003"], within="140700", latest=3),
    ],
    ids=["sweep", "one-series", "latest", "mixed", "entity", "within", "within-latest-3"],
)
def test_observation_queries_use_indexes(synthetic: Engine, flt: ObservationFilter) -> None:
    found = plans(synthetic, lambda session: list_observations(session, flt, limit=50, offset=0))
    assert found
    assert full_scans(found) == []


def test_series_tools_use_indexes(synthetic: Engine) -> None:
    # A transform reads whole series and the figures at a base; a comparison one period.
    flt = ObservationFilter(indicators=["synth_0003"], regions=["140702"])

    def run(session: Session) -> None:
        transform_observations(session, flt, Transform.index, "2020-03", limit=50, offset=0)
        transform_observations(session, flt, Transform.pct_change, None, limit=50, offset=0)
        compare_regions(session, "synth_0003", "2020-03", within="140000", level=None)
        wide_table(session, flt, None, None)

    found = plans(synthetic, run)
    assert found
    assert full_scans(found) == []


def test_indicator_page_counts_use_indexes(synthetic: Engine) -> None:
    found = plans(synthetic, lambda s: list_indicators(s, topic=None, q=None, limit=20, offset=0))
    assert full_scans(found) == []


def test_full_scan_is_detected(synthetic: Engine) -> None:
    # The check above can fail: a filter on an unindexed column scans the table.
    with synthetic.connect() as connection:
        rows = connection.execute(
            text("EXPLAIN QUERY PLAN SELECT * FROM observation WHERE quote = 'x'")
        ).all()
    assert full_scans([("SELECT * FROM observation WHERE quote = 'x'", [r[-1] for r in rows])])
