"""The YAML seed format as pydantic models: unknown keys rejected, every field typed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from app.rules.entities import EntityKind, Relation
from app.rules.periods import parse_period
from app.rules.qualifiers import Qualifier
from app.rules.regions import RegionLevel

VocabularyCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _unique(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("a code is listed more than once")
    return values


UniqueSlugs = Annotated[list[Slug], AfterValidator(_unique)]
UniqueRegions = Annotated[list[RegionCode], AfterValidator(_unique)]
UniqueVocabulary = Annotated[list[VocabularyCode], AfterValidator(_unique)]


class SeedModel(BaseModel):
    """Base for seed records: strict about keys so a typo in YAML is an error, not a default."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ErratumSeed(SeedModel):
    """A correction to a source text: `original` becomes `corrected`."""

    original: Annotated[str, StringConstraints(min_length=1)]
    corrected: str
    reason: Text
    occurrences: int = Field(default=1, ge=1)


class SourceSeed(SeedModel):
    """A published report and the file holding its text."""

    code: Slug
    publication_zh: Text
    publication_en: Text
    published_date: date
    page: str | None = None
    page_heading: str | None = None
    series: str | None = None
    title: Text
    subtitle: str | None = None
    title_en: Text
    subtitle_en: str | None = None
    reporter: str | None = None
    language: Text = "zh"
    url: str | None = None
    text_file: Text
    errata: list[ErratumSeed] = []


class RegionSeed(SeedModel):
    """An administrative division with its GB/T 2260 code."""

    code: RegionCode
    name_zh: Text
    name_en: Text
    level: RegionLevel
    parent: RegionCode | None = None


class TopicSeed(SeedModel):
    """A theme grouping indicators."""

    code: VocabularyCode
    name_zh: Text
    name_en: Text
    description_zh: Text
    description_en: Text


class UnitSeed(SeedModel):
    """A unit as printed (symbol) and its conversion to a base unit."""

    code: VocabularyCode
    symbol: str | None
    name_zh: Text
    name_en: Text
    normalized_unit: Text
    factor: Decimal = Field(gt=0)


class IndicatorSeed(SeedModel):
    """What is measured, in which unit, under which topic."""

    code: VocabularyCode
    name_zh: Text
    name_en: Text
    definition_zh: Text
    definition_en: Text
    topic: VocabularyCode
    unit: VocabularyCode


class DerivationSeed(SeedModel):
    """How a derived value is computed: a formula over named input observations."""

    formula: Text
    inputs: dict[str, Slug] = Field(min_length=1)


class ObservationSeed(SeedModel):
    """One figure with its provenance; published figures carry value_as_published."""

    code: Slug
    indicator: VocabularyCode
    regions: list[RegionCode] = Field(min_length=1)
    period: Text
    value: Decimal
    value_max: Decimal | None = None
    value_as_published: str | None = None
    unit: VocabularyCode | None = None
    qualifier: Qualifier
    source: Slug
    quote: Text
    derivation: DerivationSeed | None = None
    entities: UniqueSlugs = []
    note: str | None = None

    @field_validator("period")
    @classmethod
    def _period_is_iso(cls, value: str) -> str:
        parse_period(value)
        return value

    @field_validator("regions")
    @classmethod
    def _regions_unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("regions are listed more than once")
        return value

    @model_validator(mode="after")
    def _published_or_derived(self) -> Self:
        if self.derivation is None and not self.value_as_published:
            raise ValueError("a published figure needs value_as_published (or a derivation)")
        if self.derivation is not None and self.value_as_published is not None:
            raise ValueError("a derived value was not published: drop value_as_published")
        if self.value_max is not None and self.value_max <= self.value:
            raise ValueError("value_max must be greater than value")
        return self


class RegionLinkSeed(SeedModel):
    """An entity's tie to a region, with the words that show it."""

    region: RegionCode
    quote: Text


class RelationSeed(SeedModel):
    """An entity's tie to another entity, with the words that show it."""

    entity: Slug
    relation: Relation
    quote: Text


class PersonSeed(SeedModel):
    """A person the report names, with the role it gives them."""

    code: Slug
    name_zh: Text
    name_en: Text
    role_zh: Text
    role_en: Text
    quote: Text


class EntitySeed(SeedModel):
    """A thing the report names: a project, organisation, initiative, honour, place or product."""

    code: Slug
    kind: EntityKind
    name_zh: Text
    name_en: Text
    description_zh: Text
    description_en: Text
    source: Slug
    quote: Text
    topics: UniqueVocabulary = []
    regions: list[RegionLinkSeed] = []
    related: list[RelationSeed] = []
    people: list[PersonSeed] = []

    @model_validator(mode="after")
    def _links_are_well_formed(self) -> Self:
        if self.people and self.kind is not EntityKind.organisation:
            raise ValueError("only an organisation lists people")
        if len({link.region for link in self.regions}) != len(self.regions):
            raise ValueError("a region is linked more than once")
        if len({(tie.entity, tie.relation) for tie in self.related}) != len(self.related):
            raise ValueError("the same relation to the same entity is listed more than once")
        return self


class EventSeed(SeedModel):
    """A moment the report tells."""

    code: Slug
    period: Text
    title_zh: Text
    title_en: Text
    description_zh: Text
    description_en: Text
    regions: UniqueRegions = []
    topics: UniqueVocabulary = []
    entities: UniqueSlugs = []
    indicators: UniqueVocabulary = []
    source: Slug
    quote: Text

    @field_validator("period")
    @classmethod
    def _period_is_iso(cls, value: str) -> str:
        parse_period(value)
        return value


class QuoteSeed(SeedModel):
    """First-person testimony, verbatim, with an English gloss and who said it."""

    code: Slug
    text: Text
    gloss_en: Text
    speaker: Slug | None = None
    speaker_zh: str | None = None
    speaker_en: str | None = None
    role_zh: str | None = None
    role_en: str | None = None
    entity: Slug | None = None
    regions: UniqueRegions = []
    topic: VocabularyCode
    source: Slug

    @model_validator(mode="after")
    def _one_kind_of_speaker(self) -> Self:
        described = (self.speaker_zh, self.speaker_en, self.role_zh, self.role_en)
        if self.speaker is None and not all(d and d.strip() for d in described):
            raise ValueError(
                "name a speaker (a person's code) or describe one with speaker_zh, "
                "speaker_en, role_zh and role_en"
            )
        if self.speaker is not None and any(described):
            raise ValueError("a named speaker takes name and role from the person's record")
        return self

    def described_speaker(self) -> tuple[str, str, str, str]:
        """(speaker_zh, speaker_en, role_zh, role_en) of a speaker described, not named."""
        described = (self.speaker_zh, self.speaker_en, self.role_zh, self.role_en)
        if not all(described):
            raise ValueError(f"quote {self.code!r} names its speaker instead of describing one")
        return (str(self.speaker_zh), str(self.speaker_en), str(self.role_zh), str(self.role_en))
