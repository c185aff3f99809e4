"""Series tools on /v1/observations and /v1/indicators/{code}/observations, pinned against the
real seed: transform=change|pct_change|index (derived values naming their inputs and unit, null
with a reason where a figure is missing, never 0), shape=wide CSV (a row per series, a column
per period in time order, empty cells where there is no figure), latest=N, within=REGION; the
ranked comparison of regions (/v1/indicators/{code}/comparison); and every bad combination
refused with a problem naming the parameter."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from app.api.formats import csv_columns
from app.schemas.common import Page
from app.schemas.series import ComparisonItemRead, SeriesValueRead
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


# --- transform -------------------------------------------------------------------------------


def test_pct_change_between_two_aggregator_years_is_the_figure_computed_by_hand(
    client: TestClient,
) -> None:
    values = by_period(items(client, SECONDARY, region="140700", transform="pct_change"))
    before, after = printed(AGGREGATOR.format(2017)), printed(AGGREGATOR.format(2018))
    assert (before, after) == (Decimal("594.99"), Decimal("688.05"))  # as the table prints them
    by_hand = ((after / before - 1) * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert by_hand == Decimal("15.64")
    item = values["2018"]
    assert item["value"] == float(by_hand)
    assert item["transform"] == "pct_change"
    assert (item["unit"], item["unit_code"], item["qualifier"]) == ("%", "percent", "exact")
    assert item["derived"] is True
    assert item["derivation"]["formula"] == "(current / previous - 1) * 100"
    assert [(i["name"], i["observation"]) for i in item["derivation"]["inputs"]] == [
        ("current", AGGREGATOR.format(2018)),
        ("previous", AGGREGATOR.format(2017)),
    ]
    assert item["observation"] == AGGREGATOR.format(2018)
    assert item["sources"] == ["jinzhong-gdp-aggregator"]
    assert item["reason"] is None


def test_change_is_exact_in_the_series_unit(client: TestClient) -> None:
    values = by_period(items(client, SECONDARY, region="140700", transform="change"))
    by_hand = printed(AGGREGATOR.format(2018)) - printed(AGGREGATOR.format(2017))
    assert values["2018"]["value"] == float(by_hand) == 93.06
    assert (values["2018"]["unit"], values["2018"]["unit_code"]) == ("亿元", "cny_100m")
    assert values["2018"]["derivation"]["formula"] == "current - previous"


def test_change_of_percentages_is_in_percentage_points(client: TestClient) -> None:
    growth = by_period(
        items(
            client,
            "/v1/indicators/value_added_secondary_growth/observations",
            region="140000",
            transform="change",
        )
    )
    # 6.2 % in 2022 after 10.2 % in 2021: 4 points less.
    assert growth["2022"]["value"] == -4.0
    assert (growth["2022"]["unit"], growth["2022"]["unit_code"]) == ("个百分点", "percentage_point")


def test_a_gap_gives_null_with_a_reason_not_zero(client: TestClient) -> None:
    values = by_period(items(client, SECONDARY, region="140700", transform="pct_change"))
    # The aggregator's table has no 1992, 1993, 1998, 1999 or 2019-2023 figure.
    for period, missing in [("1990", "1989"), ("1994", "1993"), ("2000", "1999"), ("2024", "2023")]:
        item = values[period]
        assert item["value"] is None, period
        assert item["qualifier"] is None
        assert missing in item["reason"]
        assert [i["name"] for i in item["derivation"]["inputs"]] == ["current"]
    assert all(item["value"] != 0 for item in values.values())
    csv_rows = table(
        client.get(
            SECONDARY,
            params={"region": "140700", "transform": "pct_change", "format": "csv", "limit": 1000},
        ).text
    )
    header = csv_rows[0]
    assert header == csv_columns(SeriesValueRead)  # the transformed items' own columns
    row_1994 = next(r for r in csv_rows[1:] if r[header.index("period")] == "1994")
    assert row_1994[header.index("value")] == ""  # an empty cell, not 0
    assert "1993" in row_1994[header.index("reason")]


def test_index_is_100_at_the_base(client: TestClient) -> None:
    values = by_period(
        items(
            client,
            SECONDARY,
            region="140700",
            transform="index",
            base="2010",
            start="2009",
            end="2012",
        )
    )
    assert values["2010"]["value"] == 100.0
    assert values["2010"]["base"] == "2010"
    assert (values["2010"]["unit"], values["2010"]["unit_code"]) == ("2010=100", "index")
    assert values["2010"]["unit_name_en"] == "index, 2010 = 100"
    by_hand = printed(AGGREGATOR.format(2011)) / printed(AGGREGATOR.format(2010)) * 100
    assert (
        values["2011"]["value"] == float(by_hand.quantize(Decimal("0.01"), ROUND_HALF_UP)) == 116.68
    )
    assert [i["name"] for i in values["2011"]["derivation"]["inputs"]] == ["current", "base"]
    # The base lies in the series whatever the filters: 2009 against 2010, outside start.
    assert values["2009"]["value"] == 79.5


def test_index_is_refused_without_a_base_or_without_a_figure_there(client: TestClient) -> None:
    assert problem(client, SECONDARY, 422, transform="index") == "base"
    assert (
        problem(client, SECONDARY, 422, region="140700", transform="index", base="1992") == "base"
    )
    assert problem(client, SECONDARY, 422, transform="index", base="20x") == "base"
    assert problem(client, SECONDARY, 422, transform="change", base="2010") == "base"
    assert problem(client, SECONDARY, 422, base="2010") == "base"


def test_index_of_a_series_without_the_base_is_null_beside_those_with_it(
    client: TestClient,
) -> None:
    values = items(
        client, "/v1/indicators/gdp/observations", within="140000", transform="index", base="2023"
    )
    taigu = by_period([v for v in values if v["region"] == "140703"])
    assert taigu["2023"]["value"] == 100.0
    jinzhong = by_period([v for v in values if v["region"] == "140700"])
    assert jinzhong["2024"]["value"] is None
    assert "base period 2023" in jinzhong["2024"]["reason"]


def test_a_bound_cannot_be_transformed_and_approximate_inputs_give_approximate_values(
    client: TestClient,
) -> None:
    shanxi = by_period(
        items(
            client,
            "/v1/indicators/gdp/observations",
            region="140000",
            transform="index",
            base="2021",
        )
    )
    # 2011: 突破1万亿元, a bound: no value
    assert shanxi["2011"]["value"] is None
    assert "bound" in shanxi["2011"]["reason"]
    by_hand = Decimal("25642.59") / Decimal("22590.16") * 100
    assert printed("shanxi-bulletin-2022-opening-gdp-140000-2022") == Decimal("25642.59")
    assert shanxi["2022"]["value"] == float(by_hand.quantize(Decimal("0.01"), ROUND_HALF_UP))
    ratio = by_period(
        items(
            client,
            "/v1/indicators/urban_rural_income_ratio/observations",
            transform="index",
            base="2020",
        )
    )
    # The 2020 ratio is derived and approximately 2.32; 2.15 / 2.32 × 100 = 92.67...
    assert (ratio["2024"]["value"], ratio["2024"]["qualifier"]) == (92.67, "approximately")


def test_transformed_lists_are_exactly_their_response_model(client: TestClient) -> None:
    for path, params in [
        ("/v1/observations", {"transform": "change"}),
        (SECONDARY, {"transform": "index", "base": "2010", "lang": "en"}),
    ]:
        body = client.get(path, params={"limit": 1000, **params}).json()
        assert body["items"]
        assert Page[SeriesValueRead].model_validate(body).model_dump(mode="json") == body
        assert all(item["derived"] for item in body["items"])
    total = client.get("/v1/observations", params={"limit": 0}).json()["total"]
    assert (
        client.get("/v1/observations", params={"limit": 0, "transform": "change"}).json()["total"]
        == total
    )


def test_transform_refuses_what_it_cannot_compute(client: TestClient) -> None:
    path = "/v1/observations"
    assert problem(client, path, 422, transform="chg") == "transform"
    assert problem(client, path, 422, transform="change", witnesses="true") == "witnesses"
    assert (
        problem(client, path, 422, transform="change", source="jinzhong-gdp-aggregator") == "source"
    )
    assert problem(client, path, 422, transform="change", format="jsonstat") == "transform"
    assert problem(client, path, 422, transform="change", sort="-value") == "sort"
    assert client.get(path, params={"transform": "change", "sort": "-period"}).status_code == 200


# --- shape=wide ------------------------------------------------------------------------------


def test_wide_csv_has_one_row_per_series_and_the_periods_in_order(client: TestClient) -> None:
    response = client.get(SECONDARY, params={"region": "140700", "shape": "wide", "format": "csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    header, *rows = table(response.text)
    assert header[:15] == [
        "indicator", "indicator_name", "indicator_name_zh", "indicator_name_en",
        "region", "region_name", "region_name_zh", "region_name_en",
        "unit", "unit_code", "unit_name", "unit_name_zh", "unit_name_en", "transform", "qualifiers",
    ]  # fmt: skip
    seed = {
        o["period"]: o["value"]
        for o in SEED_OBSERVATIONS
        if o["indicator"] == "value_added_secondary" and o["regions"][0] == "140700"
    }
    periods = header[15:]
    assert periods == sorted(seed, key=int)  # every year with a figure, in time order
    assert periods[:4] == ["1990", "1991", "1994", "1995"]
    (row,) = rows
    assert row[:2] == ["value_added_secondary", "第二产业增加值"]
    assert row[4] == "140700"
    assert row[8:13] == ["亿元", "cny_100m", "亿元", "亿元", "100 million yuan"]
    assert {p: float(cell) for p, cell in zip(periods, row[15:], strict=True)} == seed


def test_wide_csv_leaves_cells_without_a_figure_empty(client: TestClient) -> None:
    response = client.get(
        SECONDARY, params={"within": "140000", "shape": "wide", "format": "csv", "lang": "en"}
    )
    header, *rows = table(response.text)
    by_region = {row[4]: dict(zip(header, row, strict=True)) for row in rows}
    assert list(by_region) == ["140000", "140700", "140703"]  # Shanxi, Jinzhong, Taigu
    assert int(response.headers["x-total-count"]) == 3
    assert by_region["140000"]["2021"] == "11213.13"
    assert by_region["140000"]["1990"] == ""  # no figure: empty, never 0
    assert by_region["140700"]["2021"] == by_region["140700"]["2023"] == ""
    assert by_region["140703"]["2023"] == "30.6"
    assert "0" not in [cell for row in rows for cell in row[15:]]


def test_wide_csv_converts_units_and_says_which_cells_are_not_exact(client: TestClient) -> None:
    response = client.get(
        "/v1/indicators/gdp/observations",
        params={"region": "140000", "shape": "wide", "format": "csv"},
    )
    header, row = table(response.text)
    cells = dict(zip(header, row, strict=True))
    # 突破1万亿元 in 2011: a bound of 1 万亿元, no value a column of numbers may hold; the
    # qualifiers column gives it, in the series' 亿元.
    assert cells["2011"] == ""
    assert cells["qualifiers"] == "2011=more_than 10000.0"
    assert cells["2021"] == "22590.16"


def test_wide_csv_of_a_transform(client: TestClient) -> None:
    response = client.get(
        SECONDARY,
        params={"region": "140700", "shape": "wide", "format": "csv", "transform": "pct_change"},
    )
    header, row = table(response.text)
    cells = dict(zip(header, row, strict=True))
    assert (cells["unit"], cells["transform"]) == ("%", "pct_change")
    assert cells["2018"] == "15.64"
    assert cells["1994"] == ""  # a gap before it: no value


def test_wide_is_refused_where_it_cannot_be_a_table(client: TestClient) -> None:
    assert problem(client, SECONDARY, 422, shape="wide") == "shape"
    assert problem(client, SECONDARY, 422, shape="wide", format="jsonstat") == "shape"
    assert problem(client, SECONDARY, 422, shape="tall", format="csv") == "shape"
    assert problem(client, SECONDARY, 422, shape="wide", format="csv", limit=5) == "limit"
    assert (
        problem(client, SECONDARY, 422, shape="wide", format="csv", witnesses="true") == "witnesses"
    )
    accepted = client.get(SECONDARY, params={"shape": "wide"}, headers={"Accept": "text/csv"})
    assert accepted.status_code == 200
    assert problem(client, "/v1/regions", 400, shape="wide", format="csv") == "shape"


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


# --- comparison ------------------------------------------------------------------------------


def test_comparison_of_2021_gdp_ranks_the_eleven_cities_of_shanxi(client: TestClient) -> None:
    response = client.get(
        "/v1/indicators/gdp/comparison", params={"period": "2021", "within": "140000"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert Page[ComparisonItemRead].model_validate(body).model_dump(mode="json") == body
    cities = {r["code"] for r in SEED_REGIONS if r["parent"] == "140000"}
    seed = sorted(
        (
            (o["value"], o["regions"][0], o["code"])
            for o in SEED_OBSERVATIONS
            if o["indicator"] == "gdp" and o["period"] == "2021" and o["regions"][0] in cities
        ),
        reverse=True,
    )
    assert len(seed) == 11
    ranked = body["items"]
    assert [(i["value"], i["region"], i["observation"]) for i in ranked] == seed
    assert [i["rank"] for i in ranked] == list(range(1, 12))
    first = ranked[0]
    assert (first["region"], first["region_name_en"], first["rank"]) == ("140100", "Taiyuan", 1)
    assert (first["value"], first["unit"], first["qualifier"]) == (5121.61, "亿元", "exact")
    assert first["source"] == "shanxi-cities-gdp-2021"
    assert first["level"] == "prefecture"
    assert all(i["comparable"] and i["reason"] is None for i in ranked)
    jinzhong = next(i for i in ranked if i["region"] == "140700")
    assert jinzhong["rank"] == 7


def test_comparison_says_which_figures_are_not_comparable(client: TestClient) -> None:
    # Shanxi's 2021 GDP per head is printed as 突破6万元: a bound, not ranked.
    (shanxi,) = items(client, "/v1/indicators/gdp_per_capita/comparison", period="2021")
    assert (shanxi["region"], shanxi["rank"], shanxi["comparable"]) == ("140000", None, False)
    assert (shanxi["value"], shanxi["unit"], shanxi["qualifier"]) == (60000.0, "元", "more_than")
    assert "bound" in shanxi["reason"]
    # Jinzhong's counties: Taigu alone has a figure; the others are listed, without one.
    counties = items(client, "/v1/indicators/gdp/comparison", period="2021", within="140700")
    assert counties[0]["region"] == "140703"
    assert counties[0]["rank"] == 1
    assert len(counties) == 11
    assert all(c["value"] is None and c["reason"] == "no figure for 2021" for c in counties[1:])


def test_comparison_csv_and_errors(client: TestClient) -> None:
    path = "/v1/indicators/gdp/comparison"
    text = client.get(path, params={"period": "2021", "within": "140000", "format": "csv"}).text
    header, first, *_ = table(text)
    assert dict(zip(header, first, strict=True))["region"] == "140100"
    assert problem(client, path, 422) == "period"
    assert problem(client, path, 422, period="2021-13") == "period"
    assert problem(client, path, 422, period="2021", within="999999") == "within"
    assert problem(client, path, 422, period="2021", level="city") == "level"
    assert (
        client.get("/v1/indicators/nope/comparison", params={"period": "2021"}).status_code == 404
    )


# --- indicator metadata ----------------------------------------------------------------------


def test_indicator_metadata_is_computed_from_its_figures(client: TestClient) -> None:
    gdp = client.get("/v1/indicators/gdp", params={"lang": "en"}).json()
    publishers = {p["name"] for p in gdp["publishers"]}
    assert "Jinzhong Municipal Bureau of Statistics and the NBS Jinzhong Survey Team" in publishers
    assert "Jinzhong Daily" in publishers
    assert gdp["frequency"] == "annual"
    seed_sources = {o["source"] for o in SEED_OBSERVATIONS if o["indicator"] == "gdp"}
    assert set(gdp["sources"]) == seed_sources
    listed = {i["code"]: i for i in items(client, "/v1/indicators")}
    assert listed["gdp"] == client.get("/v1/indicators/gdp").json()
    assert listed["advanced_coal_capacity_share"]["frequency"] == "multi_year"  # 2021/2025
    assert listed["winning_bid_loan_amount"]["frequency"] == "monthly"  # 2025-09
    assert listed["grain_sown_area"]["frequency"] is None  # no figure recorded
    assert listed["grain_sown_area"]["publishers"] == []


def test_openapi_documents_every_new_parameter(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ["/v1/observations", "/v1/indicators/{code}/observations"]:
        params = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}
        for name in ["transform", "base", "shape", "latest", "within"]:
            assert params[name]["description"], (path, name)
        assert params["latest"]["schema"]["anyOf"][1] == {
            "type": "integer",
            "minimum": 1,
            "maximum": 1_000_000,
        }
        shapes = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"][
            "schema"
        ]["anyOf"]
        assert {"$ref": "#/components/schemas/Page_SeriesValueRead_"} in shapes
    comparison = spec["paths"]["/v1/indicators/{code}/comparison"]["get"]
    assert {p["name"] for p in comparison["parameters"]} >= {"period", "within", "level"}
    indicator = spec["components"]["schemas"]["IndicatorRead"]["properties"]
    for name in ["sources", "publishers", "licence_notes", "frequency", "last_updated_at"]:
        assert indicator[name]["description"].startswith("Computed"), name


def test_an_empty_within_is_refused_like_an_unknown_one(client: TestClient) -> None:
    for params in ({"within": ""}, {"within": "", "shape": "wide", "format": "csv"}):
        refused = client.get("/v1/observations", params=params)
        assert refused.status_code == 422, (params, refused.text)
        assert refused.json()["errors"][0]["name"] == "within"


def test_ranks_that_cannot_be_compared_are_listed_best_first(client: TestClient) -> None:
    items = client.get(
        "/v1/indicators/gdp_rank_province/comparison", params={"period": "2021", "limit": 100}
    ).json()["items"]
    ranks = [item["value"] for item in items if item["value"] is not None]
    assert ranks == sorted(ranks)
    assert ranks[0] == 1
