"""One search across regions, indicators, entities, events, observations and quotes.

The index (search_document) is rebuilt from the rows by every seed that changes data. On SQLite
an FTS5 trigram index serves terms of three or more characters (any substring, Chinese
included, ranked by BM25); shorter terms, and other databases, use a case-insensitive LIKE.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, Integer, case, delete, or_, text
from sqlmodel import Session, col, select

from app.errors import InvalidParameterError
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
from app.services.common import count, grouped_rows, like_pattern, require_codes

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
FTS_MIN_TERM = 3  # the trigram tokenizer matches only terms of three characters or more


class DocType(StrEnum):
    """What a search hit is; the order is the tie-break between equally relevant hits."""

    region = "region"
    indicator = "indicator"
    entity = "entity"
    event = "event"
    observation = "observation"
    quote = "quote"


DOC_PATHS = {
    DocType.region: "/v1/regions/",
    DocType.indicator: "/v1/indicators/",
    DocType.entity: "/v1/entities/",
    DocType.event: "/v1/events/",
    DocType.observation: "/v1/observations/",
    DocType.quote: "/v1/quotes/",
}
_RANK = {doc_type: rank for rank, doc_type in enumerate(DocType)}


@dataclass(frozen=True)
class SearchHit:
    """A matching document and a snippet of it with the matches marked."""

    document: SearchDocument
    snippet: str


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


def _contains_code(column: Any, code: str) -> Any:
    # The column holds space-separated codes; pad both ends so only whole codes match.
    return (" " + column + " ").like(like_pattern(f" {code} "), escape="\\")


def query_terms(q: str) -> list[str]:
    """Split a query into distinct terms; raise a 422 naming `q` if there is nothing to find."""
    if len(q) > MAX_QUERY_LENGTH:
        raise InvalidParameterError("q", f"at most {MAX_QUERY_LENGTH} characters")
    if any(unicodedata.category(char).startswith("C") and not char.isspace() for char in q):
        raise InvalidParameterError("q", "control characters cannot be searched for")
    terms = list(dict.fromkeys(t for t in q.split() if t))
    if not terms:
        raise InvalidParameterError("q", "give at least one word or character to search for")
    if len(terms) > MAX_TERMS:
        raise InvalidParameterError("q", f"at most {MAX_TERMS} terms")
    return terms


def search(
    session: Session,
    q: str,
    *,
    types: list[DocType],
    topic: str | None,
    region: str | None,
    limit: int,
    offset: int,
) -> tuple[list[SearchHit], int]:
    """Documents matching every term of `q` (case-insensitive substrings), best first."""
    terms = query_terms(q)
    if topic is not None:
        require_codes(session, Topic, [topic], "topic")
    if region is not None:
        require_codes(session, Region, [region], "region")
    use_fts = session.get_bind().dialect.name == "sqlite"
    indexed = [t for t in terms if len(t) >= FTS_MIN_TERM] if use_fts else []
    query = select(SearchDocument)
    order: list[Any] = []
    if indexed:
        match = " AND ".join('"' + t.replace('"', '""') + '"' for t in indexed)
        fts = (
            text(
                "SELECT rowid, bm25(search_fts, 5.0, 1.0) AS score FROM search_fts "
                "WHERE search_fts MATCH :match"
            )
            .bindparams(match=match)
            .columns(rowid=Integer, score=Float)
            .subquery()
        )
        query = query.join(fts, fts.c.rowid == SearchDocument.id)
        order.append(fts.c.score)
    for term in (t for t in terms if t not in indexed):
        pattern = like_pattern(term)
        query = query.where(
            or_(
                col(SearchDocument.title).ilike(pattern, escape="\\"),
                col(SearchDocument.body).ilike(pattern, escape="\\"),
            )
        )
    if not indexed:
        # Without BM25, hits whose title holds the first term come first.
        first = like_pattern(terms[0])
        order.append(case((col(SearchDocument.title).ilike(first, escape="\\"), 0), else_=1))
    if types:
        query = query.where(col(SearchDocument.doc_type).in_([t.value for t in types]))
    if topic is not None:
        query = query.where(_contains_code(col(SearchDocument.topics), topic))
    if region is not None:
        query = query.where(_contains_code(col(SearchDocument.regions), region))
    total = count(session, query)
    order += [col(SearchDocument.rank_hint), col(SearchDocument.code)]
    rows = session.exec(query.order_by(*order).limit(limit).offset(offset)).all() if limit else []
    return [SearchHit(doc, snippet(doc, terms)) for doc in rows], total


def snippet(document: SearchDocument, terms: list[str], width: int = 60) -> str:
    """A short excerpt around the first match, HTML-escaped, each match in <mark></mark>."""
    pattern = re.compile(
        "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE
    )
    source = document.body
    first = pattern.search(source)
    if first is None:
        source = document.title
        first = pattern.search(source)
    at = first.start() if first else 0
    start = max(0, at - width // 3)
    end = min(len(source), start + width)
    fragment = source[start:end].replace("\n", " ")
    # Split on matches in the raw text, then escape each piece: marks never cut an entity.
    pieces = pattern.split(fragment)
    matches = pattern.findall(fragment)
    marked = html.escape(pieces[0]) + "".join(
        f"<mark>{html.escape(match)}</mark>{html.escape(rest)}"
        for match, rest in zip(matches, pieces[1:], strict=True)
    )
    return ("…" if start > 0 else "") + marked + ("…" if end < len(source) else "")
