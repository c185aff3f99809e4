"""One search across regions, indicators, entities, events, observations and quotes.

The index (search_document, built by app/store/search_index.py) is rebuilt from the rows by
every seed that changes data. On SQLite an FTS5 trigram index serves terms of three or more
characters (any substring, Chinese included, ranked by BM25); shorter terms, and other
databases, use a case-insensitive LIKE.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, Integer, case, or_, text
from sqlmodel import Session, col, select

from app.errors import InvalidParameterError
from app.models import Region, SearchDocument, Topic
from app.rules.search import NAME_SEPARATOR, DocType
from app.services.common import count, like_pattern, require_codes

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
FTS_MIN_TERM = 3  # the trigram tokenizer matches only terms of three characters or more

DOC_PATHS = {
    DocType.region: "/v1/regions/",
    DocType.indicator: "/v1/indicators/",
    DocType.entity: "/v1/entities/",
    DocType.event: "/v1/events/",
    DocType.observation: "/v1/observations/",
    DocType.quote: "/v1/quotes/",
}


@dataclass(frozen=True)
class SearchHit:
    """A matching document and a snippet of it with the matches marked."""

    document: SearchDocument
    snippet: str


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
    # A query that is one of a record's names whole (GDP, 地区生产总值) finds that record
    # first, then the records that carry the name (the indicator's figures), then the rest.
    title = col(SearchDocument.title)
    named = (NAME_SEPARATOR + title + NAME_SEPARATOR).ilike(
        like_pattern(f"{NAME_SEPARATOR}{' '.join(terms)}{NAME_SEPARATOR}"), escape="\\"
    )
    order: list[Any] = [
        case((named, 0), else_=1),
        case((named, col(SearchDocument.rank_hint)), else_=None),
    ]
    use_fts = session.get_bind().dialect.name == "sqlite"
    indexed = [t for t in terms if len(t) >= FTS_MIN_TERM] if use_fts else []
    query = select(SearchDocument)
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
