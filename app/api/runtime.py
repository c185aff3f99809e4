"""What a running app holds, in one typed object: settings, engine, metrics and caches.

`create_app` builds one Runtime and keeps it on `app.state` under a single name; everything
that serves a request reads it through `runtime(request)`, so each piece of state has one
declared type and one place it is made.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from anyio import CapacityLimiter
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from app.api.admission import EXTRA_CONNECTIONS, READINESS_THREADS, WriteGate
from app.api.throttle import FailedAuthentications
from app.config import Settings
from app.db import make_engine
from app.observability import AccessLog, Metrics
from app.services.common import read_session
from app.store.dataset import DataVersion, read_data_version


@dataclass(eq=False)
class Caches:
    """What this process remembers between requests, each entry with the data version it
    belongs to; the only part of the runtime that changes after start-up."""

    # The data version and when (time.monotonic()) it was read: re-read after the TTL.
    data_version: tuple[float, DataVersion] | None = None
    # The dataset archive and the data version it holds; built by one request at a time.
    dataset_zip: tuple[str, bytes] | None = None
    dataset_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def served_version(self) -> DataVersion | None:
        """The data version last read, or None before the first read."""
        return None if self.data_version is None else self.data_version[1]


@dataclass(eq=False)
class Admission:
    """The write gate and the readiness threads: made in the running event loop (at start-up,
    by `start`), as anyio's primitives must be."""

    gate: WriteGate | None = None
    readiness: CapacityLimiter | None = None

    def start(self, settings: Settings) -> None:
        """Make them for `settings`, in the loop that will use them."""
        self.gate = WriteGate(settings.write_queue)
        self.readiness = CapacityLimiter(READINESS_THREADS)


@dataclass(frozen=True, eq=False)
class Runtime:
    """The settings an app was built with, its engines, metrics, access log, throttle,
    admission and caches."""

    settings: Settings
    engine: Engine
    # /readyz's own connections, kept open: under load a probe neither waits for a
    # reader's connection nor opens a new one (on PostgreSQL, a new server process).
    readiness_engine: Engine
    metrics: Metrics
    access_log: AccessLog
    failed_authentications: FailedAuthentications
    admission: Admission
    caches: Caches

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        """A runtime for `settings`: the engine is made here, its connections on first use."""
        engine = make_engine(
            settings.database_url,
            serving=True,
            statement_timeout=settings.statement_timeout,
            busy_timeout=settings.busy_timeout,
            pool_size=settings.db_pool_size,
            # However small the pool, a write (it holds the seed lock on a second
            # connection) finds its second one.
            max_overflow=max(settings.db_pool_size // 2, EXTRA_CONNECTIONS),
        )
        readiness_engine = make_engine(
            settings.database_url,
            serving=True,
            statement_timeout=settings.statement_timeout,
            busy_timeout=settings.busy_timeout,
            pool_size=READINESS_THREADS,
            # The step-by-step check reads the schema revision on a second connection: two
            # overlapping probes must each find one, not wait for each other.
            max_overflow=READINESS_THREADS,
        )
        caches = Caches()
        metrics = Metrics(served=caches.served_version, pool=lambda: engine.pool)
        return cls(
            settings=settings,
            engine=engine,
            readiness_engine=readiness_engine,
            metrics=metrics,
            access_log=AccessLog(dropped=metrics.access_lines_dropped),
            failed_authentications=FailedAuthentications(settings.auth_failure_limit),
            admission=Admission(),
            caches=caches,
        )

    def fresh_data_version(self) -> DataVersion | None:
        """The data version as this process last read it, if that was within
        DATA_VERSION_TTL; else None (`data_version` reads it again)."""
        cached = self.caches.data_version
        if cached is not None and time.monotonic() - cached[0] < self.settings.data_version_ttl:
            return cached[1]
        return None

    async def data_version(self) -> DataVersion:
        """The data version as this process last read it, read again after DATA_VERSION_TTL."""
        fresh = self.fresh_data_version()
        if fresh is not None:
            return fresh
        now = time.monotonic()
        version = await run_in_threadpool(self.read_data_version)
        self.caches.data_version = (now, version)
        return version

    def read_data_version(self) -> DataVersion:
        """The data version in the database now (blocking: run it in a worker thread)."""
        with read_session(self.engine) as session:
            return read_data_version(session)

    def data_changed(self) -> None:
        """This process has written: its next request reads the data version again (other
        processes, workers or replicas, see the change within DATA_VERSION_TTL)."""
        self.caches.data_version = None

    def dispose(self) -> None:
        """Close the pooled connections; the engines open new ones when next used."""
        self.engine.dispose()
        self.readiness_engine.dispose()

    def install(self, app: Starlette) -> None:
        """Keep this runtime on `app` (the one attribute of app.state), where `runtime()`
        finds it."""
        app.state.runtime = self


def runtime(request: HTTPConnection) -> Runtime:
    """The runtime of the app serving `request`."""
    return runtime_of(request.app)


def runtime_of(app: Starlette) -> Runtime:
    """The runtime `create_app` installed on `app` (tests reach it this way)."""
    held = getattr(app.state, "runtime", None)
    if not isinstance(held, Runtime):
        raise RuntimeError("this app has no runtime: build it with create_app()")
    return held


def write_gate(request: HTTPConnection) -> WriteGate:
    """The app's write gate (app/api/admission.py)."""
    gate = runtime(request).admission.gate
    if gate is None:
        raise RuntimeError("the app has not started: no write gate yet")
    return gate


def readiness_limiter(request: HTTPConnection) -> CapacityLimiter:
    """The threads /readyz runs on."""
    limiter = runtime(request).admission.readiness
    if limiter is None:
        raise RuntimeError("the app has not started: no readiness threads yet")
    return limiter
