"""Turning service records into response models, in the language the client asked for."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from sqlmodel import Session

from app.api.deps import Pagination, base_url, page_response, url
from app.models import Entity, Region
from app.models.fields import ObservationFields, shared_names
from app.rules.entities import EntityKind
from app.rules.languages import Language, pick
from app.rules.periods import PeriodPrecision
from app.schemas.resources import (
    EntityRef,
    EventRead,
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
        locator=event.locator,
        status=event.status,
        note=event.note,
        account_of=event.account_of,
        conflict_note=event.conflict_note,
        url=url(request, f"/v1/events/{event.code}"),
    )


# Fields an observation shares from its seed form to its response: copied by name.
_SHARED = shared_names(ObservationFields)


def observation_item(record: ObservationRecord, lang: Language, base: str) -> dict[str, Any]:
    """An observation as the JSON object of ObservationRead, built straight from its row.

    `base` is the server's base URL. A contract test holds every item to the model.
    """
    code = record["code"]
    derivation = None
    if record["derived"] and record["formula"]:
        derivation = {
            "formula": record["formula"],
            "inputs": [
                {"name": name, "observation": code, "url": f"{base}/v1/observations/{code}"}
                for name, code in record["inputs"]
            ],
        }
    zh = lang is Language.zh
    return {
        "code": code,
        "indicator": record["indicator_code"],
        "indicator_name": record["indicator_name_zh" if zh else "indicator_name_en"],
        "indicator_name_zh": record["indicator_name_zh"],
        "indicator_name_en": record["indicator_name_en"],
        "region": record["region_code"],
        "region_name": record["region_name_zh" if zh else "region_name_en"],
        "region_name_zh": record["region_name_zh"],
        "region_name_en": record["region_name_en"],
        "regions": record["regions"],
        "period": record["period"],
        "period_start": record["period_start"],
        "period_end": record["period_end"],
        "period_precision": record["period_precision"],
        "value": record["value"],
        "value_max": record["value_max"],
        "unit": record["unit_symbol"],
        "unit_code": record["unit_code"],
        "normalized_value": record["normalized_value"],
        "normalized_value_max": record["normalized_value_max"],
        "normalized_unit": record["normalized_unit"],
        "derived": record["derived"],
        "derivation": derivation,
        "entities": record["entities"],
        "source": record["source_code"],
        **{name: record[name] for name in _SHARED},
        "witness_of": record["witness_of"],
        "agreement": record["agreement"],
        "witnesses_url": (
            f"{base}/v1/observations?indicator={record['indicator_code']}"
            f"&region={record['region_code']}&start={record['period']}&end={record['period']}"
            "&witnesses=true"
            if "/" not in record["period"]
            else None
        ),
        "url": f"{base}/v1/observations/{code}",
    }


def observations_page(
    session: Session,
    flt: ObservationFilter,
    pagination: Pagination,
    lang: Language,
    request: Request,
    response: Response,
) -> Response:
    """Query a page of observations and answer it in the list envelope."""
    records, total = list_observations(
        session, flt, limit=pagination.limit, offset=pagination.offset
    )
    base = base_url(request)
    items = [observation_item(r, lang, base) for r in records]
    return page_response(items, total, pagination, request, response)
