"""Topics: the themes indicators, entities and events are grouped by."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from app.api.deps import (
    ITEM_ERRORS,
    LIST_ERRORS,
    QUERY_CHECKS,
    V1_PREFIX,
    LanguageDep,
    PaginationDep,
    SessionDep,
    page_of,
    url,
)
from app.api.routing import DataRoute
from app.models import Topic
from app.rules.languages import Language, pick
from app.schemas.common import Page
from app.schemas.resources import TopicRead
from app.services.topics import get_topic, list_topics

router = APIRouter(
    prefix=f"{V1_PREFIX}/topics",
    tags=["topics"],
    route_class=DataRoute,
    dependencies=QUERY_CHECKS,
)


def _read(topic: Topic, indicator_count: int, lang: Language, request: Request) -> TopicRead:
    return TopicRead(
        code=topic.code,
        name=pick(lang, topic.name_zh, topic.name_en),
        name_zh=topic.name_zh,
        name_en=topic.name_en,
        description=pick(lang, topic.description_zh, topic.description_en),
        description_zh=topic.description_zh,
        description_en=topic.description_en,
        indicator_count=indicator_count,
        url=url(request, f"/v1/topics/{topic.code}"),
        indicators_url=url(request, "/v1/indicators", topic=topic.code),
    )


@router.get("", responses=LIST_ERRORS, operation_id="listTopics")
def get_topics(
    session: SessionDep,
    pagination: PaginationDep,
    lang: LanguageDep,
    request: Request,
    response: Response,
) -> Page[TopicRead]:
    """List topics with the number of indicators in each."""
    rows, total = list_topics(session, limit=pagination.limit, offset=pagination.offset)
    items = [_read(topic, n, lang, request) for topic, n in rows]
    return page_of(Page[TopicRead], items, total, pagination, request, response)


@router.get("/{code}", responses=ITEM_ERRORS, operation_id="getTopic")
def get_topic_by_code(
    session: SessionDep,
    lang: LanguageDep,
    request: Request,
    code: Annotated[str, Path(description="Topic code, e.g. energy.")],
) -> TopicRead:
    """One topic with the number of indicators in it."""
    topic, n = get_topic(session, code)
    return _read(topic, n, lang, request)
