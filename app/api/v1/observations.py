"""Observations: every figure with its unit, qualifier, source and verbatim quote."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from app.api.deps import (
    ITEM_ERRORS,
    LIST_ERRORS,
    LanguageDep,
    PaginationDep,
    base_url,
    json_response,
    observation_filter,
)
from app.api.presenters import observation_item, observations_page
from app.api.routing import DataRoute
from app.db import SessionDep
from app.schemas.common import Page
from app.schemas.resources import ObservationRead
from app.services.observations import ObservationFilter, get_observation

router = APIRouter(prefix="/observations", tags=["observations"], route_class=DataRoute)


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
) -> Response:
    """List observations, filtered by indicator, region, entity, topic, period and qualifier."""
    return observations_page(session, flt, pagination, lang, request, response)


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
) -> Response:
    """One observation with its provenance."""
    item = observation_item(get_observation(session, code), lang, base_url(request))
    return json_response(item, response)
