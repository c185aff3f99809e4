"""The bench's ratios compare like with like: every row with the ceiling and Datasette of
its own size (measured on SQLite), a PostgreSQL row with the SQLite row of the same server
and workload, a row of several workers with one worker on the same database; where the row
to compare with was not measured, there is no ratio."""

from __future__ import annotations

from app.bench import Result, ratios


def row(database: str, server: str, workload: str, rps: float) -> Result:
    return Result(database, server, workload, rps, 1.0, 2.0, 0)


def test_ratios_compare_like_with_like() -> None:
    results = [
        row("synthetic-9", "ceiling", "repeated", 1000),
        row("synthetic-9", "datasette", "sweep", 100),
        row("synthetic-9", "jinzhong", "sweep", 500),
        row("synthetic-9", "jinzhong-w2", "sweep", 800),
        row("pg-synthetic-9", "jinzhong", "sweep", 250),
        row("pg-synthetic-9", "jinzhong-w2", "sweep", 400),
        row("pg-seed", "jinzhong", "search", 300),
    ]
    ratios(results)
    assert [(r.vs_ceiling, r.vs_datasette, r.vs_sqlite, r.vs_one_worker) for r in results] == [
        (1.0, None, None, None),
        (0.1, 1.0, None, None),
        (0.5, 5.0, None, None),
        (0.8, 8.0, None, 1.6),
        (0.25, 2.5, 0.5, None),
        (0.4, 4.0, 0.5, 1.6),
        (None, None, None, None),  # no SQLite rows of the seed were measured
    ]
