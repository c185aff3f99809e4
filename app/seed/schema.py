"""The YAML seed format as pydantic models: unknown keys rejected, every field typed."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal, Self, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from sqlmodel import SQLModel

from app.models.fields import (
    EntityFields,
    EventFields,
    IndicatorFields,
    ObservationFields,
    PersonFields,
    QuotationFields,
    RegionCode,
    RegionFields,
    Slug,
    SourceFields,
    Text,
    TopicFields,
    UnitFields,
    VocabularyCode,
)
from app.rules.entities import EntityKind, Relation
from app.rules.geometry import geometry_problems
from app.rules.periods import parse_period


def _unique(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("a code is listed more than once")
    return values


UniqueSlugs = Annotated[list[Slug], AfterValidator(_unique)]
UniqueRegions = Annotated[list[RegionCode], AfterValidator(_unique)]
UniqueVocabulary = Annotated[list[VocabularyCode], AfterValidator(_unique)]


class SeedModel(SQLModel):
    """Base for seed records: strict about keys so a typo in YAML is an error, not a default.

    A record's own fields (`app/models/fields.py`) come in by inheritance; what a seed model
    declares itself is its key, its references and what is shaped on the way to rows.
    """

    # A SQLModel (not a table): the fields it shares with a table come from a SQLModel base.
    model_config = ConfigDict(extra="forbid", frozen=True)  # type: ignore[assignment]


def seed_key_order(model: type[BaseModel]) -> list[str]:
    """A seed model's keys as curators write them: its code and own plain values (references,
    period, value), the fields it shares with its table, then its lists and nested records."""
    shared = {
        name
        for base in model.__mro__[1:]
        if issubclass(base, SQLModel) and not issubclass(base, SeedModel)
        for name in base.model_fields
    }
    own = [name for name in model.model_fields if name not in shared]
    nested = [name for name in own if _is_collection(model.model_fields[name].annotation)]
    return (
        [name for name in own if name not in nested]
        + [name for name in model.model_fields if name in shared]
        + nested
    )


def _is_collection(annotation: Any) -> bool:
    kinds = [annotation, *get_args(annotation)]
    return any(
        get_origin(kind) in (list, dict) or (isinstance(kind, type) and issubclass(kind, BaseModel))
        for kind in kinds
    )


class ErratumSeed(SeedModel):
    """A correction to a source text: `original` becomes `corrected`."""

    original: Annotated[str, StringConstraints(min_length=1)]
    corrected: str
    reason: Text
    occurrences: int = Field(default=1, ge=1)


class SourceSeed(SeedModel, SourceFields):
    """A published document and, where its text is ours to keep, the file holding it."""

    code: Slug
    text_file: Text | None = None
    errata: list[ErratumSeed] = []

    @model_validator(mode="after")
    def _errata_need_text(self) -> SourceSeed:
        if self.errata and self.text_file is None:
            raise ValueError("errata correct a stored text: this source has no text_file")
        return self


class RegionSeed(SeedModel, RegionFields):
    """An administrative division with its GB/T 2260 code."""

    code: RegionCode
    parent: RegionCode | None = None


class TopicSeed(SeedModel, TopicFields):
    """A theme grouping indicators."""

    code: VocabularyCode


class UnitSeed(SeedModel, UnitFields):
    """A unit as printed (symbol) and its conversion to a base unit."""

    code: VocabularyCode
    factor: Decimal = Field(gt=0)


class IndicatorSeed(SeedModel, IndicatorFields):
    """What is measured, in which unit, under which topic."""

    code: VocabularyCode
    topic: VocabularyCode
    unit: VocabularyCode


class DerivationSeed(SeedModel):
    """How a derived value is computed: a formula over named input observations."""

    formula: Text
    inputs: dict[str, Slug] = Field(min_length=1)


class ObservationSeed(SeedModel, ObservationFields):
    """One figure with its provenance; published figures carry value_as_published."""

    code: Slug
    indicator: VocabularyCode
    regions: list[RegionCode] = Field(min_length=1)
    period: Text
    value: Decimal
    value_max: Decimal | None = None
    unit: VocabularyCode | None = None
    source: Slug
    derivation: DerivationSeed | None = None
    entities: UniqueSlugs = []

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


class PersonSeed(SeedModel, PersonFields):
    """A person the report names, with the role it gives them."""

    code: Slug


class EntitySeed(SeedModel, EntityFields):
    """A thing the report names: a project, organisation, initiative, honour, place or product."""

    code: Slug
    source: Slug
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


class EventSeed(SeedModel, EventFields):
    """A moment the report tells."""

    code: Slug
    period: Text
    regions: UniqueRegions = []
    topics: UniqueVocabulary = []
    entities: UniqueSlugs = []
    indicators: UniqueVocabulary = []
    source: Slug

    @field_validator("period")
    @classmethod
    def _period_is_iso(cls, value: str) -> str:
        parse_period(value)
        return value


class QuoteSeed(SeedModel, QuotationFields):
    """First-person testimony, verbatim, with an English gloss and who said it."""

    code: Slug
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


class BoundaryProperties(BaseModel):
    """What a boundary says besides its shape: the source it is drawn from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Slug


class BoundarySeed(BaseModel):
    """One Feature of boundaries.geojson: a region's outline (a GeoJSON Polygon or
    MultiPolygon, simplified for drawing), keyed by the region's code."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["Feature"] = Field(alias="type")
    code: RegionCode = Field(alias="id")
    properties: BoundaryProperties
    geometry: dict[str, Any]

    @field_validator("geometry")
    @classmethod
    def _valid_geometry(cls, value: dict[str, Any]) -> dict[str, Any]:
        problems = geometry_problems(value)
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @property
    def source(self) -> str:
        """The code of the source the outline is drawn from."""
        return self.properties.source


class BoundaryFileSeed(BaseModel):
    """boundaries.geojson as a whole: a FeatureCollection (its features are read one by one,
    so that one broken feature does not hide the others' problems)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["FeatureCollection"] = Field(alias="type")
    features: list[Any]
