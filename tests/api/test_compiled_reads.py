"""The data routes' compiled read path (app/api/compiled.py): every data route has one, valid
reads take it, and whatever it does not handle goes to FastAPI's own handler.

That its answers are FastAPI's to the byte is held by tests/test_read_equivalence.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import fastapi.routing
import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from app.api.deps import get_language
from app.api.routing import DataRoute
from app.config import Settings
from app.main import create_app
from app.rules.languages import Language


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of requests for which FastAPI walked a route's dependencies."""
    seen: list[str] = []
    walk = fastapi.routing.solve_dependencies

    async def counted(**kwargs: Any) -> Any:
        seen.append(kwargs["request"].url.path)
        return await walk(**kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counted)
    return seen


def client_for(url: str, **settings: Any) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=url, response_cache_mb=0, **settings))
    with TestClient(app) as client:
        yield client


@pytest.fixture
def planned(seeded_url: str) -> Iterator[TestClient]:
    yield from client_for(seeded_url)


@pytest.fixture
def unplanned(seeded_url: str) -> Iterator[TestClient]:
    yield from client_for(seeded_url, fast_reads=False)


def test_every_data_route_has_a_plan(planned: TestClient) -> None:
    routes = [
        context.original_route
        for context in iter_route_contexts(planned.app.routes)  # type: ignore[attr-defined]
        if isinstance(context.original_route, DataRoute)
    ]
    assert len(routes) > 30  # every list, item and CSV twin of /v1
    assert [route.path for route in routes if not route.compiled] == []


# One read of each kind: a list, a filtered list, an item, a CSV twin, JSON-stat, a
# sub-resource, search, a list that serializes a response model.
VALID = [
    "/v1/observations?indicator=gdp&lang=en",
    "/v1/observations/gdp-2024",
    "/v1/observations.csv?region=140700",
    "/v1/observations?format=jsonstat&indicator=gdp",
    "/v1/indicators/gdp/observations?latest=true",
    "/v1/indicators?topic=economy",
    "/v1/regions/140700",
    "/v1/search?q=GDP",
    "/v1/checks",
]


@pytest.mark.parametrize("path", VALID)
def test_valid_reads_take_the_plan(planned: TestClient, walks: list[str], path: str) -> None:
    assert planned.get(path).status_code == 200
    assert walks == []


@pytest.mark.parametrize("path", VALID)
def test_without_fast_reads_fastapi_walks_every_read(
    unplanned: TestClient, walks: list[str], path: str
) -> None:
    assert unplanned.get(path).status_code == 200
    assert walks  # the switch is read: these requests were FastAPI's


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/v1/observations?limit=-1", 422),
        ("/v1/observations?indicator=GDP%20growth", 422),
        ("/v1/observations?qualifier=roughly", 422),
        ("/v1/observations/gdp-2024?as_of=yesterday", 422),
    ],
)
def test_invalid_parameters_go_to_fastapi(
    planned: TestClient, walks: list[str], path: str, status: int
) -> None:
    answer = planned.get(path)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    assert walks  # FastAPI's handler answered, with its own 422


def test_refusals_raised_by_dependencies_are_the_same(planned: TestClient) -> None:
    # Valid parameters, refused by a dependency (an unknown one, a rule across two):
    # raised in the plan, answered by the same exception handlers.
    unknown = planned.get("/v1/observations?colour=red")
    assert unknown.status_code == 400
    assert "colour" in unknown.json()["detail"]
    across = planned.get("/v1/observations?shape=wide")
    assert across.status_code == 422
    assert across.json()["errors"][0]["name"] == "shape"


def test_overridden_dependencies_are_honoured(seeded_url: str, walks: list[str]) -> None:
    app = create_app(Settings(database_url=seeded_url, response_cache_mb=0))
    app.dependency_overrides[get_language] = lambda: Language.en
    with TestClient(app) as client:
        answer = client.get("/v1/regions/140700")
    assert answer.json()["name"] == "Jinzhong"
    assert walks  # FastAPI's handler, which reads the overrides
