"""Request ids, one JSON log line per request (tests/test_access_log.py for how it is
written), errors logged with their request id, and /metrics in the Prometheus format."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import (
    CollectorRegistry,
    Histogram,
    disable_created_metrics,
    enable_created_metrics,
    generate_latest,
)
from prometheus_client import Counter as PrometheusCounter
from prometheus_client.parser import text_string_to_metric_families

from app.config import Settings
from app.main import create_app
from app.observability import ACCESS_LOGGER, LATENCY_BUCKETS, RequestTally, new_request_id
from tests.support.access_log import AccessFile

HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def logged(
    seeded_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> Iterator[tuple[FastAPI, AccessFile]]:
    """An app whose request lines go to a file, all of them written once it has stopped."""
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)  # as LOG_LEVEL=info does
    app = create_app(Settings(database_url=seeded_url))
    access = AccessFile(app, tmp_path / "access.log")
    yield app, access
    access.close()


def samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_request_id_is_generated_returned_and_kept(client: TestClient) -> None:
    generated = client.get("/v1/topics").headers["x-request-id"]
    assert HEX_ID.fullmatch(generated)
    assert client.get("/v1/topics").headers["x-request-id"] != generated
    kept = client.get("/v1/topics", headers={"X-Request-ID": "lb-7f3a.42"})
    assert kept.headers["x-request-id"] == "lb-7f3a.42"
    # Anything that does not look like an id is replaced, not echoed.
    for hostile in ["has space", "x" * 129, "<script>", "a\tb"]:
        answered = client.get("/v1/topics", headers={"X-Request-ID": hostile})
        assert HEX_ID.fullmatch(answered.headers["x-request-id"]), hostile


@pytest.mark.parametrize(
    ("path", "status"),
    [("/v1/observations/nope", 404), ("/v1/observations?limit=-1", 422), ("/nowhere", 404)],
)
def test_errors_carry_a_request_id(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert HEX_ID.fullmatch(response.headers["x-request-id"])


def test_one_log_line_per_request_with_route_template(
    logged: tuple[FastAPI, AccessFile],
) -> None:
    app, access = logged
    with TestClient(app) as client:
        # The second asking is computed and kept, the third replayed from memory: all
        # three are logged alike.
        for _ in range(3):
            response = client.get(
                "/v1/observations/gdp-2024?lang=en", headers={"X-Request-ID": "trace-1"}
            )
            assert response.status_code == 200
    lines = [e for e in access.entries() if e["request_id"] == "trace-1"]
    assert len(lines) == 3
    for entry in lines:
        assert entry["message"] == "request"
        assert entry["method"] == "GET"
        assert entry["route"] == "/v1/observations/{code}"
        assert entry["path"] == "/v1/observations/gdp-2024"  # never the query
        assert entry["status"] == 200
        assert entry["duration_ms"] >= 0


def test_log_lines_are_json_with_the_fields(logged: tuple[FastAPI, AccessFile]) -> None:
    app, access = logged
    with TestClient(app) as client:
        client.get("/v1/regions/140700", headers={"X-Request-ID": "json-1"})
    entry = next(e for e in access.entries() if e["request_id"] == "json-1")
    assert entry["message"] == "request"
    assert entry["level"] == "INFO"
    assert entry["logger"] == ACCESS_LOGGER
    assert entry["time"]
    assert {k: entry[k] for k in ("method", "route", "status", "request_id")} == {
        "method": "GET",
        "route": "/v1/regions/{code}",
        "status": 200,
        "request_id": "json-1",
    }


def test_unexpected_errors_are_logged_with_the_request_id(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"))
    access = AccessFile(app, tmp_path / "access.log")

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/boom", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "boom-1"
    errors = [r for r in caplog.records if r.name == "jinzhong.errors"]
    assert len(errors) == 1
    assert errors[0].request_id == "boom-1"  # type: ignore[attr-defined]
    assert errors[0].exc_info is not None
    access_lines = [e for e in access.entries() if e["request_id"] == "boom-1"]
    access.close()
    assert [e["status"] for e in access_lines] == [500]


def test_metrics_count_requests_by_route_and_status(client: TestClient) -> None:
    before = samples(client)
    for _ in range(3):
        client.get("/v1/indicators/gdp")
    client.get("/v1/indicators/nope")
    client.get("/no/such/page")
    after = samples(client)

    def increase(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    route = "/v1/indicators/{code}"
    assert increase("http_requests_total", method="GET", route=route, status="200") == 3
    assert increase("http_requests_total", method="GET", route=route, status="404") == 1
    assert increase("http_requests_total", method="GET", route="<unmatched>", status="404") == 1
    assert increase("http_request_duration_seconds_count", method="GET", route=route) == 4
    assert (
        increase("http_request_duration_seconds_bucket", method="GET", route=route, le="+Inf") == 4
    )
    # No label holds a raw path: a crawler cannot blow up the number of series.
    assert not [key for key in after if ("route", "/no/such/page") in key[1]]


def test_metrics_report_data_version_and_pool(client: TestClient) -> None:
    version = client.get("/readyz").json()["checks"]["data_version"]
    client.get("/v1/topics")  # reads the data version
    found = samples(client)
    assert found[("jinzhong_data_info", (("version", version),))] == 1
    assert found[("jinzhong_data_changed_timestamp_seconds", ())] > 1.7e9
    states = {dict(labels)["state"] for name, labels in found if name == "db_pool_connections"}
    assert states == {"in_use", "idle", "overflow", "size"}
    assert found[("db_pool_connections", (("state", "size"),))] == Settings().db_pool_size


def test_request_tally_exposes_what_prometheus_clients_own_metrics_would() -> None:
    # The same observations through prometheus-client's Counter and Histogram, which the
    # tally replaces on the hot path: the exposition must not tell them apart.
    durations = [0.0001, 0.0005, 0.0007, 0.001, 0.003, 0.2, 0.5, 4.9, 5.0, 7.5]
    asked = [("GET", "/v1/topics", 200), ("GET", "/v1/topics", 304), ("HEAD", "/healthz", 200)]
    tallied = CollectorRegistry()
    tally = RequestTally()
    tallied.register(tally)
    reference = CollectorRegistry()
    requests = PrometheusCounter(
        *RequestTally._REQUESTS, ["method", "route", "status"], registry=reference
    )
    latency = Histogram(
        *RequestTally._LATENCY, ["method", "route"], buckets=LATENCY_BUCKETS, registry=reference
    )
    for number, seconds in enumerate(durations * 3):
        method, route, status = asked[number % len(asked)]
        tally.observe(method, route, status, seconds)
        requests.labels(method, route, str(status)).inc()
        latency.labels(method, route).observe(seconds)

    def shown(registry: CollectorRegistry) -> list[str]:
        # Creation times differ by when each series was first seen; everything else must not.
        text = generate_latest(registry).decode()
        return [re.sub(r"_created(\{.*\})? .*", r"_created\1", line) for line in text.splitlines()]

    assert shown(tallied) == shown(reference)
    assert any(line.startswith("http_request_duration_seconds_bucket") for line in shown(tallied))


def test_request_tally_leaves_out_created_series_when_prometheus_client_does() -> None:
    registry = CollectorRegistry()
    tally = RequestTally()
    registry.register(tally)
    tally.observe("GET", "/v1/topics", 200, 0.001)
    assert "_created" in generate_latest(registry).decode()
    disable_created_metrics()
    try:
        shown = generate_latest(registry).decode()
    finally:
        enable_created_metrics()
    assert "_created" not in shown
    assert 'http_requests_total{method="GET",route="/v1/topics",status="200"} 1.0' in shown


def test_new_request_ids_are_random_hex_and_differ_after_a_fork() -> None:
    ids = [new_request_id(b"") for _ in range(5000)]  # more than one read of randomness
    assert all(HEX_ID.fullmatch(given) for given in ids)
    assert len(set(ids)) == len(ids)
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # the child writes its next id and leaves at once
        os.write(writing, new_request_id(b"").encode())
        os._exit(0)
    os.close(writing)
    os.waitpid(child, 0)
    in_child = os.read(reading, 64).decode()
    os.close(reading)
    # A child that went on from its parent's randomness would give the parent's next id.
    assert HEX_ID.fullmatch(in_child)
    assert in_child != new_request_id(b"")
