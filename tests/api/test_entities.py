"""GET /v1/entities and /v1/entities/{code}: filters, the whole JSON of one entity, and every
link in both directions (entity ↔ region, entity ↔ entity, entity ↔ event/observation/quote)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

BASE = "http://testserver"


def codes(client: TestClient, path: str, **params: Any) -> list[str]:
    response = client.get(path, params={"limit": 1000, **params})
    assert response.status_code == 200, response.text
    return [item["code"] for item in response.json()["items"]]


def test_get_entity_contract(client: TestClient) -> None:
    assert client.get("/v1/entities/zuoquan-walnut").json() == {
        "code": "zuoquan-walnut",
        "kind": "product",
        "name": "左权核桃",
        "name_zh": "左权核桃",
        "name_en": "Zuoquan walnuts",
        "url": f"{BASE}/v1/entities/zuoquan-walnut",
        "description": "可借阳涉铁路外运的特产。",
        "description_zh": "可借阳涉铁路外运的特产。",
        "description_en": "A local speciality that can now leave by the Yangshe railway.",
        "source": "jzrb-2025-10-24-p03",
        "quote": "左权核桃、和顺肉牛等特产可借铁路外运",
        "regions": [
            {
                "code": "140722",
                "name": "左权县",
                "name_zh": "左权县",
                "name_en": "Zuoquan County",
                "quote": "左权核桃",
                "url": f"{BASE}/v1/regions/140722",
            }
        ],
        "topics": ["economy"],
        "people": [],
        "related": [
            {
                "code": "rail-culture-tourism",
                "kind": "initiative",
                "name": '"铁路+文旅"',
                "name_zh": '"铁路+文旅"',
                "name_en": '"Railway plus culture and tourism"',
                "url": f"{BASE}/v1/entities/rail-culture-tourism",
                "relation": "features",
                "direction": "incoming",
                "quote": "左权核桃、和顺肉牛等特产可借铁路外运",
            }
        ],
        "events": [],
        "observations": [],
        "quotes": [],
        "events_url": f"{BASE}/v1/events?entity=zuoquan-walnut",
        "observations_url": f"{BASE}/v1/observations?entity=zuoquan-walnut",
    }


def test_list_entities_filters(client: TestClient) -> None:
    products = codes(client, "/v1/entities", kind="product")
    assert products == ["heshun-beef-cattle", "jinzhong-gas", "zuoquan-walnut"]
    in_zuoquan = codes(client, "/v1/entities", region="140722")
    assert {"yangshe-railway", "sanjiang-coal-shed", "zuoquan-jishan-pumped-storage"} <= set(
        in_zuoquan
    )
    assert "heshun-beef-cattle" not in in_zuoquan
    environment = codes(client, "/v1/entities", topic="environment")
    assert environment == ["clean-heating-conversion"]
    for params in ({"kind": "person"}, {"region": "999999"}, {"topic": "sport"}):
        assert client.get("/v1/entities", params=params).status_code == 422


def test_entity_organisation_lists_people_with_roles(client: TestClient) -> None:
    body = client.get("/v1/entities/jinzhong-ndrc", params={"lang": "en"}).json()
    people = {p["code"]: (p["name"], p["role_zh"]) for p in body["people"]}
    assert people == {
        "han-liang": ("Han Liang", "市发改委党组书记、主任"),
        "wang-jing": ("Wang Jing", "市发改委分管副主任"),
    }


def test_entity_links_both_directions(client: TestClient) -> None:
    railway = client.get("/v1/entities/yangshe-railway").json()
    told = {e: client.get(f"/v1/events/{e}").json()["source"] for e in railway["events"]}
    assert {e for e, source in told.items() if source == "jzrb-2025-10-24-p03"} == {
        "sanjiang-coal-shed-relocated", "level-crossings-surveyed", "yangshe-railway-opens",
    }  # fmt: skip
    # The other accounts of the opening are tied to it too.
    assert "yangshe-opening-day-article-first-passenger-train" in told
    assert set(railway["observations"]) == {
        "passenger-rail-wait-2025-01-27", "railway-load-factor-spring-festival-2025",
    }  # fmt: skip
    ties = {(r["code"], r["relation"], r["direction"]) for r in railway["related"]}
    assert ("jinzhong-ndrc", "promoted_by", "outgoing") in ties
    assert ("sanjiang-coal-shed", "relocated_for", "incoming") in ties
    assert ("rail-culture-tourism", "uses", "incoming") in ties
    # ... and back: each linked record names the railway.
    for event in railway["events"]:
        assert "yangshe-railway" in client.get(f"/v1/events/{event}").json()["entities"]
    for observation in railway["observations"]:
        assert "yangshe-railway" in client.get(f"/v1/observations/{observation}").json()["entities"]
    commission = client.get("/v1/entities/jinzhong-ndrc").json()
    assert ("yangshe-railway", "promoted_by", "incoming") in {
        (r["code"], r["relation"], r["direction"]) for r in commission["related"]
    }
    assert set(codes(client, "/v1/observations", entity="yangshe-railway")) == set(
        railway["observations"]
    )
    assert set(codes(client, "/v1/events", entity="yangshe-railway")) == set(railway["events"])


def test_entity_every_link_carries_a_quote_from_the_source(client: TestClient) -> None:
    text = "".join(client.get("/v1/sources/jzrb-2025-10-24-p03/text").text.split())
    for code in codes(client, "/v1/entities"):
        body = client.get(f"/v1/entities/{code}").json()
        quotes = [body["quote"]] + [r["quote"] for r in body["regions"]]
        quotes += [r["quote"] for r in body["related"]] + [p["quote"] for p in body["people"]]
        for quote in quotes:
            assert "".join(quote.split()) in text, (code, quote)


def test_get_entity_unknown_is_404(client: TestClient) -> None:
    assert client.get("/v1/entities/nope").status_code == 404


@pytest.mark.parametrize("entity", ["winning-bid-loan", "yushe-wuxiang-cbm-block"])
def test_entity_quotes_link_back(client: TestClient, entity: str) -> None:
    body = client.get(f"/v1/entities/{entity}").json()
    assert body["quotes"]
    for quote in body["quotes"]:
        assert client.get(f"/v1/quotes/{quote}").json()["entity"] == entity
