"""Turning service records into response models, in the language the client asked for."""

from __future__ import annotations

from fastapi import Request, Response
from sqlmodel import Session

from app.api.deps import Pagination, page_of, url
from app.models import Entity, Region
from app.rules.entities import EntityKind
from app.rules.languages import Language, pick
from app.rules.periods import PeriodPrecision
from app.rules.qualifiers import Qualifier
from app.schemas.common import Page
from app.schemas.resources import (
    Derivation,
    DerivationInputRead,
    EntityRef,
    EventRead,
    ObservationRead,
    RegionRef,
)
from app.services.events import EventRecord
from app.services.observations import ObservationFilter, ObservationRecord, list_observations


def region_ref(region: Region, lang: Language) -> RegionRef:
    """A region's code and labels."""
    return RegionRef(
        code=region.code,
        name=pick(lang, region.name_zh, region.name_en),
        name_zh=region.name_zh,
        name_en=region.name_en,
    )


def entity_ref(entity: Entity, lang: Language, request: Request) -> EntityRef:
    """An entity's code, kind and labels."""
    return EntityRef(
        code=entity.code,
        kind=EntityKind(entity.kind),
        name=pick(lang, entity.name_zh, entity.name_en),
        name_zh=entity.name_zh,
        name_en=entity.name_en,
        url=url(request, f"/v1/entities/{entity.code}"),
    )


def present_event(record: EventRecord, lang: Language, request: Request) -> EventRead:
    """An event and the codes it links to."""
    event = record.event
    return EventRead(
        code=event.code,
        period=event.period,
        period_start=event.period_start,
        period_end=event.period_end,
        period_precision=PeriodPrecision(event.period_precision),
        title=pick(lang, event.title_zh, event.title_en),
        title_zh=event.title_zh,
        title_en=event.title_en,
        description=pick(lang, event.description_zh, event.description_en),
        description_zh=event.description_zh,
        description_en=event.description_en,
        regions=record.regions,
        topics=record.topics,
        entities=record.entities,
        indicators=record.indicators,
        source=event.source_code,
        quote=event.quote,
        url=url(request, f"/v1/events/{event.code}"),
    )


def present_observation(
    record: ObservationRecord, lang: Language, request: Request
) -> ObservationRead:
    """An observation with its labels, links and provenance."""
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
        indicator_name=pick(lang, record.indicator.name_zh, record.indicator.name_en),
        indicator_name_zh=record.indicator.name_zh,
        indicator_name_en=record.indicator.name_en,
        region=obs.region_code,
        region_name=pick(lang, record.region.name_zh, record.region.name_en),
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
        entities=record.entities,
        note=obs.note,
        source=obs.source_code,
        quote=obs.quote,
        url=url(request, f"/v1/observations/{obs.code}"),
    )


def observations_page(
    session: Session,
    flt: ObservationFilter,
    pagination: Pagination,
    lang: Language,
    request: Request,
    response: Response,
) -> Page[ObservationRead]:
    """Query a page of observations and wrap it in the list envelope."""
    records, total = list_observations(
        session, flt, limit=pagination.limit, offset=pagination.offset
    )
    items = [present_observation(r, lang, request) for r in records]
    return page_of(Page[ObservationRead], items, total, pagination, request, response)
