"""The OpenAPI document is valid (openapi-spec-validator), every operation is documented with
its errors, closed vocabularies are enums, and its examples are the API's real answers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

EXAMPLES = {
    "ObservationRead": "/v1/observations/gdp-2024",
    "IndicatorRead": "/v1/indicators/gdp",
    "EventRead": "/v1/events/yangshe-railway-opens",
    "QuoteRead": "/v1/quotes/old-miner-white-shirt",
    "TopicRead": "/v1/topics/energy",
}


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    return client.get("/openapi.json").json()


def test_openapi_is_valid(spec: dict[str, Any]) -> None:
    validate(spec)


def test_openapi_every_operation_has_summary_description_and_tag(spec: dict[str, Any]) -> None:
    tags = {tag["name"]: tag.get("description") for tag in spec["tags"]}
    assert all(tags.values())
    for path, methods in spec["paths"].items():
        for operation in methods.values():
            assert operation["summary"], path
            assert operation["description"], path
            assert set(operation["tags"]) <= set(tags), path


def test_openapi_list_operations_document_formats(spec: dict[str, Any]) -> None:
    params = {p["name"]: p for p in spec["paths"]["/v1/observations"]["get"]["parameters"]}
    assert {"format", "bom", "all", "lang"} <= set(params)
    formats = params["format"]["schema"]["anyOf"][0]["enum"]
    assert formats == ["json", "csv", "jsonstat"]


@pytest.mark.parametrize(("schema", "path"), list(EXAMPLES.items()))
def test_openapi_examples_are_real_answers(
    spec: dict[str, Any], client: TestClient, schema: str, path: str
) -> None:
    (example,) = spec["components"]["schemas"][schema]["examples"]
    # The example was taken from a server at 127.0.0.1:8000; this one calls itself testserver.
    real = json.loads(client.get(path).text.replace("http://testserver", "http://127.0.0.1:8000"))
    # The OpenAPI document leaves out null members of examples.
    assert example == {key: value for key, value in real.items() if value is not None}


def test_openapi_closed_vocabularies_are_enums(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    for name in [
        "Qualifier",
        "PeriodPrecision",
        "EntityKind",
        "Relation",
        "RegionLevel",
        "DocType",
        "Language",
    ]:
        assert schemas[name]["enum"], name


def test_openapi_declares_bearer_keys_on_exactly_the_operations_that_need_one(
    spec: dict[str, Any],
) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert list(schemes) == ["bearerAuth"]
    bearer = schemes["bearerAuth"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
    assert "write" in bearer["description"]
    assert "admin" in bearer["description"]
    keyed = {
        f"{method.upper()} {path}"
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
        if operation.get("security") == [{"bearerAuth": []}]
    }
    writes = {
        f"{method.upper()} {path}"
        for path, methods in spec["paths"].items()
        for method in methods
        if method in {"post", "patch", "delete"}
    }
    assert len(writes) == 18  # create, patch and retire for each of the six resources
    assert keyed == writes | {"GET /v1/keys"}
    # Reads declare nothing: no empty `security` either, and none at the top level.
    assert "security" not in spec
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if f"{method.upper()} {path}" not in keyed:
                assert "security" not in operation, (method, path)
    # The key's answers are declared where a key is asked for.
    assert {"401", "403", "429"} <= set(spec["paths"]["/v1/keys"]["get"]["responses"])
