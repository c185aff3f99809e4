"""The dataset as a Frictionless Tabular Data Package: which tables are public, and each public
table's Table Schema, derived from its model (types, keys, vocabularies), in one place.

Data Package v1 and Table Schema v1 (https://specs.frictionlessdata.io/): any Frictionless
tool, and pandas given the types, reads the CSVs as typed tables.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import types
import typing
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    Numeric,
    String,
    Table,
    TypeDecorator,
)
from sqlmodel import SQLModel
from sqlmodel.main import default_registry

import app.models  # noqa: F401 - registers every table
from app.models.fields import TextList

# Every table of the schema is in exactly one of these two (a test holds it), so a new table
# is published only once someone decides it should be. Public: the record itself, as the API
# serves it, including the checks the seeder derives from it.
PUBLIC_TABLES = (
    "source",
    "erratum",
    "region",
    "region_boundary",
    "topic",
    "unit",
    "indicator",
    "observation",
    "observation_region",
    "derivation_input",
    "observation_entity",
    "entity",
    "entity_region",
    "entity_topic",
    "entity_relation",
    "person",
    "event",
    "event_region",
    "event_topic",
    "event_entity",
    "event_indicator",
    "quotation",
    "quotation_region",
    "data_check",
    "data_check_link",
)
# Withheld from the CSVs and the package, with why. The archive's SQLite copy keeps the
# internal ones (a working database needs them) and has the private ones empty.
WITHHELD_TABLES = {
    # Private: curators' keys (hashes, but still credentials), and the history of writes
    # (the archive is a function of the data version, which the history is not: a change
    # undone leaves the data as it was). History is served at .../{code}/history.
    "api_key": "private",
    "record_version": "private",
    "observation_vintage": "private",
    "observation_vintage_region": "private",
    # Internal: the search index, rebuilt from the tables above by every seed, and the data
    # version's bookkeeping (the package carries the version itself).
    "search_document": "internal",
    "dataset_meta": "internal",
}
PRIVATE_TABLES = frozenset(name for name, kind in WITHHELD_TABLES.items() if kind == "private")

# The one way the CSVs write "no data": a blank cell. No public value is an empty text (a
# test holds it), so a blank cell is never a value.
MISSING_VALUES = [""]
CSV_DIALECT = {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "header": True}


def public_tables() -> list[Table]:
    """The public tables, in an order that respects foreign keys."""
    return [t for t in SQLModel.metadata.sorted_tables if t.name in PUBLIC_TABLES]


def field_type(column: Column[Any]) -> str:
    """A column's Table Schema type, from its SQL type (the order matters: subclasses first)."""
    sql_type = column.type
    if isinstance(sql_type, TextList):  # a JSON array of texts in its cell
        return "array"
    if isinstance(sql_type, TypeDecorator):  # SQLModel's AutoString: a String underneath
        sql_type = sql_type.impl_instance
    if isinstance(sql_type, Boolean):
        return "boolean"
    if isinstance(sql_type, Integer):
        return "integer"
    if isinstance(sql_type, Float | Numeric):
        return "number"
    if isinstance(sql_type, DateTime):
        return "datetime"
    if isinstance(sql_type, Date):
        return "date"
    if isinstance(sql_type, String):  # Text and AutoString too: codes stay text
        return "string"
    raise TypeError(f"no Table Schema type for {column.table.name}.{column.name}: {sql_type!r}")


@functools.cache
def _models() -> dict[str, type[SQLModel]]:
    """Each table's model, by table name (the models are fixed once imported)."""
    return {
        mapper.local_table.name: mapper.class_
        for mapper in default_registry.mappers
        if isinstance(mapper.local_table, Table)
    }


def _vocabulary(annotation: Any) -> list[str] | None:
    """The values of a field typed by a vocabulary (an enum, optional or not)."""
    candidates = (
        typing.get_args(annotation)
        if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union
        else (annotation,)
    )
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return [str(member.value) for member in candidate]
    return None


def table_schema(table: Table) -> dict[str, Any]:
    """A public table's Table Schema: its columns in order with their types, constraints and
    descriptions, its primary key and its foreign keys."""
    model = _models()[table.name]
    fields = []
    for column in table.columns:
        declared = model.model_fields.get(column.name)
        described: dict[str, Any] = {"name": column.name, "type": field_type(column)}
        if declared is not None and declared.description:
            described["description"] = declared.description
        constraints: dict[str, Any] = {}
        if not column.nullable:
            constraints["required"] = True
        if column.unique:
            constraints["unique"] = True
        if declared is not None and (values := _vocabulary(declared.annotation)):
            constraints["enum"] = values
        if constraints:
            described["constraints"] = constraints
        fields.append(described)
    schema: dict[str, Any] = {
        "fields": fields,
        "missingValues": MISSING_VALUES,
        "primaryKey": [c.name for c in table.primary_key.columns],
    }
    foreign_keys = []
    for constraint in sorted(table.foreign_key_constraints, key=lambda c: list(c.column_keys)):
        referred = constraint.referred_table.name
        if referred not in PUBLIC_TABLES:
            raise ValueError(f"{table.name} refers to {referred}, which is not public")
        foreign_keys.append(
            {
                "fields": [c.name for c in constraint.columns],
                "reference": {
                    # "" is the spec's name for the table itself (a region's parent).
                    "resource": "" if referred == table.name else referred,
                    "fields": [element.column.name for element in constraint.elements],
                },
            }
        )
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return schema


def table_description(table: Table) -> str:
    """What a table holds: its model's docstring, on one line."""
    return " ".join((_models()[table.name].__doc__ or "").split())


def source_reference(source: dict[str, Any]) -> dict[str, str]:
    """A source as a Data Package `sources` entry: its title and, where it has one, its URL."""
    title = source["title"] or source["title_en"]
    if source["publication_zh"]:
        title = f"{source['publication_zh']} {source['published_date'] or ''}: {title}".strip()
    return {"title": title, **({"path": source["url"]} if source["url"] else {})}


def data_package(
    *,
    version: str,
    description: str,
    licenses: list[dict[str, str]],
    sources: list[dict[str, Any]],
    tables: dict[str, tuple[Table, list[Any]]],
    files: dict[str, bytes],
    resource_licenses: dict[str, list[dict[str, str]]],
) -> dict[str, Any]:
    """The `datapackage.json` of the archive: the package, and a Tabular Data Resource with
    its checksum, Table Schema and sources for each public table's CSV in `files`."""
    by_code = {source["code"]: source for source in sources}
    resources = []
    for table in public_tables():
        path = f"csv/{table.name}.csv"
        data = files[path]
        resource: dict[str, Any] = {
            "profile": "tabular-data-resource",
            "name": table.name,
            "path": path,
            "description": table_description(table),
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": len(data),
            "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
            "dialect": CSV_DIALECT,
            "schema": table_schema(table),
        }
        # The sources its rows cite (every source, for the table of sources).
        rows = tables[table.name][1]
        if table.name == "source":
            cited = sorted(by_code)
        elif "source_code" in table.columns:
            cited = sorted({row.source_code for row in rows})
        else:
            cited = []
        if cited:
            resource["sources"] = [source_reference(by_code[code]) for code in cited]
        if table.name in resource_licenses:
            resource["licenses"] = resource_licenses[table.name]
        resources.append(resource)
    return {
        "profile": "tabular-data-package",
        "name": "jinzhong-indicators",
        "title": "Jinzhong Indicators",
        "description": description,
        "version": version,
        "licenses": licenses,
        "sources": [source_reference(by_code[code]) for code in sorted(by_code)],
        "resources": resources,
    }
