"""Event queries: a chronological timeline with its links."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from app.errors import NotFoundError
from app.models import (
    Entity,
    Event,
    EventEntity,
    EventIndicator,
    EventRegion,
    EventTopic,
    Region,
    Source,
    Topic,
)
from app.rules.sources import EventStatus
from app.services.common import fetch_page, period_bounds, require_codes


@dataclass(frozen=True)
class EventRecord:
    """An event with the codes it links to."""

    event: Event
    regions: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)


def _links(session: Session, codes: list[str]) -> dict[str, dict[str, list[str]]]:
    links: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    tables: tuple[tuple[Any, str, str], ...] = (
        (EventRegion, "region_code", "regions"),
        (EventTopic, "topic_code", "topics"),
        (EventEntity, "entity_code", "entities"),
        (EventIndicator, "indicator_code", "indicators"),
    )
    for model, column, kind in tables:
        # Regions keep their curated order (the main one first); other links sort by code.
        order = [col(model.event_code), col(getattr(model, "position", getattr(model, column)))]
        rows = session.exec(
            select(model.event_code, getattr(model, column))
            .where(col(model.event_code).in_(codes))
            .order_by(*order)
        )
        for event_code, linked in rows:
            links[event_code][kind].append(linked)
    return links


def _records(session: Session, events: list[Event]) -> list[EventRecord]:
    links = _links(session, [e.code for e in events])
    return [EventRecord(e, **links[e.code]) for e in events]


def list_events(
    session: Session,
    *,
    start: str | None,
    end: str | None,
    region: str | None,
    topic: str | None,
    entity: str | None,
    source: str | None = None,
    status: EventStatus | None = None,
    limit: int,
    offset: int,
) -> tuple[list[EventRecord], int]:
    """Events in chronological order: by the end of their period, undated starts first."""
    query = select(Event)
    first, last = period_bounds(start, end)
    if first is not None:
        query = query.where(col(Event.period_start) >= first)
    if last is not None:
        query = query.where(Event.period_end <= last)
    if region is not None:
        require_codes(session, Region, [region], "region")
        query = query.where(
            col(Event.code).in_(
                select(EventRegion.event_code).where(EventRegion.region_code == region)
            )
        )
    if topic is not None:
        require_codes(session, Topic, [topic], "topic")
        query = query.where(
            col(Event.code).in_(select(EventTopic.event_code).where(EventTopic.topic_code == topic))
        )
    if entity is not None:
        require_codes(session, Entity, [entity], "entity")
        query = query.where(
            col(Event.code).in_(
                select(EventEntity.event_code).where(EventEntity.entity_code == entity)
            )
        )
    if source is not None:
        require_codes(session, Source, [source], "source")
        query = query.where(Event.source_code == source)
    if status is not None:
        query = query.where(Event.status == status.value)
    query = query.order_by(
        col(Event.period_end),
        col(Event.period_start).is_not(None),  # "some time before X" goes before "on X"
        col(Event.period_start),
        col(Event.code),
    )
    events, total = fetch_page(session, query, limit=limit, offset=offset)
    return _records(session, events), total


def get_event(session: Session, code: str) -> EventRecord:
    """One event with its links; NotFoundError if the code is unknown."""
    event = session.get(Event, code)
    if event is None:
        raise NotFoundError(f"No event with code {code!r}.")
    return _records(session, [event])[0]
