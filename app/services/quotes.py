"""Quote (testimony) queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.errors import NotFoundError
from app.models import Entity, Person, Quotation, QuotationRegion, Region, Topic
from app.services.common import fetch_page, require_codes


@dataclass(frozen=True)
class QuoteRecord:
    """A quotation with the regions it concerns."""

    quotation: Quotation
    regions: list[str]


def _records(session: Session, quotations: list[Quotation]) -> list[QuoteRecord]:
    regions: dict[str, list[str]] = defaultdict(list)
    rows = session.exec(
        select(QuotationRegion)
        .where(col(QuotationRegion.quotation_code).in_([q.code for q in quotations]))
        .order_by(col(QuotationRegion.quotation_code), col(QuotationRegion.position))
    )
    for link in rows:
        regions[link.quotation_code].append(link.region_code)
    return [QuoteRecord(q, regions[q.code]) for q in quotations]


def list_quotes(
    session: Session,
    *,
    region: str | None,
    topic: str | None,
    entity: str | None,
    speaker: str | None,
    limit: int,
    offset: int,
) -> tuple[list[QuoteRecord], int]:
    """Quotations by code, optionally about one region, topic, entity or by one person."""
    query = select(Quotation)
    if region is not None:
        require_codes(session, Region, [region], "region")
        query = query.where(
            col(Quotation.code).in_(
                select(QuotationRegion.quotation_code).where(QuotationRegion.region_code == region)
            )
        )
    if topic is not None:
        require_codes(session, Topic, [topic], "topic")
        query = query.where(Quotation.topic_code == topic)
    if entity is not None:
        require_codes(session, Entity, [entity], "entity")
        query = query.where(Quotation.entity_code == entity)
    if speaker is not None:
        require_codes(session, Person, [speaker], "speaker")
        query = query.where(Quotation.person_code == speaker)
    quotations, total = fetch_page(
        session, query.order_by(col(Quotation.code)), limit=limit, offset=offset
    )
    return _records(session, quotations), total


def get_quote(session: Session, code: str) -> QuoteRecord:
    """One quotation; NotFoundError if the code is unknown."""
    quotation = session.get(Quotation, code)
    if quotation is None:
        raise NotFoundError(f"No quote with code {code!r}.")
    return _records(session, [quotation])[0]
