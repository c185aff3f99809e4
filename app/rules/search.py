"""The kinds of search document: one vocabulary for the index, the query and the response."""

from __future__ import annotations

from enum import StrEnum


class DocType(StrEnum):
    """What a search hit is; the order is the tie-break between equally relevant hits."""

    region = "region"
    indicator = "indicator"
    entity = "entity"
    event = "event"
    observation = "observation"
    quote = "quote"
