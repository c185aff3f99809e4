"""What operators see: one JSON log line per request, request ids, and Prometheus metrics.

- Every request gets an id: the client's `X-Request-ID` when it is a sane token, else a new
  one. It is returned in `X-Request-ID`, written on the request's log line and on any error
  logged while the request runs.
- Logs are JSON lines, one object per line. A request line has method, route template, path
  (never the query string, which may hold anything), status, duration and request id; no
  headers, so no credentials. It is made with orjson and written by a thread of its own
  (AccessLog), not by the logging module; every other record (errors, uvicorn's messages)
  goes through logging and python-json-logger's formatter, with the same keys.
- `/metrics` (prometheus-client's format; the request counts kept by RequestTally) counts
  requests by route template and status, times them in a histogram, and reports the data
  version and the database connection pool. Metrics are per process: run one worker per
  container and let Prometheus scrape each replica.
"""

from __future__ import annotations

import contextvars
import logging
import os
import re
import secrets
import threading
import time
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
import prometheus_client.metrics
from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy.pool import Pool, QueuePool
from starlette.types import Scope

from app.store.dataset import DataVersion

ACCESS_LOGGER = "jinzhong.access"
# Said on every answer (by the front door, app/middleware.py): the content type is what it
# says, and no page's address leaves with a link.
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
                "timestamp": "time",  # ISO 8601, UTC, with microseconds
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
    # An answer from the response memory was not routed: it says the route that made it.
    kept = scope.get(ROUTE_KEY)
    if isinstance(kept, str):
        return kept
    # The app's routes carry their whole path (app.api.routing.add_routes).
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


# The latency histogram's upper bounds, in seconds (and +Inf).
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)


