"""Entity queries, with every link in both directions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.errors import NotFoundError
from app.models import (
    Entity,
    EntityRegion,
    EntityRelation,
    EntityTopic,
    EventEntity,
    ObservationEntity,
    Person,
    Quotation,
    Region,
    Topic,
)
from app.services.common import fetch_page, require_codes


@dataclass(frozen=True)
class RelatedEntity:
    """A tie between two entities, seen from one side: `direction` is outgoing or incoming."""

    relation: str
    direction: str
    entity: Entity
    quote: str


@dataclass(frozen=True)
class EntityRecord:
    """An entity with its links: regions (with quotes), topics, people, and what cites it."""

    entity: Entity
    regions: list[tuple[EntityRegion, Region]]
    topics: list[str]
    people: list[Person]
    related: list[RelatedEntity]
    events: list[str]
    observations: list[str]
    quotes: list[str]


def list_entities(
    session: Session,
    *,
    kind: str | None,
    region: str | None,
    topic: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Entity], int]:
    """Entities by code, optionally of one kind, tied to one region, or in one topic."""
    query = select(Entity)
    if kind is not None:
        query = query.where(Entity.kind == kind)
    if region is not None:
        require_codes(session, Region, [region], "region")
        tied = select(EntityRegion.entity_code).where(EntityRegion.region_code == region)
        query = query.where(col(Entity.code).in_(tied))
    if topic is not None:
        require_codes(session, Topic, [topic], "topic")
        topical = select(EntityTopic.entity_code).where(EntityTopic.topic_code == topic)
        query = query.where(col(Entity.code).in_(topical))
    return fetch_page(session, query.order_by(col(Entity.code)), limit=limit, offset=offset)


def get_entity(session: Session, code: str) -> EntityRecord:
    """One entity with all its links; NotFoundError if the code is unknown."""
    entity = session.get(Entity, code)
    if entity is None:
        raise NotFoundError(f"No entity with code {code!r}.")
    regions = session.exec(
        select(EntityRegion, Region)
        .join(Region, col(Region.code) == col(EntityRegion.region_code))
        .where(EntityRegion.entity_code == code)
        .order_by(col(EntityRegion.position))
    ).all()
    topics = session.exec(
        select(EntityTopic.topic_code).where(EntityTopic.entity_code == code)
        .order_by(col(EntityTopic.topic_code))
    ).all()  # fmt: skip
    related = [
        RelatedEntity(tie.relation, "outgoing", other, tie.quote)
        for tie, other in session.exec(
            select(EntityRelation, Entity)
            .join(Entity, col(Entity.code) == col(EntityRelation.related_code))
            .where(EntityRelation.entity_code == code)
        )
    ] + [
        RelatedEntity(tie.relation, "incoming", other, tie.quote)
        for tie, other in session.exec(
            select(EntityRelation, Entity)
            .join(Entity, col(Entity.code) == col(EntityRelation.entity_code))
            .where(EntityRelation.related_code == code)
        )
    ]
    related.sort(key=lambda r: (r.direction != "outgoing", r.relation, r.entity.code))
    return EntityRecord(
        entity=entity,
        regions=[(link, region) for link, region in regions],
        topics=list(topics),
        people=list(
            session.exec(
                select(Person).where(Person.entity_code == code).order_by(col(Person.code))
            )
        ),
        related=related,
        events=_codes(session, EventEntity.event_code, EventEntity.entity_code, code),
        observations=_codes(
            session, ObservationEntity.observation_code, ObservationEntity.entity_code, code
        ),
        quotes=_codes(session, Quotation.code, Quotation.entity_code, code),
    )


def _codes(session: Session, column: object, link: object, code: str) -> list[str]:
    rows = session.exec(select(column).where(link == code).order_by(column))  # type: ignore[call-overload]
    return [str(row) for row in rows]
