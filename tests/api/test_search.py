"""GET /v1/search: one ranked search over everything, for Chinese substrings, English words and
mixed queries; filters, pagination, snippets; no match is an empty list, not an error."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient


def hits(client: TestClient, q: str, **params: Any) -> list[tuple[str, str]]:
    response = client.get("/v1/search", params={"q": q, "limit": 1000, **params})
    assert response.status_code == 200, response.text
    return [(h["type"], h["id"]) for h in response.json()["items"]]


def test_search_coalbed_methane_finds_figure_project_and_pipeline(client: TestClient) -> None:
    found = hits(client, "煤层气")
    assert ("observation", "coalbed-methane-capacity-yushe-wuxiang") in found
    assert ("entity", "yushe-wuxiang-cbm-block") in found
    assert ("event", "cbm-network-joins-national-trunk") in found


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("中标贷", ("entity", "winning-bid-loan")),
        ("12345", ("entity", "hotline-12345")),
        ("白衬衫", ("quote", "old-miner-white-shirt")),
        ("铁路", ("entity", "yangshe-railway")),  # two characters: below the trigram index
        ("晋中", ("region", "140700")),
        ("coal mine", ("indicator", "smart_coal_mines_built")),
        ("railway", ("event", "yangshe-railway-opens")),
        ("pumped storage", ("entity", "zuoquan-jishan-pumped-storage")),
        ("RAILWAY", ("entity", "yangshe-railway")),  # case-insensitive
        ("煤层气 capacity", ("observation", "coalbed-methane-capacity-yushe-wuxiang")),
        (
            "Wei Hongzhou",
            ("entity", "jinzhong-energy-bureau"),
        ),  # people are found in their organisation
    ],
)
def test_search_finds(client: TestClient, q: str, expected: tuple[str, str]) -> None:
    assert expected in hits(client, q)


def test_search_every_term_must_match(client: TestClient) -> None:
    both = set(hits(client, "煤层气 capacity"))
    assert both <= set(hits(client, "煤层气"))
    assert both <= set(hits(client, "capacity"))
    assert ("entity", "qinshui-basin") not in both


def test_search_ranks_best_matches_first(client: TestClient) -> None:
    found = hits(client, "pumped storage")
    assert found[0] == ("entity", "zuoquan-jishan-pumped-storage")
    assert hits(client, "左权")[0] == ("region", "140722")


def test_search_no_match_is_an_empty_list(client: TestClient) -> None:
    response = client.get("/v1/search", params={"q": "xyzzy"})
    assert response.status_code == 200
    assert (response.json()["items"], response.json()["total"]) == ([], 0)


@pytest.mark.parametrize("q", ["", "   "])
def test_search_blank_query_is_422(client: TestClient, q: str) -> None:
    response = client.get("/v1/search", params={"q": q})
    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "q"


def test_search_needs_q(client: TestClient) -> None:
    response = client.get("/v1/search")
    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "q"


@pytest.mark.parametrize(
    "q",
    ['"', '"煤层气', "煤 OR 气", "NEAR(a b)", "*", "title:铁路", "body:x", "a:b", "(煤层气)",
     "'; DROP TABLE x; --", "%_%", "煤层气" * 60],
)  # fmt: skip
def test_search_query_syntax_is_plain_text(client: TestClient, q: str) -> None:
    response = client.get("/v1/search", params={"q": q})
    assert response.status_code == 200, response.text
    # FTS5 and LIKE syntax mean nothing here: these texts occur nowhere in the data, so a
    # query that was interpreted (a column filter, a wildcard, NEAR) would be the only way
    # to get hits.
    if q in {
        "*",
        "title:铁路",
        "body:x",
        "a:b",
        "NEAR(a b)",
        "(煤层气)",
        "%_%",
        "'; DROP TABLE x; --",
    }:
        assert response.json()["total"] == 0


@pytest.mark.parametrize("q", ["a\x00b", "\x00", "煤层气\x00", "铁\x07路", "\x1b[31m"])
def test_search_control_characters_are_422(client: TestClient, q: str) -> None:
    response = client.get("/v1/search", params={"q": q})
    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "q"


def test_search_filters(client: TestClient) -> None:
    assert {t for t, _ in hits(client, "铁路", type="event")} == {"event"}
    assert {t for t, _ in hits(client, "铁路", type=["event", "entity"])} == {"event", "entity"}
    energy = hits(client, "煤层气", topic="energy")
    assert energy
    assert hits(client, "煤层气", topic="trade") == []
    in_wuxiang = hits(client, "煤层气", region="140429")
    assert ("entity", "yushe-wuxiang-cbm-block") in in_wuxiang
    assert ("indicator", "coalbed_methane_capacity") in in_wuxiang
    assert hits(client, "煤层气", region="140100") == []
    for params in ({"type": "person"}, {"topic": "sport"}, {"region": "999999"}):
        assert client.get("/v1/search", params={"q": "煤", **params}).status_code == 422


def test_search_hit_shape_and_snippet(client: TestClient) -> None:
    body = client.get("/v1/search", params={"q": "12345", "lang": "en"}).json()
    hit = body["items"][0]
    assert set(hit) == {"type", "id", "title", "title_zh", "title_en", "snippet", "url"}
    assert hit["title"] == "12345 hotline"
    assert "<mark>12345</mark>" in hit["snippet"]
    assert hit["url"] == "http://testserver/v1/entities/hotline-12345"
    assert client.get(hit["url"]).status_code == 200
    # Text from the data is escaped; only the marks are markup.
    assert '"' not in hit["snippet"].replace("<mark>", "").replace("</mark>", "")


@pytest.mark.parametrize("q", ["qu", "uo", "ot", "amp", "lt"])
def test_search_snippet_marks_never_split_an_escape(client: TestClient, q: str) -> None:
    for hit in client.get("/v1/search", params={"q": q, "limit": 1000}).json()["items"]:
        unmarked = hit["snippet"].replace("<mark>", "").replace("</mark>", "")
        assert "<" not in unmarked
        assert ">" not in unmarked
        # no mark sits inside an entity such as &quot;
        assert not re.search(r"&[a-z#0-9]*<mark>", hit["snippet"]), hit["snippet"]


def test_search_paginates_like_every_list(client: TestClient) -> None:
    everything = hits(client, "铁路")
    first = client.get("/v1/search", params={"q": "铁路", "limit": 2}).json()
    assert first["total"] == len(everything)
    assert [(h["type"], h["id"]) for h in first["items"]] == everything[:2]
    following = client.get(first["links"]["next"]).json()
    assert [(h["type"], h["id"]) for h in following["items"]] == everything[2:4]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("第三产业", "jinzhong-bulletin-2024-value-added-tertiary-140700-2024"),
        ("tertiary", "jinzhong-bulletin-2024-value-added-tertiary-140700-2024"),
        ("常住人口", "jinzhong-bulletin-2024-resident-population-140700-2024"),
        ("resident population", "jinzhong-bulletin-2024-resident-population-140700-2024"),
        ("太谷", "taigu-bulletin-2023-gdp-140703-2023"),
        ("Taigu", "taigu-bulletin-2023-gdp-140703-2023"),
    ],
)
def test_search_finds_the_official_statistics_in_both_languages(
    client: TestClient, query: str, expected: str
) -> None:
    found = client.get("/v1/search", params={"q": query, "type": "observation", "limit": 100})
    assert found.status_code == 200, found.text
    assert expected in [hit["id"] for hit in found.json()["items"]]


# The 2024 GDP of Jinzhong: the figure its series shows (the statistical bulletin's) and the
# report's, which the bulletin bears out.
JINZHONG_GDP_2024 = {
    ("observation", "jinzhong-bulletin-2024-gdp-140700-2024"),
    ("observation", "gdp-2024"),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_search_gdp_finds_the_indicator_and_jinzhongs_2024_figure_first(
    client: TestClient, lang: str
) -> None:
    # "GDP" is what most readers type; the indicator's name is 地区生产总值, "gross regional
    # product": an alias makes the abbreviation find it, and its figures, on the first page.
    first_page = hits(client, "GDP", lang=lang, limit=10)
    assert ("indicator", "gdp") in first_page
    assert set(hits(client, "GDP", lang=lang, limit=20)) >= JINZHONG_GDP_2024
    assert set(hits(client, "GDP 2024 晋中", lang=lang, limit=10)) >= JINZHONG_GDP_2024


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("GRP", ("indicator", "gdp")),
        ("人均GDP", ("indicator", "gdp_per_capita")),
        ("服务业增加值", ("indicator", "value_added_tertiary")),
        ("tertiary industry value added", ("indicator", "value_added_tertiary")),
        ("CBM", ("indicator", "coalbed_methane_capacity")),
        ("社零", ("indicator", "retail_sales_consumer_goods")),
    ],
)
def test_search_finds_an_indicator_by_its_aliases(
    client: TestClient, q: str, expected: tuple[str, str]
) -> None:
    assert expected in hits(client, q, type="indicator")


def test_search_an_alias_finds_the_indicators_figures(client: TestClient) -> None:
    assert set(hits(client, "GDP 2024", type="observation")) >= JINZHONG_GDP_2024
    assert ("observation", "gdp-2024") in hits(client, "GRP Jinzhong", type="observation")
