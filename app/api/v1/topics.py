"""Topics: the themes indicators are grouped by."""

from fastapi import APIRouter, Request, Response

from app.api.deps import LIST_ERRORS, PaginationDep, page_of, url
from app.db import SessionDep
from app.schemas.common import Page
from app.schemas.resources import TopicRead
from app.services.topics import list_topics

router = APIRouter(prefix="/topics", tags=["topics"])


@router.get("", responses=LIST_ERRORS, operation_id="listTopics")
def get_topics(
    session: SessionDep, pagination: PaginationDep, request: Request, response: Response
) -> Page[TopicRead]:
    """List topics with the number of indicators in each."""
    rows, total = list_topics(session, limit=pagination.limit, offset=pagination.offset)
    items = [
        TopicRead(
            code=t.code,
            name_zh=t.name_zh,
            name_en=t.name_en,
            description_en=t.description_en,
            indicator_count=n,
            url=url(request, "/v1/indicators", topic=t.code),
        )
        for t, n in rows
    ]
    return page_of(Page[TopicRead], items, total, pagination, request, response)
