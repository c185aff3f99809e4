"""Every answer, whatever its kind, says `X-Content-Type-Options: nosniff` and
`Referrer-Policy: no-referrer`; the docs pages run only the scripts their policy names (no
'unsafe-inline' script) and may not be framed."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

# (method, path, headers, expected status): JSON, CSV, JSON-stat, text, the archive, the page,
# its files, the docs and their files, the spec, health, metrics, every error the app and its
# middleware write (404, 405, 414, 422), HEAD, and a 304 from the response cache.
KINDS = [
    ("GET", "/v1/observations", {}, 200),
    ("GET", "/v1/observations?format=csv", {}, 200),
    ("GET", "/v1/observations?format=jsonstat", {}, 200),
    ("GET", "/v1/regions/140700", {"Accept-Encoding": "gzip"}, 200),
    ("GET", "/v1/downloads/dataset.zip", {}, 200),
    ("GET", "/", {}, 200),
    ("GET", "/static/dashboard/dashboard.js", {}, 200),
    ("GET", "/docs", {}, 200),
    ("GET", "/redoc", {}, 200),
    ("GET", "/static/docs/swagger-ui-bundle.js", {}, 200),
    ("GET", "/static/redoc/redoc.standalone.js", {}, 200),
    ("GET", "/openapi.json", {}, 200),
    ("GET", "/healthz", {}, 200),
    ("GET", "/readyz", {}, 200),
    ("GET", "/metrics", {}, 200),
    ("GET", "/v1/observations/no-such-code", {}, 404),
    ("GET", "/no/such/path", {}, 404),
    ("DELETE", "/v1/units", {}, 405),
    ("GET", "/v1/observations?" + "x" * 9000, {}, 414),
    ("GET", "/v1/observations?limit=-1", {}, 422),
    ("POST", "/v1/observations", {}, 401),
    ("HEAD", "/v1/observations", {}, 200),
    ("HEAD", "/", {}, 200),
    (
        "OPTIONS",
        "/v1/observations",
        {"Origin": "https://a.example", "Access-Control-Request-Method": "GET"},
        200,
    ),
]


@pytest.mark.parametrize(("method", "path", "headers", "status"), KINDS)
def test_every_kind_of_answer_says_nosniff(
    client: TestClient, method: str, path: str, headers: dict[str, str], status: int
) -> None:
    response = client.request(method, path, headers=headers)
    assert response.status_code == status, response.text[:300]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_a_304_from_the_response_cache_says_nosniff(client: TestClient) -> None:
    first = client.get("/v1/topics")
    again = client.get("/v1/topics", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["x-content-type-options"] == "nosniff"


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in policy.split(";") if p.strip())
    return {name: values for name, *values in parts}


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_run_only_the_scripts_their_policy_names(client: TestClient, path: str) -> None:
    response = client.get(path)
    policy = _directives(response.headers["content-security-policy"])
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    # Each inline script of the page is allowed by its hash, so the page still works.
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    if path == "/docs":  # Swagger UI starts from an inline script: the loop must check one
        assert inline
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy["script-src"]
    # And nothing else runs inline: no event handler attributes, no javascript: URLs.
    assert not re.search(r"\son[a-z]+=", response.text)
    assert "javascript:" not in response.text


def test_an_unexpected_error_says_nosniff(tmp_path: Path) -> None:
    # A 500 is written last, outside every middleware of ours (Starlette answers it there).
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/boom")
    assert response.status_code == 500
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
