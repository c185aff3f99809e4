"""Table classes only. Natural keys (codes from the YAML) are the primary keys, so a reseed
never changes an identifier and no internal id ever reaches a client."""

from datetime import date

from sqlalchemy import Column, ForeignKeyConstraint, Index, Text
from sqlmodel import Field, SQLModel

from app.models.fields import (
    EntityFields,
    EventFields,
    IndicatorFields,
    ObservationFields,
    PersonFields,
    QuotationFields,
    RegionFields,
    SourceFields,
    TopicFields,
    UnitFields,
)


class DatasetMeta(SQLModel, table=True):
    """Key-value facts about the loaded data (the seed's content hash, when it last changed)."""

    __tablename__ = "dataset_meta"

    key: str = Field(primary_key=True)
    value: str


class Source(SourceFields, table=True):
    """A published document: its metadata and, where it is ours to keep, its text as received
    and as corrected."""

    __tablename__ = "source"

    code: str = Field(primary_key=True)
    # Null for a document whose text is not ours to store (its figures carry locators).
    text_original: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Erratum(SQLModel, table=True):
    """One correction applied to a source's text, in order."""

    __tablename__ = "erratum"

    source_code: str = Field(foreign_key="source.code", primary_key=True, ondelete="CASCADE")
    seq: int = Field(primary_key=True)
    original: str
    corrected: str
    reason: str
    occurrences: int


class Region(RegionFields, table=True):
    """An administrative division, keyed by its GB/T 2260 code."""

    __tablename__ = "region"

    code: str = Field(primary_key=True)
    parent_code: str | None = Field(default=None, foreign_key="region.code", index=True)


class RegionBoundary(SQLModel, table=True):
    """A region's outline, simplified for drawing: a GeoJSON Polygon or MultiPolygon (JSON
    text, longitude and latitude in degrees), and the source it is drawn from."""

    __tablename__ = "region_boundary"

    region_code: str = Field(foreign_key="region.code", primary_key=True)
    geometry: str = Field(sa_column=Column(Text, nullable=False))
    source_code: str = Field(foreign_key="source.code", index=True)


class Topic(TopicFields, table=True):
    """A theme that groups indicators."""

    __tablename__ = "topic"

    code: str = Field(primary_key=True)


class Unit(UnitFields, table=True):
    """A unit as printed, and how to turn it into a base unit."""

    __tablename__ = "unit"

    code: str = Field(primary_key=True)
    factor: float


class Indicator(IndicatorFields, table=True):
    """What is measured."""

    __tablename__ = "indicator"

    code: str = Field(primary_key=True)
    topic_code: str = Field(foreign_key="topic.code", index=True)
    unit_code: str = Field(foreign_key="unit.code")


class ObservationColumns(ObservationFields):
    """Every column of an observation's row, shared by the live table and its vintages."""

    indicator_code: str
    # The region the figure is first about; observation_region lists all of them.
    region_code: str
    period: str
    period_start: date | None = None
    period_end: date
    period_precision: str
    value: float
    value_max: float | None = None
    unit_code: str
    normalized_value: float
    normalized_value_max: float | None = None
    derived: bool = False
    formula: str | None = None
    source_code: str
    # When this version became known (ISO 8601, UTC, microseconds: sorts as it reads): its
    # source's publication for a figure first seeded, the change's time for any later one.
    known_from: str
    # Where several sources give the same point: the figure the series shows (None: this
    # one), and how this one agrees with it (app/rules/witnesses.py). Derived by the seeder.
    witness_of: str | None = None
    agreement: str | None = None


class Observation(ObservationColumns, table=True):
    """One published (or derived) figure with its period, unit, qualifier and provenance."""

    __tablename__ = "observation"
    __table_args__ = (
        ForeignKeyConstraint(["indicator_code"], ["indicator.code"]),
        ForeignKeyConstraint(["region_code"], ["region.code"]),
        ForeignKeyConstraint(["unit_code"], ["unit.code"]),
        ForeignKeyConstraint(["source_code"], ["source.code"]),
        Index("ix_observation_region_code", "region_code"),
        Index("ix_observation_source_code", "source_code"),
        # The default order (indicator, region, period) and every indicator filter use it.
        Index(
            "ix_observation_series",
            "indicator_code",
            "region_code",
            "period_end",
            "period_start",
            "code",
        ),
        Index("ix_observation_period_end", "period_end"),
        # A sweep (one indicator, one period, any region) ranges over this one.
        Index("ix_observation_indicator_period", "indicator_code", "period_end", "period_start"),
    )

    code: str = Field(primary_key=True)


