"""Caching: an ETag from the data version and the normalized request; If-None-Match and
If-Modified-Since answer 304 before any query runs; Last-Modified, Cache-Control and Vary on
every data response; a change of data changes every ETag."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.api.v1 import regions
from app.config import Settings
from app.main import JinzhongAPI, create_app
from app.seed.sync import seed_database
from tests.support.seed import SEED_DIR, edit


def test_etag_and_cache_headers(client: TestClient) -> None:
    response = client.get("/v1/regions")
    assert response.headers["etag"].startswith('W/"')
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["last-modified"].endswith(" GMT")
    vary = [v.strip() for v in response.headers["vary"].split(",")]
    assert {"Accept", "Accept-Language", "Accept-Encoding"} <= set(vary)
    assert len(vary) == len(set(vary))


def test_if_none_match_gives_304(client: TestClient) -> None:
    etag = client.get("/v1/observations/gdp-2024").headers["etag"]
    response = client.get("/v1/observations/gdp-2024", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    assert (
        client.get("/v1/observations/gdp-2024", headers={"If-None-Match": '"other"'}).status_code
        == 200
    )
    assert (
        client.get(
            "/v1/observations/gdp-2024", headers={"If-None-Match": f'"x", {etag}'}
        ).status_code
        == 304
    )
    assert (
        client.get("/v1/observations/gdp-2024", headers={"If-None-Match": "*"}).status_code == 304
    )


def test_if_modified_since_gives_304(client: TestClient) -> None:
    last_modified = client.get("/v1/topics").headers["last-modified"]
    assert client.get("/v1/topics", headers={"If-Modified-Since": last_modified}).status_code == 304
    earlier = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get("/v1/topics", headers={"If-Modified-Since": earlier}).status_code == 200
    assert client.get("/v1/topics", headers={"If-Modified-Since": "not a date"}).status_code == 200


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"params": {"limit": 5}}, {"params": {"limit": 6}}),
        ({"params": {"lang": "zh"}}, {"params": {"lang": "en"}}),
        ({"headers": {"Accept-Language": "zh"}}, {"headers": {"Accept-Language": "en"}}),
        ({"params": {"format": "csv"}}, {"params": {}}),
        ({"headers": {"Accept": "text/csv"}}, {"headers": {"Accept": "application/json"}}),
    ],
)
def test_etag_differs_by_representation(client: TestClient, first: dict, second: dict) -> None:
    assert (
        client.get("/v1/regions", **first).headers["etag"]
        != client.get("/v1/regions", **second).headers["etag"]
    )


def test_etag_ignores_parameter_order(client: TestClient) -> None:
    a = client.get("/v1/observations?region=140700&latest=true").headers["etag"]
    b = client.get("/v1/observations?latest=true&region=140700").headers["etag"]
    assert a == b


def test_304_runs_no_query(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    etag = client.get("/v1/regions").headers["etag"]

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the endpoint ran")

    monkeypatch.setattr(regions, "list_regions", refuse)
    assert client.get("/v1/regions", headers={"If-None-Match": etag}).status_code == 304


def test_errors_carry_no_cache_validators(client: TestClient) -> None:
    response = client.get("/v1/regions/000000")
    assert response.status_code == 404
    assert "etag" not in response.headers


@pytest.fixture
def fresh_client(migrated_engine: Engine) -> Iterator[TestClient]:
    seed_database(migrated_engine, SEED_DIR)
    settings = Settings(
        database_url=str(migrated_engine.url), data_version_ttl=0, cache_max_age=123
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_cache_max_age_is_a_setting(fresh_client: TestClient) -> None:
    assert fresh_client.get("/v1/units").headers["cache-control"] == "public, max-age=123"


def test_a_data_change_changes_every_etag(
    fresh_client: TestClient, migrated_engine: Engine, seed_copy: Path
) -> None:
    before = {p: fresh_client.get(p).headers["etag"] for p in ("/v1/units", "/v1/regions/140700")}
    modified = fresh_client.get("/v1/units").headers["last-modified"]
    edit(seed_copy, "topics.yaml", "name_en: Energy", "name_en: Energy supply")
    seed_database(migrated_engine, seed_copy)
    for path, etag in before.items():
        response = fresh_client.get(path, headers={"If-None-Match": etag})
        assert response.status_code == 200
        assert response.headers["etag"] != etag
    # Even within the same second as the first seed, the change has a later Last-Modified.
    assert fresh_client.get("/v1/units", headers={"If-Modified-Since": modified}).status_code == 200


@pytest.mark.parametrize(
    ("path", "status"),
    [("/v1/regions/000000", 404), ("/v1/regions?bogus=1", 400), ("/v1/regions?lang=xx", 422),
     ("/v1/regions?format=jsonstat", 422)],
)  # fmt: skip
@pytest.mark.parametrize(
    "condition", [{"If-None-Match": "*"}, {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}]
)
def test_conditions_never_hide_an_error(
    client: TestClient, path: str, status: int, condition: dict
) -> None:
    assert client.get(path, headers=condition).status_code == status


@pytest.mark.parametrize(
    "date",
    [
        "Fri Jan  1 00:00:00 2100",
        "Fri, 01 Jan 2100 00:00:00 -0000",
        "Friday, 01-Jan-00 00:00:00 GMT",
    ],
)
def test_if_modified_since_reads_every_http_date_form(client: TestClient, date: str) -> None:
    response = client.get("/v1/topics", headers={"If-Modified-Since": date})
    assert response.status_code in {200, 304}  # never a 500
    if "2100" in date:
        assert response.status_code == 304


def test_etag_depends_on_the_base_url(client: TestClient) -> None:
    plain = client.get("/v1/regions/140700").headers["etag"]
    # Another host the app serves (by default, the local names).
    proxied = client.get("/v1/regions/140700", headers={"Host": "localhost:8000"}).headers["etag"]
    assert plain != proxied


def test_repeated_request_is_served_from_memory(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = client.get("/v1/regions", params={"parent": "140400"})
    # Kept the second time it is asked for (a request seen once is not kept).
    assert client.get("/v1/regions", params={"parent": "140400"}).content == first.content

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the endpoint ran")

    monkeypatch.setattr(regions, "list_regions", refuse)
    again = client.get("/v1/regions", params={"parent": "140400"})
    assert again.status_code == 200
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    with pytest.raises(AssertionError, match="the endpoint ran"):  # a new request runs it
        client.get("/v1/regions", params={"parent": "140700"})


@dataclass
class Runs:
    """How many times the region list's service ran."""

    count: int = 0


