"""GET /v1/events and /v1/events/{code}: a correct timeline of the report, its filters, and the
whole JSON of one event."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.support.seed import SOURCE_CODE

BASE = "http://testserver"


def codes(client: TestClient, **params: Any) -> list[str]:
    """The codes of the report's events that match `params` (other sources tell more)."""
    response = client.get("/v1/events", params={"limit": 1000, "source": SOURCE_CODE, **params})
    assert response.status_code == 200, response.text
    return [item["code"] for item in response.json()["items"]]


def test_get_event_contract(client: TestClient) -> None:
    assert client.get("/v1/events/yangshe-railway-opens").json() == {
        "code": "yangshe-railway-opens",
        "period": "2025-01-27",
        "period_start": "2025-01-27",
        "period_end": "2025-01-27",
        "period_precision": "day",
        "title": "阳涉铁路正式通车",
        "title_zh": "阳涉铁路正式通车",
        "title_en": "Yangshe Railway opens",
        "description": "老区群众期盼了75年的阳涉铁路正式通车,昔阳、和顺、左权从此告别无铁路客运历史。",
        "description_zh": "老区群众期盼了75年的阳涉铁路正式通车,昔阳、和顺、左权从此告别无铁路客运历史。",
        "description_en": "The Yangshe railway, awaited for 75 years by the people of the old base area, opens; Xiyang, Heshun and Zuoquan leave their history without passenger rail behind.",
        "regions": ["140724", "140723", "140722"],
        "topics": ["transport"],
        "entities": ["yangshe-railway"],
        "indicators": ["passenger_rail_wait_years"],
        "source": "jzrb-2025-10-24-p03",
        "quote": "这是一条老区群众期盼了75年的铁路,今年1月27日,阳涉铁路正式通车,铁路客运梦终于照进现实",
        "locator": None,
        "status": "happened",
        "note": None,
        "account_of": None,
        "conflict_note": None,
        "url": f"{BASE}/v1/events/yangshe-railway-opens",
    }


def test_list_events_is_the_reports_timeline(client: TestClient) -> None:
    timeline = codes(client)
    # The works before the opening, the opening, the September loan, then what the report
    # says had happened by its own date.
    assert timeline[:3] == [
        "level-crossings-surveyed", "sanjiang-coal-shed-relocated", "yangshe-railway-opens",
    ]  # fmt: skip
    assert timeline[3] == "xingze-winning-bid-loan"
    assert len(timeline) == 13
    items = client.get("/v1/events", params={"limit": 1000, "source": SOURCE_CODE}).json()["items"]
    ends = [e["period_end"] for e in items]
    assert ends == sorted(ends)
    assert {e["period"] for e in items[4:]} == {"../2025-10-24"}


def test_list_events_filters(client: TestClient) -> None:
    assert codes(client, start="2025-01-27", end="2025-01-27") == ["yangshe-railway-opens"]
    assert codes(client, start="2025-09") == ["xingze-winning-bid-loan"]
    assert codes(client, end="2025-01") == [
        "level-crossings-surveyed", "sanjiang-coal-shed-relocated", "yangshe-railway-opens",
    ]  # fmt: skip
    assert set(codes(client, region="140429")) == {
        "cbm-capacity-base-built",
        "cbm-network-joins-national-trunk",
    }
    assert codes(client, topic="business_environment") == [
        "xingze-winning-bid-loan", "full-agency-licences-in-three-days",
        "hotline-12345-national-model", "innovation-city-title-awarded",
        "inspection-measures-issued", "winning-bid-loan-platform-launched",
    ]  # fmt: skip
    assert codes(client, entity="zuoquan-jishan-pumped-storage") == [
        "jishan-pumped-storage-national"
    ]


def test_list_events_bad_filters_are_422(client: TestClient) -> None:
    for params in ({"start": "2025-13"}, {"start": "2025", "end": "2024"}, {"region": "1"},
                   {"topic": "sport"}, {"entity": "nope"}):  # fmt: skip
        response = client.get("/v1/events", params=params)
        assert response.status_code == 422, params
        assert response.json()["errors"][0]["name"] in params


def test_get_event_unknown_is_404(client: TestClient) -> None:
    assert client.get("/v1/events/nope").status_code == 404


def test_events_of_other_sources_give_locators_and_claims_stay_claims(client: TestClient) -> None:
    told = client.get(
        "/v1/events", params={"source": "yangshe-opening-day-article", "limit": 1000}
    ).json()["items"]
    assert told
    assert all(e["quote"] is None and e["locator"] for e in told)
    # Every moment of every source, in time order, the report's among them.
    everything = client.get("/v1/events", params={"limit": 1000}).json()["items"]
    ends = [e["period_end"] for e in everything]
    assert ends == sorted(ends)
    # The pre-opening announcement named a date that did not come true: a claim, not a fact.
    announced = client.get("/v1/events", params={"status": "announced"}).json()["items"]
    assert [(e["code"], e["period"]) for e in announced] == [
        ("yangshe-pre-opening-announcement-announced-opening", "2025-01-20")
    ]
    opened = client.get(
        "/v1/events", params={"start": "2025-01-27", "end": "2025-01-27", "status": "happened"}
    ).json()["items"]
    assert "yangshe-railway-opens" in [e["code"] for e in opened]
    assert client.get("/v1/events", params={"source": "nope"}).status_code in (404, 422)
