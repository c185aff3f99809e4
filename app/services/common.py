"""Helpers shared by the query modules."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select
from sqlmodel import Session, SQLModel, select

from app.db import end_read
from app.errors import AppError, InvalidParameterError
from app.rules.periods import period_bound


@contextmanager
def ending_reads(*sessions: Session) -> Iterator[None]:
    """Around work whose sessions only read: each ends with COMMIT (`end_read`, which says
    why) when the work is done or ends in an answer the API meant (an AppError: a 404, a
    422), its reads sound; anything else, which may have left a transaction unusable, closes
    them with a rollback."""
    sound = False
    try:
        yield
        sound = True
    except AppError:
        sound = True
        raise
    finally:
        for session in sessions:
            if sound:
                end_read(session)
            else:
                session.close()


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session that only reads, ended as `ending_reads` ends it."""
    with Session(engine) as session, ending_reads(session):
        yield session


def count(session: Session, query: Select[Any]) -> int:
    """Rows a query would return, ignoring its order and page."""
    counted = select(func.count()).select_from(query.order_by(None).subquery())
    return int(session.exec(counted).one())


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with its wildcards escaped (use escape="\\")."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def period_bounds(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    """The first day of `start` and the last of `end` (YYYY, YYYY-MM or YYYY-MM-DD); a 422
    naming the parameter if either is malformed or they are in the wrong order."""

    def bound(name: str, text: str | None, upper: bool) -> date | None:
        if text is None:
            return None
        try:
            return period_bound(text, upper=upper)
        except ValueError as exc:
            raise InvalidParameterError(name, str(exc)) from None

    first, last = bound("start", start, False), bound("end", end, True)
    if first and last and first > last:
        raise InvalidParameterError("end", f"{end!r} is before start {start!r}")
    return first, last


def regions_under(placeholder: str) -> str:
    """SQL selecting the region a bound parameter names and every region under it (its
    children, theirs...), from the parent codes: Data Commons' containedInPlace."""
    return (
        "WITH RECURSIVE region_tree(code) AS (SELECT code FROM region WHERE code = "
        f"{placeholder} UNION ALL SELECT r.code FROM region r JOIN region_tree t "
        "ON r.parent_code = t.code) SELECT code FROM region_tree"
    )


def fetch_page(session: Session, query: Any, *, limit: int, offset: int) -> tuple[list[Any], int]:
    """One page of a query's rows and the total across all pages (no rows asked: no fetch)."""
    total = count(session, query)
    rows = list(session.exec(query.limit(limit).offset(offset)).all()) if limit else []
    return rows, total


def require_codes(
    session: Session, model: type[SQLModel], codes: list[str] | None, parameter: str
) -> None:
    """Raise a 422 naming `parameter` if any of `codes` is not a key of `model`'s table."""
    if not codes:
        return
    column = model.code  # type: ignore[attr-defined]
    known = set(session.exec(select(column).where(column.in_(codes))).all())
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise InvalidParameterError(
            parameter, f"unknown {model.__tablename__} code(s): {', '.join(map(repr, unknown))}"
        )
