"""GET /v1/observations and /v1/observations/{code}: the whole contract of one observation,
every filter, sorting, latest-per-series, and the indicator sub-list."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.schemas.common import Page
from app.schemas.resources import ObservationRead
from app.seed.loader import load_bundle
from tests.support.seed import SEED_DIR, SOURCE_CODE

BASE = "http://testserver"


def codes(client: TestClient, path: str = "/v1/observations", **params: Any) -> list[str]:
    response = client.get(path, params={"limit": 1000, **params})
    assert response.status_code == 200, response.text
    return [item["code"] for item in response.json()["items"]]


def report_codes(client: TestClient, path: str = "/v1/observations", **params: Any) -> list[str]:
    """`codes` among the report's figures: what these tests pin, whatever other sources add."""
    return codes(client, path, source=SOURCE_CODE, **params)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    "path", ["/v1/observations", "/v1/indicators/urban_rural_income_ratio/observations"]
)
def test_observation_lists_are_exactly_their_response_model(
    client: TestClient, path: str, lang: str
) -> None:
    # The observation routes build their JSON from rows, without the model: hold every item,
    # derived ones included, and the envelope to the documented schema, key for key.
    body = client.get(path, params={"lang": lang, "limit": 1000}).json()
    assert body["items"]
    assert any(item["derived"] for item in body["items"])
    assert Page[ObservationRead].model_validate(body).model_dump(mode="json") == body
    for item in body["items"]:
        one = client.get(f"/v1/observations/{item['code']}", params={"lang": lang}).json()
        assert one == item
        assert ObservationRead.model_validate(one).model_dump(mode="json") == one


