"""The search index (search_document): one document per region, indicator, entity, event,
observation and quote, rebuilt from the rows by every seed that changes data.

Written by the seeder, read by the search service: it lives below both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import delete, func, text
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
        yield _indicator_doc(i, topics[i.topic_code], sorted(indicator_regions[i.code]))
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
        yield _observation_doc(
            o,
            indicators[o.indicator_code],
            regions[o.region_code],
            units[o.unit_code],
            obs_regions[o.code],
            names(obs_entities[o.code]),
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


def _indicator_doc(i: Indicator, topic: Topic, regions: list[str]) -> SearchDocument:
    return _doc(
        DocType.indicator,
        i.code,
        i.name_zh,
        i.name_en,
        [i.definition_zh, i.definition_en, topic.name_zh, topic.name_en, i.code],
        [i.topic_code],
        regions,
    )


def _observation_doc(
    o: Observation,
    indicator: Indicator,
    region: Region,
    unit: Unit,
    regions: list[str],
    entity_names: list[str | None],
) -> SearchDocument:
    printed = f"{o.value_as_published or o.value}{unit.symbol or ''}"
    return _doc(
        DocType.observation,
        o.code,
        f"{indicator.name_zh} {region.name_zh} {o.period}",
        f"{indicator.name_en}, {region.name_en}, {o.period}",
        [o.quote, printed, o.note, *entity_names],
        [indicator.topic_code],
        regions,
    )


def refresh_observation_documents(
    session: Session, observations: list[str], indicators: list[str]
) -> None:
    """Bring the documents of these observations and indicators (what one write to an
    observation touches: the figure, and the regions its indicator is found in) in line
    with their rows, without rebuilding the rest."""
    fresh: list[SearchDocument] = []
    for code in indicators:
        indicator = session.get(Indicator, code)
        if indicator is not None:
            found_in = session.exec(
                select(ObservationRegion.region_code)
                .join(Observation, col(Observation.code) == col(ObservationRegion.observation_code))
                .where(col(Observation.indicator_code) == code)
                .distinct()
            ).all()
            topic = session.get(Topic, indicator.topic_code)
            assert topic is not None  # a foreign key
            fresh.append(_indicator_doc(indicator, topic, sorted(found_in)))
    for code in observations:
        o = session.get(Observation, code)
        if o is None:
            continue
        links = _grouped_for(session, ObservationRegion, code, "position")
        ties = _grouped_for(session, ObservationEntity, code, "entity_code")
        named = [session.get(Entity, tie.entity_code) for tie in ties]
        fresh.append(
            _observation_doc(
                o,
                session.exec(select(Indicator).where(Indicator.code == o.indicator_code)).one(),
                session.exec(select(Region).where(Region.code == o.region_code)).one(),
                session.exec(select(Unit).where(Unit.code == o.unit_code)).one(),
                [link.region_code for link in links],
                [f"{e.name_zh} {e.name_en}" for e in named if e is not None],
            )
        )
    stale = [(DocType.indicator.value, c) for c in indicators]
    stale += [(DocType.observation.value, c) for c in observations]
    _replace_documents(session, stale, fresh)


def _grouped_for(session: Session, model: Any, code: str, order: str) -> list[Any]:
    return grouped_rows(session, model, "observation_code", order, codes=[code])[code]


def _replace_documents(
    session: Session, stale: list[tuple[str, str]], fresh: list[SearchDocument]
) -> None:
    sqlite = session.get_bind().dialect.name == "sqlite"
    for doc_type, code in stale:
        old = session.exec(
            select(SearchDocument).where(
                SearchDocument.doc_type == doc_type, SearchDocument.code == code
            )
        ).first()
        if old is None:
            continue
        if sqlite:
            # An external-content FTS5 index forgets a row only when told what it held.
            session.exec(
                text(  # type: ignore[call-overload]
                    "INSERT INTO search_fts(search_fts, rowid, title, body) "
                    "VALUES('delete', :id, :title, :body)"
                ).bindparams(id=old.id, title=old.title, body=old.body)
            )
        session.delete(old)
    session.flush()
    last = session.exec(select(func.max(SearchDocument.id))).one() or 0
    for number, document in enumerate(fresh, start=last + 1):
        document.id = number
        session.add(document)
    session.flush()
    if sqlite:
        for document in fresh:
            session.exec(
                text(  # type: ignore[call-overload]
                    "INSERT INTO search_fts(rowid, title, body) VALUES(:id, :title, :body)"
                ).bindparams(id=document.id, title=document.title, body=document.body)
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
