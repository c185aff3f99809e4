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


# Between the names in a document's indexed title (its names in each language, then any other
# names): a query that is one of them whole names the record, and its hits come first.
NAME_SEPARATOR = " / "
