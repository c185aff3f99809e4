"""The Host a client sends is never written back into an answer unchecked: a host outside
ALLOWED_HOSTS is a 400 problem, and with PUBLIC_BASE_URL set every absolute URL the API
writes (`url` fields, `links`, `Link`) starts with it whatever Host came in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.config import Settings
from app.main import create_app

PUBLIC = "https://data.example.org/jinzhong"


@pytest.mark.parametrize(
    "host",
    ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "localhost:1@evil.example",
     "localhost:80/evil.example", "localhost:", "[::1]evil.example"],
)  # fmt: skip
def test_a_host_not_allowed_is_a_400_problem(client: TestClient, host: str) -> None:
    for path in ("/v1/observations", "/v1/observations.csv", "/", "/docs", "/openapi.json"):
        response = client.get(path, headers={"Host": host})
        assert response.status_code == 400, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert "Host" in response.json()["detail"]
        assert "evil.example" not in response.text.replace(response.json()["detail"], "")
        assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8000", "[::1]:8000", "testserver"])
def test_local_hosts_are_allowed_by_default(client: TestClient, host: str) -> None:
    response = client.get("/v1/observations?limit=1", headers={"Host": host})
    assert response.status_code == 200
    assert response.json()["links"]["next"].startswith(f"http://{host}/v1/observations?")


def test_allowed_hosts_take_wildcards(seeded_url: str) -> None:
    settings = Settings(database_url=seeded_url, allowed_hosts="*.example.org, api.example.net")
    with TestClient(create_app(settings)) as client:
        assert client.get("/v1/topics", headers={"Host": "data.example.org"}).status_code == 200
        assert client.get("/v1/topics", headers={"Host": "api.example.net:443"}).status_code == 200
        assert client.get("/v1/topics", headers={"Host": "example.org.evil"}).status_code == 400
        assert client.get("/v1/topics", headers={"Host": "localhost"}).status_code == 400
        # Probes answer whatever address an orchestrator calls them by.
        for probe in ("/healthz", "/readyz", "/metrics"):
            assert client.get(probe, headers={"Host": "10.0.0.7:8000"}).status_code == 200
    with TestClient(create_app(Settings(database_url=seeded_url, allowed_hosts="*"))) as client:
        assert client.get("/v1/topics", headers={"Host": "anything.example"}).status_code == 200


def test_allowed_hosts_may_name_a_port(seeded_url: str) -> None:
    # An entry with a port allows that host on that port only; one without, on any port.
    settings = Settings(database_url=seeded_url, allowed_hosts="data.example.org:8443, localhost")
    with TestClient(create_app(settings)) as client:
        assert (
            client.get("/v1/topics", headers={"Host": "data.example.org:8443"}).status_code == 200
        )
        assert client.get("/v1/topics", headers={"Host": "data.example.org"}).status_code == 400
        assert client.get("/v1/topics", headers={"Host": "data.example.org:80"}).status_code == 400
        assert client.get("/v1/topics", headers={"Host": "localhost:8000"}).status_code == 200


@pytest.fixture(scope="module")
def public(seeded_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=seeded_url, allowed_hosts="*", public_base_url=PUBLIC + "/")
    with TestClient(create_app(settings)) as client:
        yield client


def _urls(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _urls(item)
    elif isinstance(value, list):
        for item in value:
            yield from _urls(item)
    elif isinstance(value, str) and "://" in value:
        yield value


@pytest.mark.parametrize(
    "path",
    [
        "/v1/observations?limit=2&offset=2",
        "/v1/observations/gdp-2024",
        "/v1/indicators/gdp/observations?limit=1",
        "/v1/regions?limit=1",
        "/v1/sources?limit=1",
        "/v1/search?q=GDP&limit=1",
    ],
)
def test_absolute_urls_use_the_public_base_url(public: TestClient, path: str) -> None:
    response = public.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 200
    found = [u for u in _urls(response.json()) if not u.startswith("https://www.")]
    link = response.headers.get("link", "")
    assert "evil.example" not in response.text
    assert "evil.example" not in link
    own = [u for u in found if "example.org" in u or "evil" in u or "testserver" in u]
    assert own, "the answer should hold at least one of the API's own URLs"
    for address in own:
        assert address.startswith(f"{PUBLIC}/v1/"), address
    for part in filter(None, link.split(",")):
        assert part.strip().startswith(f"<{PUBLIC}/v1/"), part


@pytest.mark.parametrize(
    "value", ["data.example.org", "ftp://data.example.org", "https://data.example.org/?a=1"]
)
def test_public_base_url_must_be_an_absolute_http_url(value: str) -> None:
    with pytest.raises(ValidationError, match="public_base_url"):
        Settings(public_base_url=value)
