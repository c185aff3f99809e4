"""Observations: every figure with its unit, qualifier, source and verbatim quote."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from app.api.deps import ITEM_ERRORS, LIST_ERRORS, LanguageDep, PaginationDep, observation_filter
from app.api.presenters import observations_page, present_observation
from app.api.routing import DataRoute
from app.db import SessionDep
from app.schemas.common import Page
from app.schemas.resources import ObservationRead
from app.services.observations import ObservationFilter, get_observation

router = APIRouter(prefix="/observations", tags=["observations"], route_class=DataRoute)


@router.get("", responses=LIST_ERRORS, operation_id="listObservations")
def get_observations(
    session: SessionDep,
    flt: Annotated[ObservationFilter, Depends(observation_filter)],
    pagination: PaginationDep,
    lang: LanguageDep,
    request: Request,
    response: Response,
) -> Page[ObservationRead]:
    """List observations, filtered by indicator, region, entity, topic, period and qualifier."""
    return observations_page(session, flt, pagination, lang, request, response)


@router.get("/{code}", responses=ITEM_ERRORS, operation_id="getObservation")
def get_observation_by_code(
    session: SessionDep,
    lang: LanguageDep,
    request: Request,
    code: Annotated[str, Path(description="Observation code, e.g. gdp-2024.")],
) -> ObservationRead:
    """One observation with its provenance."""
    return present_observation(get_observation(session, code), lang, request)
