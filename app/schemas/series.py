"""Response models of the series tools: transformed values and comparisons of regions.

Both are computed from published figures, never published themselves: each says what it was
computed from (the observation codes), and in which unit.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from app.rules.periods import PeriodPrecision
from app.rules.qualifiers import Qualifier
from app.rules.regions import RegionLevel
from app.rules.series import Transform
from app.schemas.resources import Derivation


class SeriesValueRead(BaseModel):
    """A value computed from a series (one indicator for one main region) with transform=:
    the change, the percent change or an index of the figure for `period`. Derived, never
    published; null with a `reason` where it cannot be computed (never 0)."""

    indicator: str = Field(examples=["value_added_secondary"])
    indicator_name: str
    indicator_name_zh: str
    indicator_name_en: str
    region: str = Field(examples=["140700"], description="The series' main region.")
    region_name: str
    region_name_zh: str
    region_name_en: str
    period: str = Field(examples=["2024"], description="The period of the figure transformed.")
    period_start: date | None
    period_end: date
    period_precision: PeriodPrecision
    transform: Transform = Field(
        description="change: current - previous; pct_change: (current / previous - 1) × 100; "
        "index: current / base × 100. `previous` is the figure for the period of the same "
        "kind just before (2023 before 2024), in the whole series whatever the filters."
    )
    base: str | None = Field(description="The base period of an index (= 100); else null.")
    value: float | None = Field(
        description="The computed value, in `unit`: a change is exact; a percent change and an "
        "index are rounded to 2 decimal places, halves away from zero. Null (never 0) when it "
        "cannot be computed: see `reason`."
    )
    unit: str | None = Field(
        examples=["%"],
        description="Symbol of the result's unit: the series' own for a change (个百分点 for "
        "a change of percentages), % for a percent change, BASE=100 for an index.",
    )
    unit_code: str = Field(
        examples=["percent"],
        description="Code of the unit (see /v1/units), or `index` for an index.",
    )
    unit_name: str
    unit_name_zh: str
    unit_name_en: str
    qualifier: Qualifier | None = Field(
        description="exact, or approximately when an input is approximate; null with no value."
    )
    derived: bool = Field(description="Always true: computed here, never published.")
    derivation: Derivation = Field(
        description="The formula and its inputs: `current` (the figure for `period`) and "
        "`previous` or `base`, each an observation code."
    )
    reason: str | None = Field(
        description="Why `value` is null: no figure for the period before (a gap), a zero "
        "divisor, an input that is a bound, a range or a rank, no figure at the base."
    )
    observation: str = Field(description="Code of the figure for `period` (the `current` input).")
    sources: list[str] = Field(description="Codes of the sources of the inputs.")


class ComparisonItemRead(BaseModel):
    """One region's place among regions of one level, on one indicator for one period.

    Exact figures are ranked by value, largest first, ties sharing a rank (1, 2, 2, 4); the
    figures that cannot be ranked follow with `rank` null and the `reason`, then the regions
    without a figure."""

    indicator: str = Field(examples=["gdp"])
    indicator_name: str
    indicator_name_zh: str
    indicator_name_en: str
    period: str = Field(examples=["2021"])
    level: RegionLevel = Field(description="The level of the regions compared.")
    rank: int | None = Field(description="1 for the largest; null if not ranked.")
    comparable: bool = Field(description="Whether the figure takes a rank.")
    reason: str | None = Field(
        description="Why it is not ranked: approximate, a bound (more than), a range, a rank, "
        "or no figure for the period."
    )
    region: str = Field(examples=["140100"])
    region_name: str
    region_name_zh: str
    region_name_en: str
    value: float | None = Field(
        description="The figure in the indicator's unit (a figure printed in another unit, "
        "such as 万亿元, converted exactly); for a range its low end; null without a figure."
    )
    value_max: float | None = Field(description="The high end of a range, in the same unit.")
    unit: str | None = Field(
        examples=["亿元"], description="The indicator's unit as printed, in every language."
    )
    unit_code: str = Field(examples=["cny_100m"])
    unit_name: str = Field(description="The unit's name in the language asked for.")
    unit_name_zh: str
    unit_name_en: str
    qualifier: Qualifier | None
    source: str | None = Field(description="Code of the figure's source.")
    observation: str | None = Field(description="Code of the figure.")
    observation_url: str | None
