"""Every list has a CSV twin at its path with a `.csv` suffix (as Datasette's `.csv` URLs):
operationId the list's own + "Csv", the same tag, the same query parameters but `format` (the
suffix fixes it), a 200 that declares only text/csv, and the list's problem responses. Its
answer is byte for byte the list's `format=csv` answer, headers included (Content-Type,
caching, Content-Disposition, Vary, Content-Language, X-Total-Count), except that the Link
header of a page leads to the next page of the twin, and the ETag is the twin's own (a
validator of its URL's answer, which a conditional request to the twin honours). `format=csv` on the list itself keeps working and stays declared.

A client generator that picks one media type per status code (openapi-python-client) reads
the list as JSON and its twin as CSV, each from the operation that declares it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient

# A value for each query parameter a case below may set, where the operation takes it.
SAMPLES = {"indicator": "gdp", "region": "140700", "q": "GDP", "period": "2024"}
# The cases every twin is compared in, with the list's format=csv: with and without filters,
# a page, the whole list, with a byte-order mark, in English.
CASES: list[dict[str, str]] = [
    {},
    {"limit": "3", "offset": "2"},
    {"all": "true"},
    {"bom": "true", "limit": "5"},
    {"lang": "en", "limit": "4"},
    {"filter": "yes"},
    {"filter": "yes", "all": "true", "bom": "true"},
]
# A code for each path parameter of a list.
PATH_CODES = {"code": "gdp"}
CSV_ONLY = {"text/csv": {"schema": {"type": "string"}}}


def _spec(client: TestClient) -> dict[str, Any]:
    spec: dict[str, Any] = client.get("/openapi.json").json()
    return spec


def _lists(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The list operations, by path: a 200 that is JSON and also CSV."""
    found = {}
    for path, methods in spec["paths"].items():
        content = methods.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
        if "application/json" in content and "text/csv" in content:
            found[path] = methods["get"]
    return found