class Metrics:
    """The app's Prometheus registry and the request metrics in it.

    `served` and `pool` are asked at each scrape: the data version the process serves now
    (None before it has read one) and the engine's pool (a new one after each dispose).
    """

    def __init__(self, served: Callable[[], DataVersion | None], pool: Callable[[], Pool]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = RequestTally()
        self.registry.register(self.requests)
        self.access_lines_dropped = Counter(
            "access_log_dropped_lines",
            "Access log lines not written: stderr did not keep up, or could not be written.",
            registry=self.registry,
        )
        self.registry.register(_StateCollector(served, pool))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request."""
        self.requests.observe(method, route, status, seconds)


class RequestTally(Collector):
    """Requests answered, by method, route template and status (`http_requests_total`),
    and the time each took, by method and route (`http_request_duration_seconds`): the
    series prometheus-client's Counter and Histogram would give, with their `_created`.

    Counted in plain lists by the event loop and read by /metrics on the loop too, so
    without a lock: prometheus-client's Counter and Histogram take one and walk the buckets
    in Python for every request, which was a tenth of the app's work on a replayed answer.
    """

    _REQUESTS = ("http_requests", "HTTP requests answered, by method, route template and status.")
    _LATENCY = (
        "http_request_duration_seconds",
        "Time from request to the last byte of the response, by method and route.",
    )

    def __init__(self) -> None:
        # (method, route, status) -> [count, created]
        self._counts: dict[tuple[str, str, int], list[float]] = {}
        # (method, route) -> [count in each bucket (not cumulative)..., in +Inf, sum, created]
        self._latency: dict[tuple[str, str], list[float]] = {}
        self._bounds = [*(floatToGoString(b) for b in LATENCY_BUCKETS), "+Inf"]

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request."""
        counted = self._counts.get((method, route, status))
        if counted is None:
            counted = self._counts[(method, route, status)] = [0.0, time.time()]
        counted[0] += 1
        timed = self._latency.get((method, route))
        if timed is None:
            timed = self._latency[(method, route)] = [0.0] * len(self._bounds) + [0.0, time.time()]
        # A bucket counts the durations at most its bound: the first bound >= seconds.
        timed[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        timed[-2] += seconds

    def describe(self) -> Iterator[Metric]:
        """The two families, without samples (for the registry's check of names)."""
        yield Metric(*self._REQUESTS, "counter")
        yield Metric(*self._LATENCY, "histogram")

    def collect(self) -> Iterator[Metric]:
        """Both families with every series counted so far."""
        # As prometheus-client's own metrics: no _created series where its
        # disable_created_metrics() or PROMETHEUS_DISABLE_CREATED_SERIES turned them off.
        created_too = getattr(prometheus_client.metrics, "_use_created", True)
        requests = Metric(*self._REQUESTS, "counter")
        for (method, route, status), (count, created) in self._counts.items():
            labels = {"method": method, "route": route, "status": str(status)}
            requests.add_sample("http_requests_total", labels, count)
            if created_too:
                requests.add_sample("http_requests_created", labels, created)
        yield requests
        latency = Metric(*self._LATENCY, "histogram")
        name = latency.name
        for (method, route), timed in self._latency.items():
            labels = {"method": method, "route": route}
            cumulative = 0.0
            for bound, count in zip(self._bounds, timed, strict=False):
                cumulative += count
                latency.add_sample(f"{name}_bucket", {"le": bound, **labels}, cumulative)
            latency.add_sample(f"{name}_count", labels, cumulative)
            latency.add_sample(f"{name}_sum", labels, timed[-2])
            if created_too:
                latency.add_sample(f"{name}_created", labels, timed[-1])
        yield latency


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


class _RandomIds:
    """New request ids: 32 hex digits of the system's randomness (as `secrets.token_hex(16)`),
    taken from 16 KiB read at once rather than a system call for each id. Not for threads:
    used by the process's one event loop; a forked child reads its own, never its parent's."""

    SIZE = 16
    READ = 1024 * SIZE

    def __init__(self) -> None:
        self._pool = b""
        self._at = 0
        os.register_at_fork(after_in_child=self.forget)

    def forget(self) -> None:
        """Drop what is read: the next id reads afresh."""
        self._pool, self._at = b"", 0

    def new(self) -> str:
        """A new id."""
        at = self._at
        if at + self.SIZE > len(self._pool):
            self._pool, at = secrets.token_bytes(self.READ), 0
        self._at = at + self.SIZE
        return self._pool[at : at + self.SIZE].hex()


_random_ids = _RandomIds()


def new_request_id(given: bytes) -> str:
    """The request's id: the client's X-Request-ID when it looks like an id, else a new one."""
    if given:
        text = given.decode("latin-1")
        if _SANE_ID.fullmatch(text):
            return text
    return _random_ids.new()


def access_line(
    method: str,
    route: str,
    path: str,
    status: int,
    seconds: float,
    request_id: str,
    now: float,
) -> bytes:
    """One request's log line, newline included: the keys, order and time format that
    python-json-logger's formatter of `logging_config` gives a record of the access logger
    (a test holds the two to the same bytes), built without a LogRecord."""
    entry = {
        "level": "INFO",
        "logger": ACCESS_LOGGER,
        "message": "request",
        "method": method,
        "route": route,
        "path": path,
        "status": status,
        "duration_ms": round(seconds * 1000, 3),
        "request_id": request_id,
        # orjson writes an aware datetime as the formatter does: ISO 8601, UTC, microseconds.
        "time": datetime.fromtimestamp(now, tz=UTC),
    }
    try:
        return orjson.dumps(entry, option=orjson.OPT_APPEND_NEWLINE)
    except orjson.JSONEncodeError:
        # A path decoded to lone surrogates is not UTF-8: written escaped rather than lost.
        entry["path"] = path.encode("utf-8", "backslashreplace").decode("ascii", "replace")
        return orjson.dumps(entry, option=orjson.OPT_APPEND_NEWLINE)


# Writes of at most PIPE_BUF bytes to a pipe are atomic: with several workers (or this
# process's logging module) writing to the same stderr, lines never interleave mid-line.
PIPE_BUF = 4096


# What a request line takes beyond its method, route, path and request id (the keys, status,
# duration and time: about 190 bytes), rounded up: what the queue's bound counts it as.
LINE_BYTES = 224


def _counted_size(method: str, route: str, path: str, request_id: str) -> int:
    """What the access log's bound counts a queued line as (close to its size, not made)."""
    return LINE_BYTES + len(method) + len(route) + len(path) + len(request_id)


# One request's fields, as the event loop queues them: method, route, path, status, seconds,
# request id, time.time() when it ended.
Fields = tuple[str, str, str, int, float, str, float]


class AccessLog:
    """The request lines of one process, queued by the event loop and written to stderr by a
    thread of its own, so that neither a LogRecord nor a write(2) costs a request anything.
    The loop queues the request's fields; the thread makes the lines, many in a row (the
    loop's cost of a line was a tenth of a replayed answer's).

    `start` (in the app's lifespan) decides once whether there are lines at all: only if the
    access logger is enabled for INFO (LOG_LEVEL). The thread writes what is queued every
    `interval` seconds, or sooner once `batch_bytes` wait, in line-aligned writes of at most
    PIPE_BUF bytes (a longer line alone in its write). `stop` (lifespan shutdown, after the
    requests in flight have finished) writes every line still queued before it returns; a
    line made after that (a request cancelled at the shutdown timeout) is written at once.

    The queue is bounded (`max_bytes`, each line counted as LINE_BYTES and its fields): if
    stderr stops taking lines (a stalled pipe, a full disk), lines beyond it are dropped,
    counted in `access_log_dropped_lines_total` and, once stderr takes lines again, said in
    a warning. Waiting instead would stall the event loop, so every request and every health
    probe, because the log is slow: a log that cannot keep up should lose lines visibly, not
    take the service down. Normally the thread writes megabytes a second and the queue holds
    a fraction of a second of lines.
    """

    def __init__(
        self,
        dropped: Counter,
        fd: int = 2,
        interval: float = 0.05,
        batch_bytes: int = 256 * 1024,
        max_bytes: int = 8 * 1024 * 1024,
    ) -> None:
        self.fd = fd  # stderr, as the logging config; a test may point it elsewhere
        self.interval = interval
        self.batch_bytes = batch_bytes
        self.max_bytes = max_bytes
        self.enabled = False
        self._dropped = dropped
        # deque.append and popleft are atomic: the loop appends, the thread pops, no lock.
        self._queue: deque[Fields] = deque()
        # Each counter has one writer (queued: the loop; taken: the thread), so the bytes
        # waiting (as the bound counts them), queued - taken, are known without a lock.
        self._queued = 0
        self._taken = 0
        self._full = 0  # lines the loop dropped on a full queue (the loop's count)
        self._said = 0  # of those, how many a warning has told (the thread's count)
        self._wake = threading.Event()
        self._stopping = False
        self._closed = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the writing thread, if the access logger is enabled for INFO."""
        self.enabled = logging.getLogger(ACCESS_LOGGER).isEnabledFor(logging.INFO)
        if not self.enabled or self._thread is not None:
            return
        self._stopping = self._closed = False
        self._wake.clear()
        self._thread = threading.Thread(target=self._run, name="access-log", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Write every queued line and stop the thread (waiting at most `timeout` seconds
        for a stderr that takes nothing)."""
        thread = self._thread
        if thread is None:
            return
        self._stopping = True
        self._wake.set()
        thread.join(timeout)
        if thread.is_alive():  # stuck in a write: what is still queued is lost, and counted
            self._dropped.inc(len(self._queue))
            return
        self._thread = None
        self._closed = True
        self._drain()  # anything queued between the thread's last look and now

    def add(
        self, method: str, route: str, path: str, status: int, seconds: float, request_id: str
    ) -> None:
        """Queue one request's line (called by the event loop, once per request)."""
        size = _counted_size(method, route, path, request_id)
        waiting = self._queued - self._taken
        if waiting + size > self.max_bytes:
            self._full += 1
            self._dropped.inc()
            return
        self._queue.append((method, route, path, status, seconds, request_id, time.time()))
        self._queued += size
        if self._closed:
            self._drain()
        elif waiting + size >= self.batch_bytes and not self._wake.is_set():
            self._wake.set()

    def _run(self) -> None:
        while not self._stopping:
            self._wake.wait(self.interval)
            self._wake.clear()
            self._drain()
            self._tell_drops()
        self._drain()
        self._tell_drops()

    def _tell_drops(self) -> None:
        if self._full > self._said:
            # Said through logging, as any other warning: lines were lost, not silently.
            lost, self._said = self._full - self._said, self._full
            logging.getLogger(ACCESS_LOGGER).warning(
                "access lines dropped: stderr did not keep up", extra={"dropped": lost}
            )

    def _drain(self) -> None:
        chunk: list[bytes] = []
        size = 0
        while self._queue:
            fields = self._queue.popleft()
            method, route, path, _, _, request_id, _ = fields
            self._taken += _counted_size(method, route, path, request_id)
            try:
                line = access_line(*fields)
            except Exception:  # one line that cannot be made must not stop the log
                self._dropped.inc()
                continue
            if chunk and size + len(line) > PIPE_BUF:
                self._write(b"".join(chunk), len(chunk))
                chunk, size = [], 0
            chunk.append(line)
            size += len(line)
        if chunk:
            self._write(b"".join(chunk), len(chunk))

    def _write(self, data: bytes, lines: int) -> None:
        view = memoryview(data)
        while view:
            try:
                written = os.write(self.fd, view)
            except BlockingIOError:  # a non-blocking stderr that is full: wait for it
                time.sleep(0.01)
                continue
            except OSError:  # closed or broken: these lines cannot be written anywhere
                self._dropped.inc(lines)
                return
            view = view[written:]
