"""The application factory: settings in, a FastAPI app with its engine, routers and handlers out."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware

from app.api import health
from app.api.docs import extend_openapi, install_docs
from app.api.errors import install_error_handlers
from app.api.runtime import Runtime
from app.api.v1 import PREFIX as V1_PREFIX
from app.api.v1 import router as v1_router
from app.config import Settings, get_settings
from app.dashboard import install_dashboard
from app.middleware import (
    MAX_QUERY_BYTES,
    AllowedHostsMiddleware,
    FastPathMiddleware,
    HttpTidyMiddleware,
    SecurityHeadersMiddleware,
)
from app.observability import RequestLogMiddleware

DESCRIPTION = """
The development record of Jinzhong (晋中市, Shanxi): figures from public reporting, each with
its source, the verbatim sentence it comes from, the unit as published and normalized, and a
qualifier that keeps the wording honest (近 = approximately, 突破 = more than, 累计 = cumulative).

Every name, title and description exists in Chinese and English: `lang=zh|en` (or
Accept-Language) picks the language of the unsuffixed fields (`name`, `title`...).

Lists share one envelope (`items`, `total`, `limit`, `offset`, `links`) and an RFC 8288 `Link`
header. Errors are RFC 9457 `application/problem+json` naming the parameter at fault.
"""

TAGS = [
    {"name": "observations", "description": "Figures with their provenance."},
    {"name": "indicators", "description": "What is measured."},
    {"name": "regions", "description": "Administrative divisions by GB/T 2260 code."},
    {"name": "topics", "description": "Themes that group indicators."},
    {"name": "units", "description": "Units as printed and their normalized forms."},
    {"name": "sources", "description": "Published reports, their errata and text."},
    {
        "name": "entities",
        "description": "Projects, organisations, initiatives, honours, places and products.",
    },
    {"name": "events", "description": "The moments the sources tell, as a timeline."},
    {"name": "quotes", "description": "First-person testimony, verbatim, with an English gloss."},
    {
        "name": "checks",
        "description": "What the record checks about itself: sums, rates, changes, witnesses, "
        "dates.",
    },
    {"name": "search", "description": "One search across everything, in Chinese and English."},
    {"name": "downloads", "description": "The whole dataset in one archive."},
    {
        "name": "curation",
        "description": "Writes with an API key, each record's editable form and its history.",
    },
    {"name": "health", "description": "Process health, readiness and metrics."},
]


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; its engine and caches live in its Runtime (app/api/runtime.py), not in
    a global, so tests can build their own."""
    settings = settings or get_settings()
    held = Runtime.build(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One worker thread per pooled connection: no endpoint ever waits for a connection
        # held by another, and no more connections (each with its page cache) than threads.
        to_thread.current_default_thread_limiter().total_tokens = settings.db_pool_size
        # Writes wait for their turn outside those threads and /readyz has threads of its
        # own, so neither a burst of writes nor a slow check takes a reader's thread.
        held.admission.start(settings)
        # What exists now (modules, routes, schemas: ~130,000 objects) lives as long as the
        # process. Moved out of the collector's sight, a full collection no longer walks it:
        # under load those walks took ~100 ms each and were the worst of the tail latency.
        # `jinzhong serve` imports and builds the app with the collector off, which leaves
        # under a thousand unreachable objects: frozen with the rest, they cost less than the
        # full collection (~70 ms) would (as CPython's gc.freeze documentation advises).
        # With the collector on (tests, worker processes), it may have left much more.
        if gc.isenabled():
            gc.collect()
        gc.freeze()
        gc.enable()
        try:
            yield
        finally:
            # Pooled connections closed; the engine opens new ones if the app starts again.
            held.dispose()

    app = FastAPI(
        title="Jinzhong Indicators",
        version="0.1.0",
        summary="Jinzhong's development record, every fact traceable to its source sentence.",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        # Metrics and logs are our own (/metrics, JSON lines). FastAPI's OpenTelemetry hooks
        # would look for global providers on every request (~15% of a replayed answer) to
        # find none; turned off, they cost nothing.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        docs_url=None,
        redoc_url=None,
    )
    held.install(app)
    install_error_handlers(app)
    # Outermost last: CORS answers preflights first; HEAD is served as a (compressed) GET.
    app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_minimum_size)
    app.add_middleware(HttpTidyMiddleware)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origin_list(),
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=["Accept", "Accept-Language", "If-None-Match", "If-Modified-Since"],
        expose_headers=[
            "ETag",
            "Last-Modified",
            "Link",
            "Content-Language",
            "X-Total-Count",
            "Content-Disposition",
        ],
        max_age=600,
    )
    app.add_middleware(
        FastPathMiddleware,
        budget_bytes=int(settings.response_cache_mb * 1024 * 1024),
        version=held.data_version,
    )
    # Before the cache and everything else: a Host not served is refused, never answered.
    app.add_middleware(AllowedHostsMiddleware, allowed=settings.allowed_host_list())
    app.add_middleware(SecurityHeadersMiddleware)
    # Outermost: every answer, replayed ones included, is logged, counted and given an id.
    app.add_middleware(RequestLogMiddleware, metrics=held.metrics)
    # Health first: FastAPI resolves an included router's routes when a request first walks
    # it, and /readyz (the probe a restart waits for) then need not wait for the 70 of /v1.
    app.include_router(health.router)
    app.include_router(v1_router, prefix=V1_PREFIX)
    install_docs(app)
    install_dashboard(app)
    extend_openapi(app, max_query_bytes=MAX_QUERY_BYTES)
    return app
