"""Version 1 of the API: one router module per resource."""

from fastapi import APIRouter, Depends

from app.api.deps import check_query_params
from app.api.v1 import indicators, observations, regions, sources, topics, units

router = APIRouter(prefix="/v1", dependencies=[Depends(check_query_params)])
for module in (indicators, observations, regions, topics, units, sources):
    router.include_router(module.router)
