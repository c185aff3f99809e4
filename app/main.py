"""The application factory: settings in, a FastAPI app with its engine, routers and handlers out."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.telemetry import TelemetryConfig
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api import health
from app.api.docs import extend_openapi, install_docs
from app.api.errors import install_error_handlers
from app.api.routing import add_routes
from app.api.runtime import Runtime
from app.api.v1 import ROUTES as V1_ROUTES
from app.config import Settings, get_settings
from app.dashboard import install_dashboard
from app.middleware import (
    MAX_QUERY_BYTES,
    FrontDoor,
    HostAllowList,
    HttpTidyMiddleware,
    ResponseMemory,
)

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


# Metrics and logs are our own (/metrics, JSON lines). FastAPI's OpenTelemetry hooks would
# look for global providers on every request (~15% of a replayed answer) to find none; turned
# off, they cost nothing.
TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


class JinzhongAPI(FastAPI):
    """FastAPI, with the FrontDoor (app/middleware.py) around its whole middleware stack:
    outside the framework's handler of unexpected errors, so that a 500 is logged, counted
    and given its id and headers like any answer, and a replayed answer meets one layer."""

    front_door: FrontDoor | None = None
    # Whether an HTTP request may go straight to the built stack: only when FastAPI's
    # telemetry, which its own call would run first, is off (create_app turns it off).
    straight_to_stack = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Straight to the built stack (the front door) for an HTTP request: in one step what
        FastAPI's and Starlette's own calls would do before it (set the app on the scope;
        telemetry, when off; a root path, none set)."""
        stack = self.middleware_stack
        if stack is None or not self.straight_to_stack or scope["type"] != "http" or self.root_path:
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self
        await stack(scope, receive, send)

    def build_middleware_stack(self) -> ASGIApp:
        """The framework's stack, inside the front door made for it."""
        stack = super().build_middleware_stack()
        door = self.front_door
        if door is None:
            return stack
        door.app = stack
        return door


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
        # Request lines are written by a thread of their own (if LOG_LEVEL asks for them).
        held.access_log.start()
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
            try:
                # Pooled connections closed; the engine opens new ones if the app starts again.
                held.dispose()
            finally:
                # Last, and even if closing a connection failed: uvicorn runs this after the
                # requests in flight have finished (SIGTERM), so every request's line is
                # queued by now, and written before the process ends.
                held.access_log.stop()

    app = JinzhongAPI(
        title="Jinzhong Indicators",
        version="0.1.0",
        summary="Jinzhong's development record, every fact traceable to its source sentence.",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        telemetry=TELEMETRY,
        docs_url=None,
        redoc_url=None,
    )
    app.straight_to_stack = not any(TELEMETRY.values())
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
    # Outermost, around all of the above: ids, hosts, replayed answers, security headers,
    # the access log and metrics.
    app.front_door = FrontDoor(
        app.router,  # replaced by the whole stack when Starlette builds it
        hosts=HostAllowList(settings.allowed_host_list()),
        memory=ResponseMemory(
            int(settings.response_cache_mb * 1024 * 1024),
            version=held.data_version,
            fresh_version=held.fresh_data_version,
        ),
        metrics=held.metrics,
        access_log=held.access_log,
    )
    # /v1 first, as the OpenAPI document lists it (its order is part of the contract: a test
    # holds the document to a committed copy).
    add_routes(app, [*V1_ROUTES, *health.router.routes])
    install_docs(app)
    install_dashboard(app)
    extend_openapi(app, max_query_bytes=MAX_QUERY_BYTES)
    return app
