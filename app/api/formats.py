"""Other representations of list responses: CSV rows and JSON-stat 2.0 datasets.

Both are built from the JSON the routes already produce, so every list speaks CSV without
code of its own, and the columns are exactly the documented JSON keys.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from enum import StrEnum
from types import UnionType
from typing import Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel


class Format(StrEnum):
    """A representation a list can be asked for."""

    json = "json"
    csv = "csv"
    jsonstat = "jsonstat"


CSV_MEDIA_TYPE = "text/csv; charset=utf-8; header=present"
GEOJSON_MEDIA_TYPE = "application/geo+json"  # RFC 7946
JSONSTAT_MEDIA_TYPE = "application/json"
BOM = "\ufeff"
# Where a list read whole (all=true) puts the (limit, offset) of the page it reads next: the
# pagination dependency still validates the client's own limit and offset, then reads this.
PAGE_SCOPE_KEY = "jinzhong.page"
# Where a route whose path fixes the representation (a list's `.csv` twin) puts its Format:
# it wins over the `format` parameter (which the twin does not take) and over Accept.
FORMAT_SCOPE_KEY = "jinzhong.format"


def negotiate_format(format_param: str | None, accept: str | None) -> Format | None:
    """The format asked for: the `format` parameter, else Accept (text/csv), else JSON.

    Returns None for a `format` value that is not a format; the route's own validation then
    answers 422 naming the parameter.
    """
    if format_param is not None:
        return Format.__members__.get(format_param)
    best, best_quality = Format.json, -1.0
    for part in (accept or "").split(","):
        media, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.strip().lower()
        chosen = {"text/csv": Format.csv, "application/json": Format.json}.get(media)
        if chosen is not None and quality > best_quality:
            best, best_quality = chosen, quality
    return best


def requested_format(request: Request) -> Format | None:
    """The format a request asked for: the one its route fixes, else as `negotiate_format`."""
    fixed: Format | None = request.scope.get(FORMAT_SCOPE_KEY)
    if fixed is not None:
        return fixed
    return negotiate_format(request.query_params.get("format"), request.headers.get("accept"))


# A text cell starting with one of these is a formula to a spreadsheet; a leading apostrophe
# keeps it text (numbers, which are never text here, are left alone).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return ";".join(_cell(v) for v in value)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return str(value)


def csv_columns(model: type[BaseModel], prefix: str = "") -> list[str]:
    """The CSV columns of a response model: its fields in order, nested models (optional
    or not) spread into prefix_field columns, lists kept whole."""
    columns: list[str] = []
    for name, info in model.model_fields.items():
        # A model, or an optional one (Model | None); a list of models stays one column.
        union = get_origin(info.annotation) in (Union, UnionType)
        options = get_args(info.annotation) if union else (info.annotation,)
        nested = [o for o in options if isinstance(o, type) and issubclass(o, BaseModel)]
        if nested:
            columns += csv_columns(nested[0], f"{prefix}{name}_")
        else:
            columns.append(f"{prefix}{name}")
    return columns


def flatten(item: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """One CSV row from one JSON item: nested objects become prefix_key columns, lists of
    codes join with ';', anything deeper stays JSON in its cell."""
    row: dict[str, str] = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            row.update(flatten(value, f"{name}_"))
        else:
            row[name] = _cell(value)
    return row


class CsvWriter:
    """Writes JSON items as CSV under fixed columns: a header row, then one row per item.

    A null object (a figure that is not derived has no derivation) leaves its columns empty.
    """

    def __init__(self, columns: list[str], *, bom: bool) -> None:
        self.columns = columns
        self.bom = bom
        self.started = False

    def write(self, items: Iterable[dict[str, Any]]) -> str:
        """The CSV text for `items`, with the header first if nothing was written yet."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for item in items:
            if not self.started:
                self.started = True
                buffer.write(BOM if self.bom else "")
                writer.writerow(self.columns)
            row = flatten(item)
            writer.writerow([row.get(column, "") for column in self.columns])
        return buffer.getvalue()

    def close(self) -> str:
        """What an empty list still needs: the byte-order mark, if asked for, and the header
        row, which its media type (`header=present`) promises and a reader needs to know the
        columns of an empty table."""
        return "" if self.started else self._header()

    def _header(self) -> str:
        self.started = True
        buffer = io.StringIO()
        buffer.write(BOM if self.bom else "")
        csv.writer(buffer, lineterminator="\r\n").writerow(self.columns)
        return buffer.getvalue()


