"""Bulk downloads: the whole dataset in one archive."""

import asyncio

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from app.api.deps import problem_responses
from app.api.routing import DataRoute, data_version
from app.services.downloads import build_dataset_zip

router = APIRouter(prefix="/downloads", tags=["downloads"], route_class=DataRoute)


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

    Every table as CSV, metadata.json, a README with citation and licence, and a SQLite copy
    of the database, in one zip: the same bytes for the same data version.
    """
    state = request.app.state
    wanted = (await data_version(request)).version
    # One build at a time per app: concurrent first requests wait for it, not build it again.
    if getattr(state, "dataset_lock", None) is None:
        state.dataset_lock = asyncio.Lock()
    async with state.dataset_lock:
        cached = getattr(state, "dataset_zip", None)
        if cached is None or cached[0] != wanted:
            built, archive = await run_in_threadpool(build_dataset_zip, state.engine)
            cached = state.dataset_zip = (built.version, archive)
    return Response(
        cached[1],
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="jinzhong-indicators-{cached[0]}.zip"'
        },
    )
