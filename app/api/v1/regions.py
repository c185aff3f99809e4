"""Regions: administrative divisions by GB/T 2260 code, with their hierarchy."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.api.deps import ITEM_ERRORS, LIST_ERRORS, PaginationDep, page_of, url
from app.db import SessionDep
from app.models import Region
from app.rules.regions import RegionLevel
from app.schemas.common import Page
from app.schemas.resources import RegionDetail, RegionRead, RegionRef
from app.services.regions import get_region, list_regions

router = APIRouter(prefix="/regions", tags=["regions"])


def _read(region: Region, request: Request) -> RegionRead:
    return RegionRead(
        code=region.code,
        name_zh=region.name_zh,
        name_en=region.name_en,
        level=RegionLevel(region.level),
        parent=region.parent_code,
        url=url(request, f"/v1/regions/{region.code}"),
    )


def _ref(region: Region) -> RegionRef:
    return RegionRef(code=region.code, name_zh=region.name_zh, name_en=region.name_en)


@router.get("", responses=LIST_ERRORS, operation_id="listRegions")
def get_regions(
    session: SessionDep,
    pagination: PaginationDep,
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
    items = [_read(r, request) for r in rows]
    return page_of(Page[RegionRead], items, total, pagination, request, response)


@router.get("/{code}", responses=ITEM_ERRORS, operation_id="getRegion")
def get_region_by_code(
    session: SessionDep,
    request: Request,
    code: Annotated[str, Path(description="GB/T 2260 code, e.g. 140700.")],
) -> RegionDetail:
    """One region with its parent and children."""
    found = get_region(session, code)
    return RegionDetail(
        **_read(found.region, request).model_dump(),
        parent_region=_ref(found.parent) if found.parent else None,
        children=[_ref(c) for c in found.children],
    )
