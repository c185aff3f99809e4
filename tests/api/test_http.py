"""Transport: gzip above a size threshold; CORS open to any origin by default, an allow-list
when configured, preflight answered; HEAD like GET."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app


def test_gzip_above_threshold(client: TestClient) -> None:
    big = client.get("/v1/observations", headers={"Accept-Encoding": "gzip"})
    assert big.headers["content-encoding"] == "gzip"
    assert big.json()["total"] > 0  # the client decompresses
    small = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers
    plain = client.get("/v1/observations", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers


def test_cors_open_by_default(client: TestClient) -> None:
    response = client.get("/v1/regions", headers={"Origin": "http://dashboard.test"})
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = response.headers["access-control-expose-headers"].lower()
    assert {"etag", "link", "x-total-count", "content-language"} <= {
        h.strip() for h in exposed.split(",")
    }


def test_cors_preflight(client: TestClient) -> None:
    response = client.options(
        "/v1/observations",
        headers={"Origin": "http://dashboard.test", "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "If-None-Match"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "GET" in response.headers["access-control-allow-methods"]
    assert "if-none-match" in response.headers["access-control-allow-headers"].lower()


def test_cors_allow_list(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'x.db'}", cors_origins="http://a.test, http://b.test"
    )
    with TestClient(create_app(settings)) as test_client:
        allowed = test_client.get("/healthz", headers={"Origin": "http://b.test"})
        assert allowed.headers["access-control-allow-origin"] == "http://b.test"
        refused = test_client.get("/healthz", headers={"Origin": "http://c.test"})
        assert "access-control-allow-origin" not in refused.headers


def test_head_with_gzip_matches_get(client: TestClient) -> None:
    headers = {"Accept-Encoding": "gzip"}
    get = client.get("/v1/observations", headers=headers)
    head = client.head("/v1/observations", headers=headers)
    assert head.content == b""
    assert head.headers["content-encoding"] == "gzip"
    assert head.headers["etag"] == get.headers["etag"]
