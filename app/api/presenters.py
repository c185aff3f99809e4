"""Turning service records into response models, in the language the client asked for."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from sqlmodel import Session

from app.api.deps import Pagination, SeriesView, base_url, page_response, url
from app.api.formats import CSV_MEDIA_TYPE, CsvWriter
from app.api.routing import download_stem, flag
from app.models import Entity, Region
from app.models.fields import ObservationFields, shared_names
from app.rules.entities import EntityKind
from app.rules.languages import Language, pick
from app.rules.periods import PeriodPrecision
from app.rules.series import FORMULAS
from app.schemas.resources import (
    EntityRef,
    EventRead,
    RegionRef,
)
from app.services.events import EventRecord
from app.services.observations import ObservationFilter, ObservationRecord, list_observations
from app.services.series import (
    Comparison,
    SeriesValue,
    UnitLabel,
    WideTable,
    transform_observations,
    wide_table,
)


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
    return {
        "code": code,
        **_labels(record, lang),
        "regions": record["regions"],
        "period": record["period"],
        "period_start": record["period_start"],
        "period_end": record["period_end"],
        "period_precision": record["period_precision"],
        "value": record["value"],
        "value_max": record["value_max"],
        **unit_labels(record_unit(record), lang),
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
        "topic": record["topic"],
    }


def _labels(record: ObservationRecord, lang: Language) -> dict[str, Any]:
    """A figure's indicator and main region, with their names."""
    zh = lang is Language.zh
    return {
        "indicator": record["indicator_code"],
        "indicator_name": record["indicator_name_zh" if zh else "indicator_name_en"],
        "indicator_name_zh": record["indicator_name_zh"],
        "indicator_name_en": record["indicator_name_en"],
        "region": record["region_code"],
        "region_name": record["region_name_zh" if zh else "region_name_en"],
        "region_name_zh": record["region_name_zh"],
        "region_name_en": record["region_name_en"],
    }


def record_unit(record: ObservationRecord) -> UnitLabel:
    """The unit a figure was printed in, from its row's labels."""
    return UnitLabel(
        record["unit_code"], record["unit_symbol"], record["unit_name_zh"], record["unit_name_en"]
    )


def unit_labels(unit: UnitLabel, lang: Language) -> dict[str, Any]:
    """A unit wherever a reader sees one: `unit` as printed (never translated: the figure's
    own words), its code, and its name in the language asked for and in both."""
    return {
        "unit": unit.symbol,
        "unit_code": unit.code,
        "unit_name": pick(lang, unit.name_zh, unit.name_en),
        "unit_name_zh": unit.name_zh,
        "unit_name_en": unit.name_en,
    }


def _number(value: Any) -> float | None:
    # Exact decimals travel as the float with the same shortest form (3.25, 1051.7).
    return None if value is None else float(value)


def series_value_item(value: SeriesValue, lang: Language, base: str) -> dict[str, Any]:
    """A transformed value as the JSON object of SeriesValueRead."""
    record, outcome, unit = value.record, value.outcome, value.unit
    return {
        **_labels(record, lang),
        "period": record["period"],
        "period_start": record["period_start"],
        "period_end": record["period_end"],
        "period_precision": record["period_precision"],
        "transform": value.transform.value,
        "base": value.base,
        "value": _number(outcome.value),
        **unit_labels(unit, lang),
        "qualifier": None if outcome.qualifier is None else outcome.qualifier.value,
        "derived": True,
        "derivation": {
            "formula": FORMULAS[value.transform],
            "inputs": [
                {"name": name, "observation": code, "url": f"{base}/v1/observations/{code}"}
                for name, code in outcome.inputs
            ],
        },
        "reason": outcome.reason,
        "observation": record["code"],
        "sources": value.sources,
    }


# The columns a wide table leads with, before one column per period.
WIDE_COLUMNS = [
    "indicator", "indicator_name", "indicator_name_zh", "indicator_name_en",
    "region", "region_name", "region_name_zh", "region_name_en",
    "unit", "unit_code", "unit_name", "unit_name_zh", "unit_name_en", "transform", "qualifiers",
]  # fmt: skip


def wide_csv(
    table: WideTable, view: SeriesView, lang: Language, request: Request, response: Response
) -> Response:
    """The wide table as CSV: the leading columns, then a column per period label in time
    order; an empty cell where a series has no figure (or no value), never 0."""
    rows = [
        {
            **_labels(row.record, lang),
            **unit_labels(row.unit, lang),
            "transform": None if view.transform is None else view.transform.value,
            # The cells that are not exact figures, so a bound is never read as a value.
            "qualifiers": ";".join(f"{p}={q}" for p, q in row.qualified.items()) or None,
            **{period: _number(value) for period, value in row.cells.items()},
        }
        for row in table.rows
    ]
    writer = CsvWriter(WIDE_COLUMNS + table.periods, bom=flag(request, "bom"))
    body = writer.write(rows) + writer.close()
    finished = Response(
        body.encode(),
        media_type=CSV_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{download_stem(request)}-wide.csv"',
            "X-Total-Count": str(len(rows)),
        },
    )
    for header, value in response.headers.items():
        if header not in ("content-length", "content-type"):
            finished.headers.append(header, value)
    return finished


def observations_page(
    session: Session,
    flt: ObservationFilter,
    view: SeriesView,
    pagination: Pagination,
    lang: Language,
    request: Request,
    response: Response,
) -> Response:
    """Query a page of observations (or their transformed values) and answer it in the list
    envelope; or every one of them as a wide CSV table."""
    base = base_url(request)
    if view.wide:
        table = wide_table(session, flt, view.transform, view.base)
        return wide_csv(table, view, lang, request, response)
    if view.transform is not None:
        values, total = transform_observations(
            session,
            flt,
            view.transform,
            view.base,
            limit=pagination.limit,
            offset=pagination.offset,
        )
        items = [series_value_item(v, lang, base) for v in values]
        return page_response(items, total, pagination, request, response)
    records, total = list_observations(
        session, flt, limit=pagination.limit, offset=pagination.offset
    )
    items = [observation_item(r, lang, base) for r in records]
    return page_response(items, total, pagination, request, response)


def comparison_page(
    comparison: Comparison,
    pagination: Pagination,
    lang: Language,
    request: Request,
    response: Response,
) -> Response:
    """A page of a comparison's regions, in the list envelope (the ranks are the whole
    comparison's)."""
    base = base_url(request)
    indicator, unit = comparison.indicator, comparison.unit
    placings = comparison.placings
    page = placings[pagination.offset : pagination.offset + pagination.limit]
    items = [
        {
            "indicator": indicator.code,
            "indicator_name": pick(lang, indicator.name_zh, indicator.name_en),
            "indicator_name_zh": indicator.name_zh,
            "indicator_name_en": indicator.name_en,
            "period": comparison.period.label,
            "level": comparison.level.value,
            "rank": placing.rank,
            "comparable": placing.rank is not None,
            "reason": placing.reason,
            "region": placing.region.code,
            "region_name": pick(lang, placing.region.name_zh, placing.region.name_en),
            "region_name_zh": placing.region.name_zh,
            "region_name_en": placing.region.name_en,
            "value": _number(placing.value),
            "value_max": _number(placing.value_max),
            **unit_labels(unit, lang),
            "qualifier": None if placing.record is None else placing.record["qualifier"],
            "source": None if placing.record is None else placing.record["source_code"],
            "observation": None if placing.record is None else placing.record["code"],
            "observation_url": None
            if placing.record is None
            else f"{base}/v1/observations/{placing.record['code']}",
        }
        for placing in page
    ]
    return page_response(items, len(placings), pagination, request, response)