class ObservationVintage(ObservationColumns, table=True):
    """An observation as it stood before a change: known from `known_from` until
    `known_until` (ALFRED's real-time period). The live row is the version known now."""

    __tablename__ = "observation_vintage"
    __table_args__ = (Index("ix_observation_vintage_real_time", "known_from", "known_until"),)

    code: str = Field(primary_key=True)
    known_from: str = Field(primary_key=True)
    known_until: str
    entity_codes: str  # space-separated, as its record listed them
    inputs: str  # JSON: [[name, observation code], ...] of a derived value


class ObservationVintageRegion(SQLModel, table=True):
    """Every region an observation's vintage concerned, in its order."""

    __tablename__ = "observation_vintage_region"

    observation_code: str = Field(primary_key=True)
    known_from: str = Field(primary_key=True)
    region_code: str = Field(primary_key=True, index=True)
    position: int


class ObservationRegion(SQLModel, table=True):
    """Every region an observation concerns, in the curated order (the first is the main one)."""

    __tablename__ = "observation_region"

    observation_code: str = Field(
        foreign_key="observation.code", primary_key=True, ondelete="CASCADE"
    )
    region_code: str = Field(foreign_key="region.code", primary_key=True, index=True)
    position: int


class DerivationInput(SQLModel, table=True):
    """A named input of a derived observation's formula."""

    __tablename__ = "derivation_input"

    observation_code: str = Field(
        foreign_key="observation.code", primary_key=True, ondelete="CASCADE"
    )
    name: str = Field(primary_key=True)
    input_code: str = Field(foreign_key="observation.code", index=True)


class ObservationEntity(SQLModel, table=True):
    """An entity an observation concerns (the observation's quote supports the link)."""

    __tablename__ = "observation_entity"

    observation_code: str = Field(
        foreign_key="observation.code", primary_key=True, ondelete="CASCADE"
    )
    entity_code: str = Field(foreign_key="entity.code", primary_key=True, index=True)


class Entity(EntityFields, table=True):
    """A thing the report names: project, organisation, initiative, honour, place or product."""

    __tablename__ = "entity"

    code: str = Field(primary_key=True)
    source_code: str = Field(foreign_key="source.code", index=True)


class EntityRegion(SQLModel, table=True):
    """A region an entity is tied to, with the quote that shows it."""

    __tablename__ = "entity_region"

    entity_code: str = Field(foreign_key="entity.code", primary_key=True, ondelete="CASCADE")
    region_code: str = Field(foreign_key="region.code", primary_key=True, index=True)
    position: int
    quote: str = Field(sa_column=Column(Text, nullable=False))


class EntityTopic(SQLModel, table=True):
    """A topic an entity belongs to."""

    __tablename__ = "entity_topic"

    entity_code: str = Field(foreign_key="entity.code", primary_key=True, ondelete="CASCADE")
    topic_code: str = Field(foreign_key="topic.code", primary_key=True, index=True)


class EntityRelation(SQLModel, table=True):
    """<entity> <relation> <related entity>, with the quote that shows it."""

    __tablename__ = "entity_relation"

    entity_code: str = Field(foreign_key="entity.code", primary_key=True, ondelete="CASCADE")
    related_code: str = Field(foreign_key="entity.code", primary_key=True, index=True)
    relation: str = Field(primary_key=True)
    quote: str = Field(sa_column=Column(Text, nullable=False))


class Person(PersonFields, table=True):
    """A person the report names, in the organisation it names them with."""

    __tablename__ = "person"

    code: str = Field(primary_key=True)
    entity_code: str = Field(foreign_key="entity.code", index=True)


class Event(EventFields, table=True):
    """A moment the report tells, with its date as precisely as the report gives it."""

    __tablename__ = "event"

    code: str = Field(primary_key=True)
    period: str
    period_start: date | None = None
    period_end: date = Field(index=True)
    period_precision: str
    source_code: str = Field(foreign_key="source.code", index=True)


class EventRegion(SQLModel, table=True):
    """A region an event happened in or concerns."""

    __tablename__ = "event_region"

    event_code: str = Field(foreign_key="event.code", primary_key=True, ondelete="CASCADE")
    region_code: str = Field(foreign_key="region.code", primary_key=True, index=True)
    position: int


class EventTopic(SQLModel, table=True):
    """A topic an event belongs to."""

    __tablename__ = "event_topic"

    event_code: str = Field(foreign_key="event.code", primary_key=True, ondelete="CASCADE")
    topic_code: str = Field(foreign_key="topic.code", primary_key=True, index=True)


class EventEntity(SQLModel, table=True):
    """An entity an event concerns (the event's quote supports the link)."""

    __tablename__ = "event_entity"

    event_code: str = Field(foreign_key="event.code", primary_key=True, ondelete="CASCADE")
    entity_code: str = Field(foreign_key="entity.code", primary_key=True, index=True)


class EventIndicator(SQLModel, table=True):
    """An indicator an event bears on."""

    __tablename__ = "event_indicator"

    event_code: str = Field(foreign_key="event.code", primary_key=True, ondelete="CASCADE")
    indicator_code: str = Field(foreign_key="indicator.code", primary_key=True, index=True)


