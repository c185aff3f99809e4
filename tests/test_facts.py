"""The headline facts of the 2025-10-24 report, read independently from the article, must come
out of the API with the report's figure, unit, period and wording — and the phrase must be in
the source text the API serves."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.seed import SOURCE_CODE

# code: (value, unit as printed, qualifier, period, normalized value, normalized unit, phrase)
FACTS: dict[str, tuple[float, str | None, str, str, float, str, str]] = {
    "gdp-2024": (2458.8, "亿元", "exact", "2024", 245_880_000_000, "CNY", "地区生产总值2458.8亿元"),
    "gdp-increase-2020-2024": (1000, "亿元", "approximately", "2020/2024", 100_000_000_000, "CNY", "增长近千亿元"),
    "urban-rural-income-ratio-2024": (2.15, None, "exact", "2024", 2.15, "ratio", "比值为2.15"),
    "urban-rural-income-ratio-change-2020-2024": (-0.17, None, "exact", "2020/2024", -0.17, "ratio", "比2020年缩小0.17"),
    "digital-economy-share-rank-2021-2025": (2, None, "rank", "2021/2025", 2, "rank", "数字经济占比稳居全省第二"),
    "passenger-rail-wait-2025-01-27": (75, "年", "exact", "2025-01-27", 75, "year", "期盼了75年"),
    "railway-load-factor-spring-festival-2025": (80, "%", "exact", "2025", 80, "percent", "平均上座率高达80%"),
    "smart-coal-mines-2021-2025": (22, "座", "cumulative", "2021/2025", 22, "coal_mine", "累计建成22座智能化煤矿"),
    "advanced-coal-capacity-share-2021-2025": (97, "%", "exact", "2021/2025", 97, "percent", "先进产能占比达97%"),
    "coalbed-methane-depth-yushe-wuxiang": (1200, "米", "exact", "2021/2025", 1200, "m", "1200米深处"),
    "coalbed-methane-capacity-yushe-wuxiang": (3, "亿立方米", "exact", "2021/2025", 300_000_000, "m3", "年产3亿立方米"),
    "clean-heating-households-2021-2025": (20, "万户", "exact", "2021/2025", 200_000, "household", "20万户农户"),
    "loose-coal-burning-avoided-2021-2025": (50, "万吨", "exact", "2021/2025", 500_000, "t", "50万吨散煤"),
    "loan-waiting-time-before-platform": (2, "个月", "range", "../2025-10-24", 2, "month", "没两三个月下不来"),
    "winning-bid-loan-xingze-2025-09": (2000, "万元", "exact", "2025-09", 20_000_000, "CNY", "2000万元贷款当月就到位"),
    "licence-processing-days-quandaiban": (3, "天", "exact", "../2025-10-24", 3, "day", "三天办结了所有证照"),
    "foreign-trade-enterprises-2021-2025": (200, "户", "more_than", "2021/2025", 200, "enterprise", "外贸实绩企业突破200户"),
}  # fmt: skip


@pytest.fixture(scope="module")
def source_text(client: TestClient) -> str:
    return "".join(client.get(f"/v1/sources/{SOURCE_CODE}/text").text.split())


@pytest.mark.parametrize("code", list(FACTS))
def test_fact_matches_the_report(client: TestClient, source_text: str, code: str) -> None:
    value, unit, qualifier, period, normalized, normalized_unit, phrase = FACTS[code]
    body = client.get(f"/v1/observations/{code}").json()
    assert (body["value"], body["unit"], body["qualifier"], body["period"]) == (
        value,
        unit,
        qualifier,
        period,
    )
    assert body["normalized_value"] == pytest.approx(normalized, rel=1e-12)
    assert body["normalized_unit"] == normalized_unit
    assert body["source"] == SOURCE_CODE
    assert phrase in source_text
    assert phrase in "".join(body["quote"].split())


def test_fact_every_published_observation_is_checked_here(client: TestClient) -> None:
    # A new figure must be added to FACTS above, i.e. read against the report by a person.
    body = client.get("/v1/observations", params={"limit": 1000, "source": SOURCE_CODE}).json()
    published = {
        o["code"] for o in body["items"] if o["source"] == SOURCE_CODE and not o["derived"]
    }
    assert published == set(FACTS)


def test_fact_derived_2020_income_ratio_names_its_inputs(client: TestClient) -> None:
    body = client.get("/v1/observations/urban-rural-income-ratio-2020").json()
    assert body["derived"] is True
    assert body["value_as_published"] is None
    assert body["qualifier"] == "approximately"  # its inputs are rounded
    assert body["value"] == pytest.approx(2.15 + 0.17)
    inputs = {i["name"]: i["observation"] for i in body["derivation"]["inputs"]}
    assert inputs == {
        "ratio_2024": "urban-rural-income-ratio-2024",
        "change": "urban-rural-income-ratio-change-2020-2024",
    }
    assert body["derivation"]["formula"] == "ratio_2024 - change"


def test_fact_range_has_both_ends(client: TestClient) -> None:
    body = client.get("/v1/observations/loan-waiting-time-before-platform").json()
    assert (body["value"], body["value_max"], body["value_as_published"]) == (2, 3, "两三")
    assert body["period_start"] is None
