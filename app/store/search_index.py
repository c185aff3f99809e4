"""The search index (search_document): one document per region, indicator, entity, event,
observation and quote, rebuilt from the rows by every seed that changes data.

Written by the seeder, read by the search service: it lives below both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import delete, text
from sqlmodel import Session, col, select

from app.models import (
    Entity,
    EntityRegion,
    EntityTopic,
    Event,
    EventEntity,
    EventRegion,
    EventTopic,
    Indicator,
    Observation,
    ObservationEntity,
    ObservationRegion,
    Person,
    Quotation,
    QuotationRegion,
    Region,
    SearchDocument,
    Topic,
    Unit,
)
from app.rules.search import DocType
from app.store.rows import grouped_rows

# Stored with each document: the tie-break between equally relevant hits.
_RANK = {doc_type: rank for rank, doc_type in enumerate(DocType)}


def _grouped(session: Session, model: Any, key: str, value: str) -> dict[str, list[str]]:
    # By position where links have one, then by the linked code.
    order = ("position", value) if hasattr(model, "position") else (value,)
    rows = grouped_rows(session, model, key, *order)
    return defaultdict(list, {k: [getattr(r, value) for r in group] for k, group in rows.items()})


def _doc(
    doc_type: DocType,
    code: str,
    zh: str,
    en: str,
    body: list[str | None],
    topics: list[str],
    regions: list[str],
) -> SearchDocument:
    return SearchDocument(
        doc_type=doc_type.value,
        code=code,
        title=f"{zh} / {en}",
        title_zh=zh,
        title_en=en,
        body="\n".join(part for part in body if part),
        topics=" ".join(topics),
        regions=" ".join(regions),
        rank_hint=_RANK[doc_type],
    )


def _documents(session: Session) -> Iterator[SearchDocument]:
    regions = {r.code: r for r in session.exec(select(Region))}
    topics = {t.code: t for t in session.exec(select(Topic))}
    units = {u.code: u for u in session.exec(select(Unit))}
    indicators = {i.code: i for i in session.exec(select(Indicator))}
    entities = {e.code: e for e in session.exec(select(Entity))}
    obs_regions = _grouped(session, ObservationRegion, "observation_code", "region_code")
    obs_entities = _grouped(session, ObservationEntity, "observation_code", "entity_code")

    def names(codes: list[str]) -> list[str | None]:
        return [f"{entities[c].name_zh} {entities[c].name_en}" for c in codes]

    for r in sorted(regions.values(), key=lambda r: r.code):
        yield _doc(DocType.region, r.code, r.name_zh, r.name_en, [r.code, r.level], [], [r.code])
    indicator_regions: dict[str, set[str]] = defaultdict(set)
    observations = list(session.exec(select(Observation).order_by(col(Observation.code))))
    for o in observations:
        indicator_regions[o.indicator_code].update(obs_regions[o.code])
    for i in sorted(indicators.values(), key=lambda i: i.code):
        topic = topics[i.topic_code]
        yield _doc(
            DocType.indicator,
            i.code,
            i.name_zh,
            i.name_en,
            [i.definition_zh, i.definition_en, topic.name_zh, topic.name_en, i.code],
            [i.topic_code],
            sorted(indicator_regions[i.code]),
        )
    entity_regions = _grouped(session, EntityRegion, "entity_code", "region_code")
    entity_topics = _grouped(session, EntityTopic, "entity_code", "topic_code")
    people: dict[str, list[Person]] = defaultdict(list)
    for person in session.exec(select(Person).order_by(col(Person.code))):
        people[person.entity_code].append(person)
    for e in sorted(entities.values(), key=lambda e: e.code):
        staff = people[e.code]
        yield _doc(
            DocType.entity,
            e.code,
            e.name_zh,
            e.name_en,
            [
                e.description_zh,
                e.description_en,
                e.quote,
                *(f"{p.name_zh} {p.role_zh} {p.name_en} {p.role_en}" for p in staff),
            ],
            entity_topics[e.code],
            entity_regions[e.code],
        )
    event_regions = _grouped(session, EventRegion, "event_code", "region_code")
    event_topics = _grouped(session, EventTopic, "event_code", "topic_code")
    event_entities = _grouped(session, EventEntity, "event_code", "entity_code")
    for ev in session.exec(select(Event).order_by(col(Event.code))):
        yield _doc(
            DocType.event,
            ev.code,
            ev.title_zh,
            ev.title_en,
            [
                ev.description_zh,
                ev.description_en,
                ev.quote,
                ev.period,
                *names(event_entities[ev.code]),
            ],
            event_topics[ev.code],
            event_regions[ev.code],
        )
    for o in observations:
        indicator, region = indicators[o.indicator_code], regions[o.region_code]
        unit = units[o.unit_code]
        printed = f"{o.value_as_published or o.value}{unit.symbol or ''}"
        yield _doc(
            DocType.observation,
            o.code,
            f"{indicator.name_zh} {region.name_zh} {o.period}",
            f"{indicator.name_en}, {region.name_en}, {o.period}",
            [o.quote, printed, o.note, *names(obs_entities[o.code])],
            [indicator.topic_code],
            obs_regions[o.code],
        )
    quote_regions = _grouped(session, QuotationRegion, "quotation_code", "region_code")
    for q in session.exec(select(Quotation).order_by(col(Quotation.code))):
        yield _doc(
            DocType.quote,
            q.code,
            f"{q.speaker_zh}({q.role_zh})",
            f"{q.speaker_en} ({q.role_en})",
            [q.text, q.gloss_en],
            [q.topic_code],
            quote_regions[q.code],
        )


def rebuild_search_index(session: Session) -> int:
    """Replace the search documents with ones built from the current rows; return how many."""
    session.exec(delete(SearchDocument))
    documents = list(_documents(session))
    # Numbered from 1 in a fixed order, whatever the database's sequences say: a rebuild of
    # the same data gives the same rows on every backend.
    for number, document in enumerate(documents, start=1):
        document.id = number
    session.add_all(documents)
    session.flush()
    if session.get_bind().dialect.name == "sqlite":
        session.exec(text("INSERT INTO search_fts(search_fts) VALUES('rebuild')"))  # type: ignore[call-overload]
    return len(documents)
