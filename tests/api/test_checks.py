"""GET /v1/checks and /v1/checks/{code}: the record's checks of itself, pinned by value
against the figures the API serves, and their filters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from tests.support.seed import SOURCE_CODE


def check(client: TestClient, code: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"/v1/checks/{code}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def value(client: TestClient, observation: str) -> Decimal:
    item = client.get(f"/v1/observations/{observation}").json()
    return Decimal(str(item["value"]))


def codes(client: TestClient, **params: Any) -> list[str]:
    response = client.get("/v1/checks", params={"limit": 1000, **params})
    assert response.status_code == 200, response.text
    return [item["code"] for item in response.json()["items"]]


def test_the_2024_sectors_sum_to_gdp_within_a_tenth(client: TestClient) -> None:
    found = check(client, "parts-sum-jinzhong-bulletin-2024-140700-2024")
    parts = [value(client, i["code"]) for i in found["inputs"]]
    gdp = value(client, found["expected_record"]["code"])
    assert Decimal(found["actual"]) == sum(parts)
    assert Decimal(found["expected"]) == gdp
    assert abs(sum(parts) - gdp) <= Decimal("0.1")
    assert found["verdict"] == "within_rounding"
    assert Decimal(found["tolerance"]) >= abs(sum(parts) - gdp)
    assert (found["unit"], found["unit_code"], found["actual_derived"]) == (
        "亿元",
        "cny_100m",
        True,
    )
    assert [i["name"] for i in found["inputs"]] == ["primary", "secondary", "tertiary"]
    assert found["inputs"][0]["url"].endswith(f"/v1/observations/{found['inputs'][0]['code']}")


def test_the_reports_2024_gdp_equals_the_bulletins(client: TestClient) -> None:
    found = check(client, "sources-agree-gdp-2024")
    assert found["inputs"][0]["code"] == "gdp-2024"  # the report's figure
    bulletin = found["expected_record"]["code"]
    assert client.get(f"/v1/observations/{bulletin}").json()["source"] == "jinzhong-bulletin-2024"
    assert value(client, "gdp-2024") == value(client, bulletin)
    assert (found["verdict"], found["actual_derived"]) == ("equal", False)
    assert "sources-agree-gdp-2024" in codes(client, source=SOURCE_CODE, indicator="gdp")


def test_nearly_a_thousand_yi_since_2020_holds_against_the_2020_level(client: TestClient) -> None:
    found = check(client, "level-change-gdp-increase-2020-2024")
    later, change = (value(client, i["code"]) for i in found["inputs"])
    earlier = value(client, found["expected_record"]["code"])
    assert Decimal(found["actual"]) == later - change  # the 2020 level, derived
    assert Decimal(found["expected"]) == earlier
    assert found["verdict"] == "consistent"  # 近千亿 is an approximate figure
    assert abs(later - change - earlier) <= Decimal(found["tolerance"])
    assert "(derived)" in found["sentence_en"]
    assert "(推算)" in found["sentence_zh"]


def test_rates_and_natural_growth_by_value(client: TestClient) -> None:
    for source, region, period in [
        ("jinzhong-bulletin-2024", "140700", "2024"),
        ("taigu-bulletin-2023", "140703", "2023"),
        ("shanxi-bulletin-2022-opening", "140000", "2022"),
    ]:
        rate = check(client, f"rate-{source}-{region}-{period}")
        urban, resident = (value(client, i["code"]) for i in rate["inputs"])
        computed = urban / resident * 100
        assert abs(Decimal(rate["actual"]) - computed) < Decimal("0.0001")
        assert abs(computed - Decimal(rate["expected"])) <= Decimal(rate["tolerance"])
        assert rate["verdict"] == "within_rounding"
        natural = check(client, f"natural-growth-{source}-{region}-{period}")
        births, deaths = (value(client, i["code"]) for i in natural["inputs"])
        assert Decimal(natural["actual"]) == births - deaths == Decimal(natural["expected"])
        assert natural["verdict"] == "equal"


def test_the_three_counties_first_service_against_the_other_accounts(client: TestClient) -> None:
    told = [c for c in codes(client, kind="same_moment") if c.startswith("same-moment-")]
    opening = [
        check(client, c)
        for c in told
        if check(client, c)["expected_record"]["code"] == "yangshe-railway-opens"
    ]
    verdicts = {c["inputs"][0]["code"]: c["verdict"] for c in opening}
    assert verdicts == {
        "yangshe-opening-day-article-three-counties-passenger-rail": "equal",
        "yangshe-opening-yangquan-news-passenger-service-opens": "equal",
        # The announcement's date was not kept; the data says so.
        "yangshe-pre-opening-announcement-announced-opening": "conflicting",
    }
    announced = check(client, "same-moment-yangshe-pre-opening-announcement-announced-opening")
    assert (announced["expected"], announced["actual"]) == ("2025-01-27", "2025-01-20")
    assert announced["conflict_note"].startswith(
        "yangshe-pre-opening-announcement-announced-opening: "
    )
    assert announced["inputs"][0]["url"].endswith(
        "/v1/events/yangshe-pre-opening-announcement-announced-opening"
    )
    assert announced["tolerance"] is None
    assert announced["unit"] is None


def test_every_conflicting_check_says_why(client: TestClient) -> None:
    items = client.get("/v1/checks", params={"limit": 1000}).json()["items"]
    assert {i["verdict"] for i in items} == {
        "equal",
        "within_rounding",
        "consistent",
        "conflicting",
    }
    for item in items:
        assert (item["verdict"] == "conflicting") == (item["conflict_note"] is not None), item[
            "code"
        ]


def test_filters_narrow_by_what_a_check_reads(client: TestClient) -> None:
    everything = codes(client)
    assert everything == sorted(everything)
    taigu = codes(client, region="140703")
    assert taigu
    assert all(c.endswith("140703-2023") for c in taigu)
    conflicting = codes(client, verdict="conflicting")
    assert conflicting == ["same-moment-yangshe-pre-opening-announcement-announced-opening"]
    rates = codes(client, indicator="urbanization_rate")
    assert rates == sorted(c for c in everything if c.startswith("rate-"))
    assert codes(client, observation="gdp-2024") == [
        "level-change-gdp-increase-2020-2024",
        "sources-agree-gdp-2024",
    ]
    assert set(codes(client, kind="parts_sum")) < set(everything)


def test_languages_and_refusals(client: TestClient) -> None:
    code = "natural-growth-taigu-bulletin-2023-140703-2023"
    zh, en = check(client, code), check(client, code, lang="en")
    assert zh["sentence"] == zh["sentence_zh"]
    assert "太谷区" in zh["title"]
    assert en["sentence"] == en["sentence_en"]
    assert en["title"].startswith("Taigu District 2023")
    missing = client.get("/v1/checks/no-such-check")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    for name, wrong in [
        ("region", "999999"),
        ("verdict", "maybe"),
        ("kind", "sum"),
        ("source", "nope"),
    ]:
        refused = client.get("/v1/checks", params={name: wrong})
        assert refused.status_code == 422, (name, refused.text)
        assert refused.json()["errors"][0]["name"] == name
