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
from typing import Any


class Format(StrEnum):
    """A representation a list can be asked for."""

    json = "json"
    csv = "csv"
    jsonstat = "jsonstat"


CSV_MEDIA_TYPE = "text/csv; charset=utf-8; header=present"
JSONSTAT_MEDIA_TYPE = "application/json"
BOM = "\ufeff"


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
    return str(value)


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
    """Writes pages of JSON items as CSV: a header row, then one row per item.

    Columns come from the first item (every item of a list has the same keys); a null
    object (a derived value's missing derivation, say) leaves its columns empty.
    """

    def __init__(self, *, bom: bool) -> None:
        self.bom = bom
        self.header: list[str] | None = None

    def write(self, items: Iterable[dict[str, Any]]) -> str:
        """The CSV text for `items`, with the header first if nothing was written yet."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for item in items:
            row = flatten(item)
            if self.header is None:
                self.header = list(row)
                buffer.write(BOM if self.bom else "")
                writer.writerow(self.header)
            writer.writerow([row.get(column, "") for column in self.header])
        return buffer.getvalue()

    def close(self) -> str:
        """What an empty list still needs: the byte-order mark, if asked for."""
        return BOM if self.bom and self.header is None else ""


def jsonstat(
    items: list[dict[str, Any]], *, total: int, label: str, updated: str, language: str, source: str
) -> dict[str, Any]:
    """A JSON-stat 2.0 dataset of observations: indicator × region × period.

    Values are as published, in each indicator's unit (its normalized unit where one
    indicator mixes published units); the qualifier is each value's status. A sparse cube:
    `value` and `status` are objects keyed by cell index.
    """
    indicators: dict[str, str] = {}
    regions: dict[str, str] = {}
    periods: dict[str, str] = {}
    units: dict[str, set[str]] = {}
    for item in items:
        indicators.setdefault(item["indicator"], item["indicator_name"])
        regions.setdefault(item["region"], item["region_name"])
        periods.setdefault(item["period"], item["period"])
        units.setdefault(item["indicator"], set()).add(item["unit_code"])
    period_order = sorted(periods, key=lambda p: (p.split("/")[-1], p))
    index = {
        "indicator": {code: i for i, code in enumerate(indicators)},
        "region": {code: i for i, code in enumerate(regions)},
        "period": {code: i for i, code in enumerate(period_order)},
    }
    size = [len(indicators), len(regions), len(periods)]
    value: dict[str, float] = {}
    status: dict[str, str] = {}
    unit_labels: dict[str, dict[str, Any]] = {}
    for item in items:
        mixed = len(units[item["indicator"]]) > 1
        cell = (
            index["indicator"][item["indicator"]] * size[1] * size[2]
            + index["region"][item["region"]] * size[2]
            + index["period"][item["period"]]
        )
        value[str(cell)] = item["normalized_value"] if mixed else item["value"]
        status[str(cell)] = item["qualifier"]
        symbol = item["normalized_unit"] if mixed else (item["unit"] or item["unit_code"])
        unit_labels.setdefault(item["indicator"], {"label": symbol, "symbol": symbol})
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
                "category": {
                    "index": index["indicator"],
                    "label": indicators,
                    "unit": unit_labels,
                },
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
            "status is the qualifier: exact, approximately, more_than, cumulative, rank, range.",
        ],
        "extension": {"total": total, "observations": [item["code"] for item in items]},
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
