"""Liveness: the process is up and answering."""

from fastapi import APIRouter, Depends

from app.api.deps import check_query_params, problem_responses
from app.schemas.resources import Health

router = APIRouter(tags=["health"], dependencies=[Depends(check_query_params)])


@router.get(
    "/healthz", responses=problem_responses(400), operation_id="getHealth", summary="Liveness"
)
def get_health() -> Health:
    """Answer 200 while the process is alive (it does not touch the database)."""
    return Health(status="ok")
