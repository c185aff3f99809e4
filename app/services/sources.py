"""Source queries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.errors import NotFoundError
from app.models import Erratum, Observation, Source
from app.services.common import fetch_page


@dataclass(frozen=True)
class SourceRecord:
    """A source, its errata and how many observations cite it."""

    source: Source
    errata: list[Erratum]
    observation_count: int


def _observation_counts(session: Session, codes: list[str]) -> dict[str, int]:
    rows = session.exec(
        select(Observation.source_code, func.count())
        .where(col(Observation.source_code).in_(codes))
        .group_by(Observation.source_code)
    )
    return {code: int(n) for code, n in rows}


def list_sources(session: Session, *, limit: int, offset: int) -> tuple[list[SourceRecord], int]:
    """Sources, newest first."""
    # Undated documents last, on every database.
    query = select(Source).order_by(
        col(Source.published_date).desc().nulls_last(), col(Source.code)
    )
    sources, total = fetch_page(session, query, limit=limit, offset=offset)
    counts = _observation_counts(session, [s.code for s in sources])
    return [SourceRecord(s, [], counts.get(s.code, 0)) for s in sources], total


def get_source(session: Session, code: str) -> SourceRecord:
    """One source with its errata; NotFoundError if the code is unknown."""
    source = session.get(Source, code)
    if source is None:
        raise NotFoundError(f"No source with code {code!r}.")
    errata = session.exec(
        select(Erratum).where(Erratum.source_code == code).order_by(col(Erratum.seq))
    )
    return SourceRecord(
        source, list(errata.all()), _observation_counts(session, [code]).get(code, 0)
    )