@pytest.fixture
def region_list_runs(monkeypatch: pytest.MonkeyPatch) -> Runs:
    """Counts the runs of the service behind /v1/regions from now on."""
    runs = Runs()
    real = regions.list_regions

    def counted(*args: object, **kwargs: object) -> object:
        runs.count += 1
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(regions, "list_regions", counted)
    return runs


def test_a_request_seen_once_is_not_kept(seeded_url: str, region_list_runs: Runs) -> None:
    # Distinct queries (a sweep, a crawler) leave nothing in memory and cost no copy.
    app = create_app(Settings(database_url=seeded_url))
    with TestClient(app) as http:
        for parent in ("140000", "140400", "140700"):
            assert http.get("/v1/regions", params={"parent": parent}).status_code == 200
        assert isinstance(app, JinzhongAPI)
        assert app.front_door is not None
        assert app.front_door.memory.entries == {}
        before = region_list_runs.count
        for _ in range(3):
            http.get("/v1/regions", params={"parent": "140700"})
    # The second asking computed and kept it; the third was replayed.
    assert region_list_runs.count - before == 1
    assert len(app.front_door.memory.entries) == 1


def test_fast_path_keeps_within_its_budget(tmp_path: Path, seeded_url: str) -> None:
    settings = Settings(database_url=seeded_url, response_cache_mb=0.01)  # about 10 KB
    app = create_app(settings)
    with TestClient(app) as small:
        for parent in ("140000", "140400", "140700", "140000", "140400", "140700"):
            small.get("/v1/regions", params={"parent": parent})
        for _ in range(2):  # a body larger than the whole budget is not kept
            small.get("/v1/observations")
        assert isinstance(app, JinzhongAPI)
        assert app.front_door is not None
        fast_path = app.front_door.memory
        assert fast_path.entries  # something was kept
        assert fast_path.used <= 10 * 1024 * 1.05
        assert all(len(kept.body) <= fast_path.budget for kept in fast_path.entries.values())


