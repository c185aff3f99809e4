"""What operators see: one JSON log line per request, request ids, and Prometheus metrics.

- Every request gets an id: the client's `X-Request-ID` when it is a sane token, else a new
  one. It is returned in `X-Request-ID`, written on the request's log line and on any error
  logged while the request runs.
- Logs are JSON lines (python-json-logger's formatter, one object per line). A request line
  has method, route template, path (never the query string, which may hold anything),
  status, duration and request id; no headers, so no credentials.
- `/metrics` (prometheus-client) counts requests by route template and status, times them in
  a histogram, and reports the data version and the database connection pool. Metrics are
  per process: run one worker per container and let Prometheus scrape each replica.
"""

from __future__ import annotations

import contextvars
import logging
import re
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import orjson
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.registry import Collector
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy.pool import Pool, QueuePool
from starlette.types import Scope

from app.store.dataset import DataVersion

ACCESS_LOGGER = "jinzhong.access"
# Said on every answer (SecurityHeadersMiddleware; the handler of unexpected errors, which
# runs outside it): the content type is what it says, and no page's address leaves with a link.
SECURITY_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"))
REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_HEADER_RAW = REQUEST_ID_HEADER.lower().encode()
# A client's id is kept only if it looks like an id: no spaces, no control characters, short.
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# The route of a request no route matched (404s): one label value, not one per path.
UNMATCHED = "<unmatched>"
# Where the matched route template is left in the ASGI scope (see route_of).
ROUTE_KEY = "jinzhong.route"
REQUEST_ID_KEY = "jinzhong.request_id"

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)


class RequestIdFilter(logging.Filter):
    """Put the current request's id on every log record made while it runs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        return True


def _dumps(payload: Any, **_: Any) -> str:
    # orjson: half the cost of a line (the library's own json.dumps options do not apply).
    return orjson.dumps(payload, default=str).decode()


def logging_config(level: str) -> dict[str, Any]:
    """A logging dictConfig: JSON lines on stderr for our loggers and uvicorn's."""
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "filters": ["request_id"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {
            "json": {
                "()": JsonFormatter,
                "fmt": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "time",  # ISO 8601, UTC, with milliseconds
                "json_ensure_ascii": False,
                "json_serializer": _dumps,
                # uvicorn's copy of each message with terminal colours is noise in a log store.
                "reserved_attrs": [*RESERVED_ATTRS, "color_message"],
            }
        },
        "handlers": {"json": handler},
        "loggers": {
            "jinzhong": {"handlers": ["json"], "level": level.upper(), "propagate": False},
            "uvicorn": {"handlers": ["json"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"level": level.upper()},
            # Our own access line replaces uvicorn's.
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


def route_of(scope: Scope) -> str:
    """The template of the route that served a request (/v1/observations/{code})."""
    # FastAPI keeps a route's path relative to its router and adds the prefixes of the
    # routers that include it at match time; the full template is on the matched context.
    context = scope.get("fastapi", {}).get("effective_route_context")
    path = getattr(context, "path", None) or getattr(scope.get("route"), "path", None)
    if isinstance(path, str) and path:
        return path
    kept = scope.get(ROUTE_KEY)
    return kept if isinstance(kept, str) else UNMATCHED


class Metrics:
    """The app's Prometheus registry and the request metrics in it.

    `served` and `pool` are asked at each scrape: the data version the process serves now
    (None before it has read one) and the engine's pool (a new one after each dispose).
    """

    def __init__(self, served: Callable[[], DataVersion | None], pool: Callable[[], Pool]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time from request to the last byte of the response, by method and route.",
            ["method", "route"],
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.registry.register(_StateCollector(served, pool))
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request."""
        # Label lookups cost more than the counting: keep each series' children at hand.
        children = self._children.get((method, route, status))
        if children is None:
            children = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
            self._children[(method, route, status)] = children
        children[0].inc()
        children[1].observe(seconds)


class _StateCollector(Collector):
    """Data version and connection pool, read from the app's runtime at scrape time."""

    def __init__(self, served: Callable[[], DataVersion | None], pool: Callable[[], Pool]) -> None:
        self.served = served
        self.pool = pool

    def collect(self) -> Iterator[Metric]:
        version = self.served()
        if version is not None:
            info = InfoMetricFamily("jinzhong_data", "The data version this process serves.")
            info.add_metric([], {"version": version.version})
            yield info
            changed = GaugeMetricFamily(
                "jinzhong_data_changed_timestamp_seconds", "When the data last changed."
            )
            changed.add_metric([], version.changed_at.timestamp())
            yield changed
        pool = self.pool()
        if isinstance(pool, QueuePool):  # in-memory SQLite has a pool without these counts
            gauge = GaugeMetricFamily(
                "db_pool_connections",
                "Database connections of this process's pool, by state.",
                labels=["state"],
            )
            gauge.add_metric(["in_use"], pool.checkedout())
            gauge.add_metric(["idle"], pool.checkedin())
            gauge.add_metric(["overflow"], max(0, pool.overflow()))
            gauge.add_metric(["size"], pool.size())
            yield gauge


def new_request_id(given: bytes) -> str:
    """The request's id: the client's X-Request-ID when it looks like an id, else a new one."""
    if given:
        text = given.decode("latin-1")
        if _SANE_ID.fullmatch(text):
            return text
    return secrets.token_hex(16)


class AccessLog:
    """One JSON line per request on the access logger, when it is enabled for INFO."""

    def __init__(self) -> None:
        self.log = logging.getLogger(ACCESS_LOGGER)

    def write(
        self, method: str, route: str, path: str, status: int, seconds: float, request_id: str
    ) -> None:
        """Log one answered request."""
        if self.log.isEnabledFor(logging.INFO):
            self.log.info(
                "request",
                extra={
                    "method": method,
                    "route": route,
                    "path": path,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                    "request_id": request_id,
                },
            )
