"""The dataset zip is a Frictionless Tabular Data Package: `datapackage.json` describes every
public table's CSV with a Table Schema (typed fields, primary key, foreign keys, blank cell =
null) derived from the models, the `frictionless` library validates it row by row, foreign
keys included, and neither keys, history nor internal tables are in it."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import frictionless
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import column, false, func, select, table
from sqlmodel import SQLModel

from app.db import make_engine
from app.services.datapackage import PUBLIC_TABLES, WITHHELD_TABLES, field_type
from tests.support.curation import Curated, problem
from tests.support.seed import SOURCE_CODE

ROOT = "jinzhong-indicators/"
# Tables a public download must never describe: keys, the history of writes, and the
# search index, data version and migration bookkeeping of the database.
NEVER_PUBLISHED = {
    "api_key",
    "record_version",
    "observation_vintage",
    "observation_vintage_region",
    "search_document",
    "dataset_meta",
    "alembic_version",
}


def extract(client: TestClient, folder: Path) -> Path:
    """Download the zip from the app, unpack it into `folder`, return its datapackage.json."""
    response = client.get("/v1/downloads/dataset.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(folder)
    return folder / ROOT / "datapackage.json"


def descriptor(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def test_datapackage_validates_with_frictionless(client: TestClient, tmp_path: Path) -> None:
    path = extract(client, tmp_path)
    report = frictionless.validate(path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "note"])
    # Every row of every table was read and typed: the report counts them all.
    package = descriptor(path)
    metadata = json.loads((path.parent / "metadata.json").read_text(encoding="utf-8"))
    assert {task.name: task.stats["rows"] for task in report.tasks} == {
        name: facts["rows"] for name, facts in metadata["tables"].items()
    }
    assert package["profile"] == "tabular-data-package"
    assert package["name"] == "jinzhong-indicators"
    assert package["version"] == metadata["data_version"]
    for resource in package["resources"]:
        assert resource["profile"] == "tabular-data-resource"
        assert resource["path"] == f"csv/{resource['name']}.csv"
        schema = resource["schema"]
        assert schema["missingValues"] == [""]
        assert schema["primaryKey"], resource["name"]
        assert all(field["type"] != "any" for field in schema["fields"]), resource["name"]


def test_datapackage_types_come_from_the_columns(client: TestClient, tmp_path: Path) -> None:
    package = descriptor(extract(client, tmp_path))
    schemas = {r["name"]: r["schema"] for r in package["resources"]}
    types = {
        name: {field["name"]: field["type"] for field in schema["fields"]}
        for name, schema in schemas.items()
    }
    for name, fields in types.items():  # every column, in the table's order
        assert list(fields) == [c.name for c in SQLModel.metadata.tables[name].columns]
    observation = types["observation"]
    assert observation["code"] == "string"
    assert observation["value"] == "number"
    assert observation["period_end"] == "date"
    assert observation["period_start"] == "date"
    assert observation["derived"] == "boolean"
    assert types["observation_region"]["position"] == "integer"
    assert types["region"] == {
        "name_zh": "string",
        "name_en": "string",
        "level": "string",
        "code": "string",
        "parent_code": "string",
    }
    assert schemas["erratum"]["primaryKey"] == ["source_code", "seq"]
    region = {field["name"]: field for field in schemas["region"]["fields"]}
    assert region["code"]["constraints"]["required"] is True
    assert "required" not in region["parent_code"].get("constraints", {})
    assert region["level"]["constraints"]["enum"] == ["province", "prefecture", "county"]


def test_datapackage_keeps_region_codes_as_text(client: TestClient, tmp_path: Path) -> None:
    # pandas and frictionless type a column from the schema: codes with a blank stay text.
    package = frictionless.Package(extract(client, tmp_path))
    rows = {row["code"]: row for row in package.get_resource("region").read_rows()}
    assert rows["140700"]["parent_code"] == "140000"
    assert rows["140000"]["parent_code"] is None  # the province: a blank cell, no parent
    county = rows["140721"]
    assert county["parent_code"] == "140700"
    assert isinstance(county["parent_code"], str)
    assert all(isinstance(code, str) and len(code) == 6 for code in rows)
    observations = package.get_resource("observation").read_rows()
    gdp = next(row for row in observations if row["code"] == "gdp-2024")
    assert (gdp["value"], gdp["region_code"]) == (Decimal("2458.8"), "140700")


def test_datapackage_lists_are_json_arrays(client: TestClient, tmp_path: Path) -> None:
    # An indicator's aliases are a list: a JSON array in its cell, typed `array`, so a reader
    # gets the names back, not a programming language's rendering of them.
    package = extract(client, tmp_path)
    with (package.parent / "csv" / "indicator.csv").open(encoding="utf-8", newline="") as file:
        cells = {row["code"]: row for row in csv.DictReader(file)}
    assert json.loads(cells["gdp"]["aliases_en"]) == ["GDP", "GRP"]
    assert json.loads(cells["births"]["aliases_zh"]) == []
    fields = {
        f["name"]: f["type"]
        for r in descriptor(package)["resources"]
        if r["name"] == "indicator"
        for f in r["schema"]["fields"]
    }
    assert fields["aliases_zh"] == fields["aliases_en"] == "array"
    rows = frictionless.Package(package).get_resource("indicator").read_rows()
    assert next(row for row in rows if row["code"] == "gdp")["aliases_en"] == ["GDP", "GRP"]


def test_datapackage_foreign_keys_are_the_models(client: TestClient, tmp_path: Path) -> None:
    package = descriptor(extract(client, tmp_path))
    declared = {
        (r["name"], tuple(fk["fields"]), fk["reference"]["resource"] or r["name"])
        for r in package["resources"]
        for fk in r["schema"].get("foreignKeys", [])
    }
    expected = {
        (name, tuple(c.name for c in fk.columns), fk.referred_table.name)
        for name in PUBLIC_TABLES
        for fk in SQLModel.metadata.tables[name].foreign_key_constraints
    }
    assert declared == expected
    assert ("region", ("parent_code",), "region") in declared
    assert ("observation", ("region_code",), "region") in declared


def test_datapackage_reports_a_broken_foreign_key(client: TestClient, tmp_path: Path) -> None:
    # Frictionless checks the declared keys: a link to a region that does not exist fails.
    path = extract(client, tmp_path)
    links = path.parent / "csv" / "observation_region.csv"
    with links.open("a", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\r\n").writerow(["gdp-2024", "999999", "9"])
    package = descriptor(path)
    for resource in package["resources"]:  # the file changed on purpose: not its checksum
        resource.pop("hash", None)
        resource.pop("bytes", None)
    path.write_text(json.dumps(package), encoding="utf-8")
    report = frictionless.validate(path)
    assert not report.valid
    found = [(task.name, error.type, error.cells) for task in report.tasks for error in task.errors]
    assert found == [("observation_region", "foreign-key", ["gdp-2024", "999999", "9"])]


def test_datapackage_withholds_keys_history_and_internals(
    client: TestClient, tmp_path: Path
) -> None:
    path = extract(client, tmp_path)
    package = descriptor(path)
    published = {r["name"] for r in package["resources"]}
    assert published == set(PUBLIC_TABLES)
    assert not published & NEVER_PUBLISHED
    assert not {p.stem for p in (path.parent / "csv").glob("*.csv")} & NEVER_PUBLISHED
    metadata = json.loads((path.parent / "metadata.json").read_text(encoding="utf-8"))
    assert set(metadata["tables"]) == published


def test_public_tables_classify_every_table() -> None:
    # A new table is published only when someone decides it should be.
    names = set(SQLModel.metadata.tables)
    assert set(PUBLIC_TABLES) | set(WITHHELD_TABLES) == names
    assert not set(PUBLIC_TABLES) & set(WITHHELD_TABLES)
    assert NEVER_PUBLISHED - {"alembic_version"} <= set(WITHHELD_TABLES)


def test_metadata_json_lists_typed_columns(client: TestClient, tmp_path: Path) -> None:
    path = extract(client, tmp_path)
    metadata = json.loads((path.parent / "metadata.json").read_text(encoding="utf-8"))
    package = descriptor(path)
    for resource in package["resources"]:
        table_facts = metadata["tables"][resource["name"]]
        assert table_facts["schema"] == resource["schema"]
        assert table_facts["columns"] == [f["name"] for f in resource["schema"]["fields"]]
    parent = metadata["tables"]["region"]["schema"]["fields"][-1]
    assert (parent["name"], parent["type"]) == ("parent_code", "string")


def test_datapackage_blank_cell_is_null_only(
    client: TestClient, seeded_url: str, tmp_path: Path
) -> None:
    # A blank cell means no data; a real value is never an empty text, so the two never mix.
    path = extract(client, tmp_path)
    engine = make_engine(seeded_url)
    with engine.connect() as connection:
        for written in sorted((path.parent / "csv").glob("*.csv")):
            name = written.stem
            rows = list(csv.DictReader(written.open(encoding="utf-8")))
            for column_ in SQLModel.metadata.tables[name].columns:
                cell = column(column_.name)
                empty = cell == "" if field_type(column_) == "string" else false()
                counted = select(
                    func.count().filter(cell.is_(None)), func.count().filter(empty)
                ).select_from(table(name, cell))
                nulls, empties = connection.execute(counted).one()
                assert empties == 0, (name, column_.name)
                assert sum(row[column_.name] == "" for row in rows) == nulls, (name, column_.name)
    engine.dispose()


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/observations/gdp-2024", "note"),
        ("/v1/observations/gdp-2024", "locator"),
        ("/v1/events/yangshe-railway-opens", "note"),
        (f"/v1/sources/{SOURCE_CODE}", "page"),
        (f"/v1/sources/{SOURCE_CODE}", "licence_note"),
    ],
)
def test_an_empty_text_is_refused_as_a_value(curated: Curated, path: str, field: str) -> None:
    # Null is "no text"; an empty text would be written as the same blank cell.
    body = problem(curated.patch(path, {field: ""}), 422)
    assert field in json.dumps(body)
    assert curated.patch(path, {field: None}).status_code == 200
