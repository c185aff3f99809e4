"""Observations: every figure with its unit, qualifier, source and verbatim quote."""

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BeforeValidator

from app.api.deps import (
    ITEM_ERRORS,
    LIST_ERRORS,
    LanguageDep,
    PaginationDep,
    SeriesView,
    SessionDep,
    base_url,
    json_response,
    observation_filter,
    series_view,
)
from app.api.presenters import observation_item, observations_page
from app.api.routing import DataRoute
from app.rules.moments import iso_moment, moment
from app.schemas.common import Page
from app.schemas.resources import ObservationRead
from app.schemas.series import SeriesValueRead
from app.services.observations import ObservationFilter, get_observation

router = APIRouter(prefix="/observations", tags=["observations"], route_class=DataRoute)

AsOf = Annotated[
    datetime | None,
    BeforeValidator(iso_moment),
    Query(
        description="Answer as the data stood at this time (ISO 8601; UTC if no zone): each "
        "figure as it was known then, from seeds and API writes alike, and none before its "
        "source was published."
    ),
]


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
    as_of: AsOf = None,
) -> Response:
    """List observations, filtered by indicator, region, entity, topic, period and qualifier.

    With `transform`, each item is instead a value computed within its series
    (SeriesValueRead); with `shape=wide` (CSV), a row per series and a column per period."""
    if as_of is not None:
        flt = replace(flt, as_of=_moment(as_of))
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
    as_of: AsOf = None,
) -> Response:
    """One observation with its provenance."""
    record = get_observation(session, code, None if as_of is None else _moment(as_of))
    return json_response(observation_item(record, lang, base_url(request)), response)


def _moment(at: datetime) -> str:
    # A time without a zone is read as UTC, the zone of the versions' timestamps.
    return moment(at if at.tzinfo else at.replace(tzinfo=UTC))
