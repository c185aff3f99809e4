"""A synthetic dataset for scale runs: the real seed plus N generated observations.

Built through the same migrations and tables as the real data (rows go in through the
models' tables in bulk: the ORM's per-object work would take minutes at a million rows).
Values are random but valid: every code resolves, every unit is in the unit table, every
qualifier is one of the vocabulary, and quotes are Chinese sentences that state their figure.
`copy_rows` carries such a database's rows into a PostgreSQL one, so both backends are
measured on the same synthetic data.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from psycopg import sql
from sqlalchemy import Table, insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from app.models import DatasetMeta, Indicator, Observation, ObservationRegion, Region, Source, Unit
from app.rules.moments import publication_moment
from app.rules.periods import parse_period
from app.rules.units import normalize
from app.seed.sync import seed_database
from app.store.dataset import CHANGED_AT_KEY, SEED_HASH_KEY

SOURCE = "synthetic"
MONTHS = 120  # 2015-01 .. 2024-12
BATCH = 20_000
UNITS = ["cny_100m", "percent", "household_10k", "tonne_10k", "m3_100m", "enterprise"]
TOPICS = [
    "economy",
    "income_livelihood",
    "transport",
    "energy",
    "environment",
    "business_environment",
    "innovation_digital",
    "trade",
]
QUALIFIERS = ["exact"] * 16 + ["approximately"] * 2 + ["more_than", "cumulative"]
MARKERS = {"approximately": "近", "more_than": "突破", "cumulative": "累计"}


def _table(model: type[SQLModel]) -> Table:
    return SQLModel.metadata.tables[str(model.__tablename__)]


def _periods() -> list[str]:
    return [f"{2015 + m // 12}-{m % 12 + 1:02d}" for m in range(MONTHS)]


def build_synthetic(
    engine: Engine,
    seed_dir: Path,
    observations: int,
    *,
    rng_seed: int = 7,
    progress: Callable[[int], None] = lambda _: None,
) -> int:
    """Seed the real data, then add `observations` generated ones; return how many."""
    seed_database(engine, seed_dir)
    rng = random.Random(rng_seed)
    with Session(engine) as session:
        regions = list(session.exec(select(Region).order_by(Region.code)))
        units = {u.code: u for u in session.exec(select(Unit))}
    periods = _periods()
    per_indicator = len(regions) * len(periods)
    count = math.ceil(observations / per_indicator)
    with engine.begin() as connection:
        connection.execute(
            insert(_table(Source)),
            [
                {
                    "code": SOURCE,
                    "publication_zh": "合成数据",
                    "publication_en": "Synthetic data",
                    "published_date": date(2025, 1, 1),
                    "title": "合成数据集",
                    "title_en": "Synthetic dataset",
                    "kind": "compilation",
                    "reliability": "unverified",
                    "reliability_note": "Generated figures for performance runs, not facts.",
                    "language": "zh",
                    "text_original": "合成数据,仅供性能测试。",
                    "text": "合成数据,仅供性能测试。",
                }
            ],
        )
        connection.execute(
            insert(_table(Indicator)),
            [
                {
                    "code": f"synth_{i:04d}",
                    "name_zh": f"合成指标{i:04d}",
                    "name_en": f"Synthetic indicator {i:04d}",
                    "definition_zh": "性能测试用的合成指标。",
                    "definition_en": "A synthetic indicator for scale runs.",
                    "topic_code": TOPICS[i % len(TOPICS)],
                    "unit_code": UNITS[i % len(UNITS)],
                }
                for i in range(count)
            ],
        )
    written = 0
    rows: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for obs in _observations(count, regions, periods, units, rng):
        if written >= observations:
            break
        rows.append(obs)
        links.append(
            {"observation_code": obs["code"], "region_code": obs["region_code"], "position": 0}
        )
        written += 1
        if len(rows) == BATCH:
            _flush(engine, rows, links)
            progress(len(rows))
            rows, links = [], []
    if rows:
        _flush(engine, rows, links)
        progress(len(rows))
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
        for key, value in (
            (SEED_HASH_KEY, f"synthetic-{observations}-{rng_seed}"),
            (CHANGED_AT_KEY, "2025-01-01T00:00:00+00:00"),
        ):
            connection.execute(
                _table(DatasetMeta).update().where(_table(DatasetMeta).c.key == key),
                {"value": value},
            )
    return written


def _flush(engine: Engine, rows: list[dict[str, Any]], links: list[dict[str, Any]]) -> None:
    with engine.begin() as connection:
        connection.execute(insert(_table(Observation)), rows)
        connection.execute(insert(_table(ObservationRegion)), links)


# Known from the synthetic source's publication, as a seeded figure would be.
KNOWN_FROM = publication_moment(date(2025, 1, 1))


def _observations(
    count: int,
    regions: list[Region],
    periods: list[str],
    units: dict[str, Unit],
    rng: random.Random,
) -> Iterator[dict[str, Any]]:
    parsed = {p: parse_period(p) for p in periods}
    for i in range(count):
        unit = units[UNITS[i % len(UNITS)]]
        for region in regions:
            for period in periods:
                value = Decimal(rng.randint(1, 999_999)) / 10
                qualifier = rng.choice(QUALIFIERS)
                figure = f"{value}"
                quote = (
                    f"{region.name_zh}{period[:4]}年{int(period[5:])}月合成指标{i:04d}"
                    f"{MARKERS.get(qualifier, '')}{figure}{unit.symbol or ''}"
                )
                span = parsed[period]
                yield {
                    "code": f"synth-{i:04d}-{region.code}-{period}",
                    "indicator_code": f"synth_{i:04d}",
                    "region_code": region.code,
                    "period": period,
                    "period_start": span.start,
                    "period_end": span.end,
                    "period_precision": span.precision.value,
                    "value": float(value),
                    "value_max": None,
                    "value_as_published": figure,
                    "unit_code": unit.code,
                    "normalized_value": float(normalize(value, Decimal(str(unit.factor)))),
                    "normalized_value_max": None,
                    "qualifier": qualifier,
                    "derived": False,
                    "formula": None,
                    "note": "Synthetic.",
                    "source_code": SOURCE,
                    "quote": quote,
                    "known_from": KNOWN_FROM,
                }


def copy_rows(source: Engine, target: Engine, *, batch: int = BATCH) -> dict[str, int]:
    """Copy every table's rows from `source` into `target`, a PostgreSQL database migrated to
    the same revision and still empty, with COPY; return the rows copied per table.

    Generating a million observations again on PostgreSQL would take as long as on SQLite
    and only give the same rows if the generator never changed in between; a copy is a
    fraction of the time and the very same rows. Values pass through each column's type
    (read as SQLAlchemy reads them, written as it would write them), so dates stay dates
    and JSON lists stay text on both sides."""
    if target.dialect.name != "postgresql" or target.dialect.driver != "psycopg":
        raise ValueError(f"copy_rows writes to postgresql+psycopg, not {target.url.drivername}")
    tables = SQLModel.metadata.sorted_tables  # parents before children
    copied: dict[str, int] = {}
    with source.connect() as reading, target.begin() as writing:
        for table in tables:
            if writing.execute(sa.select(sa.select(table).exists())).scalar():
                raise ValueError(f"copy_rows needs an empty target; {table.name} has rows")
        cursor = writing.connection.driver_connection.cursor()  # type: ignore[union-attr]
        for table in tables:
            names = [column.name for column in table.columns]
            processors = [
                column.type.dialect_impl(target.dialect).bind_processor(target.dialect)
                for column in table.columns
            ]
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names))
            )
            rows = reading.execution_options(yield_per=batch).execute(sa.select(table))
            count = 0
            with cursor.copy(statement) as copy:
                for row in rows:
                    values = tuple(row)
                    if any(processors):
                        values = tuple(
                            process(value) if process else value
                            for process, value in zip(processors, values, strict=True)
                        )
                    copy.write_row(values)
                    count += 1
            copied[table.name] = count
            # Rows came with their ids: the next id a sequence gives must follow them.
            if (column := table.autoincrement_column) is not None:
                writing.execute(
                    sa.select(
                        sa.func.setval(
                            sa.func.pg_get_serial_sequence(table.name, column.name),
                            sa.select(
                                sa.func.coalesce(sa.func.max(column), 0) + 1
                            ).scalar_subquery(),
                            False,
                        )
                    )
                )
        writing.execute(text("ANALYZE"))
    return copied
