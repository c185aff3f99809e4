"""Two languages: every name, title and description exists in zh and en and is not empty;
`lang` or Accept-Language picks the unsuffixed fields; responses say which (Content-Language)
and that they depend on it (Vary)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

LISTS = [
    "/v1/observations", "/v1/indicators", "/v1/regions", "/v1/topics", "/v1/units",
    "/v1/sources", "/v1/entities", "/v1/events", "/v1/quotes",
]  # fmt: skip
DETAILS = [
    "/v1/entities/jinzhong-ndrc", "/v1/regions/140700", "/v1/sources/jzrb-2025-10-24-p03",
    "/v1/events/yangshe-railway-opens", "/v1/quotes/wei-hongzhou-five-years",
    "/v1/indicators/gdp", "/v1/topics/energy", "/v1/observations/gdp-2024",
]  # fmt: skip


def translated_pairs(value: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Every (path, zh, en) pair of sibling keys `x_zh` / `x_en`, at any depth."""
    pairs: list[tuple[str, Any, Any]] = []
    if isinstance(value, dict):
        for key in value:
            if key.endswith("_zh"):
                stem = key[:-3]
                pairs.append((f"{path}.{stem}", value[key], value.get(f"{stem}_en", "MISSING")))
        for key, child in value.items():
            pairs += translated_pairs(child, f"{path}.{key}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            pairs += translated_pairs(child, f"{path}[{index}]")
    return pairs


@pytest.mark.parametrize("path", LISTS + DETAILS)
def test_every_translation_is_present_and_not_empty(client: TestClient, path: str) -> None:
    body = client.get(path, params={"limit": 1000} if path in LISTS else {}).json()
    pairs = translated_pairs(body)
    assert pairs, path
    for where, zh, en in pairs:
        if zh is None and en is None:
            continue  # an optional text the source does not have (e.g. no subtitle)
        if isinstance(zh, list) and isinstance(en, list):
            # Other names (aliases): each language has its own, or none; none is blank.
            assert all(isinstance(name, str) and name.strip() for name in zh + en), where
            continue
        if zh is None and where.endswith(".title") and path.startswith("/v1/sources"):
            # An untitled document (a repost, an aggregator's page): title_zh is what was
            # printed, nothing; title_en is our description of it.
            assert isinstance(en, str), where
            assert en.strip(), where
            continue
        assert isinstance(zh, str), where
        assert zh.strip(), where
        assert isinstance(en, str), where
        assert en.strip(), where


@pytest.mark.parametrize(
    ("params", "headers", "expected"),
    [
        ({}, {}, "zh"),
        ({"lang": "en"}, {}, "en"),
        ({}, {"Accept-Language": "en-GB,en;q=0.9"}, "en"),
        ({}, {"Accept-Language": "fr, en;q=0.5, zh;q=0.8"}, "zh"),
        ({}, {"Accept-Language": "de"}, "zh"),
        ({"lang": "zh"}, {"Accept-Language": "en"}, "zh"),  # the parameter wins
    ],
)
def test_language_negotiation(
    client: TestClient, params: dict[str, str], headers: dict[str, str], expected: str
) -> None:
    response = client.get("/v1/entities/yangshe-railway", params=params, headers=headers)
    assert response.headers["content-language"] == expected
    assert "Accept-Language" in response.headers["vary"]
    body = response.json()
    assert body["name"] == body[f"name_{expected}"]
    assert body["description"] == body[f"description_{expected}"]


def test_language_applies_to_lists_and_labels(client: TestClient) -> None:
    body = client.get("/v1/observations/gdp-2024", params={"lang": "en"}).json()
    assert (body["indicator_name"], body["region_name"]) == ("Gross regional product", "Jinzhong")
    events = client.get("/v1/events", params={"lang": "en"}).json()["items"]
    assert all(e["title"] == e["title_en"] for e in events)


def test_language_unknown_is_422(client: TestClient) -> None:
    response = client.get("/v1/regions", params={"lang": "fr"})
    assert response.status_code == 422
    assert [e["name"] for e in response.json()["errors"]] == ["lang"]


def test_language_headers_on_errors(client: TestClient) -> None:
    for response in (client.get("/v1/entities/nope", params={"lang": "zh"}),
                     client.get("/v1/regions", params={"limit": "x"})):  # fmt: skip
        assert response.headers["content-language"] == "en"
        assert "Accept-Language" in response.headers["vary"]


def test_source_text_is_in_its_own_language(client: TestClient) -> None:
    response = client.get("/v1/sources/jzrb-2025-10-24-p03/text")
    assert response.headers["content-language"] == "zh"
    assert (
        client.get("/v1/sources/jzrb-2025-10-24-p03/text", params={"lang": "en"}).status_code == 400
    )


def test_quotes_stay_chinese_with_an_english_gloss(client: TestClient) -> None:
    body = client.get("/v1/quotes/old-miner-white-shirt", params={"lang": "en"}).json()
    assert body["text"].startswith("过去下井")
    assert body["gloss_en"].startswith("In the past")


def _only_other_media(operation: dict[str, Any]) -> bool:
    """Whether a read's 200 is documented as something other than JSON (text, a zip)."""
    content = operation["responses"]["200"].get("content", {})
    return bool(content) and not any(
        media == "application/json" or media.endswith("+json") for media in content
    )


def test_language_every_json_read_takes_lang(client: TestClient) -> None:
    # The README says every JSON endpoint under /v1 takes `lang`: where a resource has no
    # localized text (a record's editable form, its history), it is accepted and harmless.
    spec = client.get("/openapi.json").json()
    reads = {
        path: operation
        for path, item in spec["paths"].items()
        if path.startswith("/v1/") and (operation := item.get("get")) is not None
    }
    json_reads = {path for path, operation in reads.items() if not _only_other_media(operation)}
    assert {"/v1/observations/{code}/history", "/v1/indicators/{code}/record"} <= json_reads
    assert {"/v1/sources/{code}/text", "/v1/downloads/dataset.zip"}.isdisjoint(json_reads)
    without = sorted(
        path
        for path in json_reads
        if "lang"
        not in {p["name"] for p in reads[path].get("parameters", []) if p["in"] == "query"}
    )
    assert without == []


@pytest.mark.parametrize(
    "path",
    [
        "/v1/observations/gdp-2024/record", "/v1/observations/gdp-2024/history",
        "/v1/indicators/gdp/record", "/v1/indicators/gdp/history",
        "/v1/entities/yangshe-railway/record", "/v1/entities/yangshe-railway/history",
        "/v1/sources/jzrb-2025-10-24-p03/record", "/v1/quotes/old-miner-white-shirt/history",
        "/v1/events/yangshe-railway-opens/record",
    ],
)  # fmt: skip
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_language_record_and_history_accept_lang(client: TestClient, path: str, lang: str) -> None:
    plain = client.get(path)
    response = client.get(path, params={"lang": lang})
    assert response.status_code == 200, response.text
    assert response.headers["content-language"] == lang
    # The editable form and the versions are in seed_data/ form, both languages at once:
    # the language changes nothing in them.
    assert response.json() == plain.json()


# The unit as printed (`unit`) is the figure's own words and is never translated; its name
# comes from the unit table (/v1/units), in the language asked for and in both.
UNIT_NAMES = {
    "zh": {"unit": "亿元", "unit_name": "亿元", "unit_name_zh": "亿元", "unit_name_en": "100 million yuan"},
    "en": {"unit": "亿元", "unit_name": "100 million yuan", "unit_name_zh": "亿元", "unit_name_en": "100 million yuan"},
}  # fmt: skip


def _unit_fields(item: dict[str, Any]) -> dict[str, Any]:
    return {key: item[key] for key in ("unit", "unit_name", "unit_name_zh", "unit_name_en")}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/observations/gdp-2024", {}),
        ("/v1/observations", {"indicator": "gdp", "region": "140700", "start": "2024", "end": "2024"}),
        ("/v1/indicators/gdp/observations", {"region": "140700", "start": "2024", "end": "2024"}),
        ("/v1/indicators/gdp", {}),
        ("/v1/indicators/gdp/comparison", {"period": "2021", "within": "140000", "limit": 1}),
        ("/v1/indicators/gdp/observations", {"region": "140700", "transform": "change", "start": "2024", "end": "2024"}),
    ],
)  # fmt: skip
def test_language_names_the_unit_and_keeps_it_as_printed(
    client: TestClient, path: str, params: dict[str, Any], lang: str
) -> None:
    response = client.get(path, params={**params, "lang": lang})
    assert response.status_code == 200, response.text
    body = response.json()
    items = body.get("items", [body])
    assert items
    for item in items:
        assert _unit_fields(item) == UNIT_NAMES[lang]
        assert item["unit_code"] == "cny_100m"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_language_names_the_unit_of_a_check(client: TestClient, lang: str) -> None:
    check = client.get(
        "/v1/checks/parts-sum-jinzhong-bulletin-2024-140700-2024", params={"lang": lang}
    ).json()
    assert _unit_fields(check) == UNIT_NAMES[lang]
    dated = client.get("/v1/checks", params={"kind": "same_moment", "limit": 1}).json()["items"]
    assert dated
    assert [_unit_fields(c) for c in dated] == [dict.fromkeys(UNIT_NAMES["zh"])] * len(dated)


def _csv(client: TestClient, path: str, **params: Any) -> list[dict[str, str]]:
    response = client.get(path, params={**params, "format": "csv"})
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("params", [{}, {"transform": "change"}, {"shape": "wide"}])
def test_language_names_the_unit_in_csv_after_the_unit_columns(
    client: TestClient, params: dict[str, str], lang: str
) -> None:
    # The new columns follow `unit` and `unit_code`; every column before stays where it was.
    rows = _csv(client, "/v1/indicators/gdp/observations", region="140700", lang=lang, **params)
    assert rows
    header = list(rows[0])
    at = header.index("unit")
    assert header[at : at + 5] == [
        "unit", "unit_code", "unit_name", "unit_name_zh", "unit_name_en",
    ]  # fmt: skip
    for row in rows:
        assert {key: row[key] for key in UNIT_NAMES[lang]} == UNIT_NAMES[lang]
