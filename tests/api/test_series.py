"""Series tools on /v1/observations and /v1/indicators/{code}/observations, pinned against the
real seed: transform=change|pct_change|index (derived values naming their inputs and unit, null
with a reason where a figure is missing, never 0), shape=wide CSV (a row per series, a column
per period in time order, empty cells where there is no figure), latest=N, within=REGION; the
ranked comparison of regions (/v1/indicators/{code}/comparison); and every bad combination
refused with a problem naming the parameter."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from tests.support.seed import SEED_DIR

SECONDARY = "/v1/indicators/value_added_secondary/observations"
AGGREGATOR = "jinzhong-gdp-aggregator-value-added-secondary-140700-{}"

SEED_OBSERVATIONS: list[dict[str, Any]] = yaml.safe_load(
    (SEED_DIR / "observations.yaml").read_text(encoding="utf-8")
)
SEED_REGIONS: list[dict[str, Any]] = yaml.safe_load(
    (SEED_DIR / "regions.yaml").read_text(encoding="utf-8")
)


def printed(code: str) -> Decimal:
    """The figure as the seed records it printed."""
    (record,) = [o for o in SEED_OBSERVATIONS if o["code"] == code]
    return Decimal(record["value_as_published"])


def items(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(path, params={"limit": 1000, **params})
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()["items"]
    return result


def by_period(values: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["period"]: item for item in values}


def problem(client: TestClient, path: str, status: int, **params: Any) -> str:
    """The parameter a problem response names."""
    response = client.get(path, params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    (error,) = response.json()["errors"]
    name: str = error["name"]
    return name


def table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


# --- latest=N and within ---------------------------------------------------------------------


def test_latest_keeps_the_n_most_recent_periods_of_each_series(client: TestClient) -> None:
    one = items(client, SECONDARY, region="140700", latest="1")
    assert [i["period"] for i in one] == ["2024"]
    assert one == items(client, SECONDARY, region="140700", latest="true")
    three = items(client, SECONDARY, region="140700", latest="3")
    assert [i["period"] for i in three] == ["2017", "2018", "2024"]
    everything = items(client, SECONDARY, latest="false")
    assert everything == items(client, SECONDARY)
    # One per series across regions: Shanxi's 2022, Jinzhong's 2024, Taigu's 2023.
    latest = {(i["region"], i["period"]) for i in items(client, SECONDARY, latest="1")}
    assert latest == {("140000", "2022"), ("140700", "2024"), ("140703", "2023")}


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "x", "", "１"])
def test_latest_refuses_what_is_not_a_number_of_periods(client: TestClient, value: str) -> None:
    assert problem(client, "/v1/observations", 422, latest=value) == "latest"


def test_within_returns_the_region_and_every_region_under_it(client: TestClient) -> None:
    under_shanxi = {
        r["code"] for r in SEED_REGIONS if r["code"] == "140000" or r["parent"] == "140000"
    }
    under_shanxi |= {r["code"] for r in SEED_REGIONS if r["parent"] in under_shanxi}
    gdp = items(client, "/v1/indicators/gdp/observations", within="140000")
    regions = {i["region"] for i in gdp}
    cities = {r["code"] for r in SEED_REGIONS if r["parent"] == "140000"}
    assert len(cities) == 11
    assert {"140000"} | cities <= regions <= under_shanxi
    assert "140703" in regions  # Taigu, a district of Jinzhong: under Shanxi too
    jinzhong = {
        i["region"] for i in items(client, "/v1/indicators/gdp/observations", within="140700")
    }
    assert jinzhong == {"140700", "140703"}
    assert problem(client, "/v1/observations", 422, within="999999") == "within"
