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
