"""Indicators: what is measured, and each indicator's observations."""

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from app.api.deps import (
    ITEM_ERRORS,
    LIST_ERRORS,
    QUERY_CHECKS,
    V1_PREFIX,
    LanguageDep,
    PaginationDep,
    PeriodText,
    RegionCodeText,
    SeriesView,
    SessionDep,
    VocabularyCodeText,
    page_of,
    series_filter,
    series_view,
    url,
)
from app.api.presenters import comparison_page, observations_page, unit_labels
from app.api.routing import DataRoute
from app.rules.languages import Language, pick
from app.rules.regions import RegionLevel
from app.schemas.common import Page
from app.schemas.resources import IndicatorRead, ObservationRead, PublisherRead
from app.schemas.series import ComparisonItemRead, SeriesValueRead
from app.services.indicators import IndicatorRecord, get_indicator, list_indicators
from app.services.observations import ObservationFilter
from app.services.series import compare_regions, unit_label

router = APIRouter(
    prefix=f"{V1_PREFIX}/indicators",
    tags=["indicators"],
    route_class=DataRoute,
    dependencies=QUERY_CHECKS,
)
CodePath = Annotated[str, Path(description="Indicator code, e.g. gdp.")]


def _read(record: IndicatorRecord, lang: Language, request: Request) -> IndicatorRead:
    indicator, unit = record.indicator, record.unit
    return IndicatorRead(
        code=indicator.code,
        name=pick(lang, indicator.name_zh, indicator.name_en),
        name_zh=indicator.name_zh,
        name_en=indicator.name_en,
        aliases=pick(lang, indicator.aliases_zh, indicator.aliases_en),
        aliases_zh=indicator.aliases_zh,
        aliases_en=indicator.aliases_en,
        definition=pick(lang, indicator.definition_zh, indicator.definition_en),
        definition_zh=indicator.definition_zh,
        definition_en=indicator.definition_en,
        topic=indicator.topic_code,
        **unit_labels(unit_label(unit), lang),
        normalized_unit=unit.normalized_unit,
        observation_count=record.observation_count,
        sources=record.sources,
        publishers=[
            PublisherRead(
                name=pick(lang, p.name_zh or p.name_en or "", p.name_en or p.name_zh or ""),
                name_zh=p.name_zh,
                name_en=p.name_en,
                sources=p.sources,
            )
            for p in record.publishers
        ],
        licence_notes=record.licence_notes,
        frequency=record.frequency,
        last_updated_at=record.last_updated_at,
        url=url(request, f"/v1/indicators/{indicator.code}"),
        observations_url=url(request, f"/v1/indicators/{indicator.code}/observations"),
    )


@router.get("", responses=LIST_ERRORS, operation_id="listIndicators")
def get_indicators(
    session: SessionDep,
    pagination: PaginationDep,
    lang: LanguageDep,
    request: Request,
    response: Response,
    topic: Annotated[
        VocabularyCodeText | None, Query(description="Only indicators of this topic code.")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Text to find in the code, names, other names (aliases: GDP, CPI...) "
            "or definitions.",
        ),
    ] = None,
) -> Page[IndicatorRead]:
    """List indicators by code, optionally of one topic or matching a text."""
    rows, total = list_indicators(
        session, topic=topic, q=q, limit=pagination.limit, offset=pagination.offset
    )
    items = [_read(r, lang, request) for r in rows]
    return page_of(Page[IndicatorRead], items, total, pagination, request, response)


@router.get("/{code}", responses=ITEM_ERRORS, operation_id="getIndicator")
def get_indicator_by_code(
    session: SessionDep, lang: LanguageDep, request: Request, code: CodePath
) -> IndicatorRead:
    """One indicator with its unit and how many observations it has."""
    return _read(get_indicator(session, code), lang, request)


@router.get(
    "/{code}/observations",
    response_model=Page[ObservationRead] | Page[SeriesValueRead],
    responses=ITEM_ERRORS,
    operation_id="listIndicatorObservations",
)
def get_indicator_observations(
    session: SessionDep,
    code: CodePath,
    flt: Annotated[ObservationFilter, Depends(series_filter)],
    view: Annotated[SeriesView, Depends(series_view)],
    pagination: PaginationDep,
    lang: LanguageDep,
    request: Request,
    response: Response,
) -> Response:
    """The observations of one indicator, with the same filters and views as /v1/observations."""
    get_indicator(session, code)  # 404 for an unknown indicator, not an empty list
    return observations_page(
        session, replace(flt, indicators=[code]), view, pagination, lang, request, response
    )


@router.get(
    "/{code}/comparison",
    response_model=Page[ComparisonItemRead],
    responses=ITEM_ERRORS,
    operation_id="getIndicatorComparison",
)
def get_indicator_comparison(
    session: SessionDep,
    code: CodePath,
    pagination: PaginationDep,
    lang: LanguageDep,
    request: Request,
    response: Response,
    period: Annotated[
        PeriodText,
        Query(description="The period compared, as the figures give it: 2021, 2025-09, 2021/2025."),
    ],
    within: Annotated[
        RegionCodeText | None,
        Query(
            description="A region code: compare the regions under it (Data Commons' "
            "containedInPlace), e.g. 140000 for Shanxi's cities. Default: every region."
        ),
    ] = None,
    level: Annotated[
        RegionLevel | None,
        Query(
            description="The level of the regions compared. Default: the level just below "
            "`within` (its own, at the lowest level); without `within`, the level with the "
            "most figures for the period."
        ),
    ] = None,
) -> Response:
    """Regions compared on one indicator for one period, ranked by value.

    Only the figures series show take part. Exact figures are ranked, largest first, ties
    sharing a rank; approximate figures, bounds, ranges and ranks are listed after them with
    the reason they are not ranked, then the regions of that level without a figure."""
    comparison = compare_regions(session, code, period, within=within, level=level)
    return comparison_page(comparison, pagination, lang, request, response)
