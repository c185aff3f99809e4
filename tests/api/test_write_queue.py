"""Writes wait for their turn outside the readers' worker threads.

While a burst of writers waits for the seed lock, `/healthz` and `/readyz` answer within
100 ms and reads go on. A write beyond WRITE_QUEUE is refused at once, 503 problem+json with
Retry-After, and writes nothing; those admitted are all stored. However small DB_POOL_SIZE,
the pool has room for a write's and a readiness check's connections.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.api.runtime import runtime_of
from app.config import Settings
from app.db import exclusive, make_engine
from app.main import create_app
from app.services.keys import Scope, create_key
from tests.support.server import Served

GDP = "/v1/observations/gdp-2024"
EVENT = "/v1/events/yangshe-railway-opens"
WRITERS = 16
# The bound. Health answers take a few milliseconds; one that waited for a worker
# thread would wait as long as the test holds the lock.
HEALTH_SECONDS = 0.1


@dataclass
class Writable:
    url: str
    key: str

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}", "If-Match": "*"}


@pytest.fixture
def writable(seeded_database: Callable[[str], str]) -> Writable:
    url = seeded_database("write-queue")
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        key = create_key(session, "alice", Scope.write)
    engine.dispose()
    return Writable(url, key)


@pytest.fixture
def seed_lock(writable: Writable) -> Iterator[Callable[[], AbstractContextManager[None]]]:
    """The seed lock as a context manager, taken by the test as another writer would."""
    engine = make_engine(writable.url)
    yield lambda: exclusive(engine, "seed")
    engine.dispose()


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def timed(http: httpx.Client, path: str, times: int = 10) -> list[float]:
    durations = []
    for _ in range(times):
        started = time.perf_counter()
        response = http.get(path)
        durations.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    return durations


def test_health_answers_while_writers_wait(
    writable: Writable, seed_lock: Callable[[], AbstractContextManager[None]]
) -> None:
    # The queue takes WRITERS: one in a worker thread, stuck on the lock the test holds, the
    # rest waiting in the event loop. Four more are refused at once, which tells the test
    # that all WRITERS are in; then the health answers are timed.
    server = Served(
        {
            "DATABASE_URL": writable.url,
            "LOG_LEVEL": "warning",
            "WRITE_QUEUE": str(WRITERS - 1),
            # A PostgreSQL write waiting for the lock would be stopped after this.
            "STATEMENT_TIMEOUT": "60",
        }
    )
    answers: dict[int, httpx.Response] = {}

    def writer(n: int) -> None:
        answers[n] = httpx.patch(
            server.base + GDP, json={"note": f"writer {n}"}, headers=writable.headers(), timeout=120
        )

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS + 4)]
    try:
        with seed_lock(), httpx.Client(base_url=server.base, timeout=30) as http:
            for thread in threads:
                thread.start()
            wait_for(lambda: len(answers) == 4, "four writes refused")
            health, ready = timed(http, "/healthz"), timed(http, "/readyz")
            read = timed(http, "/v1/regions/140700", times=3)
            assert len(answers) == 4  # the others still wait
        for thread in threads:
            thread.join(timeout=120)
    finally:
        server.stop()
    # The median against the bound (a loaded machine may stall any one request); and none
    # waited anywhere near as long as the lock was held.
    for durations in (health, ready):
        assert statistics.median(durations) < HEALTH_SECONDS, durations
        assert max(durations) < 1.0, durations
    assert max(read) < 1.0, read
    statuses = sorted(response.status_code for response in answers.values())
    assert statuses == [200] * WRITERS + [503] * 4


def test_full_write_queue_answers_503_and_writes_nothing(
    writable: Writable, seed_lock: Callable[[], AbstractContextManager[None]]
) -> None:
    app = create_app(
        Settings(database_url=writable.url, write_queue=0, data_version_ttl=0, statement_timeout=60)
    )
    with TestClient(app) as client:
        before = client.get(f"{EVENT}/record").json()
        admitted: list[httpx.Response] = []
        with seed_lock():
            first = threading.Thread(
                target=lambda: admitted.append(
                    client.patch(GDP, json={"note": "admitted"}, headers=writable.headers())
                )
            )
            first.start()
            wait_for(lambda: runtime_of(app).admission.gate.admitted == 1, "the first write's turn")
            refused = client.patch(EVENT, json={"note": "refused"}, headers=writable.headers())
        first.join(timeout=60)
        assert refused.status_code == 503, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert int(refused.headers["retry-after"]) >= 1
        body = refused.json()
        assert (body["status"], body["instance"]) == (503, EVENT)
        assert "nothing was written" in body["detail"]
        # The admitted write is stored; the refused one left no trace, record or history.
        assert [a.status_code for a in admitted] == [200]
        assert client.get(GDP).json()["note"] == "admitted"
        assert client.get(f"{EVENT}/record").json() == before
        assert client.get(f"{EVENT}/history").json()["total"] == 1  # the seed's only


def test_a_pool_of_one_serves_readiness_and_writes(writable: Writable) -> None:
    # A readiness check reads on two connections, a PostgreSQL write on two (one holds the
    # seed lock), beyond the one per worker thread.
    app = create_app(Settings(database_url=writable.url, db_pool_size=1))
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 200
        written = client.patch(GDP, json={"note": "one"}, headers=writable.headers())
        assert written.status_code == 200, written.text
        assert client.get("/readyz").status_code == 200
