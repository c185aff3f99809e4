"""Health: liveness (the process answers) and readiness (the data can be served)."""

from anyio import to_thread
from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.api.deps import QUERY_CHECKS, problem_responses
from app.api.errors import problem_response
from app.api.runtime import readiness_limiter, runtime
from app.schemas.common import Problem
from app.schemas.resources import Health, Readiness
from app.services.health import check_readiness

router = APIRouter(tags=["health"], dependencies=QUERY_CHECKS)


@router.get(
    "/healthz", responses=problem_responses(400), operation_id="getHealth", summary="Liveness"
)
async def get_health() -> Health:
    """Answer 200 while the process is alive (it does not touch the database)."""
    # Async: it needs no worker thread, so it answers while every one is busy.
    return Health(status="ok")


@router.get(
    "/readyz",
    responses={
        **problem_responses(400),
        503: {
            "model": Problem,
            "description": "Not ready: the problem says which check failed.",
            "content": {"application/problem+json": {}},
        },
    },
    response_model=Readiness,
    operation_id="getReadiness",
    summary="Readiness",
)
async def get_readiness(request: Request) -> Readiness | Response:
    """200 when the database is reachable, its schema at the newest migration and its data
    seeded; 503 problem+json naming the first check that failed otherwise."""
    held = runtime(request)
    # Threads and connections of its own: never queued behind reads or writes.
    result = await to_thread.run_sync(
        check_readiness, held.readiness_engine, limiter=readiness_limiter(request)
    )
    if not result.ready:
        # Drop pooled connections: when the database comes back (a new file, a restarted
        # server), the next requests open fresh ones instead of reusing broken ones.
        held.dispose()
        return problem_response(
            503, f"Not ready: {result.problem}.", request, headers={"Retry-After": "5"}
        )
    return Readiness(status="ready", checks=result.checks)


@router.get(
    "/metrics",
    responses={
        **problem_responses(400),
        200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}}},
    },
    response_class=Response,
    operation_id="getMetrics",
    summary="Metrics",
)
async def get_metrics(request: Request) -> Response:
    """Prometheus text format: requests by route and status, a latency histogram, the data
    version and the database connection pool, for this process."""
    body = generate_latest(runtime(request).metrics.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
