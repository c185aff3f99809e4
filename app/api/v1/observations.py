"""Observations: every figure with its unit, qualifier, source and verbatim quote."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from app.api.deps import (
    ITEM_ERRORS,
    LIST_ERRORS,
    QUERY_CHECKS,
    V1_PREFIX,
    AsOfQuery,
    LanguageDep,
    PaginationDep,
    SeriesView,
    SessionDep,
    as_of_moment,
    base_url,
    json_response,
    observation_filter,
    series_view,
)
from app.api.presenters import observation_item, observations_page
from app.api.routing import DataRoute
from app.schemas.common import Page
from app.schemas.resources import ObservationRead
from app.schemas.series import SeriesValueRead
from app.services.observations import ObservationFilter, get_observation

router = APIRouter(
    prefix=f"{V1_PREFIX}/observations",
    tags=["observations"],
    route_class=DataRoute,
    dependencies=QUERY_CHECKS,
)


@router.get(
    "",
    response_model=Page[ObservationRead] | Page[SeriesValueRead],
    responses=LIST_ERRORS,
    operation_id="listObservations",
)
def get_observations(
    session: SessionDep,
    flt: Annotated[ObservationFilter, Depends(observation_filter)],
    view: Annotated[SeriesView, Depends(series_view)],
    pagination: PaginationDep,
    lang: LanguageDep,
    request: Request,
    response: Response,
) -> Response:
    """List observations, filtered by indicator, region, entity, topic, period and qualifier.

    With `transform`, each item is instead a value computed within its series
    (SeriesValueRead); with `shape=wide` (CSV), a row per series and a column per period."""
    return observations_page(session, flt, view, pagination, lang, request, response)


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
    as_of: AsOfQuery = None,
) -> Response:
    """One observation with its provenance."""
    record = get_observation(session, code, as_of_moment(as_of))
    return json_response(observation_item(record, lang, base_url(request)), response)
