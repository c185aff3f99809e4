"""Each resource's own fields, declared once.

A `XFields` class holds the fields a resource's record carries unchanged from its seed_data/
form to its row and back, and out to clients: the seed model (`app/seed/schema.py`), the
table (`app/models/tables.py`) and, for observations, the response model all inherit it, and
sync, export and the read query copy these fields by name. Adding such a field means adding
it here, a column to the table (inherited: nothing to write) and one migration.

What is not here is shaped on its way: keys and references (`indicator` in YAML is
`indicator_code` in the table), periods (one ISO text, four columns), numbers (decimals in
YAML, floats with a normalized twin in rows) and links (lists in YAML, rows of a link table).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import AfterValidator, StringConstraints
from sqlalchemy.types import TypeDecorator
from sqlmodel import AutoString, Field, SQLModel

from app.rules.codes import REGION_CODE, SLUG, VOCABULARY_CODE
from app.rules.entities import EntityKind
from app.rules.qualifiers import Qualifier
from app.rules.regions import RegionLevel
from app.rules.sources import EventStatus, Reliability, SourceKind

VocabularyCode = Annotated[str, StringConstraints(pattern=VOCABULARY_CODE)]
Slug = Annotated[str, StringConstraints(pattern=SLUG)]
RegionCode = Annotated[str, StringConstraints(pattern=REGION_CODE)]
# Text a curator must give: leading and trailing space is not part of it, and it is not empty.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# Text a curator may give (`OptionalText | None`): none is null, never an empty text, so a
# blank CSV cell in the dataset download (null) is never mistaken for a value.
OptionalText = Annotated[str, StringConstraints(min_length=1)]


def _distinct(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("a name is listed more than once")
    return values


class TextList(TypeDecorator[list[str]]):
    """A short list of texts in one column, as JSON text: the same on every database, and
    Chinese kept as written, so that a LIKE finds it."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: list[str] | None, dialect: Any) -> str | None:
        """The list as stored."""
        return None if value is None else json.dumps(list(value), ensure_ascii=False)

    def process_result_value(self, value: str | None, dialect: Any) -> list[str]:
        """The list as read back."""
        return [] if value is None else list(json.loads(value))


# Other names of a thing, each given once.
Names = Annotated[list[Text], AfterValidator(_distinct)]


def shared_names(fields: type[SQLModel]) -> tuple[str, ...]:
    """The names of a `XFields` class's fields, in declaration order."""
    return tuple(fields.model_fields)


class SourceFields(SQLModel):
    """A document's own metadata: what it is, who published it and when, the copy read, and
    how far the record relies on it."""

    kind: SourceKind = Field(sa_type=AutoString)
    publication_zh: OptionalText | None = None
    publication_en: OptionalText | None = None
    publisher_zh: OptionalText | None = None
    publisher_en: OptionalText | None = None
    published_date: date | None = None
    page: OptionalText | None = None
    page_heading: OptionalText | None = None
    series: OptionalText | None = None
    title: OptionalText | None = None
    subtitle: OptionalText | None = None
    title_en: Text
    subtitle_en: OptionalText | None = None
    reporter: OptionalText | None = None
    language: Text = "zh"
    url: OptionalText | None = None
    copy_site_en: OptionalText | None = None
    read_on: date | None = None
    reliability: Reliability = Field(sa_type=AutoString)
    reliability_note: Text = Field(sa_type=sa.Text)
    licence_note: OptionalText | None = Field(default=None, sa_type=sa.Text)


class RegionFields(SQLModel):
    """An administrative division's names and level."""

    name_zh: Text
    name_en: Text
    level: RegionLevel = Field(sa_type=AutoString)


class TopicFields(SQLModel):
    """A theme's names and description."""

    name_zh: Text
    name_en: Text
    description_zh: Text
    description_en: Text


class UnitFields(SQLModel):
    """A unit as printed and the base unit it converts to."""

    symbol: OptionalText | None
    name_zh: Text
    name_en: Text
    normalized_unit: Text


class IndicatorFields(SQLModel):
    """What is measured: names, other names and definition."""

    name_zh: Text
    name_en: Text
    # Abbreviations and other standard names readers know it by (GDP, 服务业增加值): names,
    # never facts; search finds the indicator and its figures by them.
    aliases_zh: Names = Field(default_factory=list, sa_type=TextList)
    aliases_en: Names = Field(default_factory=list, sa_type=TextList)
    definition_zh: Text = Field(sa_type=sa.Text)
    definition_en: Text = Field(sa_type=sa.Text)


class ObservationFields(SQLModel):
    """A figure's wording and provenance, as curated."""

    value_as_published: OptionalText | None = Field(
        default=None,
        description="The figure exactly as printed; null for derived values.",
        schema_extra={"examples": ["2458.8"]},
    )
    qualifier: Qualifier = Field(sa_type=AutoString)
    note: OptionalText | None = Field(
        default=None,
        sa_type=sa.Text,
        description="The curator's explanation of a judgement (English).",
    )
    quote: Text | None = Field(
        default=None,
        sa_type=sa.Text,
        description="The sentence the figure comes from, verbatim (sources whose text is "
        "stored); null for figures from other sources, which give a locator.",
    )
    conflict_note: OptionalText | None = Field(
        default=None,
        sa_type=sa.Text,
        description="Why a figure that conflicts with another source's for the same "
        "indicator, region and period is kept beside it (English).",
    )
    locator: OptionalText | None = Field(
        default=None,
        description="Where in its source the figure is printed (section, paragraph, table "
        "row and column): how a reader finds it in a source whose text is not stored here.",
        schema_extra={"examples": ["一、综合, paragraph 1"]},
    )


class EntityFields(SQLModel):
    """A named thing: its kind, names, description and the words that show it."""

    kind: EntityKind = Field(sa_type=AutoString, index=True)
    name_zh: Text
    name_en: Text
    description_zh: Text = Field(sa_type=sa.Text)
    description_en: Text = Field(sa_type=sa.Text)
    quote: Text = Field(sa_type=sa.Text)


class PersonFields(SQLModel):
    """A person as the source names them, in the role it gives them."""

    name_zh: Text
    name_en: Text
    role_zh: Text
    role_en: Text
    quote: Text = Field(sa_type=sa.Text)


class EventFields(SQLModel):
    """A moment's title, description and the words that tell it (or, from a source whose
    text is not stored, where it is told), and whether it happened or was only announced."""

    title_zh: Text
    title_en: Text
    description_zh: Text = Field(sa_type=sa.Text)
    description_en: Text = Field(sa_type=sa.Text)
    quote: Text | None = Field(default=None, sa_type=sa.Text)
    locator: OptionalText | None = Field(
        default=None, description="Where its source tells it, when the source's text is not stored."
    )
    status: EventStatus = Field(
        default=EventStatus.happened,
        sa_type=AutoString,
        description="`happened`, or `announced`: a claim of its source that did not come true "
        "(kept as a claim, never as a fact).",
    )
    note: OptionalText | None = Field(default=None, sa_type=sa.Text)
    account_of: OptionalText | None = Field(
        default=None,
        description="The event (from another source) this one tells again: the same moment, "
        "whose date the checks compare (`/v1/checks?kind=same_moment`).",
    )
    conflict_note: OptionalText | None = Field(
        default=None,
        sa_type=sa.Text,
        description="Why an account whose date conflicts with the event it retells is kept "
        "(English).",
    )


class QuotationFields(SQLModel):
    """First-person words as published, with an English gloss."""

    text: Text = Field(sa_type=sa.Text)
    gloss_en: Text = Field(sa_type=sa.Text)
