"""Unit queries."""

from __future__ import annotations

from sqlmodel import Session, select

from app.models import Unit
from app.services.common import fetch_page


def list_units(session: Session, *, limit: int, offset: int) -> tuple[list[Unit], int]:
    """The unit table, by code."""
    query = select(Unit).order_by(Unit.code)
    return fetch_page(session, query, limit=limit, offset=offset)
