"""Version 1 of the API: one router module per resource."""

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
# Every router here is made with the whole /v1 path and the query checks (app.api.deps), so
# its routes are complete at import: create_app adds them as they are (app.api.routing.
# add_routes), and nothing builds them again, at start-up or at the first request.
ROUTERS = (
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
)
for module in ROUTERS:
    # Every list's CSV twin (/v1/units.csv...), made here for every resource alike.
    add_csv_twins(module.router)

# In the OpenAPI document's order (see create_app).
ROUTES = [route for module in ROUTERS for route in module.router.routes]