class Quotation(QuotationFields, table=True):
    """First-person testimony as published, with its gloss and speaker (named or described)."""

    __tablename__ = "quotation"

    code: str = Field(primary_key=True)
    person_code: str | None = Field(default=None, foreign_key="person.code", index=True)
    speaker_zh: str
    speaker_en: str
    role_zh: str
    role_en: str
    entity_code: str | None = Field(default=None, foreign_key="entity.code", index=True)
    topic_code: str = Field(foreign_key="topic.code", index=True)
    source_code: str = Field(foreign_key="source.code", index=True)


class QuotationRegion(SQLModel, table=True):
    """A region a quotation speaks of or from."""

    __tablename__ = "quotation_region"

    quotation_code: str = Field(foreign_key="quotation.code", primary_key=True, ondelete="CASCADE")
    region_code: str = Field(foreign_key="region.code", primary_key=True, index=True)
    position: int


class SearchDocument(SQLModel, table=True):
    """One searchable record per indicator, observation, event, entity, quote and region.

    Rebuilt by every seed from the rows above, so it never disagrees with them. On SQLite an
    FTS5 trigram index (search_fts, created by the migrations) indexes title and body, which
    finds Chinese substrings as well as English words.
    """

    __tablename__ = "search_document"

    id: int | None = Field(default=None, primary_key=True)  # the FTS rowid; never shown
    doc_type: str = Field(index=True)
    code: str
    title: str = Field(sa_column=Column(Text, nullable=False))
    title_zh: str
    title_en: str
    body: str = Field(sa_column=Column(Text, nullable=False))
    topics: str  # space-separated topic codes, for filtering
    regions: str  # space-separated region codes, for filtering
    rank_hint: int  # orders hits of equal relevance: regions, indicators, entities, ...


class ApiKey(SQLModel, table=True):
    """A curator's key: its public prefix and a hash of its secret, never the secret."""

    __tablename__ = "api_key"

    name: str = Field(primary_key=True)
    prefix: str = Field(unique=True)
    secret_hash: str
    scope: str  # write | admin
    created_at: str  # ISO 8601, UTC
    revoked_at: str | None = None


class RecordVersion(SQLModel, table=True):
    """One version of a record in its seed_data/ form, from a seed or an API write, with the
    time it became known and, once superseded, the time it stopped being current.

    `record` is null for a retirement. The versions of one record, ordered by `version`, are
    its history; the one with no `known_until` is the record as it stands."""

    __tablename__ = "record_version"
    __table_args__ = (
        Index("ix_record_version_record", "resource", "code", "version", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    resource: str
    code: str
    version: int  # 1, 2, ... per record
    known_from: str = Field(index=True)  # ISO 8601, UTC, microseconds: sorts as it reads
    known_until: str | None = None
    origin: str  # seed | api
    action: str  # create | update | retire
    key_name: str | None = None  # the API key that wrote it; null for a seed
    reason: str | None = Field(default=None, sa_column=Column(Text))
    record: str | None = Field(default=None, sa_column=Column(Text))  # JSON
    etag: str | None = None


class DataCheck(SQLModel, table=True):
    """A check the record makes about itself (app/rules/checks.py): figures that must add up,
    a rate against its numerator and denominator, a level against its printed change, one
    source's figure or date against another's. Derived by the seeder and by every write
    that touches its inputs, never curated directly; `conflict_note` carries the notes of
    its figures or events that explain why a conflicting check is kept."""

    __tablename__ = "data_check"

    code: str = Field(primary_key=True)
    kind: str
    verdict: str = Field(index=True)
    # The region the check is about first (a write reruns its region's checks); the links
    # list all.
    region_code: str = Field(index=True)
    title_zh: str
    title_en: str
    sentence_zh: str = Field(sa_column=Column(Text, nullable=False))
    sentence_en: str = Field(sa_column=Column(Text, nullable=False))
    formula: str
    # In `unit_code`, the unit the expected figure is printed in (null for dates).
    expected: str
    actual: str
    tolerance: str | None = None
    unit_code: str | None = None
    detail: str = Field(sa_column=Column(Text, nullable=False))  # JSON: inputs and the result
    conflict_note: str | None = Field(default=None, sa_column=Column(Text))


class DataCheckLink(SQLModel, table=True):
    """What a check is about, for filtering: each region, indicator, source, observation and
    event it reads."""

    __tablename__ = "data_check_link"
    __table_args__ = (
        ForeignKeyConstraint(["check_code"], ["data_check.code"], ondelete="CASCADE"),
        Index("ix_data_check_link_dimension_code", "dimension", "code"),
    )

    check_code: str = Field(primary_key=True)
    dimension: str = Field(primary_key=True)  # region | indicator | source | observation | event
    code: str = Field(primary_key=True)
