"""Bulk downloads: the whole dataset in one archive."""

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from app.api.deps import QUERY_CHECKS, V1_PREFIX, problem_responses
from app.api.routing import DataRoute, data_version
from app.api.runtime import runtime
from app.services.downloads import build_dataset_zip

router = APIRouter(
    prefix=f"{V1_PREFIX}/downloads",
    tags=["downloads"],
    route_class=DataRoute,
    dependencies=QUERY_CHECKS,
)


@router.get(
    "/dataset.zip",
    response_class=Response,
    responses={
        **problem_responses(400),
        200: {
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The archive.",
        },
    },
    operation_id="downloadDataset",
)
async def get_dataset_zip(request: Request) -> Response:
    """Download the whole dataset.

    Every public table as CSV, described by datapackage.json (a Frictionless Tabular Data
    Package: each CSV's typed columns, primary and foreign keys; a blank cell is null),
    metadata.json, a README with citation and licence, and a SQLite copy of the database, in
    one zip: the same bytes for the same data version. No keys and no history of writes.
    """
    held = runtime(request)
    wanted = (await data_version(request)).version
    # One build at a time per app: concurrent first requests wait for it, not build it again.
    async with held.caches.dataset_lock:
        cached = held.caches.dataset_zip
        if cached is None or cached[0] != wanted:
            built, archive = await run_in_threadpool(build_dataset_zip, held.engine)
            cached = held.caches.dataset_zip = (built.version, archive)
    return Response(
        cached[1],
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="jinzhong-indicators-{cached[0]}.zip"'
        },
    )
