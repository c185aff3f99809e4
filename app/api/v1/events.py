"""Events: the report's moments as a timeline."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.api.deps import (
    ITEM_ERRORS,
    LIST_ERRORS,
    PERIOD_HELP,
    QUERY_CHECKS,
    V1_PREFIX,
    LanguageDep,
    PaginationDep,
    PeriodPointText,
    RegionCodeText,
    SessionDep,
    SlugText,
    VocabularyCodeText,
    page_of,
)
from app.api.presenters import present_event
from app.api.routing import DataRoute
from app.rules.sources import EventStatus
from app.schemas.common import Page
from app.schemas.resources import EventRead
from app.services.events import get_event, list_events

router = APIRouter(
    prefix=f"{V1_PREFIX}/events",
    tags=["events"],
    route_class=DataRoute,
    dependencies=QUERY_CHECKS,
)


@router.get("", responses=LIST_ERRORS, operation_id="listEvents")
def get_events(
    session: SessionDep,
    pagination: PaginationDep,
    lang: LanguageDep,
    request: Request,
    response: Response,
    start: Annotated[
        PeriodPointText | None,
        Query(description=f"Only events starting on or after this ({PERIOD_HELP})."),
    ] = None,
    end: Annotated[
        PeriodPointText | None,
        Query(description=f"Only events ending on or before this ({PERIOD_HELP})."),
    ] = None,
    region: Annotated[
        RegionCodeText | None, Query(description="Only events in this region.")
    ] = None,
    topic: Annotated[
        VocabularyCodeText | None, Query(description="Only events in this topic.")
    ] = None,
    entity: Annotated[
        SlugText | None, Query(description="Only events concerning this entity.")
    ] = None,
    source: Annotated[SlugText | None, Query(description="Only events this source tells.")] = None,
    status: Annotated[
        EventStatus | None,
        Query(description="`happened`, or `announced` (claims that did not come true)."),
    ] = None,
) -> Page[EventRead]:
    """List events in chronological order.

    Events sort by the end of their period; one the report dates only as "by then"
    (../DATE) comes before those dated on that day.
    """
    records, total = list_events(
        session,
        start=start,
        end=end,
        region=region,
        topic=topic,
        entity=entity,
        source=source,
        status=status,
        limit=pagination.limit,
        offset=pagination.offset,
    )
    items = [present_event(r, lang, request) for r in records]
    return page_of(Page[EventRead], items, total, pagination, request, response)


@router.get("/{code}", responses=ITEM_ERRORS, operation_id="getEvent")
def get_event_by_code(
    session: SessionDep,
    lang: LanguageDep,
    request: Request,
    code: Annotated[str, Path(description="Event code, e.g. yangshe-railway-opens.")],
) -> EventRead:
    """One event with its links."""
    return present_event(get_event(session, code), lang, request)
