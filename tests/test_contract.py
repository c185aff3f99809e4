"""The OpenAPI document is as strict as the server and says what it sends: every error is a
Problem under application/problem+json; lists declare CSV (and observations JSON-stat) beside
JSON; names are singular words; codes and periods carry the patterns the server holds them
to; writes require If-Match; a 405 names every method of its path; a 414 is documented."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.rules.resources import SINGULAR
from app.services.curation import RESOURCES
from tests.support.curation import Curated

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
WRITES = {"post", "patch", "delete"}


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    return client.get("/openapi.json").json()


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    ]


def parameter(operation: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [p for p in operation.get("parameters", []) if p["name"] == name]
    return found


def string_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The string (or array-of-string items) branch of a parameter's schema."""
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "array":
            return dict(option["items"])
        if option.get("type") == "string":
            return dict(option)
    raise AssertionError(f"no string in {schema}")


# 1. Error bodies


def test_contract_every_error_is_a_problem_as_problem_json(spec: dict[str, Any]) -> None:
    for path, method, operation in operations(spec):
        for status, response in operation["responses"].items():
            if status[0] in "45":
                assert response["content"] == PROBLEM, f"{method} {path} {status}"
    assert "HTTPValidationError" not in spec["components"]["schemas"]


# 3. Made-up plurals


def test_contract_operation_ids_use_singular_words(spec: dict[str, Any]) -> None:
    plurals, singulars = set(SINGULAR), set(SINGULAR.values())
    for _path, _method, operation in operations(spec):
        words = [w.lower() for w in re.findall(r"[A-Z]?[a-z]+", operation["operationId"])]
        for word in words:
            if word.startswith(tuple(s[:5] for s in singulars)):
                assert word in plurals | singulars, operation["operationId"]
    ids = {operation["operationId"] for _p, _m, operation in operations(spec)}
    assert {"createEntity", "getEntityRecord", "listEntityHistory", "updateEntity"} <= ids


