"""One error shape everywhere: RFC 9457 problem+json with the real status, naming what is wrong;
hostile or odd input never produces a 500 or an error inside a 200."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    return body


@pytest.mark.parametrize(
    "path",
    ["/v1/indicators/nope", "/v1/regions/000000", "/v1/observations/nope", "/v1/sources/nope",
     "/v1/sources/nope/text", "/v1/nothing-here", "/favicon.ico"],
)  # fmt: skip
def test_error_shape_404(client: TestClient, path: str) -> None:
    body = assert_problem(client.get(path), 404)
    assert body["instance"] == path


def test_error_shape_405(client: TestClient) -> None:
    # Regions are not written through the API (they are reference data).
    response = client.delete("/v1/regions/140700")
    body = assert_problem(response, 405)
    assert "DELETE" in body["detail"]
    assert response.headers["allow"] == "GET, HEAD"  # HEAD is answered wherever GET is


def test_error_shape_422(client: TestClient) -> None:
    body = assert_problem(client.get("/v1/regions", params={"limit": "ten"}), 422)
    assert body["errors"] == [
        {
            "location": "query",
            "name": "limit",
            "message": "Input should be a valid integer, unable to parse string as an integer",
        }
    ]
    assert "'limit'" in body["detail"]


@pytest.mark.parametrize("path", ["/v1/observations", "/v1/regions/140700", "/healthz"])
def test_error_shape_400_unknown_parameter(client: TestClient, path: str) -> None:
    body = assert_problem(client.get(path, params={"regoin": "140700"}), 400)
    assert body["errors"] == [
        {"location": "query", "name": "regoin", "message": "unknown parameter"}
    ]
    assert "regoin" in body["detail"]


HOSTILE = [
    "' OR 1=1 --", '"; DROP TABLE observation; --', "<script>alert(1)</script>", "\x00",
    "%00", "../../etc/passwd", "煤层气" * 300, "😀", "\u202e", " ", "",
]  # fmt: skip


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(
    "param",
    ["indicator", "region", "topic", "start", "end", "qualifier", "sort", "latest", "limit"],
)
def test_hostile_query_values_never_500(client: TestClient, param: str, value: str) -> None:
    response = client.get("/v1/observations", params={param: value})
    assert response.status_code in {200, 422}, response.text
    if response.status_code == 200:
        assert "items" in response.json()


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("resource", ["indicators", "regions", "observations", "sources"])
def test_hostile_path_codes_never_500(client: TestClient, resource: str, value: str) -> None:
    response = client.get(f"/v1/{resource}/{quote(value, safe='')}", follow_redirects=False)
    assert response.status_code in {200, 404, 307}, response.text


def test_hostile_indicator_search_is_plain_text(client: TestClient) -> None:
    for value in HOSTILE:
        response = client.get("/v1/indicators", params={"q": value[:200]})
        if "\x00" in value:  # no text holds a NUL: refused, naming the parameter
            assert response.status_code == 422, value
            assert response.json()["errors"][0]["name"] == "q"
        else:
            assert response.status_code == 200, value
    assert client.get("/v1/indicators", params={"q": "x" * 201}).status_code == 422


def test_unexpected_error_is_a_500_problem(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        body = assert_problem(test_client.get("/boom"), 500)
    assert "secret" not in body["detail"]


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    get = client.get("/v1/observations/gdp-2024")
    head = client.head("/v1/observations/gdp-2024")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["content-type"] == get.headers["content-type"]
    missing = client.head("/v1/observations/nope")
    assert (missing.status_code, missing.content) == (404, b"")
