"""Admission: how much work of each kind may hold the app's worker threads at once.

Reads, writes and the health checks share one pool of worker threads (DB_POOL_SIZE). Writes
take turns on the seed lock (`app.db.exclusive`), each for a good part of a second: had they
waited for their turn inside worker threads, a burst of them would hold every thread, and
reads and `/readyz` would queue behind them. So a write waits for its turn here, in the
event loop, holding neither a thread nor a connection, and only then enters a worker thread;
`/readyz` has threads of its own; `/healthz` needs none.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TypeVar

import anyio
from starlette.concurrency import run_in_threadpool

from app.errors import AppError

# Writes serialize on the seed lock: a second thread would only wait there, taken from reads.
WRITE_THREADS = 1
# /readyz: probes that overlap each get a thread; one stuck on a slow database holds one of
# these, never a reader's.
READINESS_THREADS = 2
# Connections these need beyond one per worker thread: a PostgreSQL write holds the seed
# lock on a second one. (Readiness checks have connections of their own.)
EXTRA_CONNECTIONS = WRITE_THREADS
# Seconds a write is taken to last until one has been timed, and the bounds of Retry-After.
_FIRST_ESTIMATE = 1.0
_RETRY_AFTER = (1, 60)

T = TypeVar("T")


class WriteQueueFullError(AppError):
    """More writes are waiting than WRITE_QUEUE allows; nothing of this one was done."""

    status = 503


class WriteGate:
    """Lets writes into worker threads one at a time, keeps up to `queue` more waiting for
    their turn in the event loop, and refuses any beyond that with a 503 at once."""

    def __init__(self, queue: int) -> None:
        self.queue = queue
        self.admitted = 0  # writes running and waiting
        self._turn = anyio.Semaphore(WRITE_THREADS)
        self._seconds = _FIRST_ESTIMATE

    async def run(self, work: Callable[[], T]) -> T:
        """Run `work` in a worker thread when its turn comes; raise WriteQueueFullError, with
        a Retry-After of about the time the queue takes to drain, when no room is left."""
        if self.admitted >= WRITE_THREADS + self.queue:
            drain = self.admitted / WRITE_THREADS * self._seconds
            low, high = _RETRY_AFTER
            raise WriteQueueFullError(
                f"{self.admitted} writes are running or waiting, the most this server queues; "
                "nothing was written. Send it again after Retry-After.",
                headers={"Retry-After": str(min(high, max(low, math.ceil(drain))))},
            )
        self.admitted += 1
        try:
            async with self._turn:
                started = time.monotonic()
                try:
                    return await run_in_threadpool(work)
                finally:
                    # A moving average: the last few writes tell best how long the next take.
                    self._seconds += (time.monotonic() - started - self._seconds) / 4
        finally:
            self.admitted -= 1