def test_get_observation_contract(client: TestClient) -> None:
    assert client.get("/v1/observations/gdp-2024").json() == {
        "code": "gdp-2024",
        "indicator": "gdp",
        "indicator_name": "地区生产总值",
        "indicator_name_zh": "地区生产总值",
        "indicator_name_en": "Gross regional product",
        "region": "140700",
        "region_name": "晋中市",
        "region_name_zh": "晋中市",
        "region_name_en": "Jinzhong",
        "regions": ["140700"],
        "period": "2024",
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "period_precision": "year",
        "value": 2458.8,
        "value_max": None,
        "unit": "亿元",  # as printed, whatever the language
        "unit_code": "cny_100m",
        "unit_name": "亿元",
        "unit_name_zh": "亿元",
        "unit_name_en": "100 million yuan",
        "value_as_published": "2458.8",
        "normalized_value": 245880000000.0,
        "normalized_value_max": None,
        "normalized_unit": "CNY",
        "qualifier": "exact",
        "derived": False,
        "derivation": None,
        "entities": [],
        "note": None,
        "source": "jzrb-2025-10-24-p03",
        "quote": "2024年,全市完成地区生产总值2458.8亿元",
        "conflict_note": None,
        "locator": None,
        # The statistics bureau's bulletin gives the same point, and heads it.
        "witness_of": "jinzhong-bulletin-2024-gdp-140700-2024",
        "agreement": "equal",
        "witnesses_url": f"{BASE}/v1/observations?indicator=gdp&region=140700&start=2024"
        "&end=2024&witnesses=true",
        "url": f"{BASE}/v1/observations/gdp-2024",
        "topic": "economy",
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_observation_topic_is_its_indicators_topic(client: TestClient, lang: str) -> None:
    # A client groups figures by topic from the figures alone (the dashboard's first screen
    # does), so every figure of the seed, witnesses included, names its indicator's topic.
    bundle = load_bundle(SEED_DIR)
    topic_of = {indicator.code: indicator.topic for indicator in bundle.indicators}
    items = client.get(
        "/v1/observations", params={"witnesses": "true", "all": "true", "lang": lang}
    ).json()["items"]
    assert len(items) == len(bundle.observations)
    assert {item["code"]: item["topic"] for item in items} == {
        item["code"]: topic_of[item["indicator"]] for item in items
    }


def test_list_observations_latest_for_jinzhong_shows_2024_gdp(client: TestClient) -> None:
    body = client.get("/v1/observations", params={"region": "140700", "latest": "true"}).json()
    gdp = [o for o in body["items"] if o["indicator"] == "gdp"]
    assert [(o["value"], o["unit"], o["period"]) for o in gdp] == [(2458.8, "亿元", "2024")]
    # The statistics bureau's figure heads the point; the report's is its witness, equal.
    assert (gdp[0]["source"], gdp[0]["witness_of"]) == ("jinzhong-bulletin-2024", None)
    assert gdp[0]["quote"] is None
    assert gdp[0]["locator"].startswith("一、综 合")
    witnesses = client.get(gdp[0]["witnesses_url"].removeprefix(BASE)).json()["items"]
    assert [(o["code"], o["witness_of"], o["agreement"]) for o in witnesses] == [
        ("gdp-2024", gdp[0]["code"], "equal"),
        (gdp[0]["code"], None, None),
    ]
    assert "2458.8亿元" in witnesses[0]["quote"]


def test_list_observations_latest_keeps_one_per_indicator_and_region(client: TestClient) -> None:
    everything = client.get("/v1/observations", params={"limit": 1000}).json()["items"]
    latest = client.get("/v1/observations", params={"limit": 1000, "latest": True}).json()["items"]
    series = {(o["indicator"], o["region"]) for o in everything}
    assert len(latest) == len(series)
    ratio = [o for o in latest if o["indicator"] == "urban_rural_income_ratio"]
    assert [o["period"] for o in ratio] == ["2024"]  # not the derived 2020 value


def test_list_observations_filter_by_repeated_indicator(client: TestClient) -> None:
    assert set(report_codes(client, indicator=["gdp", "urban_rural_income_ratio"])) == {
        "gdp-2024", "urban-rural-income-ratio-2024", "urban-rural-income-ratio-2020",
    }  # fmt: skip


def test_list_observations_filter_by_region_matches_every_region_concerned(
    client: TestClient,
) -> None:
    wuxiang = report_codes(client, region="140429")  # in Changzhi, shares the coalbed-methane block
    assert set(wuxiang) == {
        "coalbed-methane-depth-yushe-wuxiang",
        "coalbed-methane-capacity-yushe-wuxiang",
    }
    both = report_codes(client, region=["140429", "140722"])
    assert set(both) == {
        *wuxiang, "passenger-rail-wait-2025-01-27", "railway-load-factor-spring-festival-2025",
    }  # fmt: skip


def test_list_observations_filter_by_topic(client: TestClient) -> None:
    body = client.get("/v1/observations", params={"topic": "environment"}).json()
    assert [o["code"] for o in body["items"]] == ["loose-coal-burning-avoided-2021-2025"]


def test_list_observations_filter_by_qualifier(client: TestClient) -> None:
    assert report_codes(client, qualifier="approximately") == [
        "gdp-increase-2020-2024",
        "urban-rural-income-ratio-2020",  # derived from inputs printed to 0.01
    ]
    assert report_codes(client, qualifier="more_than") == ["foreign-trade-enterprises-2021-2025"]


def test_list_observations_filter_by_period_range(client: TestClient) -> None:
    in_2024 = report_codes(client, start="2024", end="2024")
    assert set(in_2024) == {"gdp-2024", "urban-rural-income-ratio-2024"}
    in_2025 = report_codes(client, start="2025-01", end="2025-12-31")
    assert set(in_2025) == {
        "passenger-rail-wait-2025-01-27", "railway-load-factor-spring-festival-2025",
        "winning-bid-loan-xingze-2025-09",
    }  # fmt: skip
    until_2020 = report_codes(client, end="2020")
    assert until_2020 == ["urban-rural-income-ratio-2020"]


def test_list_observations_sort(client: TestClient) -> None:
    body = client.get(
        "/v1/observations", params={"sort": "-value", "limit": 3, "source": SOURCE_CODE}
    ).json()
    values = [o["value"] for o in body["items"]]
    assert values == sorted(values, reverse=True)
    assert values[0] == 2458.8
    by_period = client.get("/v1/observations", params={"sort": "period,code", "limit": 1000}).json()
    ends = [o["period_end"] for o in by_period["items"]]
    assert ends == sorted(ends)


def test_list_observations_default_order_is_indicator_region_period(client: TestClient) -> None:
    items = client.get("/v1/observations", params={"limit": 1000}).json()["items"]
    keys = [(o["indicator"], o["region"], o["period_end"]) for o in items]
    assert keys == sorted(keys)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"indicator": "gpd"}, "indicator"),
        ({"region": "140799"}, "region"),
        ({"topic": "sport"}, "topic"),
        ({"qualifier": "roughly"}, "qualifier"),
        ({"start": "2024-13"}, "start"),
        ({"end": "last year"}, "end"),
        ({"start": "2025", "end": "2024"}, "end"),
        ({"sort": "colour"}, "sort"),
        ({"latest": "perhaps"}, "latest"),
    ],
)
def test_list_observations_bad_values_are_422_naming_the_parameter(
    client: TestClient, params: dict[str, str], name: str
) -> None:
    response = client.get("/v1/observations", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert [e["name"] for e in problem["errors"]] == [name]
    assert name in problem["detail"]


def test_indicator_observations_lists_only_that_indicator(client: TestClient) -> None:
    items = codes(client, "/v1/indicators/urban_rural_income_ratio/observations")
    assert set(items) == {"urban-rural-income-ratio-2024", "urban-rural-income-ratio-2020"}
    latest = codes(client, "/v1/indicators/urban_rural_income_ratio/observations", latest=True)
    assert latest == ["urban-rural-income-ratio-2024"]


def test_indicator_observations_unknown_indicator_is_404(client: TestClient) -> None:
    response = client.get("/v1/indicators/gpd/observations")
    assert response.status_code == 404
    assert "gpd" in response.json()["detail"]


def test_indicator_observations_rejects_indicator_parameter(client: TestClient) -> None:
    response = client.get("/v1/indicators/gdp/observations", params={"indicator": "gdp"})
    assert response.status_code == 400


def test_list_observations_sort_descending_and_several_keys(client: TestClient) -> None:
    items = client.get("/v1/observations", params={"sort": "-period", "limit": 1000}).json()[
        "items"
    ]
    keys = [(o["period_end"], o["period_start"] or "") for o in items]
    assert keys == sorted(keys, reverse=True)
    items = client.get("/v1/observations", params={"sort": "region,-value", "limit": 1000}).json()[
        "items"
    ]
    keys = [(o["region"], -o["value"]) for o in items]
    assert keys == sorted(keys)


@pytest.mark.parametrize("name", ["topic", "start", "qualifier", "latest", "sort"])
def test_list_observations_repeating_a_single_value_parameter_is_422(
    client: TestClient, name: str
) -> None:
    values = {
        "topic": "energy",
        "start": "2024",
        "qualifier": "exact",
        "latest": "true",
        "sort": "value",
    }
    response = client.get("/v1/observations", params=[(name, values[name]), (name, values[name])])
    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == name


def test_list_observations_period_filters_take_ascii_digits_only(client: TestClient) -> None:
    response = client.get("/v1/observations", params={"start": "٢٠٢٤"})
    assert response.status_code == 422


@pytest.mark.parametrize(
    "bounds", [{"start": "2024"}, {"end": "2024"}, {"start": "2020", "end": "2025"}]
)
def test_latest_within_a_period(client: TestClient, bounds: dict[str, str]) -> None:
    # The most recent figure among those in the period, per indicator and region.
    within = client.get("/v1/observations", params={"limit": 1000, **bounds}).json()["items"]
    latest = client.get(
        "/v1/observations", params={"limit": 1000, "latest": "true", **bounds}
    ).json()["items"]
    assert latest
    assert {o["code"] for o in latest} <= {o["code"] for o in within}
    for item in within:
        for region in item["regions"]:
            newest = max(
                (
                    o
                    for o in within
                    if o["indicator"] == item["indicator"] and region in o["regions"]
                ),
                key=lambda o: (o["period_end"], o["period_start"] or ""),
            )
            assert newest["code"] in {o["code"] for o in latest}


def test_list_observations_filter_by_source(client: TestClient) -> None:
    aggregator = client.get(
        "/v1/observations", params={"source": "jinzhong-gdp-aggregator", "limit": 1000}
    ).json()
    assert aggregator["total"] > 0
    assert {o["source"] for o in aggregator["items"]} == {"jinzhong-gdp-aggregator"}
    # Its figures give locators, not quotes: its text is not ours to store.
    assert all(o["quote"] is None and o["locator"] for o in aggregator["items"])
    both = client.get(
        "/v1/observations",
        params={"source": [SOURCE_CODE, "jinzhong-gdp-aggregator"], "limit": 0},
    ).json()["total"]
    report = client.get("/v1/observations", params={"source": SOURCE_CODE, "limit": 0}).json()
    assert both == report["total"] + aggregator["total"]
    unknown = client.get("/v1/observations", params={"source": "no-such-source"})
    assert unknown.status_code in (404, 422)
    assert "no-such-source" in unknown.json()["detail"]


def _query_names(spec: dict[str, Any], path: str) -> set[str]:
    parameters = spec["paths"][path]["get"].get("parameters", [])
    return {p["name"] for p in parameters if p["in"] == "query"}


def test_indicator_observations_take_every_parameter_of_observations(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    everything = _query_names(spec, "/v1/observations")
    one_indicator = _query_names(spec, "/v1/indicators/{code}/observations")
    assert {"as_of", "lang", "transform", "within"} <= everything
    assert everything - {"indicator"} == one_indicator


@pytest.mark.parametrize("as_of", ["2025-06-01", "2025-10-24T12:00:00+08:00", "2026-01-01"])
def test_indicator_observations_as_of_agrees_with_observations(
    client: TestClient, as_of: str
) -> None:
    params = {"as_of": as_of, "witnesses": "true", "limit": 1000}
    response = client.get("/v1/indicators/gdp/observations", params=params)
    assert response.status_code == 200, response.text
    expected = client.get("/v1/observations", params={**params, "indicator": "gdp"}).json()
    assert expected["items"]
    assert response.json()["items"] == expected["items"]
    assert response.json()["total"] == expected["total"]


def test_indicator_observations_as_of_answers_as_the_data_stood(client: TestClient) -> None:
    # Before the report was published (2025-10-24), its 2024 figure was not known.
    now = codes(client, "/v1/indicators/gdp/observations", witnesses="true")
    then = codes(client, "/v1/indicators/gdp/observations", witnesses="true", as_of="2025-06-01")
    assert "gdp-2024" in now
    assert "gdp-2024" not in then
    assert set(then) < set(now)
