"""Quotes: the report's first-person testimony, verbatim, with an English gloss."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.api.deps import (
    ITEM_ERRORS,
    LIST_ERRORS,
    QUERY_CHECKS,
    V1_PREFIX,
    LanguageDep,
    PaginationDep,
    RegionCodeText,
    SessionDep,
    SlugText,
    VocabularyCodeText,
    page_of,
    url,
)
from app.api.routing import DataRoute
from app.rules.languages import Language, pick
from app.schemas.common import Page
from app.schemas.resources import QuoteRead
from app.services.quotes import QuoteRecord, get_quote, list_quotes

router = APIRouter(
    prefix=f"{V1_PREFIX}/quotes",
    tags=["quotes"],
    route_class=DataRoute,
    dependencies=QUERY_CHECKS,
)


def _read(record: QuoteRecord, lang: Language, request: Request) -> QuoteRead:
    q = record.quotation
    return QuoteRead(
        code=q.code,
        text=q.text,
        gloss_en=q.gloss_en,
        speaker=pick(lang, q.speaker_zh, q.speaker_en),
        speaker_zh=q.speaker_zh,
        speaker_en=q.speaker_en,
        role=pick(lang, q.role_zh, q.role_en),
        role_zh=q.role_zh,
        role_en=q.role_en,
        person=q.person_code,
        entity=q.entity_code,
        regions=record.regions,
        topic=q.topic_code,
        source=q.source_code,
        url=url(request, f"/v1/quotes/{q.code}"),
    )


@router.get("", responses=LIST_ERRORS, operation_id="listQuotes")
def get_quotes(
    session: SessionDep,
    pagination: PaginationDep,
    lang: LanguageDep,
    request: Request,
    response: Response,
    region: Annotated[
        RegionCodeText | None, Query(description="Only quotes about this region.")
    ] = None,
    topic: Annotated[
        VocabularyCodeText | None, Query(description="Only quotes in this topic.")
    ] = None,
    entity: Annotated[
        SlugText | None, Query(description="Only quotes tied to this entity.")
    ] = None,
    speaker: Annotated[
        SlugText | None, Query(description="Only quotes by this person's code.")
    ] = None,
) -> Page[QuoteRead]:
    """List quotes by code, optionally by region, topic, entity or speaker."""
    rows, total = list_quotes(
        session,
        region=region,
        topic=topic,
        entity=entity,
        speaker=speaker,
        limit=pagination.limit,
        offset=pagination.offset,
    )
    items = [_read(r, lang, request) for r in rows]
    return page_of(Page[QuoteRead], items, total, pagination, request, response)


@router.get("/{code}", responses=ITEM_ERRORS, operation_id="getQuote")
def get_quote_by_code(
    session: SessionDep,
    lang: LanguageDep,
    request: Request,
    code: Annotated[str, Path(description="Quote code, e.g. old-miner-white-shirt.")],
) -> QuoteRead:
    """One quote."""
    return _read(get_quote(session, code), lang, request)
