"""What a real `jinzhong serve` promises at the HTTP level, checked over real connections:

- HEAD is answered like GET (same status, same headers, Content-Length of the GET body) with
  no body, logs nothing, and leaves the keep-alive connection usable for the next request.
- The failed-authentication limit keys on the client's real address: X-Forwarded-For is
  believed only from a proxy named in FORWARDED_ALLOW_IPS (nobody by default).
"""

from __future__ import annotations

import http.client
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest

from tests.support.curation import make_database
from tests.support.seed import SOURCE_CODE
from tests.support.server import Served

# One of each kind of answer: health, the page and its files, the docs, the spec, JSON lists
# and items (first page and cached replay alike), CSV, plain text, the archive, a 404. Not
# /metrics: its body grows with every request, so no two answers have the same length.
HEAD_PATHS = [
    "/healthz",
    "/readyz",
    "/",
    "/static/dashboard/dashboard.js",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/v1/observations",
    "/v1/observations",
    "/v1/observations?format=csv",
    "/v1/indicators?lang=en",
    "/v1/regions/140700",
    "/v1/units?all=true",
    "/v1/search?q=GDP",
    f"/v1/sources/{SOURCE_CODE}/text",
    "/v1/downloads/dataset.zip",
    "/v1/observations/no-such-code",
]
# Headers that differ between two answers to the same request.
VOLATILE = {"date", "x-request-id"}


def _exchange(
    connection: http.client.HTTPConnection, method: str, path: str
) -> tuple[int, dict[str, str], bytes]:
    connection.request(method, path, headers={"Accept-Encoding": "gzip"})
    response = connection.getresponse()
    body = response.read()
    headers = {k.lower(): v for k, v in response.getheaders() if k.lower() not in VOLATILE}
    return response.status, headers, body


def test_head_answers_like_get_on_a_kept_alive_connection(seeded_url: str) -> None:
    server = Served({"DATABASE_URL": seeded_url, "LOG_LEVEL": "warning"})
    try:
        address = urlsplit(server.base)
        connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=30)
        for path in HEAD_PATHS:
            # HEAD first, then GET, on the one connection: a HEAD that leaves the connection
            # in a bad state makes the GET fail.
            head_status, head_headers, head_body = _exchange(connection, "HEAD", path)
            status, headers, body = _exchange(connection, "GET", path)
            assert head_body == b"", path
            assert head_status == status, path
            assert head_headers == headers, path
            assert int(headers["content-length"]) == len(body), path
        connection.close()
    finally:
        log = server.stop()
    assert "Response content shorter than Content-Length" not in log
    assert "Traceback" not in log


@pytest.fixture
def keyed_database(seeded_database: Callable[[str], str]) -> str:
    url, _, _ = make_database(seeded_database)
    return url


def _wrong_keys(server: Served, forwarded_for: Callable[[int], str]) -> list[int]:
    """Statuses of 30 writes with a wrong key, the n-th claiming to be `forwarded_for(n)`."""
    address = urlsplit(server.base)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=30)
    statuses = []
    for n in range(30):
        connection.request(
            "POST",
            "/v1/observations",
            body=b"{}",
            headers={
                "Authorization": "Bearer wrong",
                "Content-Type": "application/json",
                "X-Forwarded-For": forwarded_for(n),
            },
        )
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
    connection.close()
    return statuses


def test_auth_limit_ignores_forwarded_for_from_an_untrusted_peer(keyed_database: str) -> None:
    server = Served(
        {"DATABASE_URL": keyed_database, "LOG_LEVEL": "warning", "AUTH_FAILURE_LIMIT": "5"}
    )
    try:
        statuses = _wrong_keys(server, lambda n: f"198.51.100.{n}")
    finally:
        server.stop()
    # Every attempt comes from 127.0.0.1 whatever the header claims: 5 tries, then 429s.
    assert statuses == [401] * 5 + [429] * 25


def test_auth_limit_keys_forwarded_clients_of_a_trusted_proxy_apart(keyed_database: str) -> None:
    server = Served(
        {
            "DATABASE_URL": keyed_database,
            "LOG_LEVEL": "warning",
            "AUTH_FAILURE_LIMIT": "5",
            "FORWARDED_ALLOW_IPS": "127.0.0.1",
        }
    )
    try:
        # Three clients behind the proxy, taking turns: each has its own 5 tries.
        statuses = _wrong_keys(server, lambda n: f"198.51.100.{n % 3}")
        # And one more client, new to the server, is not held back by the others' failures.
        fresh = _wrong_keys(server, lambda n: "203.0.113.7")
    finally:
        server.stop()
    assert statuses == [401] * 15 + [429] * 15
    assert fresh == [401] * 5 + [429] * 25