@pytest.mark.parametrize("resource", RESOURCES)
def test_contract_not_found_names_one_record_in_a_word(client: TestClient, resource: str) -> None:
    for path in (f"/v1/{resource}/nope/record", f"/v1/{resource}/nope/history"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["detail"] == f"No {SINGULAR[resource]} with code 'nope'."


# 14. Parameters the server refuses are refused by the spec


@pytest.mark.parametrize(
    ("path", "name", "sample"),
    [
        ("/v1/observations", "topic", "energy"),
        ("/v1/observations", "start", "2024-01"),
        ("/v1/observations", "end", "2024"),
        ("/v1/observations", "region", "140700"),
        ("/v1/observations", "indicator", "gdp"),
        ("/v1/observations", "source", "jzrb-2025-10-24-p03"),
        ("/v1/observations", "within", "140000"),
        ("/v1/indicators/{code}/observations", "end", "2024"),
        ("/v1/indicators/{code}/comparison", "period", "2021/2025"),
        ("/v1/events", "start", "2024"),
        ("/v1/events", "topic", "energy"),
        ("/v1/entities", "region", "140700"),
        ("/v1/quotes", "speaker", "an-old-miner"),
        ("/v1/regions", "parent", "140700"),
        ("/v1/search", "topic", "energy"),
        ("/v1/checks", "observation", "gdp-2024"),
        ("/v1/observations", "sort", "indicator,-period"),
        ("/v1/observations", "base", "2021"),
    ],
)
def test_contract_codes_and_periods_have_patterns(
    spec: dict[str, Any], client: TestClient, path: str, name: str, sample: str
) -> None:
    schema = string_schema(parameter(spec["paths"][path]["get"], name)["schema"])
    assert re.search(schema["pattern"], sample), schema
    for refused in ("", " ", "x y"):
        assert not re.search(schema["pattern"], refused)
    # And the server refuses what the pattern refuses, naming the parameter.
    real = path.replace("{code}", "gdp")
    required = {"/v1/search": {"q": "gdp"}, "/v1/indicators/{code}/comparison": {"period": "2024"}}
    extra = {k: v for k, v in required.get(path, {}).items() if k != name}
    response = client.get(real, params={**extra, name: ""})
    assert response.status_code == 422, response.text
    # (An item of a repeatable parameter is named with its index: region.0.)
    assert [e["name"].split(".")[0] for e in response.json()["errors"]] == [name]


@pytest.mark.parametrize(
    ("name", "value"), [("sort", "colour"), ("sort", "period,"), ("base", "twenty")]
)
def test_contract_sort_and_base_patterns_refuse_what_the_server_refuses(
    spec: dict[str, Any], client: TestClient, name: str, value: str
) -> None:
    schema = string_schema(parameter(spec["paths"]["/v1/observations"]["get"], name)["schema"])
    assert not re.search(schema["pattern"], value)
    params = {name: value, **({"transform": "index"} if name == "base" else {})}
    response = client.get("/v1/observations", params=params)
    assert response.status_code == 422
    assert [e["name"] for e in response.json()["errors"]] == [name]


def test_contract_period_filters_take_no_padding(client: TestClient) -> None:
    # The pattern says what the server takes: no space around a period.
    response = client.get("/v1/observations", params={"start": " 2024"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "start"


# 15. Writes, 405 and limits


def test_contract_writes_require_if_match(spec: dict[str, Any]) -> None:
    checked = 0
    for path, method, operation in operations(spec):
        if method in {"patch", "delete"}:
            header = parameter(operation, "If-Match")
            assert header["required"] is True, f"{method} {path}"
            assert header["schema"]["minLength"] == 1
            assert {"412", "428"} <= set(operation["responses"])
            checked += 1
    assert checked == 2 * len(RESOURCES)


def test_contract_long_query_strings_are_documented(spec: dict[str, Any], curated: Curated) -> None:
    for path, method, operation in operations(spec):
        assert "414" in operation["responses"], f"{method} {path}"
    # A reason within its 1,000 characters, in Chinese, is a longer query string than allowed.
    etag = curated.etag("/v1/entities/yangshe-railway")
    response = curated.client.delete(
        "/v1/entities/yangshe-railway",
        params={"reason": "理由" * 500},
        headers={**curated.auth(), "If-Match": etag},
    )
    assert response.status_code == 414
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("path", "method", "allowed"),
    [
        ("/v1/entities", "DELETE", "GET, HEAD, POST"),
        ("/v1/entities/yangshe-railway", "POST", "DELETE, GET, HEAD, PATCH"),
        ("/v1/observations/gdp-2024", "PUT", "DELETE, GET, HEAD, PATCH"),
        ("/v1/units", "POST", "GET, HEAD"),
        ("/healthz", "DELETE", "GET, HEAD"),
    ],
)
def test_contract_405_allows_every_method_of_the_path(
    client: TestClient, path: str, method: str, allowed: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "-446184363810342", "all": "true"},
        {"limit": "1001", "all": "true"},
        {"offset": "-1", "all": "true", "format": "csv"},
    ],
)
def test_contract_limit_is_validated_with_all(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/v1/units", params=params)
    assert response.status_code == 422, response.text
    name = "limit" if "limit" in params else "offset"
    assert [e["name"] for e in response.json()["errors"]] == [name]


def test_contract_all_still_reads_every_item(client: TestClient) -> None:
    body = client.get("/v1/regions", params={"all": "true", "limit": 2, "offset": 5}).json()
    assert len(body["items"]) == body["total"] == 25


@pytest.mark.parametrize("value", ["0.5", "1700000000", "yesterday"])
def test_contract_as_of_is_an_iso_moment(client: TestClient, value: str) -> None:
    # The document says date-time; a number was read as a Unix time and answered 200.
    response = client.get("/v1/observations", params={"as_of": value})
    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "as_of"


@pytest.mark.parametrize("value", ["2025-10-24", "2025-10-23T12:00:00+08:00", "2026-01-01T00:00Z"])
def test_contract_as_of_takes_dates_and_times(client: TestClient, value: str) -> None:
    assert client.get("/v1/observations", params={"as_of": value}).status_code == 200


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
@pytest.mark.parametrize(
    "path",
    ["/v1/observations", "/v1/observations/gdp-2024", "/v1/indicators/gdp/observations",
     "/v1/indicators/gdp/observations.csv"],
)  # fmt: skip
def test_contract_as_of_beyond_utcs_dates_is_a_422(
    client: TestClient, path: str, value: str
) -> None:
    # ISO 8601 in shape, but no date in UTC: refused by name, never a 500.
    response = client.get(path, params={"as_of": value})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["name"] == "as_of"
