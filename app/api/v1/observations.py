"""Observations: every figure with its unit, qualifier, source and verbatim quote."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlmodel import Session

from app.api.deps import (
    ITEM_ERRORS,
    LIST_ERRORS,
    LanguageDep,
    PaginationDep,
    SessionDep,
    base_url,
    json_response,
    observation_filter,
)
from app.api.presenters import observation_item, observations_page
from app.api.routing import DataRoute
from app.api.runtime import runtime
from app.schemas.common import Page
from app.schemas.resources import ObservationRead
from app.services.observations import ObservationFilter, get_observation
from app.services.vintages import vintage_engine

router = APIRouter(prefix="/observations", tags=["observations"], route_class=DataRoute)

AsOf = Annotated[
    datetime | None,
    Query(
        description="Answer as the data stood at this time (ISO 8601; UTC if no zone), "
        "rebuilt from the history of writes through the API."
    ),
]


@router.get(
    "",
    response_model=Page[ObservationRead],
    responses=LIST_ERRORS,
    operation_id="listObservations",
)
def get_observations(
    session: SessionDep,
    flt: Annotated[ObservationFilter, Depends(observation_filter)],
    pagination: PaginationDep,
    lang: LanguageDep,
    request: Request,
    response: Response,
    as_of: AsOf = None,
) -> Response:
    """List observations, filtered by indicator, region, entity, topic, period and qualifier."""
    if as_of is None:
        return observations_page(session, flt, pagination, lang, request, response)
    with Session(vintage_engine(runtime(request).engine, _utc(as_of))) as past:
        return observations_page(past, flt, pagination, lang, request, response)


@router.get(
    "/{code}",
    response_model=ObservationRead,
    responses=ITEM_ERRORS,
    operation_id="getObservation",
)
def get_observation_by_code(
    session: SessionDep,
    lang: LanguageDep,
    request: Request,
    response: Response,
    code: Annotated[str, Path(description="Observation code, e.g. gdp-2024.")],
    as_of: AsOf = None,
) -> Response:
    """One observation with its provenance."""
    if as_of is None:
        record = get_observation(session, code)
    else:
        with Session(vintage_engine(runtime(request).engine, _utc(as_of))) as past:
            record = get_observation(past, code)
    return json_response(observation_item(record, lang, base_url(request)), response)


def _utc(moment: datetime) -> datetime:
    # A time without a zone is read as UTC, the zone of the history's timestamps.
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
