"""Regions: administrative divisions by GB/T 2260 code, with their hierarchy and outlines."""

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request, Response

from app.api.deps import (
    ITEM_ERRORS,
    LIST_ERRORS,
    QUERY_CHECKS,
    V1_PREFIX,
    LanguageDep,
    PaginationDep,
    RegionCodeText,
    SessionDep,
    json_response,
    page_of,
    url,
)
from app.api.formats import GEOJSON_MEDIA_TYPE, GeoJSONResponse
from app.api.presenters import region_ref
from app.api.routing import DataRoute
from app.models import Region
from app.rules.languages import Language
from app.rules.regions import RegionLevel
from app.schemas.common import Page
from app.schemas.resources import BoundaryCollection, RegionDetail, RegionRead
from app.services.regions import get_outlines, get_region, list_regions

router = APIRouter(
    prefix=f"{V1_PREFIX}/regions",
    tags=["regions"],
    route_class=DataRoute,
    dependencies=QUERY_CHECKS,
)


def _read(region: Region, lang: Language, request: Request) -> RegionRead:
    return RegionRead(
        **region_ref(region, lang).model_dump(),
        level=RegionLevel(region.level),
        parent=region.parent_code,
        url=url(request, f"/v1/regions/{region.code}"),
    )


@router.get("", responses=LIST_ERRORS, operation_id="listRegions")
def get_regions(
    session: SessionDep,
    pagination: PaginationDep,
    lang: LanguageDep,
    request: Request,
    response: Response,
    parent: Annotated[
        RegionCodeText | None, Query(description="Only children of this region code.")
    ] = None,
    level: Annotated[RegionLevel | None, Query(description="Only regions at this level.")] = None,
) -> Page[RegionRead]:
    """List regions by code, optionally the children of one region or one level."""
    rows, total = list_regions(
        session,
        parent=parent,
        level=level.value if level else None,
        limit=pagination.limit,
        offset=pagination.offset,
    )
    items = [_read(r, lang, request) for r in rows]
    return page_of(Page[RegionRead], items, total, pagination, request, response)


CodePath = Annotated[str, Path(description="GB/T 2260 code, e.g. 140700.")]


@router.get("/{code}", responses=ITEM_ERRORS, operation_id="getRegion")
def get_region_by_code(
    session: SessionDep,
    lang: LanguageDep,
    request: Request,
    code: CodePath,
) -> RegionDetail:
    """One region with its parent and children."""
    found = get_region(session, code)
    return RegionDetail(
        **_read(found.region, lang, request).model_dump(),
        parent_region=region_ref(found.parent, lang) if found.parent else None,
        children=[region_ref(c, lang) for c in found.children],
    )


@router.get(
    "/{code}/boundaries",
    response_model=BoundaryCollection,
    response_class=GeoJSONResponse,
    responses=ITEM_ERRORS,
    operation_id="getRegionBoundaries",
)
def get_region_boundaries(
    session: SessionDep, lang: LanguageDep, request: Request, response: Response, code: CodePath
) -> Response:
    """The outlines of a region and of its children, as GeoJSON, for drawing a map.

    A FeatureCollection (`application/geo+json`, RFC 7946): the region's Feature first, then
    its children's by code, each with `id` the region's code and its labels, level, parent
    and source in `properties`. The outlines are simplified for drawing (about 220 m) and
    rounded to 0.001 degree; Shanxi's cities and Jinzhong's counties each come to under 30 KB
    gzipped. `without_boundary` names the regions the record has no outline for. A region
    whose outline and children's outlines are all missing is a 404 saying so.
    """
    outlines = get_outlines(session, code)
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "id": outline.region.code,
            "properties": {
                **_read(outline.region, lang, request).model_dump(mode="json"),
                "source": outline.boundary.source_code,
            },
            # Stored as the JSON it is served as: spliced in, never parsed per request.
            "geometry": orjson.Fragment(outline.boundary.geometry),
        }
        for outline in outlines
        if outline.boundary is not None
    ]
    collection = {
        "type": "FeatureCollection",
        "region": code,
        "features": features,
        "without_boundary": [o.region.code for o in outlines if o.boundary is None],
    }
    return json_response(collection, response, media_type=GEOJSON_MEDIA_TYPE)
