"""Topic queries."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from app.errors import NotFoundError
from app.models import Indicator, Topic
from app.services.common import fetch_page


def _with_counts() -> Select[Topic, int]:
    indicators = (
        select(Indicator.topic_code, func.count().label("n"))
        .group_by(col(Indicator.topic_code))
        .subquery()
    )
    return select(Topic, func.coalesce(indicators.c.n, 0)).outerjoin(
        indicators, indicators.c.topic_code == Topic.code
    )


def list_topics(
    session: Session, *, limit: int, offset: int
) -> tuple[list[tuple[Topic, int]], int]:
    """Topics with how many indicators each has, by code."""
    query = _with_counts().order_by(Topic.code)
    rows, total = fetch_page(session, query, limit=limit, offset=offset)
    return [(topic, int(n)) for topic, n in rows], total


def get_topic(session: Session, code: str) -> tuple[Topic, int]:
    """One topic with its indicator count; NotFoundError if the code is unknown."""
    row = session.exec(_with_counts().where(col(Topic.code) == code)).first()
    if row is None:
        raise NotFoundError(f"No topic with code {code!r}.")
    return row[0], int(row[1])
