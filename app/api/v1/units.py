"""Units: how each published unit converts to its normalized unit."""

from fastapi import APIRouter, Request, Response

from app.api.deps import (
    LIST_ERRORS,
    QUERY_CHECKS,
    V1_PREFIX,
    LanguageDep,
    PaginationDep,
    SessionDep,
    page_of,
)
from app.api.routing import DataRoute
from app.rules.languages import pick
from app.schemas.common import Page
from app.schemas.resources import UnitRead
from app.services.units import list_units

router = APIRouter(
    prefix=f"{V1_PREFIX}/units",
    tags=["units"],
    route_class=DataRoute,
    dependencies=QUERY_CHECKS,
)


@router.get("", responses=LIST_ERRORS, operation_id="listUnits")
def get_units(
    session: SessionDep,
    pagination: PaginationDep,
    lang: LanguageDep,
    request: Request,
    response: Response,
) -> Page[UnitRead]:
    """List the unit table: symbol as printed, normalized unit and conversion factor."""
    rows, total = list_units(session, limit=pagination.limit, offset=pagination.offset)
    items = [
        UnitRead(
            code=u.code,
            symbol=u.symbol,
            name=pick(lang, u.name_zh, u.name_en),
            name_zh=u.name_zh,
            name_en=u.name_en,
            normalized_unit=u.normalized_unit,
            factor=u.factor,
        )
        for u in rows
    ]
    return page_of(Page[UnitRead], items, total, pagination, request, response)
