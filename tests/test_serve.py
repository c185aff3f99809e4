"""`jinzhong serve` as operators run it: JSON log lines on stderr, several worker processes,
and a graceful shutdown that lets in-flight requests finish after SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy.engine import make_url

from app.db import make_engine
from app.migrate import upgrade
from app.seed.loader import load_bundle
from app.synth import build_synthetic
from tests.support.seed import SEED_DIR
from tests.support.server import Served


@pytest.fixture
def database(seeded_database: Callable[[str], str]) -> str:
    return seeded_database("serve")


@pytest.fixture
def served(database: str) -> Iterator[Served]:
    server = Served({"DATABASE_URL": database, "LOG_LEVEL": "info"})
    yield server
    server.stop()


def test_logs_are_json_lines_one_per_request(served: Served) -> None:
    response = httpx.get(f"{served.base}/v1/regions/140700", headers={"X-Request-ID": "op-1"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "op-1"
    lines = [line for line in served.stop().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    requests = [e for e in entries if e["message"] == "request" and e["request_id"] == "op-1"]
    assert len(requests) == 1
    assert requests[0]["route"] == "/v1/regions/{code}"
    assert requests[0]["status"] == 200
    assert requests[0]["level"] == "INFO"
    # uvicorn's own messages come as JSON too, and nothing logs the database URL.
    assert any(e["logger"].startswith("uvicorn") for e in entries)
    assert not [line for line in lines if "postgresql" in line or "sqlite:" in line]


def test_several_workers_serve_the_same_answers(database: str) -> None:
    server = Served({"DATABASE_URL": database, "LOG_LEVEL": "warning"}, "--workers", "2")
    try:
        workers = [
            pid
            for pid in os.listdir("/proc")
            if pid.isdigit() and _parent(pid) == server.process.pid and _is_worker(pid)
        ]
        assert len(workers) == 2
        answers = {
            (r.status_code, r.headers["etag"], r.content)
            for r in (httpx.get(f"{server.base}/v1/observations/gdp-2024") for _ in range(20))
        }
        assert len(answers) == 1
        assert next(iter(answers))[0] == 200
    finally:
        server.stop()


def _parent(pid: str) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _is_worker(pid: str) -> bool:
    # uvicorn starts workers with multiprocessing's spawn (beside its resource tracker).
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@pytest.mark.sqlite_only  # holds the database with a SQLite writer's exclusive lock
def test_sigterm_lets_in_flight_requests_finish(database: str) -> None:
    server = Served({"DATABASE_URL": database, "BUSY_TIMEOUT": "20", "RESPONSE_CACHE_MB": "0"})
    path = make_url(database).database
    assert path is not None
    # A writer holds the database, so the request below waits inside the server.
    writer = sqlite3.connect(path, isolation_level=None, timeout=0)
    writer.execute("PRAGMA locking_mode=EXCLUSIVE")
    writer.execute("BEGIN EXCLUSIVE")
    writer.execute("UPDATE topic SET name_en = name_en")
    answers: list[httpx.Response] = []
    request = threading.Thread(
        target=lambda: answers.append(httpx.get(f"{server.base}/v1/regions/140700", timeout=60))
    )
    request.start()
    # Wait until the request is inside the server, holding a connection while it waits.
    deadline = time.monotonic() + 20
    while 'db_pool_connections{state="in_use"} 1.0' not in httpx.get(f"{server.base}/metrics").text:
        assert time.monotonic() < deadline, "the request never reached the database"
        time.sleep(0.1)
    server.process.send_signal(signal.SIGTERM)
    time.sleep(1.0)
    assert server.process.poll() is None  # still running: a request is in flight
    writer.execute("ROLLBACK")
    writer.close()
    request.join(timeout=30)
    assert [a.status_code for a in answers] == [200]
    assert answers[0].json()["name_zh"] == "晋中市"
    # uvicorn finishes, then ends by the signal it was sent, as a process should.
    assert server.process.wait(timeout=30) in (0, -signal.SIGTERM)
    server.stop()


def test_a_small_pool_serves_bursts_and_long_lists(new_database: Callable[[str], str]) -> None:
    # One connection, one worker thread: a burst of requests that FastAPI validates in a
    # second thread hop, and an all=true list read in pages of 1,000, must neither stall
    # nor fail for want of a connection.
    url = new_database("small-pool")
    upgrade(url)
    engine = make_engine(url)
    build_synthetic(engine, SEED_DIR, 2500)
    engine.dispose()
    server = Served(
        {"DATABASE_URL": url, "DB_POOL_SIZE": "1", "LOG_LEVEL": "warning", "RESPONSE_CACHE_MB": "0"}
    )
    try:
        with ThreadPoolExecutor(24) as pool:
            answers = list(
                pool.map(
                    lambda n: httpx.get(f"{server.base}/v1/indicators?limit={n}", timeout=60),
                    range(1, 25),
                )
            )
        assert [a.status_code for a in answers] == [200] * 24
        listed = httpx.get(f"{server.base}/v1/observations?all=true&format=csv", timeout=60)
        assert listed.status_code == 200
        # The header, the seed's figures its series show (its witnesses hidden), the synthetic.
        headlines = sum(1 for headline, _ in load_bundle(SEED_DIR).ranks.values() if not headline)
        assert len(listed.text.splitlines()) == 1 + headlines + 2500
    finally:
        server.stop()
