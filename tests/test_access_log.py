"""The access log: one JSON line per request, the same bytes python-json-logger's formatter
wrote, built without a LogRecord and written by a thread of its own in whole lines; nothing
below INFO; a bounded queue that drops visibly; and every line written when the server stops,
by SIGTERM included, with one worker or several."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry
from prometheus_client import Counter as PrometheusCounter

import app.observability
from app.config import Settings
from app.main import create_app
from app.observability import ACCESS_LOGGER, PIPE_BUF, AccessLog, access_line, logging_config
from tests.support.access_log import AccessFile
from tests.support.server import Served

KEYS = [
    "level",
    "logger",
    "message",
    "method",
    "route",
    "path",
    "status",
    "duration_ms",
    "request_id",
    "time",
]
# What uvicorn logs as each worker process starts.
STARTED = "Started server process"
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00")


@pytest.fixture
def info(caplog: pytest.LogCaptureFixture) -> None:
    """The access logger enabled for INFO, as LOG_LEVEL=info does."""
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)


def dropped_counter() -> PrometheusCounter:
    return PrometheusCounter("dropped", "Lines dropped.", registry=CollectorRegistry())


@pytest.fixture
def file_log(tmp_path: Path, info: None) -> Iterator[tuple[AccessLog, Path]]:
    """An access log to a file that writes only when a batch is full or it stops."""
    path = tmp_path / "access.log"
    with path.open("wb") as file:
        log = AccessLog(dropped_counter(), fd=file.fileno(), interval=60, batch_bytes=1 << 30)
        yield log, path
        log.stop()


def add(log: AccessLog, request_id: str, path: str = "/v1/topics") -> None:
    log.add("GET", "/v1/topics", path, 200, 0.0012345, request_id)


def test_access_line_is_the_formatters_line() -> None:
    fields: dict[str, Any] = {
        "method": "GET",
        "route": "/v1/observations/{code}",
        "path": "/v1/observations/gdp-2024",
        "status": 304,
        "duration_ms": 0.124,
        "request_id": "demo-42",
    }
    now = time.time()
    record = logging.getLogger(ACCESS_LOGGER).makeRecord(
        ACCESS_LOGGER, logging.INFO, __file__, 1, "request", (), None, extra=fields
    )
    record.created = now
    config = logging_config("info")["formatters"]["json"]
    formatter = config.pop("()")(**config)
    line = access_line(
        "GET",
        "/v1/observations/{code}",
        "/v1/observations/gdp-2024",
        304,
        0.0001237,
        "demo-42",
        now,
    )
    assert line == formatter.format(record).encode() + b"\n"
    entry = json.loads(line)
    assert list(entry) == KEYS
    assert TIME.fullmatch(entry["time"])


def test_access_line_keeps_a_path_that_is_not_utf8() -> None:
    line = access_line("GET", "<unmatched>", "/a\udcff", 404, 0.001, "x-1", time.time())
    assert line.endswith(b"\n")
    assert b"\n" not in line[:-1]
    assert json.loads(line)["path"] == "/a\\udcff"


def test_access_log_writes_nothing_below_info(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger=ACCESS_LOGGER)  # LOG_LEVEL=warning
    log = AccessLog(dropped_counter())
    log.start()
    assert not log.enabled
    log.stop()


def test_access_log_writes_every_line_when_it_stops(file_log: tuple[AccessLog, Path]) -> None:
    log, path = file_log
    log.start()
    for number in range(1000):
        add(log, f"r-{number}")
    assert path.read_bytes() == b""  # queued, not written by the loop
    log.stop()
    ids = [json.loads(line)["request_id"] for line in path.read_bytes().splitlines()]
    assert ids == [f"r-{number}" for number in range(1000)]
    add(log, "late")  # a request cancelled at the shutdown timeout: written at once
    assert json.loads(path.read_bytes().splitlines()[-1])["request_id"] == "late"


def test_access_log_writes_whole_lines_at_most_pipe_buf_at_a_time(
    file_log: tuple[AccessLog, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    log, path = file_log
    writes: list[bytes] = []
    write = os.write

    def recorded(fd: int, data: bytes) -> int:
        writes.append(bytes(data))
        return write(fd, data)

    monkeypatch.setattr(app.observability.os, "write", recorded)
    log.start()
    for number in range(2000):
        add(log, f"r-{number}", "/long" * (1000 if number == 700 else 1))
    log.stop()
    assert len(writes) > 1
    for data in writes:
        assert data.endswith(b"\n")
        assert len(data) <= PIPE_BUF or data.count(b"\n") == 1  # a long line alone
    assert len(path.read_bytes().splitlines()) == 2000


def test_access_log_goes_on_past_a_line_it_cannot_make(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, info: None
) -> None:
    # The thread makes the lines: one that fails must cost that line, counted, not the log.
    made = access_line

    def failing(*fields: Any) -> bytes:
        if fields[5] == "r-3":
            raise ValueError("cannot make this line")
        return made(*fields)

    monkeypatch.setattr(app.observability, "access_line", failing)
    registry = CollectorRegistry()
    dropped = PrometheusCounter("dropped", "Lines dropped.", registry=registry)
    path = tmp_path / "access.log"
    with path.open("wb") as file:
        log = AccessLog(dropped, fd=file.fileno(), interval=0.01)
        log.start()
        for number in range(5):
            add(log, f"r-{number}")
        time.sleep(0.2)  # the thread writes what it can make
        add(log, "r-5")
        log.stop()
    ids = [json.loads(line)["request_id"] for line in path.read_bytes().splitlines()]
    assert ids == ["r-0", "r-1", "r-2", "r-4", "r-5"]
    assert registry.get_sample_value("dropped_total") == 1


def test_access_log_drops_and_counts_lines_beyond_its_bound(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, info: None
) -> None:
    registry = CollectorRegistry()
    dropped = PrometheusCounter("dropped", "Lines dropped.", registry=registry)
    path = tmp_path / "access.log"
    with path.open("wb") as file:
        log = AccessLog(dropped, fd=file.fileno(), interval=60, max_bytes=2000)
        log.start()
        for number in range(50):
            add(log, f"r-{number}")
        log.stop()
    written = len(path.read_bytes().splitlines())
    assert 0 < written < 50
    assert registry.get_sample_value("dropped_total") == 50 - written
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.__dict__["dropped"] for r in warnings] == [50 - written]


def test_app_writes_every_line_when_it_stops(seeded_url: str, tmp_path: Path, info: None) -> None:
    app = create_app(Settings(database_url=seeded_url))
    # No line is written before the app stops: its shutdown must write them all.
    access = AccessFile(app, tmp_path / "access.log", interval=60)
    with TestClient(app) as client:
        sent = send_mix(client, 150)
        assert access.entries() == []
    entries = access.entries()
    access.close()
    assert_logged(entries, sent)


def test_app_writes_no_lines_below_info(
    seeded_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=ACCESS_LOGGER)  # LOG_LEVEL=warning
    app = create_app(Settings(database_url=seeded_url))
    access = AccessFile(app, tmp_path / "access.log")
    with TestClient(app) as client:
        send_mix(client, 3)
    assert access.entries() == []
    access.close()


def send_mix(client: httpx.Client | TestClient, count: int, prefix: str = "id") -> list[str]:
    """`count` requests with their own ids, a third each answered 200, 304 and 404."""
    etag = client.get("/v1/regions/140700").headers["etag"]
    for number in range(count):
        kind = number % 3
        path = "/v1/regions/nope" if kind == 2 else "/v1/regions/140700"
        headers = {"X-Request-ID": f"{prefix}-{number}"}
        if kind == 1:
            headers["If-None-Match"] = etag
        response = client.get(path, headers=headers)
        assert response.status_code == (200, 304, 404)[kind]
    return [f"{prefix}-{number}" for number in range(count)]


def assert_logged(entries: list[dict[str, Any]], sent: list[str]) -> None:
    """Every request sent logged once, with the keys of the formatter's line."""
    requests = [e for e in entries if e.get("message") == "request"]
    mine = [e for e in requests if e["request_id"] in set(sent)]
    assert Counter(e["request_id"] for e in mine) == Counter(sent)
    for entry in mine:
        assert list(entry) == KEYS
        assert entry["logger"] == ACCESS_LOGGER
        assert TIME.fullmatch(entry["time"])
        assert entry["status"] == (200, 304, 404)[int(entry["request_id"].split("-")[1]) % 3]


