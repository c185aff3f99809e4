"""Version 1 of the API: one router module per resource."""

from fastapi import APIRouter, Depends

from app.api.deps import check_query_params
from app.api.routing import add_csv_twins
from app.api.v1 import (
    checks,
    curation,
    downloads,
    entities,
    events,
    indicators,
    observations,
    quotes,
    regions,
    search,
    sources,
    topics,
    units,
)

# Each JSON route takes the language itself (LanguageDep); the source text has one language.
# Mounted at /v1 by create_app: an include with a prefix lets FastAPI skip resolving every
# route's dependencies at include time, which it then does again at the first request (a
# restart's first answer waited for both).
PREFIX = "/v1"
router = APIRouter(dependencies=[Depends(check_query_params)])
for module in (
    observations,
    indicators,
    regions,
    topics,
    units,
    sources,
    entities,
    events,
    quotes,
    checks,
    search,
    downloads,
    curation,
):
    # Every list's CSV twin (/v1/units.csv...), made here for every resource alike.
    add_csv_twins(module.router)
    router.include_router(module.router)
