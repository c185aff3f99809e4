"""The list envelope: limit 0, the maximum, beyond the end, next/prev links and the Link header."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_pagination_defaults(client: TestClient) -> None:
    body = client.get("/v1/observations").json()
    assert (body["limit"], body["offset"]) == (50, 0)
    assert len(body["items"]) == min(body["total"], 50)
    assert body["links"]["prev"] is None


def test_pagination_limit_zero_gives_only_the_total(client: TestClient) -> None:
    response = client.get("/v1/observations", params={"limit": 0})
    body = response.json()
    assert body["items"] == []
    assert body["total"] == client.get("/v1/observations").json()["total"]
    assert "Link" not in response.headers


def test_pagination_maximum_and_beyond(client: TestClient) -> None:
    assert client.get("/v1/regions", params={"limit": 1000}).status_code == 200
    too_many = client.get("/v1/regions", params={"limit": 1001})
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["name"] == "limit"
    negative = client.get("/v1/regions", params={"offset": -1})
    assert negative.status_code == 422
    assert negative.json()["errors"][0]["name"] == "offset"


def test_pagination_walks_every_item_once(client: TestClient) -> None:
    seen: list[str] = []
    url: str | None = "/v1/regions?limit=5"
    pages = 0
    while url:
        response = client.get(url)
        body = response.json()
        seen += [r["code"] for r in body["items"]]
        url = body["links"]["next"]
        if url:
            assert f'<{url}>; rel="next"' in response.headers["Link"]
        pages += 1
    assert pages == 5
    assert sorted(seen) == seen
    assert len(set(seen)) == 25


def test_pagination_prev_link(client: TestClient) -> None:
    response = client.get("/v1/regions", params={"limit": 5, "offset": 5})
    body = response.json()
    assert body["links"]["prev"].endswith("limit=5&offset=0")
    assert 'rel="prev"' in response.headers["Link"]


def test_pagination_beyond_the_end(client: TestClient) -> None:
    body = client.get("/v1/regions", params={"limit": 5, "offset": 100}).json()
    assert body["items"] == []
    assert body["total"] == 25
    assert body["links"]["next"] is None
    assert body["links"]["prev"].endswith("offset=20")  # the last page that has items


def test_pagination_no_prev_when_nothing_matches(client: TestClient) -> None:
    body = client.get(
        "/v1/observations", params={"qualifier": "range", "topic": "energy", "offset": 10}
    ).json()
    assert (body["total"], body["links"]) == (0, {"next": None, "prev": None})


def test_pagination_links_keep_repeated_filters(client: TestClient) -> None:
    params = [("region", "140700"), ("region", "140721"), ("limit", "2")]
    response = client.get("/v1/observations", params=params)
    following = client.get(response.json()["links"]["next"]).json()
    assert following["offset"] == 2
    assert following["total"] == response.json()["total"]
    assert "region=140700&region=140721" in response.headers["Link"]


def test_pagination_huge_offset_is_422_not_500(client: TestClient) -> None:
    response = client.get("/v1/regions", params={"offset": 2**63})
    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "offset"
    assert client.get("/v1/regions", params={"offset": 10**12}).json()["items"] == []
