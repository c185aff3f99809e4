"""Response models for the v1 resources. Keys here are the API's contract: add, never repurpose."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from app.rules.periods import PeriodPrecision
from app.rules.qualifiers import Qualifier
from app.rules.regions import RegionLevel


class TopicRead(BaseModel):
    """A theme that groups indicators."""

    code: str = Field(examples=["energy"])
    name_zh: str = Field(examples=["能源"])
    name_en: str = Field(examples=["Energy"])
    description_en: str | None
    indicator_count: int
    url: str
    indicators_url: str


class UnitRead(BaseModel):
    """A unit as printed and its conversion to the normalized unit."""

    code: str = Field(examples=["cny_100m"])
    symbol: str | None = Field(description="As printed after a figure; null if none is printed.")
    name_zh: str
    name_en: str
    normalized_unit: str = Field(examples=["CNY"])
    factor: float = Field(description="normalized_value = value × factor.")


class RegionRef(BaseModel):
    """A region named by code with its labels."""

    code: str = Field(examples=["140700"])
    name_zh: str = Field(examples=["晋中市"])
    name_en: str = Field(examples=["Jinzhong"])


class RegionRead(RegionRef):
    """An administrative division (GB/T 2260 code) and its place in the hierarchy."""

    level: RegionLevel
    parent: str | None = Field(description="Code of the parent region; null for a province.")
    url: str


class RegionDetail(RegionRead):
    """A region with its parent's labels and its children."""

    parent_region: RegionRef | None
    children: list[RegionRef]


class IndicatorRead(BaseModel):
    """What is measured, with its unit and topic."""

    code: str = Field(examples=["gdp"])
    name_zh: str = Field(examples=["地区生产总值"])
    name_en: str = Field(examples=["Gross regional product"])
    definition_en: str
    topic: str = Field(examples=["economy"])
    unit: str | None = Field(description="The unit as printed in the source (e.g. 亿元).")
    unit_code: str
    normalized_unit: str = Field(examples=["CNY"])
    observation_count: int
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


class ObservationRead(BaseModel):
    """One figure with its period, unit as published and normalized, qualifier and provenance."""

    code: str = Field(examples=["gdp-2024"])
    indicator: str = Field(examples=["gdp"])
    indicator_name_zh: str
    indicator_name_en: str
    region: str = Field(examples=["140700"], description="The main region the figure is about.")
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
    unit: str | None = Field(examples=["亿元"], description="Unit as printed; null if none.")
    unit_code: str
    value_as_published: str | None = Field(
        examples=["2458.8"], description="The figure exactly as printed; null for derived values."
    )
    normalized_value: float = Field(examples=[245880000000])
    normalized_value_max: float | None
    normalized_unit: str = Field(examples=["CNY"])
    qualifier: Qualifier
    derived: bool
    derivation: Derivation | None
    note: str | None
    source: str = Field(examples=["jzrb-2025-10-24-p03"])
    quote: str = Field(description="The sentence the figure comes from, verbatim.")
    url: str


class ErratumRead(BaseModel):
    """A correction applied to a source's text."""

    seq: int
    original: str
    corrected: str
    reason: str
    occurrences: int


class SourceRead(BaseModel):
    """A published report."""

    code: str = Field(examples=["jzrb-2025-10-24-p03"])
    publication_zh: str
    publication_en: str
    published_date: date
    page: str | None
    page_heading: str | None
    series: str | None
    title: str
    subtitle: str | None
    title_en: str | None = Field(description="Our translation of the title.")
    reporter: str | None
    language: str
    published_url: str | None = Field(description="Where the source is published online, if known.")
    observation_count: int
    url: str
    text_url: str


class SourceDetail(SourceRead):
    """A source with the errata applied to its text."""

    errata: list[ErratumRead]


class Health(BaseModel):
    """Liveness."""

    status: str = Field(examples=["ok"])
