"""CSV for every list (format=csv or Accept: text/csv), with pagination, a BOM for Excel and
the whole result streamed on request; JSON-stat 2.0 for observations, read back by an
independent reader (pyjstat) with the same numbers; Chinese survives pandas.read_csv(url)."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from pyjstat import pyjstat

from app.api import routing
from app.api.formats import flatten

LISTS = [
    "/v1/observations", "/v1/indicators", "/v1/indicators/gdp/observations", "/v1/regions",
    "/v1/topics", "/v1/units", "/v1/sources", "/v1/entities", "/v1/events", "/v1/quotes",
]  # fmt: skip


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.mark.parametrize("path", [*LISTS, "/v1/search"])
@pytest.mark.parametrize("how", ["param", "accept"])
def test_csv_for_every_list(client: TestClient, path: str, how: str) -> None:
    query = {"limit": 1000, **({"q": "铁路"} if path == "/v1/search" else {})}
    params = {**query, **({"format": "csv"} if how == "param" else {})}
    headers = {"Accept": "text/csv"} if how == "accept" else {}
    response = client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    as_json = client.get(path, params=query).json()
    table = rows(response.text)
    assert len(table) == len(as_json["items"]) == int(response.headers["x-total-count"])
    # Every JSON key is a column (nested objects as prefix_key), with the same value, in
    # every row; an object that is null in one item still has its columns.
    for row, item in zip(table, as_json["items"], strict=True):
        flat = flatten(item)
        for key, value in flat.items():
            if key in row:
                assert row[key] == value, (key, item.get("code"))
            else:
                assert value == "", key
                assert any(column.startswith(f"{key}_") for column in row), key


def test_csv_keeps_columns_of_objects_null_in_the_first_row(client: TestClient) -> None:
    table = rows(client.get("/v1/observations", params={"format": "csv", "all": "true"}).text)
    assert table[0]["derivation_formula"] == ""  # the first row is not derived
    derived = next(r for r in table if r["code"] == "urban-rural-income-ratio-2020")
    assert derived["derivation_formula"] == "ratio_2024 - change"
    assert "urban-rural-income-ratio-2024" in derived["derivation_inputs"]


def test_csv_observations_carry_unit_qualifier_source_and_quote(client: TestClient) -> None:
    table = rows(
        client.get(
            "/v1/observations", params={"format": "csv", "indicator": "gdp_increase_since_2020"}
        ).text
    )
    assert len(table) == 1
    row = table[0]
    assert (row["value"], row["unit"], row["value_as_published"], row["qualifier"]) == (
        "1000.0",
        "亿元",
        "千",
        "approximately",
    )
    assert (row["normalized_value"], row["normalized_unit"]) == ("100000000000.0", "CNY")
    assert row["source"] == "jzrb-2025-10-24-p03"
    assert "增长近千亿元" in row["quote"]
    assert row["regions"] == "140700"
    # The topic came last, so every column a reader already used stays where it was.
    assert (list(row)[-1], row["topic"]) == ("topic", "economy")


def test_csv_labels_follow_the_language(client: TestClient) -> None:
    zh = rows(client.get("/v1/regions", params={"format": "csv"}).text)
    en = rows(client.get("/v1/regions", params={"format": "csv", "lang": "en"}).text)
    assert zh[0]["name"] == "山西省"
    assert en[0]["name"] == "Shanxi Province"


def test_csv_paginates_and_links(client: TestClient) -> None:
    response = client.get("/v1/regions", params={"format": "csv", "limit": 5, "offset": 5})
    assert len(rows(response.text)) == 5
    assert response.headers["x-total-count"] == "25"
    assert 'rel="next"' in response.headers["link"]
    assert "format=csv" in response.headers["link"]


def test_csv_all_streams_every_item(client: TestClient) -> None:
    response = client.get("/v1/regions", params={"format": "csv", "all": "true", "limit": 2})
    table = rows(response.text)
    assert [r["code"] for r in table] == [
        r["code"] for r in client.get("/v1/regions", params={"limit": 1000}).json()["items"]
    ]
    assert "link" not in response.headers


def test_csv_bom_for_excel(client: TestClient) -> None:
    with_bom = client.get("/v1/topics", params={"format": "csv", "bom": "true"}).content
    assert with_bom.startswith("\ufeff".encode())
    assert not client.get("/v1/topics", params={"format": "csv"}).content.startswith(
        b"\xef\xbb\xbf"
    )
    assert with_bom.decode("utf-8-sig").splitlines()[0].startswith("code,name")


def test_csv_empty_list_is_its_header(client: TestClient) -> None:
    # The media type says header=present: an empty table still names its columns.
    full = client.get("/v1/search", params={"q": "煤层气", "format": "csv"}).text
    response = client.get("/v1/search", params={"q": "xyzzy", "format": "csv"})
    assert response.status_code == 200
    assert response.text == full.splitlines(keepends=True)[0]
    limited = client.get("/v1/units.csv", params={"limit": 0, "bom": "true"})
    assert limited.content.decode("utf-8-sig").splitlines() == [
        client.get("/v1/units.csv").text.splitlines()[0]
    ]


def test_csv_errors_stay_problem_json(client: TestClient) -> None:
    response = client.get("/v1/observations", params={"format": "csv", "region": "999999"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("value", ["xml", "jsonstat"])
def test_unknown_or_unoffered_format_is_422(client: TestClient, value: str) -> None:
    response = client.get("/v1/regions", params={"format": value})
    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "format"


def test_pandas_reads_csv_from_a_url_chinese_intact(live_server: str) -> None:
    frame = pd.read_csv(
        f"{live_server}/v1/observations?format=csv&all=true&witnesses=true", dtype={"region": str}
    )
    gdp = frame[frame["code"] == "gdp-2024"].iloc[0]
    assert gdp["indicator_name_zh"] == "地区生产总值"
    assert gdp["value"] == 2458.8
    assert gdp["region"] == "140700"
    with_bom = pd.read_csv(
        f"{live_server}/v1/regions?format=csv&bom=true", encoding="utf-8-sig", dtype=str
    )
    assert with_bom.columns[0] == "code"
    assert "晋中市" in set(with_bom["name"])


def test_jsonstat_reads_back_with_the_same_numbers(client: TestClient) -> None:
    response = client.get(
        "/v1/observations", params={"format": "jsonstat", "all": "true", "lang": "en"}
    )
    assert response.status_code == 200
    dataset = response.json()
    assert (dataset["version"], dataset["class"]) == ("2.0", "dataset")
    assert dataset["id"] == ["indicator", "region", "period"]
    frame = pyjstat.Dataset.read(json.dumps(dataset)).write("dataframe", naming="id")
    frame = frame.dropna(subset=["value"])
    observations = client.get("/v1/observations", params={"limit": 1000}).json()["items"]
    assert len(frame) == len(observations)
    read_back = {(r.indicator, r.region, r.period): r.value for r in frame.itertuples()}
    for obs in observations:
        cell = (obs["indicator"], obs["region"], obs["period"])
        assert read_back[cell] == pytest.approx(obs["normalized_value"])
    statuses = {dataset["status"][k] for k in dataset["status"]}
    assert {"exact", "approximately", "more_than", "cumulative", "rank", "range"} <= statuses
    assert dataset["dimension"]["indicator"]["category"]["unit"]["gdp"]["symbol"] == "CNY"
    # A range keeps its upper end beside the cube.
    (loan_cell,) = [k for k, status in dataset["status"].items() if status == "range"]
    assert (dataset["value"][loan_cell], dataset["extension"]["value_max"][loan_cell]) == (2.0, 3.0)
    assert dataset["dimension"]["indicator"]["category"]["label"]["gdp"] == "Gross regional product"


def test_jsonstat_respects_filters(client: TestClient) -> None:
    dataset = client.get(
        "/v1/observations", params={"format": "jsonstat", "indicator": "urban_rural_income_ratio"}
    ).json()
    assert dataset["size"] == [1, 1, 2]
    assert sorted(dataset["value"].values()) == [2.15, 2.32]
    assert sorted(dataset["status"].values()) == ["approximately", "exact"]


def test_all_reads_every_page(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    # Pages of 5 make all=true walk 4 pages of regions (16) and several of observations.
    monkeypatch.setattr(routing, "MAX_PAGE", 5)
    table = rows(client.get("/v1/regions", params={"format": "csv", "all": "true"}).text)
    everything = client.get("/v1/regions", params={"limit": 1000}).json()["items"]
    assert [r["code"] for r in table] == [r["code"] for r in everything]
    body = client.get("/v1/observations", params={"all": "true"}).json()
    assert len(body["items"]) == body["total"] == client.get("/v1/observations").json()["total"]
    assert len({o["code"] for o in body["items"]}) == body["total"]


def test_csv_cells_that_spreadsheets_would_run_stay_text() -> None:
    row = flatten({"a": "=HYPERLINK(1)", "b": "+1", "c": "@x", "d": -0.17, "e": "-x", "f": "ok"})
    assert row == {
        "a": "'=HYPERLINK(1)",
        "b": "'+1",
        "c": "'@x",
        "d": "-0.17",
        "e": "'-x",
        "f": "ok",
    }
