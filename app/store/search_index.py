"""The search index (search_document): one document per region, indicator, entity, event,
observation and quote, rebuilt from the rows by every seed that changes data.

Written by the seeder, read by the search service: it lives below both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
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
from app.rules.search import NAME_SEPARATOR, DocType
from app.store.rows import grouped_rows

# Stored with each document: the tie-break between equally relevant hits.
_RANK = {doc_type: rank for rank, doc_type in enumerate(DocType)}


def _grouped(
    session: Session, model: Any, key: str, value: str, codes: Sequence[str] | None
) -> dict[str, list[str]]:
    # By position where links have one, then by the linked code.
    order = ("position", value) if hasattr(model, "position") else (value,)
    rows = grouped_rows(session, model, key, *order, codes=codes)
    return defaultdict(list, {k: [getattr(r, value) for r in group] for k, group in rows.items()})


def _doc(
    doc_type: DocType,
    code: str,
    zh: str,
    en: str,
    body: list[str | None],
    topics: list[str],
    regions: list[str],
    aliases: list[str] | None = None,
) -> SearchDocument:
    # Other names are indexed as the title is, and weigh as much: "GDP" names the indicator
    # as surely as 地区生产总值 does. Clients see title_zh and title_en only.
    named = NAME_SEPARATOR.join(dict.fromkeys([zh, en, *(aliases or [])]))
    return SearchDocument(
        doc_type=doc_type.value,
        code=code,
        title=named,
        title_zh=zh,
        title_en=en,
        body="\n".join(part for part in body if part),
        topics=" ".join(topics),
        regions=" ".join(regions),
        rank_hint=_RANK[doc_type],
    )


Wanted = Mapping[DocType, Collection[str]]


def _rows(session: Session, model: Any, codes: Sequence[str] | None) -> list[Any]:
    query = select(model).order_by(col(model.code))
    if codes is not None:
        query = query.where(col(model.code).in_(list(codes)))
    return list(session.exec(query))


def _documents(session: Session, only: Wanted | None = None) -> Iterator[SearchDocument]:
    """The documents of every record (`only` None), or of the records `only` names by type:
    one way of making a document, for a rebuild and for a write alike."""

    def wanted(doc_type: DocType) -> list[str] | None:
        return None if only is None else sorted(only.get(doc_type, ()))

    regions = {r.code: r for r in session.exec(select(Region))}
    topics = {t.code: t for t in session.exec(select(Topic))}
    units = {u.code: u for u in session.exec(select(Unit))}
    indicators = {i.code: i for i in session.exec(select(Indicator))}
    entities = {e.code: e for e in session.exec(select(Entity))}

    def names(codes: list[str]) -> list[str | None]:
        return [f"{entities[c].name_zh} {entities[c].name_en}" for c in codes]

    if only is None:
        for r in sorted(regions.values(), key=lambda r: r.code):
            yield _doc(
                DocType.region, r.code, r.name_zh, r.name_en, [r.code, r.level], [], [r.code]
            )
    codes = wanted(DocType.indicator)
    if codes is None or codes:
        # The regions an indicator is found in: those of its observations.
        found_in = (
            select(Observation.indicator_code, ObservationRegion.region_code)
            .join(Observation, col(Observation.code) == col(ObservationRegion.observation_code))
            .distinct()
        )
        if codes is not None:
            found_in = found_in.where(col(Observation.indicator_code).in_(codes))
        indicator_regions: dict[str, set[str]] = defaultdict(set)
        for indicator_code, region_code in session.exec(found_in):
            indicator_regions[indicator_code].add(region_code)
        for i in sorted(indicators.values(), key=lambda i: i.code):
            if codes is None or i.code in codes:
                yield _indicator_doc(i, topics[i.topic_code], sorted(indicator_regions[i.code]))
    codes = wanted(DocType.entity)
    if codes is None or codes:
        entity_regions = _grouped(session, EntityRegion, "entity_code", "region_code", codes)
        entity_topics = _grouped(session, EntityTopic, "entity_code", "topic_code", codes)
        people = grouped_rows(session, Person, "entity_code", "code", codes=codes)
        for e in sorted(entities.values(), key=lambda e: e.code):
            if codes is not None and e.code not in codes:
                continue
            yield _doc(
                DocType.entity,
                e.code,
                e.name_zh,
                e.name_en,
                [
                    e.description_zh,
                    e.description_en,
                    e.quote,
                    *(f"{p.name_zh} {p.role_zh} {p.name_en} {p.role_en}" for p in people[e.code]),
                ],
                entity_topics[e.code],
                entity_regions[e.code],
            )
    codes = wanted(DocType.event)
    if codes is None or codes:
        event_regions = _grouped(session, EventRegion, "event_code", "region_code", codes)
        event_topics = _grouped(session, EventTopic, "event_code", "topic_code", codes)
        event_entities = _grouped(session, EventEntity, "event_code", "entity_code", codes)
        for ev in _rows(session, Event, codes):
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
    codes = wanted(DocType.observation)
    if codes is None or codes:
        obs_regions = _grouped(session, ObservationRegion, "observation_code", "region_code", codes)
        obs_entities = _grouped(
            session, ObservationEntity, "observation_code", "entity_code", codes
        )
        for o in _rows(session, Observation, codes):
            yield _observation_doc(
                o,
                indicators[o.indicator_code],
                regions[o.region_code],
                units[o.unit_code],
                obs_regions[o.code],
                names(obs_entities[o.code]),
            )
    codes = wanted(DocType.quote)
    if codes is None or codes:
        quote_regions = _grouped(session, QuotationRegion, "quotation_code", "region_code", codes)
        for q in _rows(session, Quotation, codes):
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
        [*i.aliases_zh, *i.aliases_en],
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
        [*indicator.aliases_zh, *indicator.aliases_en],
    )


def refresh_documents(session: Session, touched: Wanted) -> None:
    """Bring the documents of the records `touched` names (by type) in line with their rows,
    without rebuilding the rest: what one write does to the index. A record no longer there
    loses its document."""
    fresh = list(_documents(session, touched))
    stale = [(doc_type.value, code) for doc_type, codes in touched.items() for code in codes]
    _replace_documents(session, stale, fresh)


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
