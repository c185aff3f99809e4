"""GET /v1/indicators, /v1/regions, /v1/topics, /v1/units, /v1/sources and /healthz: the whole
JSON of one representative item each, and every filter."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.seed import SOURCE_CODE

BASE = "http://testserver"


def test_get_indicator_contract(client: TestClient) -> None:
    assert (
        client.get("/v1/indicators/gdp").json()
        == {
            "code": "gdp",
            "name": "地区生产总值",
            "name_zh": "地区生产总值",
            "name_en": "Gross regional product",
            "aliases": ["GDP"],
            "aliases_zh": ["GDP"],
            "aliases_en": ["GDP", "GRP"],
            "definition": "一个地区(省、市或县区)全年的地区生产总值,按各来源所载。",
            "definition_zh": "一个地区(省、市或县区)全年的地区生产总值,按各来源所载。",
            "definition_en": "Gross regional product (地区生产总值) of a region (province, city or district) for a year, as its sources report it.",
            "topic": "economy",
            "unit": "亿元",
            "unit_code": "cny_100m",
            "unit_name": "亿元",
            "unit_name_zh": "亿元",
            "unit_name_en": "100 million yuan",
            "normalized_unit": "CNY",
            "observation_count": 19,  # 2024 from the report and the bulletin; the province's, cities', Taigu's
            # Computed from its observations' sources (seed_data/sources.yaml), most figures first.
            "sources": [
                "shanxi-cities-gdp-2021",  # the province and its eleven cities, 2021 (and 2011)
                "jinzhong-bulletin-2024",
                "jinzhong-gdp-aggregator",
                "jzrb-2025-10-24-p03",
                "shanxi-bulletin-2022-opening",
                "taigu-bulletin-2023",
                "taigu-encyclopedia-entry",
            ],
            # The aggregator and the 2022 bulletin's repost name no publisher: sources only.
            "publishers": [
                {
                    "name": 'guzhangting.com(页面来源仅标注"互联网")',
                    "name_zh": 'guzhangting.com(页面来源仅标注"互联网")',
                    "name_en": 'guzhangting.com, a web compilation site (the page credits its source only as "the internet")',
                    "sources": ["shanxi-cities-gdp-2021"],
                },
                {
                    "name": "95408.com（百科栏目，条目未署名）",
                    "name_zh": "95408.com（百科栏目，条目未署名）",
                    "name_en": "95408.com (encyclopedia-style section; the entry names no author)",
                    "sources": ["taigu-encyclopedia-entry"],
                },
                {
                    "name": "晋中日报社",
                    "name_zh": "晋中日报社",
                    "name_en": "Jinzhong Daily",
                    "sources": ["jzrb-2025-10-24-p03"],
                },
                {
                    "name": "晋中市统计局、国家统计局晋中调查队",
                    "name_zh": "晋中市统计局、国家统计局晋中调查队",
                    "name_en": "Jinzhong Municipal Bureau of Statistics and the NBS Jinzhong Survey Team",
                    "sources": ["jinzhong-bulletin-2024"],
                },
                {
                    "name": "晋中市太谷区统计局、国家统计局太谷调查队",
                    "name_zh": "晋中市太谷区统计局、国家统计局太谷调查队",
                    "name_en": "Taigu District Statistics Bureau of Jinzhong and the NBS Taigu Survey Team",
                    "sources": ["taigu-bulletin-2023"],
                },
            ],
            "licence_notes": [
                "Facts and figures only are taken; the text is not reproduced.",
                "Kept here in full, with errata, so that every figure can be checked against its sentence; the text remains the newspaper's.",
            ],
            "frequency": "annual",  # every GDP figure is for a year
            # The undated sources' figures are known from the day their copies were read
            # (read_on 2026-12-01, the start of that day in Beijing).
            "last_updated_at": "2026-11-30T16:00:00Z",
            "url": f"{BASE}/v1/indicators/gdp",
            "observations_url": f"{BASE}/v1/indicators/gdp/observations",
        }
    )


def test_list_indicators_filters(client: TestClient) -> None:
    energy = client.get("/v1/indicators", params={"topic": "energy"}).json()
    assert {i["topic"] for i in energy["items"]} == {"energy"}
    assert energy["total"] == len(energy["items"]) >= 4
    by_chinese = client.get("/v1/indicators", params={"q": "煤层气"}).json()["items"]
    assert {i["code"] for i in by_chinese} == {"coalbed_methane_depth", "coalbed_methane_capacity"}
    by_english = client.get("/v1/indicators", params={"q": "HOUSEHOLDS"}).json()["items"]
    assert [i["code"] for i in by_english] == ["clean_heating_households"]
    # "_" is literal, not a LIKE wildcard: "gd_" would otherwise match "gdp".
    assert client.get("/v1/indicators", params={"q": "gd_"}).json()["total"] == 0
    assert client.get("/v1/indicators", params={"q": "capacity_share"}).json()["total"] == 1
    assert client.get("/v1/indicators", params={"topic": "sport"}).status_code == 422


def test_get_region_contract(client: TestClient) -> None:
    body = client.get("/v1/regions/140700").json()
    children = body.pop("children")
    assert body == {
        "code": "140700",
        "name": "晋中市",
        "name_zh": "晋中市",
        "name_en": "Jinzhong",
        "level": "prefecture",
        "parent": "140000",
        "url": f"{BASE}/v1/regions/140700",
        "parent_region": {
            "code": "140000",
            "name": "山西省",
            "name_zh": "山西省",
            "name_en": "Shanxi Province",
        },
    }
    assert [c["code"] for c in children] == [
        "140702", "140703", "140721", "140722", "140723", "140724", "140725", "140727",
        "140728", "140729", "140781",
    ]  # fmt: skip


def test_list_regions_filters(client: TestClient) -> None:
    everything = client.get("/v1/regions").json()
    assert everything["total"] == 25
    counties = client.get("/v1/regions", params={"parent": "140400"}).json()["items"]
    assert [(r["code"], r["name_zh"]) for r in counties] == [("140429", "武乡县")]
    provinces = client.get("/v1/regions", params={"level": "province"}).json()["items"]
    assert [(r["code"], r["parent"]) for r in provinces] == [("140000", None)]
    assert client.get("/v1/regions", params={"parent": "999999"}).status_code == 422
    assert client.get("/v1/regions", params={"level": "village"}).status_code == 422


def test_list_topics_contract(client: TestClient) -> None:
    items = client.get("/v1/topics").json()["items"]
    environment = next(t for t in items if t["code"] == "environment")
    assert environment == {
        "code": "environment",
        "name": "生态环境",
        "name_zh": "生态环境",
        "name_en": "Environment",
        "description": "减少的排放与污染。",
        "description_zh": "减少的排放与污染。",
        "description_en": "Emissions and pollution avoided.",
        "indicator_count": 1,
        "url": f"{BASE}/v1/topics/environment",
        "indicators_url": f"{BASE}/v1/indicators?topic=environment",
    }
    assert client.get("/v1/topics/environment").json() == environment
    assert sum(t["indicator_count"] for t in items) == client.get("/v1/indicators").json()["total"]


def test_list_units_contract(client: TestClient) -> None:
    items = client.get("/v1/units").json()["items"]
    assert next(u for u in items if u["code"] == "household_10k") == {
        "code": "household_10k",
        "symbol": "万户",
        "name": "万户",
        "name_zh": "万户",
        "name_en": "10 thousand households",
        "normalized_unit": "household",
        "factor": 10000.0,
    }


def test_get_source_contract(client: TestClient) -> None:
    body = client.get(f"/v1/sources/{SOURCE_CODE}").json()
    errata = body.pop("errata")
    assert body == {
        "code": SOURCE_CODE,
        "kind": "newspaper_report",
        "publication": "晋中日报",
        "publication_zh": "晋中日报",
        "publication_en": "Jinzhong Daily",
        "publisher": "晋中日报社",
        "publisher_zh": "晋中日报社",
        "publisher_en": "Jinzhong Daily",
        "published_date": "2025-10-24",
        "page": "03",
        "page_heading": "见证高质量发展的晋中实践",
        "series": '辉煌"十四五""见证高质量发展的晋中实践"系列报道之一',
        "title": "潮起中流舒长卷 矢志逐梦著华章",
        "title_zh": "潮起中流舒长卷 矢志逐梦著华章",
        "title_en": "As the tide rises mid-stream, a long scroll unfolds; resolutely pursuing the dream, a splendid chapter is written",
        "subtitle": "扛牢使命职责 于时代浪潮中蹚出转型新路",
        "subtitle_zh": "扛牢使命职责 于时代浪潮中蹚出转型新路",
        "subtitle_en": "Shouldering the mission, blazing a new path of transformation in the tide of the times",
        "reporter": "史俊杰",
        "language": "zh",
        "published_url": None,
        "copy_site_en": None,
        "read_on": None,
        "reliability": "secondary",
        "reliability_note": (
            "A newspaper feature: it reports officials' figures and claims, for which the "
            "city's statistical bulletins are the authority; its own words and dates are "
            "primary for what it tells."
        ),
        "licence_note": (
            "Kept here in full, with errata, so that every figure can be checked against its "
            "sentence; the text remains the newspaper's."
        ),
        "has_text": True,
        "observation_count": 18,
        "url": f"{BASE}/v1/sources/{SOURCE_CODE}",
        "text_url": f"{BASE}/v1/sources/{SOURCE_CODE}/text",
    }
    assert errata[0] == {
        "seq": 1,
        "original": "早期五",
        "corrected": "星期五",
        "reason": "OCR misread of the weekday; 2025-10-24 was a Friday (星期五).",
        "occurrences": 1,
    }
    assert [e["seq"] for e in errata] == list(range(1, len(errata) + 1))
    assert client.get("/v1/sources").json()["items"][0]["code"] == SOURCE_CODE


def test_get_source_text_corrected_and_original(client: TestClient) -> None:
    corrected = client.get(f"/v1/sources/{SOURCE_CODE}/text")
    assert corrected.status_code == 200
    assert corrected.headers["content-type"] == "text/plain; charset=utf-8"
    assert "2025年10月24日 星期五" in corrected.text
    assert "井下采煤机" in corrected.text
    original = client.get(f"/v1/sources/{SOURCE_CODE}/text", params={"version": "original"}).text
    assert "早期五" in original
    assert "并下采煤机" in original
    assert client.get("/v1/sources/nope/text").status_code == 404


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_indicator_aliases_in_both_languages(client: TestClient, lang: str) -> None:
    # Other names and abbreviations a reader may know it by: names, not facts.
    body = client.get("/v1/indicators/gdp", params={"lang": lang}).json()
    assert body["aliases_zh"] == ["GDP"]
    assert body["aliases_en"] == ["GDP", "GRP"]
    assert body["aliases"] == body[f"aliases_{lang}"]
    plain = client.get("/v1/indicators/births").json()
    assert (plain["aliases"], plain["aliases_zh"], plain["aliases_en"]) == ([], [], [])


@pytest.mark.parametrize("q", ["GRP", "GDP"])
def test_indicators_q_matches_aliases(client: TestClient, q: str) -> None:
    found = client.get("/v1/indicators", params={"q": q}).json()["items"]
    assert "gdp" in [item["code"] for item in found]
