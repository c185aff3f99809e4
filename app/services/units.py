"""Unit queries."""

from __future__ import annotations

from sqlmodel import Session, select

from app.models import Unit
from app.services.common import count


def list_units(session: Session, *, limit: int, offset: int) -> tuple[list[Unit], int]:
    """The unit table, by code."""
    query = select(Unit).order_by(Unit.code)
    return list(session.exec(query.limit(limit).offset(offset)).all()), count(session, query)
