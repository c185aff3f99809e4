"""The observation query on data shaped to catch edge cases: figures about several regions
under latest=true, and periods whose start the source does not give."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.models import Observation, ObservationRegion
from app.services.observations import ObservationFilter, list_observations

LOAD_FACTOR = "railway-load-factor-spring-festival-2025"  # regions 140700 (main), 140722, ...


def add_observation(
    engine: Engine, code: str, region: str, period: str, start: date | None, end: date
) -> None:
    """Insert a row beside the real seed (this test is about the query, not the data)."""
    with Session(engine) as session, session.begin():
        session.add(
            Observation(
                code=code,
                indicator_code="railway_load_factor_spring_festival",
                region_code=region,
                period=period,
                period_start=start,
                period_end=end,
                period_precision="year",
                value=1,
                value_as_published="1",
                unit_code="percent",
                normalized_value=1,
                qualifier="exact",
                source_code="jzrb-2025-10-24-p03",
                quote="test",
                known_from="2025-10-23T16:00:00.000000+00:00",
            )
        )
        session.flush()
        session.add(ObservationRegion(observation_code=code, region_code=region, position=0))


def codes(engine: Engine, **filters: object) -> list[str]:
    with Session(engine) as session:
        records, total = list_observations(
            session,
            ObservationFilter(**filters),
            limit=1000,
            offset=0,  # type: ignore[arg-type]
        )
    assert total == len(records)
    return [r["code"] for r in records]


def test_latest_counts_every_region_a_figure_concerns(seeded_engine: Engine) -> None:
    # An older figure whose main region is Zuoquan, which the 2025 whole-line figure also concerns.
    add_observation(
        seeded_engine, "older-zuoquan", "140722", "2024", date(2024, 1, 1), date(2024, 12, 31)
    )
    indicator = ["railway_load_factor_spring_festival"]
    assert codes(seeded_engine, indicators=indicator, regions=["140722"], latest=True) == [
        LOAD_FACTOR
    ]
    assert set(codes(seeded_engine, indicators=indicator, regions=["140722"])) == {
        LOAD_FACTOR,
        "older-zuoquan",
    }
    assert codes(seeded_engine, indicators=indicator, latest=True) == [LOAD_FACTOR]


def test_latest_keeps_a_figure_that_is_newest_for_its_own_region(seeded_engine: Engine) -> None:
    add_observation(
        seeded_engine, "newer-shouyang", "140725", "2026", date(2026, 1, 1), date(2026, 12, 31)
    )
    latest = codes(seeded_engine, indicators=["railway_load_factor_spring_festival"], latest=True)
    assert set(latest) == {LOAD_FACTOR, "newer-shouyang"}


def test_start_filter_leaves_out_periods_with_no_known_start(seeded_engine: Engine) -> None:
    open_start = {"loan-waiting-time-before-platform", "licence-processing-days-quandaiban"}
    assert open_start <= set(codes(seeded_engine, end="2025"))
    assert not open_start & set(codes(seeded_engine, start="1900"))


def test_total_is_the_same_whatever_the_page(seeded_engine: Engine) -> None:
    # The total is counted only when the page cannot tell it (a full page, or an empty one
    # past the end): every slicing must report the same total and the same items.
    with Session(seeded_engine) as session:
        everything, total = list_observations(session, ObservationFilter(), limit=1000, offset=0)
        assert total == len(everything) > 10
        for limit in (1, 5, total - 1, total, total + 1):
            for offset in (0, 3, total - 1, total, total + 2):
                page, counted = list_observations(
                    session, ObservationFilter(), limit=limit, offset=offset
                )
                assert counted == total, (limit, offset)
                assert [r["code"] for r in page] == [
                    r["code"] for r in everything[offset : offset + limit]
                ]
        assert list_observations(session, ObservationFilter(), limit=0, offset=0) == ([], total)