def _twins(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The operations whose operationId ends in Csv, by path."""
    return {
        path: methods["get"]
        for path, methods in spec["paths"].items()
        if methods.get("get", {}).get("operationId", "").endswith("Csv")
    }


def _params(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in operation.get("parameters", [])}


def test_csv_twins_one_per_list_and_no_other(client: TestClient) -> None:
    spec = _spec(client)
    lists, twins = _lists(spec), _twins(spec)
    assert len(lists) >= 12
    assert sorted(twins) == sorted(f"{path}.csv" for path in lists)
    ids = [op["operationId"] for methods in spec["paths"].values() for op in methods.values()]
    for path, operation in lists.items():
        twin = twins[f"{path}.csv"]
        assert ids.count(operation["operationId"] + "Csv") == 1
        assert twin["operationId"] == operation["operationId"] + "Csv"
        assert twin["tags"] == operation["tags"]
        assert twin["responses"]["200"]["content"] == CSV_ONLY
        errors = {s: r for s, r in operation["responses"].items() if s[0] in "45"}
        assert {s: r for s, r in twin["responses"].items() if s[0] in "45"} == errors
        expected = {name: p for name, p in _params(operation).items() if name != "format"}
        assert _params(twin) == expected
        assert {"bom", "all", "limit", "offset"} <= set(_params(twin))
        # The list still declares the CSV it sends, and tells clients of the twin.
        assert "text/csv" in operation["responses"]["200"]["content"]
        assert "this path + `.csv`" in _params(operation)["format"]["description"]


def _cases(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    """(list path, twin path, query) for every twin and case, path codes filled in."""
    found = []
    for path, operation in sorted(_lists(spec).items()):
        taken = {n: p for n, p in _params(operation).items() if p["in"] == "query"}
        concrete = path.format(**PATH_CODES)
        required = {n: SAMPLES[n] for n, p in taken.items() if p.get("required")}
        for case in CASES:
            query = {**required, **{k: v for k, v in case.items() if k != "filter"}}
            if "filter" in case:
                filters = {n: v for n, v in SAMPLES.items() if n in taken and n not in required}
                if not filters:
                    continue
                query |= filters
            if set(query) <= set(taken):
                found.append((concrete, f"{concrete}.csv", query))
    return found


def test_csv_twins_answer_as_the_list_in_csv(client: TestClient) -> None:
    cases = _cases(_spec(client))
    assert len(cases) > 60
    for plain, twin, query in cases:
        listed = client.get(plain, params={**query, "format": "csv"})
        twinned = client.get(twin, params=query)
        where = f"{twin} {query}"
        assert listed.status_code == 200, where
        assert twinned.status_code == 200, where
        assert twinned.content == listed.content, where
        assert twinned.content.startswith(b"\xef\xbb\xbf") == ("bom" in query), where
        for header in ("content-type", "content-disposition", "x-total-count", "vary",
                       "content-language", "cache-control"):  # fmt: skip
            assert twinned.headers.get(header) == listed.headers.get(header), (where, header)
        assert twinned.headers["content-type"].startswith("text/csv")
        assert _links(twinned, twin) == _links(listed, plain), where


def _links(response: Any, path: str) -> dict[str, list[tuple[str, str]]]:
    """The Link header's pages, each as its query without `format`, all on `path`."""
    found = {}
    for rel, link in response.links.items():
        url = urlsplit(link["url"])
        assert url.path == path, (path, link)
        found[rel] = sorted((k, v) for k, v in parse_qsl(url.query) if k != "format")
    return found


def test_csv_twins_link_next_pages_of_the_twin(client: TestClient) -> None:
    first = client.get("/v1/observations.csv", params={"limit": 10, "indicator": "gdp"})
    assert first.status_code == 200
    rows = first.content.decode().split("\r\n")[1:-1]
    assert len(rows) == 10
    following = first.links["next"]["url"]
    assert "/v1/observations.csv?" in following
    assert "offset=10" in following
    assert "format=" not in following
    second = client.get(following)
    assert second.headers["content-type"].startswith("text/csv")
    assert second.content.decode().split("\r\n")[1] not in rows
    assert "/v1/observations.csv?" in second.links["prev"]["url"]


def test_csv_twins_conditional_and_head(client: TestClient) -> None:
    first = client.get("/v1/units.csv")
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag != client.get("/v1/units").headers["etag"]
    again = client.get("/v1/units.csv", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert "Accept-Language" in again.headers["vary"]
    since = client.get(
        "/v1/units.csv", headers={"If-Modified-Since": first.headers["last-modified"]}
    )
    assert since.status_code == 304
    head = client.head("/v1/units.csv")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == first.headers["content-type"]
    assert head.headers["etag"] == etag


def test_csv_twins_fix_the_format(client: TestClient) -> None:
    # The suffix says CSV: Accept does not change it, and `format` is no parameter of a twin.
    json_asked = client.get("/v1/units.csv", headers={"Accept": "application/json"})
    assert json_asked.headers["content-type"].startswith("text/csv")
    refused = client.get("/v1/units.csv", params={"format": "json"})
    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["name"] for e in refused.json()["errors"]] == ["format"]
    # The list's own format=csv keeps working.
    assert (
        client.get("/v1/units", params={"format": "csv"})
        .headers["content-type"]
        .startswith("text/csv")
    )


@pytest.mark.parametrize(
    "query",
    [{"indicator": "gdp", "shape": "wide"}, {"region": "140700", "transform": "pct_change"}],
)
def test_csv_twins_observation_views(client: TestClient, query: dict[str, str]) -> None:
    listed = client.get("/v1/observations", params={**query, "format": "csv"})
    twinned = client.get("/v1/observations.csv", params=query)
    assert listed.status_code == twinned.status_code == 200
    assert twinned.content == listed.content
    # Saved under the list's name, as the list's own CSV is.
    disposition = listed.headers["content-disposition"]
    assert twinned.headers["content-disposition"] == disposition
    assert ".csv.csv" not in disposition
    assert "observations.csv-" not in disposition


def test_csv_twins_problems_as_the_list(client: TestClient) -> None:
    listed = client.get("/v1/observations", params={"region": "149999", "format": "csv"})
    twinned = client.get("/v1/observations.csv", params={"region": "149999"})
    assert twinned.status_code == listed.status_code == 422
    assert twinned.headers["content-type"] == "application/problem+json"
    assert [e["name"] for e in twinned.json()["errors"]] == ["region"]
    missing = client.get("/v1/indicators/nope/observations.csv")
    assert missing.status_code == client.get("/v1/indicators/nope/observations").status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
