"""Turning service records into response models, where more than one router needs it."""

from __future__ import annotations

from fastapi import Request, Response
from sqlmodel import Session

from app.api.deps import Pagination, page_of, url
from app.rules.periods import PeriodPrecision
from app.rules.qualifiers import Qualifier
from app.schemas.common import Page
from app.schemas.resources import Derivation, DerivationInputRead, ObservationRead
from app.services.observations import ObservationFilter, ObservationRecord, list_observations


def present_observation(record: ObservationRecord, request: Request) -> ObservationRead:
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
    session: Session,
    flt: ObservationFilter,
    pagination: Pagination,
    request: Request,
    response: Response,
) -> Page[ObservationRead]:
    """Query a page of observations and wrap it in the list envelope."""
    records, total = list_observations(
        session, flt, limit=pagination.limit, offset=pagination.offset
    )
    items = [present_observation(r, request) for r in records]
    return page_of(Page[ObservationRead], items, total, pagination, request, response)
