"""Observations: every figure with its unit, qualifier, source and verbatim quote."""

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from app.api.deps import ITEM_ERRORS, LIST_ERRORS, PaginationDep, page_of, url
from app.db import SessionDep
from app.rules.periods import PeriodPrecision
from app.rules.qualifiers import Qualifier
from app.schemas.common import Page
from app.schemas.resources import Derivation, DerivationInputRead, ObservationRead
from app.services.observations import (
    DEFAULT_SORT,
    SORT_KEYS,
    ObservationFilter,
    ObservationRecord,
    get_observation,
    list_observations,
)

router = APIRouter(prefix="/observations", tags=["observations"])

PERIOD_HELP = "YYYY, YYYY-MM or YYYY-MM-DD"


def series_filter(
    region: Annotated[
        list[str] | None,
        Query(
            description="Region code(s); repeat for several. Matches any region a figure concerns."
        ),
    ] = None,
    topic: Annotated[str | None, Query(description="Topic code.")] = None,
    start: Annotated[
        str | None, Query(description=f"Only periods starting on or after this ({PERIOD_HELP}).")
    ] = None,
    end: Annotated[
        str | None, Query(description=f"Only periods ending on or before this ({PERIOD_HELP}).")
    ] = None,
    qualifier: Annotated[Qualifier | None, Query(description="Only this qualifier.")] = None,
    latest: Annotated[
        bool, Query(description="Only the most recent observation per indicator and region.")
    ] = False,
    sort: Annotated[
        str | None,
        Query(
            description=f"Comma-separated keys among {', '.join(SORT_KEYS)}; prefix - for "
            f"descending. Default: {','.join(DEFAULT_SORT)}."
        ),
    ] = None,
) -> ObservationFilter:
    """The filters shared by every observation list."""
    return ObservationFilter(
        regions=region or [],
        topic=topic,
        start=start,
        end=end,
        qualifier=qualifier,
        latest=latest,
        sort=sort,
    )


def observation_filter(
    base: Annotated[ObservationFilter, Depends(series_filter)],
    indicator: Annotated[
        list[str] | None, Query(description="Indicator code(s); repeat for several.")
    ] = None,
) -> ObservationFilter:
    """All observation filters, including the indicator."""
    return replace(base, indicators=indicator or [])


def present(record: ObservationRecord, request: Request) -> ObservationRead:
    """Turn a record into its response shape."""
    obs = record.observation
    derivation = None
    if obs.derived and obs.formula:
        derivation = Derivation(
            formula=obs.formula,
            inputs=[
                DerivationInputRead(
                    name=i.name,
                    observation=i.input_code,
                    url=url(request, f"/v1/observations/{i.input_code}"),
                )
                for i in record.inputs
            ],
        )
    return ObservationRead(
        code=obs.code,
        indicator=obs.indicator_code,
        indicator_name_zh=record.indicator.name_zh,
        indicator_name_en=record.indicator.name_en,
        region=obs.region_code,
        region_name_zh=record.region.name_zh,
        region_name_en=record.region.name_en,
        regions=record.regions,
        period=obs.period,
        period_start=obs.period_start,
        period_end=obs.period_end,
        period_precision=PeriodPrecision(obs.period_precision),
        value=obs.value,
        value_max=obs.value_max,
        unit=record.unit.symbol,
        unit_code=obs.unit_code,
        value_as_published=obs.value_as_published,
        normalized_value=obs.normalized_value,
        normalized_value_max=obs.normalized_value_max,
        normalized_unit=record.unit.normalized_unit,
        qualifier=Qualifier(obs.qualifier),
        derived=obs.derived,
        derivation=derivation,
        note=obs.note,
        source=obs.source_code,
        quote=obs.quote,
        url=url(request, f"/v1/observations/{obs.code}"),
    )


def observations_page(
    session: SessionDep,
    flt: ObservationFilter,
    pagination: PaginationDep,
    request: Request,
    response: Response,
) -> Page[ObservationRead]:
    """Query a page of observations and wrap it in the list envelope."""
    records, total = list_observations(
        session, flt, limit=pagination.limit, offset=pagination.offset
    )
    items = [present(r, request) for r in records]
    return page_of(Page[ObservationRead], items, total, pagination, request, response)


@router.get("", responses=LIST_ERRORS, operation_id="listObservations")
def get_observations(
    session: SessionDep,
    flt: Annotated[ObservationFilter, Depends(observation_filter)],
    pagination: PaginationDep,
    request: Request,
    response: Response,
) -> Page[ObservationRead]:
    """List observations, filtered by indicator, region, topic, period and qualifier."""
    return observations_page(session, flt, pagination, request, response)


@router.get("/{code}", responses=ITEM_ERRORS, operation_id="getObservation")
def get_observation_by_code(
    session: SessionDep,
    request: Request,
    code: Annotated[str, Path(description="Observation code, e.g. gdp-2024.")],
) -> ObservationRead:
    """One observation with its provenance."""
    return present(get_observation(session, code), request)
