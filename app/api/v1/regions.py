"""Regions: administrative divisions by GB/T 2260 code, with their hierarchy."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.api.deps import (
    ITEM_ERRORS,
    LIST_ERRORS,
    LanguageDep,
    PaginationDep,
    SessionDep,
    page_of,
    url,
)
from app.api.presenters import region_ref
from app.api.routing import DataRoute
from app.models import Region
from app.rules.languages import Language
from app.rules.regions import RegionLevel
from app.schemas.common import Page
from app.schemas.resources import RegionDetail, RegionRead
from app.services.regions import get_region, list_regions

router = APIRouter(prefix="/regions", tags=["regions"], route_class=DataRoute)


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
    parent: Annotated[str | None, Query(description="Only children of this region code.")] = None,
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


@router.get("/{code}", responses=ITEM_ERRORS, operation_id="getRegion")
def get_region_by_code(
    session: SessionDep,
    lang: LanguageDep,
    request: Request,
    code: Annotated[str, Path(description="GB/T 2260 code, e.g. 140700.")],
) -> RegionDetail:
    """One region with its parent and children."""
    found = get_region(session, code)
    return RegionDetail(
        **_read(found.region, lang, request).model_dump(),
        parent_region=region_ref(found.parent, lang) if found.parent else None,
        children=[region_ref(c, lang) for c in found.children],
    )