def served_entries(server: Served) -> list[dict[str, Any]]:
    """Stop the server by SIGTERM; every line of its stderr, each one JSON object."""
    server.process.terminate()
    assert server.process.wait(timeout=30) in (0, -signal.SIGTERM)
    return [json.loads(line) for line in server.stop().splitlines() if line.strip()]


def test_served_logs_every_request_through_sigterm(seeded_url: str) -> None:
    server = Served({"DATABASE_URL": seeded_url, "LOG_LEVEL": "info"})
    try:
        with httpx.Client(base_url=server.base) as client:
            sent = send_mix(client, 500)
    finally:
        entries = served_entries(server)
    assert_logged(entries, sent)
    assert any(e["logger"].startswith("uvicorn") for e in entries)  # still through logging


def test_served_workers_each_log_their_requests(seeded_url: str) -> None:
    server = Served({"DATABASE_URL": seeded_url, "LOG_LEVEL": "info"}, "--workers", "2")
    try:
        # Both workers up before the load, so that both answer and write to the one pipe.
        deadline = time.monotonic() + 60
        while server.written_so_far().count(STARTED) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.written_so_far().count(STARTED) == 2, server.written_so_far()

        # Several connections at once, so that both workers answer and write together.
        def batch(prefix: str) -> list[str]:
            with httpx.Client(base_url=server.base) as client:
                return send_mix(client, 150, prefix)

        with ThreadPoolExecutor(4) as pool:
            sent = [i for ids in pool.map(batch, ["a", "b", "c", "d"]) for i in ids]
    finally:
        entries = served_entries(server)  # no line cut by another: each is valid JSON
    assert_logged(entries, sent)
