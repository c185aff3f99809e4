"""Indicator queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from app.errors import NotFoundError
from app.models import Indicator, Observation, Topic, Unit
from app.services.common import fetch_page, like_pattern, require_codes


@dataclass(frozen=True)
class IndicatorRecord:
    """An indicator with its unit and the number of observations it has."""

    indicator: Indicator
    unit: Unit
    observation_count: int


def _query() -> Select[Indicator, Unit]:
    return select(Indicator, Unit).join(Unit, col(Unit.code) == col(Indicator.unit_code))


def _records(session: Session, rows: Sequence[tuple[Indicator, Unit]]) -> list[IndicatorRecord]:
    # Count only the indicators shown: each count is a range of the series index, where a
    # count of every indicator would read every observation.
    codes = [indicator.code for indicator, _ in rows]
    counts = dict(
        session.exec(
            select(Observation.indicator_code, func.count())
            .where(col(Observation.indicator_code).in_(codes))
            .group_by(col(Observation.indicator_code))
        ).all()
    )
    return [IndicatorRecord(i, u, int(counts.get(i.code, 0))) for i, u in rows]


def list_indicators(
    session: Session, *, topic: str | None, q: str | None, limit: int, offset: int
) -> tuple[list[IndicatorRecord], int]:
    """Indicators by code, optionally of one topic or matching `q` in code, names or definition."""
    query = _query()
    if topic is not None:
        require_codes(session, Topic, [topic], "topic")
        query = query.where(Indicator.topic_code == topic)
    if q:
        # Codes contain "_", which LIKE would otherwise read as "any character".
        pattern = like_pattern(q.strip())
        query = query.where(
            or_(
                col(Indicator.code).ilike(pattern, escape="\\"),
                col(Indicator.name_zh).ilike(pattern, escape="\\"),
                col(Indicator.name_en).ilike(pattern, escape="\\"),
                col(Indicator.definition_zh).ilike(pattern, escape="\\"),
                col(Indicator.definition_en).ilike(pattern, escape="\\"),
            )
        )
    query = query.order_by(Indicator.code)
    rows, total = fetch_page(session, query, limit=limit, offset=offset)
    return _records(session, rows), total


def get_indicator(session: Session, code: str) -> IndicatorRecord:
    """One indicator; NotFoundError if the code is unknown."""
    row = session.exec(_query().where(Indicator.code == code)).first()
    if row is None:
        raise NotFoundError(f"No indicator with code {code!r}.")
    return _records(session, [row])[0]