def jsonstat(
    items: list[dict[str, Any]], *, total: int, label: str, updated: str, language: str, source: str
) -> dict[str, Any]:
    """A JSON-stat 2.0 dataset of observations: indicator × region × period.

    Values are normalized (CNY, household, m3...: one unit per indicator whatever unit each
    figure was printed in, so a value never depends on which page it came with); the
    qualifier is each value's status; a range's upper end is in extension.value_max. A sparse
    cube: `value` and `status` are objects keyed by cell index.
    """
    indicators: dict[str, str] = {}
    regions: dict[str, str] = {}
    periods: set[str] = set()
    units: dict[str, dict[str, Any]] = {}
    for item in items:
        indicators.setdefault(item["indicator"], item["indicator_name"])
        regions.setdefault(item["region"], item["region_name"])
        periods.add(item["period"])
        unit = item["normalized_unit"]
        units.setdefault(item["indicator"], {"label": unit, "symbol": unit})
    period_order = sorted(periods, key=lambda p: (p.split("/")[-1], p))
    index = {
        "indicator": {code: i for i, code in enumerate(indicators)},
        "region": {code: i for i, code in enumerate(regions)},
        "period": {code: i for i, code in enumerate(period_order)},
    }
    size = [len(indicators), len(regions), len(period_order)]
    value: dict[str, float] = {}
    status: dict[str, str] = {}
    value_max: dict[str, float] = {}
    for item in items:
        cell = str(
            index["indicator"][item["indicator"]] * size[1] * size[2]
            + index["region"][item["region"]] * size[2]
            + index["period"][item["period"]]
        )
        if cell in value:  # the seed allows one figure per indicator, region and period
            raise ValueError(f"two observations for one JSON-stat cell: {item['code']}")
        value[cell] = item["normalized_value"]
        status[cell] = item["qualifier"]
        if item["normalized_value_max"] is not None:
            value_max[cell] = item["normalized_value_max"]
    return {
        "version": "2.0",
        "class": "dataset",
        "label": label,
        "source": source,
        "updated": updated,
        "id": ["indicator", "region", "period"],
        "size": size,
        "role": {"metric": ["indicator"], "geo": ["region"], "time": ["period"]},
        "dimension": {
            "indicator": {
                "label": "指标" if language == "zh" else "Indicator",
                "category": {"index": index["indicator"], "label": indicators, "unit": units},
            },
            "region": {
                "label": "地区" if language == "zh" else "Region",
                "category": {"index": index["region"], "label": regions},
            },
            "period": {
                "label": "时期" if language == "zh" else "Period",
                "category": {"index": index["period"], "label": {p: p for p in period_order}},
            },
        },
        "value": value,
        "status": status,
        "note": [
            "Values are in each indicator's normalized unit; the figures as printed are in the "
            "JSON and CSV of /v1/observations.",
            "status is the qualifier: exact, approximately, more_than, cumulative, rank, range "
            "(for a range, value is the low end and extension.value_max the high end).",
        ],
        "extension": {
            "total": total,
            "observations": [item["code"] for item in items],
            "value_max": value_max,
        },
    }


# The JSON-stat 2.0 dataset a `format=jsonstat` observation list returns (documented beside
# the list's own JSON schema; see app.api.docs).
JSONSTAT_SCHEMA: dict[str, Any] = {
    "title": "JSON-stat 2.0 dataset",
    "description": "With format=jsonstat: observations as a JSON-stat 2.0 dataset.",
    "type": "object",
    "required": ["version", "class", "id", "size", "dimension", "value"],
    "properties": {
        "version": {"type": "string", "enum": ["2.0"]},
        "class": {"type": "string", "enum": ["dataset"]},
        "label": {"type": "string"},
        "source": {"type": "string"},
        "updated": {"type": "string"},
        "id": {"type": "array", "items": {"type": "string"}},
        "size": {"type": "array", "items": {"type": "integer"}},
        "role": {"type": "object"},
        "dimension": {"type": "object"},
        "value": {"type": "object", "additionalProperties": {"type": "number"}},
        "status": {"type": "object", "additionalProperties": {"type": "string"}},
        "note": {"type": "array", "items": {"type": "string"}},
        "extension": {"type": "object"},
    },
}


class GeoJSONResponse(JSONResponse):
    """JSON with RFC 7946's media type: a route declaring it is documented with its model's
    schema under `application/geo+json`."""

    media_type = GEOJSON_MEDIA_TYPE
