"""The bench's ratios compare like with like: every row with the ceiling and Datasette of
its own size (measured on SQLite), a PostgreSQL row with the SQLite row of the same server
and workload, a row of several workers with one worker on the same database; where the row
to compare with was not measured, there is no ratio."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from app import bench
from app.bench import Result, ratios, round_ratios
from app.config import get_settings


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


def test_round_ratios_take_medians_over_rounds_and_round_by_round() -> None:
    # A slow round (the second) halves every row measured in it: the ratio within each round
    # is untouched, and the medians do not follow the slow round.
    found = round_ratios(
        {
            "ceiling repeated": [1000, 500, 1000, 1200, 1000],
            "jinzhong repeated": [600, 300, 620, 700, 640],
        }
    )
    assert found["ceiling repeated"]["median"] == 1000
    assert found["ceiling repeated"]["vs_ceiling"] == 1.0
    assert found["jinzhong repeated"]["median"] == 620
    assert found["jinzhong repeated"]["vs_ceiling"] == 0.62
    # Round by round: 0.6, 0.6, 0.62, 0.583, 0.64: the median is 0.6.
    assert found["jinzhong repeated"]["vs_ceiling_by_round"] == 0.6
    assert found["jinzhong repeated"]["req_s"] == [600, 300, 620, 700, 640]


def test_round_ratios_name_their_yardstick() -> None:
    # PostgreSQL's sweep against SQLite's, round by round: the ratios say what they divide by.
    found = round_ratios(
        {"sqlite sweep": [1000, 800, 1100], "postgresql sweep": [600, 560, 550]},
        yardstick="sqlite sweep",
        against="sqlite",
    )
    assert found["postgresql sweep"]["vs_sqlite"] == 0.56  # 560 / 1000, the medians
    # Round by round: 0.6, 0.7, 0.5.
    assert found["postgresql sweep"]["vs_sqlite_by_round"] == 0.6
    assert "vs_ceiling" not in found["postgresql sweep"]


@pytest.mark.sqlite_only
def test_layers_time_the_same_sweep_at_every_layer(
    seeded_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The layers part answers real sweep requests at each HTTP layer (every one a 200: the
    # warm-up's and three rounds'), and times every layer. (How long each takes is the
    # bench's to say, not a test's.)
    monkeypatch.setenv("DATABASE_URL", seeded_url)
    monkeypatch.setattr(bench, "LAYER_REQUESTS", 30)
    get_settings.cache_clear()
    try:
        found = bench.measure_layers(Path(str(make_url(seeded_url).database)))
    finally:
        get_settings.cache_clear()
    http_layers = 4  # the whole app, below the front door, the route, the route inline
    assert found["statuses"] == {200: http_layers * (bench.LAYER_WARM_UP + 3 * 30)}
    assert len(found["cpu_us"]) == 6
    assert all(us > 0 for us in found["cpu_us"].values())
