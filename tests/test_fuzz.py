"""Schemathesis against /openapi.json with every check it has: each operation in its examples,
coverage and fuzzing phases, with valid and invalid data, and no 5xx; every response as the
document says (status code, content type, body schema, headers); valid data accepted, invalid
data refused; a method the document does not list answered 405 with an Allow header; a
missing required header refused.

A 4xx by design for a schema-valid request is said in the checks' configuration, for the
operations it concerns, rather than by turning a check off:
- a query code of the right shape that names nothing (region=149999) is a 422 naming the
  parameter, not an empty 200, on every operation that takes such a code (found in the
  document: a query parameter with a pattern);
- a write's If-Match of the right shape that is not the record's ETag is a 412, and its body,
  declared as an object, is a record in seed_data/ form whose rules (app.rules, the seed
  models) the document does not repeat: a 422 naming the field.

And a request refused for its size is refused: invalid data may be answered 413 (a body over
WRITE_MAX_BYTES) or 414 (a query string over 8 KiB) before any parameter is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from app.config import Settings
from app.main import create_app

EXAMPLES = 25
# A list's `.csv` twin runs the list's own code and answers byte for byte its format=csv
# (tests/test_csv_twins.py): fewer fuzzed examples check its own contract (parameters, media
# type, problems) without repeating the list's; the coverage phase still runs in full.
TWIN_EXAMPLES = 8
# What Schemathesis accepts from valid data by default (its POSITIVE_DATA_ACCEPTANCE_EXPECTED_
# STATUSES), to which the 4xx by design are added.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
# What it takes as a refusal of invalid data by default (NEGATIVE_DATA_REJECTION_...), and 413
# and 414.
REFUSED = ["400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429", "5xx"]
REFUSED_FOR_SIZE = ["413", "414"]


def _named_by_code(operation: dict[str, Any]) -> bool:
    """Whether an operation takes a code or period in its query (a pattern the document
    declares), which a well-formed value may fail to name."""

    def patterned(schema: dict[str, Any]) -> bool:
        options = schema.get("anyOf", [schema])
        return any("pattern" in o or "pattern" in o.get("items", {}) for o in options)

    return any(
        p["in"] == "query" and patterned(p["schema"]) for p in operation.get("parameters", [])
    )


def by_design(spec: dict[str, Any]) -> dict[str, list[str]]:
    """The 4xx by design for schema-valid data, by operation (see the module's doc)."""
    found: dict[str, list[str]] = {}
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            statuses = []
            if _named_by_code(operation) or method in {"post", "patch", "delete"}:
                statuses.append("422")
            if "412" in operation["responses"]:
                statuses.append("412")
            if statuses:
                found[f"{method.upper()} {path}"] = statuses
    return found


def contract_config(spec: dict[str, Any]) -> SchemathesisConfig:
    """Every check, every mode, the examples, coverage and fuzzing phases; the 4xx by design
    stated per operation."""
    operations = [
        {
            "include-name": name,
            "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED + statuses}},
        }
        for name, statuses in sorted(by_design(spec).items())
    ]
    operations.append(
        {"include-path-regex": r"\.csv$", "generation": {"max-examples": TWIN_EXAMPLES}}
    )
    return SchemathesisConfig.from_dict(
        {
            "checks": {
                "enabled": True,
                "negative_data_rejection": {"expected-statuses": REFUSED + REFUSED_FOR_SIZE},
            },
            "generation": {"mode": "all", "max-examples": EXAMPLES},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
            "operations": operations,
        }
    )


# The document is the same whatever database the app is built on; this one is never opened.
_DOCUMENTED = create_app(Settings(database_url="sqlite:///never-opened.db"))
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", _DOCUMENTED, config=contract_config(_DOCUMENTED.openapi())
)


@pytest.fixture(scope="module")
def seeded_app(seeded_url: str) -> Iterator[Any]:
    """The app the generated requests are sent to, over the seeded database."""
    app = create_app(Settings(database_url=seeded_url))
    with TestClient(app):  # runs the lifespan: the engine exists
        yield app


@schema.parametrize()
@settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_fuzz_every_check(case: schemathesis.Case, seeded_app: Any) -> None:
    case.call_and_validate(app=seeded_app)


def test_fuzz_covers_every_operation(client: TestClient) -> None:
    documented = {
        f"{method.upper()} {path}"
        for path, methods in client.get("/openapi.json").json()["paths"].items()
        for method in methods
    }
    assert {result.ok().label for result in schema.get_all_operations()} == documented


def test_fuzz_states_the_4xx_by_design_per_operation(client: TestClient) -> None:
    found = by_design(client.get("/openapi.json").json())
    assert found["GET /v1/observations"] == ["422"]  # filtered by codes
    assert found["PATCH /v1/entities/{code}"] == ["422", "412"]  # a write with If-Match
    assert found["POST /v1/entities"] == ["422"]
    assert "GET /v1/units" not in found  # neither: every valid request is accepted
    assert "GET /v1/observations/{code}" not in found  # a code in the path: 404 by default


# Failures Schemathesis found, kept as plain regression tests.


def test_regression_json_with_all_stays_json(client: TestClient) -> None:
    # GET /v1/sources?all=true&limit=422&format=json answered with CSV.
    response = client.get("/v1/regions", params={"all": "true", "limit": 3, "format": "json"})
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert len(body["items"]) == body["total"] == 25
    assert body["links"] == {"next": None, "prev": None}


def test_regression_csv_is_documented(client: TestClient) -> None:
    # ST105 Undocumented Content-Type: text/csv on every list.
    spec = client.get("/openapi.json").json()
    for path in ("/v1/units", "/v1/observations", "/v1/search"):
        assert "text/csv" in spec["paths"][path]["get"]["responses"]["200"]["content"]
    observations = spec["paths"]["/v1/observations"]["get"]["responses"]["200"]["content"]
    assert "anyOf" in observations["application/json"]["schema"]  # the page, or JSON-stat
