"""The routes are built once, when their modules are imported, and every app mounts its own
copies of them (app.api.routing.add_routes): no app builds them again, and each app's copies
answer to that app's dependency overrides.

Each copy shares its route's analysis (the dependant FastAPI made of the endpoint's
parameters and dependencies): that analysis was the time a new app's first request spent
when the routers were included instead."""

from __future__ import annotations

import fastapi.routing
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app.api import health
from app.api.deps import get_language
from app.api.v1 import ROUTES
from app.config import Settings
from app.main import create_app
from app.rules.languages import Language

BUILT = [*ROUTES, *health.router.routes]


def added(app: fastapi.FastAPI) -> list[APIRoute]:
    """The app's routes that came from the API's routers, in order."""
    names = {route.name for route in BUILT if isinstance(route, APIRoute)}
    return [route for route in app.routes if isinstance(route, APIRoute) and route.name in names]


def test_every_app_adds_copies_of_the_routes_built_at_import(seeded_url: str) -> None:
    first = create_app(Settings(database_url=seeded_url))
    second = create_app(Settings(database_url=seeded_url))
    for app in (first, second):
        routes = added(app)
        assert [route.path for route in routes] == [route.path for route in BUILT]
        for route, built in zip(routes, BUILT, strict=True):
            assert isinstance(built, APIRoute)
            assert route is not built
            assert route.dependant is built.dependant  # analysed once, at import
            assert route.dependency_overrides_provider is app
    assert not set(map(id, added(first))) & set(map(id, added(second)))


def test_a_new_apps_first_request_builds_no_route(
    seeded_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # FastAPI builds an included router's routes again at the first request that passes it:
    # a restart's /readyz waited for it.
    built: list[str] = []
    populate = fastapi.routing._populate_api_route_state

    def counted(route: object, path: str, *args: object, **kwargs: object) -> None:
        built.append(path)
        populate(route, path, *args, **kwargs)  # type: ignore[arg-type]

    app = create_app(Settings(database_url=seeded_url))
    monkeypatch.setattr(fastapi.routing, "_populate_api_route_state", counted)
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 200
        assert client.get("/v1/units").status_code == 200
    assert built == []


def test_each_app_answers_to_its_own_overrides(seeded_url: str) -> None:
    english, default = (
        create_app(Settings(database_url=seeded_url, response_cache_mb=0)) for _ in range(2)
    )
    english.dependency_overrides[get_language] = lambda: Language.en
    with TestClient(english) as overridden, TestClient(default) as plain:
        assert overridden.get("/v1/regions/140700").json()["name"] == "Jinzhong"
        assert plain.get("/v1/regions/140700").json()["name"] == "晋中市"


def test_a_dependency_is_analysed_once_for_the_routes_that_take_it() -> None:
    # app.api.fastapi_patches: one analysis per dependency, the parameter it is given to and
    # set of path parameter names.
    analyses: dict[tuple[frozenset[str], str | None], set[int]] = {}
    for route in BUILT:
        assert isinstance(route, APIRoute)
        for sub in route.dependant.dependencies:
            if sub.call is get_language:
                names = frozenset(route.param_convertors)
                analyses.setdefault((names, sub.name), set()).add(id(sub))
    assert sum(map(len, analyses.values())) == len(analyses)
    assert len(analyses) < sum(
        1
        for route in BUILT
        if isinstance(route, APIRoute)
        and any(sub.call is get_language for sub in route.dependant.dependencies)
    )