def test_fast_path_answers_if_none_match_and_head(client: TestClient) -> None:
    first = client.get("/v1/regions/140400")
    again = client.get("/v1/regions/140400", headers={"If-None-Match": first.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == first.headers["etag"]
    head = client.head("/v1/regions/140400")
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == first.headers["content-length"]


def test_fast_path_computes_concurrent_identical_requests_once(
    seeded_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio
    import threading
    import time as clock

    import httpx2 as httpx

    calls = 0
    lock = threading.Lock()
    real = regions.list_regions

    def counted(*args: object, **kwargs: object) -> object:
        nonlocal calls
        with lock:
            calls += 1
        clock.sleep(0.2)  # long enough for the others to arrive meanwhile
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(regions, "list_regions", counted)
    app = create_app(Settings(database_url=seeded_url))

    async def burst() -> list[int]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                responses = await asyncio.gather(
                    *(http.get("/v1/regions?parent=140700") for _ in range(8))
                )
        return [r.status_code for r in responses]

    assert asyncio.run(burst()) == [200] * 8
    assert calls == 1


def test_fast_path_keys_on_every_header_value(client: TestClient) -> None:
    path = "/v1/regions/140702"
    assert (
        client.get(path, headers=[("Accept-Language", "zh"), ("Accept-Language", "en")]).status_code
        == 200
    )
    english = client.get(path, headers={"Accept-Language": "en"})
    assert english.json()["name"] == "Yuci District"
    assert english.headers["content-language"] == "en"


def test_fast_path_304_keeps_cors_headers(client: TestClient) -> None:
    origin = {"Origin": "http://dashboard.test"}
    first = client.get("/v1/regions/140703", headers=origin)
    again = client.get(
        "/v1/regions/140703", headers={**origin, "If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.headers["access-control-allow-origin"] == "*"


def test_fast_path_accounts_replacements(seeded_url: str) -> None:
    app = create_app(Settings(database_url=seeded_url, response_cache_mb=1))
    with TestClient(app) as http:
        for _ in range(20):  # each If-Modified-Since recomputes and replaces the entry
            http.get("/v1/topics", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
        assert isinstance(app, JinzhongAPI)
        assert app.front_door is not None
        fast_path = app.front_door.memory
        assert fast_path.entries  # something was kept
        assert fast_path.used == sum(kept.cost for kept in fast_path.entries.values())
        assert len(fast_path.entries) == 1


def test_a_304_lists_its_headers_as_its_200_does(seeded_url: str) -> None:
    # Computed afresh (no response memory) or replayed from memory (the 200 is kept at its
    # second asking), a 304 repeats the 200's validators in the 200's order: a client or a
    # doc comparing answers sees one shape.
    path = "/v1/observations/gdp-2024"
    for budget in (0, 1):
        app = create_app(Settings(database_url=seeded_url, response_cache_mb=budget))
        assert isinstance(app, JinzhongAPI)
        with TestClient(app) as c:
            for _ in range(2):
                ok = c.get(path)
            assert app.front_door is not None
            assert bool(app.front_door.memory.entries) == bool(budget)
            not_modified = c.get(path, headers={"If-None-Match": ok.headers["etag"]})
            assert not_modified.status_code == 304
            names = [k for k, _ in not_modified.headers.multi_items() if k != "date"]
            repeated = [k for k, _ in ok.headers.multi_items() if k in names]
            assert names[: len(repeated)] == repeated, budget


def test_a_request_with_credentials_is_never_replayed(
    seeded_url: str, region_list_runs: Runs
) -> None:
    # An answer to a request that carries credentials is the app's to give each time: the
    # memory's key does not name them, so a kept answer could reach another caller.
    app = create_app(Settings(database_url=seeded_url))
    with TestClient(app) as http:
        for credentials in ({"Authorization": "Bearer someone"}, {"Cookie": "session=someone"}):
            for _ in range(3):
                answer = http.get("/v1/regions?parent=140700", headers=credentials)
                assert answer.status_code == 200
        assert isinstance(app, JinzhongAPI)
        assert app.front_door is not None
        assert app.front_door.memory.entries == {}
    assert region_list_runs.count == 6


def test_an_answer_whose_etag_is_not_the_data_version_is_not_kept(seeded_url: str) -> None:
    # A curated record's ETag is the record's own: an entry under it would never be
    # replayed (its version is never the data's), only take room.
    app = create_app(Settings(database_url=seeded_url))
    with TestClient(app) as http:
        for _ in range(3):
            record = http.get("/v1/observations/gdp-2024/record")
            assert record.status_code == 200
            assert record.headers["etag"]
        assert isinstance(app, JinzhongAPI)
        assert app.front_door is not None
        assert app.front_door.memory.entries == {}
        for _ in range(2):  # while a data answer asked for twice is kept
            assert http.get("/v1/observations/gdp-2024").status_code == 200
        assert len(app.front_door.memory.entries) == 1


def test_a_client_that_only_revalidates_is_answered_from_memory(seeded_url: str) -> None:
    # A dashboard's browser asks once, then only revalidates: the app answers 304s, and the
    # second of them is kept for that If-None-Match, so the third comes from memory.
    app = create_app(Settings(database_url=seeded_url))
    url = "/v1/regions?parent=140700"
    with TestClient(app) as http:
        etag = http.get(url).headers["etag"]
        assert isinstance(app, JinzhongAPI)
        assert app.front_door is not None
        memory = app.front_door.memory
        answers = [http.get(url, headers={"If-None-Match": etag}) for _ in range(3)]
        assert [answer.status_code for answer in answers] == [304, 304, 304]
        assert memory.replays == 1
        computed, replayed = (
            [(k, v) for k, v in answer.headers.multi_items() if k != "x-request-id"]
            for answer in answers[1:]
        )
        assert replayed == computed
        # Another ETag, or none, is not answered by that 304.
        other = http.get(url, headers={"If-None-Match": 'W/"another"'})
        assert (other.status_code, other.headers["etag"]) == (200, etag)
        assert http.get(url).status_code == 200
        assert memory.replays == 1
        # If-None-Match: * is the app's to judge each time: never kept.
        for _ in range(3):
            assert http.get(url, headers={"If-None-Match": "*"}).status_code == 304
        assert memory.replays == 1
