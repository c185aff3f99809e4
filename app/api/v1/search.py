"""Search: one ranked search over regions, indicators, entities, events, observations, quotes."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.deps import (
    LIST_ERRORS,
    QUERY_CHECKS,
    V1_PREFIX,
    LanguageDep,
    PaginationDep,
    RegionCodeText,
    SessionDep,
    VocabularyCodeText,
    page_of,
    url,
)
from app.api.routing import DataRoute
from app.rules.languages import pick
from app.rules.search import DocType
from app.schemas.common import Page
from app.schemas.resources import SearchHitRead
from app.services.search import DOC_PATHS, MAX_QUERY_LENGTH, search

router = APIRouter(
    prefix=f"{V1_PREFIX}/search",
    tags=["search"],
    route_class=DataRoute,
    dependencies=QUERY_CHECKS,
)


@router.get("", responses=LIST_ERRORS, operation_id="search")
def get_search(
    session: SessionDep,
    pagination: PaginationDep,
    lang: LanguageDep,
    request: Request,
    response: Response,
    q: Annotated[
        str,
        Query(
            max_length=MAX_QUERY_LENGTH,
            description="Words or characters to find (all must match, case-insensitive); "
            "Chinese substrings (煤层气) and English words (pumped storage) alike.",
        ),
    ],
    type: Annotated[
        list[DocType] | None, Query(description="Only hits of these types; repeat for several.")
    ] = None,
    topic: Annotated[
        VocabularyCodeText | None, Query(description="Only hits in this topic.")
    ] = None,
    region: Annotated[
        RegionCodeText | None, Query(description="Only hits concerning this region.")
    ] = None,
) -> Page[SearchHitRead]:
    """Search everything.

    Every term of `q` must match, as a case-insensitive substring; best matches first, each
    with a snippet showing the match.
    """
    hits, total = search(
        session,
        q,
        types=type or [],
        topic=topic,
        region=region,
        limit=pagination.limit,
        offset=pagination.offset,
    )
    items = [
        SearchHitRead(
            type=DocType(hit.document.doc_type),
            id=hit.document.code,
            title=pick(lang, hit.document.title_zh, hit.document.title_en),
            title_zh=hit.document.title_zh,
            title_en=hit.document.title_en,
            snippet=hit.snippet,
            url=url(request, DOC_PATHS[DocType(hit.document.doc_type)] + hit.document.code),
        )
        for hit in hits
    ]
    return page_of(Page[SearchHitRead], items, total, pagination, request, response)
