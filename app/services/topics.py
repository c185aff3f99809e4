"""Topic queries."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from app.models import Indicator, Topic
from app.services.common import count


def list_topics(
    session: Session, *, limit: int, offset: int
) -> tuple[list[tuple[Topic, int]], int]:
    """Topics with how many indicators each has, by code."""
    indicators = (
        select(Indicator.topic_code, func.count().label("n"))
        .group_by(Indicator.topic_code)
        .subquery()
    )
    query = (
        select(Topic, func.coalesce(indicators.c.n, 0))
        .outerjoin(indicators, indicators.c.topic_code == Topic.code)
        .order_by(Topic.code)
    )
    rows = session.exec(query.limit(limit).offset(offset)).all()
    return [(topic, int(n)) for topic, n in rows], count(session, select(Topic))
